// flowpipe top: in a real terminal (tmux: send-keys, capture-pane) while a capture is replayed to
// it, the top talker shows, k and m switch the key and the measure, q quits; without a terminal,
// plain text.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { have, run } from '../helpers/cli.js';
import { BIN, ROOT } from '../helpers/paths.js';
import { freePort } from '../helpers/servers.js';

const V9 = ['test/fixtures/corpus/goflow2/nfv9_template_260.bin', 'test/fixtures/corpus/goflow2/nfv9_data_260_21records.bin'];

test('top on files, not on a terminal: one plain view of the whole input', () => {
  const r = run(['top', ...V9, '--top', '3']);
  assert.equal(r.status, 0, r.stderr.toString());
  const out = r.stdout.toString();
  assert.match(out, /^flowpipe top — whole input/);
  assert.match(out, /\n91\.173\.97\.224\s+3\.0 k\s+2\s+1\n/, 'the top destination by bytes');
  assert.doesNotMatch(out, /\x1b\[/, 'no terminal control codes');
  assert.equal(run(['top']).status, 2);
});

test('top in tmux: live rates and top talkers; k, m and q', { skip: !have('tmux') && 'tmux not installed' }, async () => {
  const port = await freePort();
  const session = `flowpipe-top-${process.pid}`;
  const tmux = (...args: string[]): string => spawnSync('tmux', args, { encoding: 'utf8' }).stdout;
  spawnSync('tmux', ['new-session', '-d', '-s', session, '-x', '120', '-y', '40', `cd ${ROOT} && node ${BIN} top --listen 127.0.0.1:${port}; echo EXITED $?; sleep 30`]);
  try {
    await new Promise((r) => setTimeout(r, 1500));
    // replay takes one file: the data's exporter (another source port) uses the template of the first (address scope).
    for (const f of [V9[0]!, V9[1]!, V9[1]!]) run(['replay', f, '--to', `127.0.0.1:${port}`]);
    const screen = async (want: RegExp): Promise<string> => {
      const deadline = Date.now() + 8000;
      let s = '';
      while (!want.test(s = tmux('capture-pane', '-p', '-t', session)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
      return s;
    };
    const first = await screen(/91\.173\.97\.224/);
    assert.match(first, /key: dstAddr \(k\)\s+by: bytes \(m\)/);
    assert.match(first, /91\.173\.97\.224/);
    tmux('send-keys', '-t', session, 'k');
    assert.match(await screen(/key: srcAddr/), /key: srcAddr/);
    tmux('send-keys', '-t', session, 'm');
    assert.match(await screen(/by: packets/), /by: packets/);
    tmux('send-keys', '-t', session, 'q');
    assert.match(await screen(/EXITED 0/), /EXITED 0/);
  } finally {
    spawnSync('tmux', ['kill-session', '-t', session]);
  }
});
