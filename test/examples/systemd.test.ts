// The systemd unit in examples/systemd: systemd accepts it (systemd-analyze verify), and its
// ExecStart command line is one flowpipe collect runs with (listening on loopback here), stops
// cleanly on SIGTERM and saves its templates into the state directory.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { have } from '../helpers/cli.js';
import { BIN } from '../helpers/paths.js';

const UNIT = fileURLToPath(new URL('../../../examples/systemd/flowpipe-collect.service', import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), 'flowpipe-systemd-'));

/** ExecStart's arguments after `flowpipe`, continuation lines joined. */
function execStart(): string[] {
  const text = readFileSync(UNIT, 'utf8').replace(/\\\n\s*/g, ' ');
  const line = text.split('\n').find((l) => l.startsWith('ExecStart='))!;
  return line.replace('ExecStart=', '').trim().split(/\s+/).slice(1);
}

test('systemd-analyze verify accepts the unit', { skip: !have('systemd-analyze') && 'systemd-analyze not installed' }, () => {
  const copy = join(tmp, 'flowpipe-collect.service');
  writeFileSync(copy, readFileSync(UNIT, 'utf8').replace('/usr/local/bin/flowpipe', BIN));
  const r = spawnSync('systemd-analyze', ['verify', copy], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
});

test('the unit\'s command line runs, stops on SIGTERM with exit 0 and saves its templates in the state directory', async () => {
  const args = execStart().map((a) => a.replace('${STATE_DIRECTORY}', tmp));
  assert.equal(args[0], 'collect');
  args[args.indexOf('--listen') + 1] = '127.0.0.1:0'; // loopback only in tests
  args[args.indexOf('--metrics') + 1] = '127.0.0.1:0';
  const child = spawn(process.execPath, [BIN, ...args]);
  let err = '';
  child.stderr.on('data', (d: Buffer) => { err += d.toString(); });
  const deadline = Date.now() + 15_000;
  while (!/listening on/.test(err) && Date.now() < deadline && child.exitCode === null) await new Promise((r) => setTimeout(r, 50));
  assert.match(err, /listening on 127\.0\.0\.1:\d+/);
  const code = await new Promise<number | null>((r) => { child.once('close', r); child.kill('SIGTERM'); });
  assert.equal(code, 0, err);
  assert.ok(existsSync(join(tmp, 'templates.json')), 'templates saved');
});
