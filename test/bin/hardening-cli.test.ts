// A careless operator and a hostile input at the command line: bad flags, busy ports, broken
// state files, truncated captures, closed pipes and full disks. Every case is one clear line,
// the documented exit status, and nothing lost without a word.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pcapFile } from '../../lib/capture/pcap-writer.js';
import { BIN, ROOT } from '../helpers/paths.js';
import { lines, run, startCollect, stop } from '../helpers/cli.js';

const tmp = mkdtempSync(join(tmpdir(), 'flowpipe-hard-'));
const TEMPLATE = 'test/fixtures/corpus/goflow2/nfv9_template_260.bin';
const DATA = 'test/fixtures/corpus/goflow2/nfv9_data_260_21records.bin';
const V9 = [TEMPLATE, DATA];
const SFLOW = 'test/fixtures/corpus/tcpdump/sflow_multiple_counter_30_pdus.pcap';

/** A pcap of the v9 template and data, sent from 192.0.2.10:2055 at `time` (epoch ms). */
function v9Capture(time: number): Buffer {
  const src = { address: '192.0.2.10', port: 2055 };
  const dst = { address: '192.0.2.1', port: 2055 };
  return pcapFile(V9.map((f, i) => ({ src, dst, payload: readFileSync(join(ROOT, f)), time: time + i })));
}

const oneLine = (stderr: Buffer | string): string => {
  const text = stderr.toString().trim();
  assert.equal(text.split('\n').length, 1, `one line, got: ${text}`);
  assert.doesNotMatch(text, /\n\s+at /, 'no stack trace');
  return text;
};

test('--filter parse errors: exit 2 with the column', () => {
  for (const [expr, column] of [['protocolIdentifier===6', 19], ['&&', 1], ['x==6 &&', 8], ['x=="6', 4], ['x>abc', 3]] as const) {
    const r = run(['decode', '--filter', expr, ...V9]);
    assert.equal(r.status, 2, expr);
    assert.match(oneLine(r.stderr), new RegExp(`--filter: column ${column}:`), expr);
  }
  const dashed = run(['decode', '--filter', 'sourceIPv4Address-x==1', ...V9]);
  assert.equal(dashed.status, 0, 'names with - can be filtered');
  const proto = run(['decode', '--filter', 'constructor!=x', '--fields', 'constructor,sourceIPv4Address', ...V9]);
  assert.equal(proto.status, 0);
  assert.equal(proto.stdout.toString(), '', 'Object.prototype is not a field');
});

test('decode --format count prints the counts', () => {
  const r = run(['decode', '--format', 'count', ...V9]);
  assert.equal(r.status, 0);
  assert.deepEqual(lines(r.stdout), [{ records: 21, byKind: { flow: 21 } }]);
  const filtered = run(['decode', '--format', 'count', '--filter', 'protocolIdentifier==6', ...V9]);
  const all = lines(run(['decode', ...V9]).stdout).filter((x) => x['protocolIdentifier'] === 6).length;
  assert.equal(lines(filtered.stdout)[0]!['records'], all);
});

test('a truncated capture is counted and said; --strict exits 1', () => {
  const whole = v9Capture(1_700_000_000_000);
  for (const [name, bytes] of [['mid-record', whole.subarray(0, whole.length - 100)], ['short-header', whole.subarray(0, 10)]] as const) {
    const file = join(tmp, `${name}.pcap`);
    writeFileSync(file, bytes);
    const r = run(['decode', '--stats', file]);
    assert.equal(r.status, 0, name);
    assert.match(r.stderr.toString(), /capture truncated: the last \d+ bytes/, name);
    const stats = JSON.parse(r.stderr.toString().trim().split('\n').at(-1)!) as { capture: { truncatedFiles: number } };
    assert.equal(stats.capture.truncatedFiles, 1);
    assert.equal(run(['decode', '--strict', file]).status, 1, `${name} --strict`);
  }
  const ok = join(tmp, 'whole.pcap');
  writeFileSync(ok, whole);
  assert.equal(run(['decode', '--strict', ok]).status, 0);
});

test('--templates: a bad state file is validated entry by entry, never reaches generated code', () => {
  assert.equal(run(['decode', '--templates', join(tmp, 'seed.json'), TEMPLATE]).status, 0);
  const saved = JSON.parse(readFileSync(join(tmp, 'seed.json'), 'utf8')) as Record<string, unknown>[];
  assert.equal(saved.length, 1);
  const bad = (patch: (t: Record<string, unknown> & { fields: Record<string, unknown>[] }) => void): Record<string, unknown> => {
    const t = structuredClone(saved[0]!) as Record<string, unknown> & { fields: Record<string, unknown>[] };
    patch(t);
    return t;
  };
  const entries = [
    bad((t) => { t.fields[0]!['length'] = -1; }),
    bad((t) => { t.fields[1]!['length'] = '4'; }),
    bad((t) => { t['templateId'] = 0; }),
    bad((t) => { t['domain'] = 'x'; }),
    bad((t) => { t.fields = Array.from({ length: 5000 }, () => ({ id: 1, pen: 0, length: 4, scope: false })); }),
    'not an object',
    saved[0]!, // the valid one: still loaded
  ];
  const state = join(tmp, 'hostile.json');
  writeFileSync(state, JSON.stringify(entries));
  const r = run(['decode', '--templates', state, DATA]);
  assert.equal(r.status, 0, r.stderr.toString());
  const err = r.stderr.toString();
  assert.match(err, /template entry 0 skipped: fields\[0\]\.length is -1/);
  assert.match(err, /template entry 1 skipped: fields\[1\]\.length is "4"/);
  assert.match(err, /template entry 2 skipped: templateId is 0/);
  assert.match(err, /template entry 3 skipped: domain is "x"/);
  assert.match(err, /template entry 4 skipped: has 5000 fields/);
  assert.match(err, /1 more template entries skipped/);
  assert.match(err, /loaded 1 templates/);
  assert.equal(lines(r.stdout).length, 21, 'the valid entry decodes the data');
  assert.doesNotMatch(err, /Octal|SyntaxError|\n\s+at /);
  writeFileSync(state, '{"not": "an array"}');
  const notArray = run(['decode', '--templates', state, DATA]);
  assert.equal(notArray.status, 0);
  assert.match(notArray.stderr.toString(), /not a template file/);
});

test('--templates: expiry runs on the capture clock, so an old capture saves what it learned', () => {
  const old = join(tmp, 'old.pcap');
  writeFileSync(old, v9Capture(Date.UTC(2020, 0, 1)));
  const state = join(tmp, 'old-state.json');
  assert.equal(run(['decode', '--templates', state, old]).status, 0);
  const saved = JSON.parse(readFileSync(state, 'utf8')) as { templateId: number; exporter: string }[];
  assert.deepEqual(saved.map((t) => [t.exporter, t.templateId]), [['192.0.2.10:2055', 260]]);
});

test('--templates: a save that fails says so, exits 1 and keeps the previous file', () => {
  const r = run(['decode', '--templates', join(tmp, 'no', 'such', 'dir', 's.json'), ...V9]);
  assert.equal(r.status, 1);
  assert.match(r.stderr.toString(), /could not save templates to .*ENOENT/);
  const state = join(tmp, 'kept.json');
  writeFileSync(state, '[]');
  writeFileSync(`${state}.tmp`, ''); // a leftover temp file is simply replaced
  assert.equal(run(['decode', '--templates', state, ...V9]).status, 0);
  assert.equal((JSON.parse(readFileSync(state, 'utf8')) as unknown[]).length, 1);
  assert.equal(existsSync(`${state}.tmp`), false);
});

test('stdout closed early (| head): quiet exit 0, --stats still printed', async () => {
  for (const args of [['inspect', SFLOW], ['decode', '--stats', SFLOW, SFLOW, SFLOW, SFLOW, SFLOW, SFLOW, SFLOW, SFLOW]]) {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr.on('data', (c: Buffer) => { err += c.toString(); });
    child.stdout.once('data', () => child.stdout.destroy()); // the reader goes away after one chunk
    const code = await new Promise<number | null>((r) => child.once('exit', r));
    assert.equal(code, 0, `${args[0]}: ${err}`);
    assert.doesNotMatch(err, /EPIPE|cannot read|\n\s+at /, args[0]);
    if (args.includes('--stats')) assert.match(err, /"datagrams":\d+/);
    else assert.equal(err, '');
  }
});

test('collect: usage errors are one line, exit 2, before binding', () => {
  const cases: string[][] = [
    ['--listen', '127.0.0.1:70000'],
    ['--listen', 'not-an-ip:2055'],
    ['--listen', '127.0.0.1:0', '--recv-buffer', '1e99'],
    ['--listen', '127.0.0.1:0', '--workers', '1000000'],
    ['--listen', '127.0.0.1:0', '--allow', '10.0.0.0/40'],
    ['--listen', '127.0.0.1:0', '--allow', '10.0.0.300'],
    ['--listen', '127.0.0.1:0', '--stats-interval', '1e99'],
    ['--listen', '127.0.0.1:0', '--metrics', 'nohostport'],
  ];
  for (const args of cases) {
    const r = run(['collect', ...args]);
    assert.equal(r.status, 2, args.join(' '));
    assert.doesNotMatch(oneLine(r.stderr), /listening/, args.join(' '));
  }
  const rec = run(['record', '--listen', '127.0.0.1:99999', '--out', join(tmp, 'x.pcap')]);
  assert.equal(rec.status, 2);
  oneLine(rec.stderr);
});

test('collect/record with the port in use: one line, exit 1; port 0 is an ephemeral port', async () => {
  const busy = createSocket('udp4');
  await new Promise<void>((r) => busy.bind(0, '127.0.0.1', r));
  const port = busy.address().port;
  try {
    for (const args of [['collect', '--listen', `127.0.0.1:${port}`], ['record', '--listen', `127.0.0.1:${port}`, '--out', join(tmp, 'busy.pcap')]]) {
      const r = run(args);
      assert.equal(r.status, 1, args[0]);
      assert.match(oneLine(r.stderr), new RegExp(`cannot listen on 127\\.0\\.0\\.1:${port}: the port is in use`));
    }
  } finally {
    busy.close();
  }
  const c = await startCollect([]);
  assert.ok(c.port > 0);
  assert.equal(await stop(c.child), 0);
});

test('collect --to: a bad path fails at start; a full disk stops cleanly with stats and saved templates', async () => {
  const bad = run(['collect', '--listen', '127.0.0.1:0', '--to', join(tmp, 'missing', 'out.ndjson')]);
  assert.equal(bad.status, 1);
  assert.doesNotMatch(oneLine(bad.stderr), /listening/);
  const state = join(tmp, 'full-state.json');
  const c = await startCollect(['--to', '/dev/full', '--templates', state]);
  const send = createSocket('udp4');
  const exited = new Promise<number | null>((r) => c.child.once('exit', r));
  for (let i = 0; i < 50 && c.child.exitCode === null; i++) {
    for (const f of V9) send.send(readFileSync(join(ROOT, f)), c.port, '127.0.0.1');
    await new Promise((r) => setTimeout(r, 50));
  }
  send.close();
  const code = await Promise.race([exited, new Promise((r) => setTimeout(() => r('running'), 10_000))]);
  if (code === 'running') await stop(c.child);
  assert.equal(code, 1, c.err());
  assert.match(c.err(), /output failed, stopping: ENOSPC/);
  assert.match(c.err(), /"decoder":\{"datagrams":\d+/, 'stats printed');
  assert.doesNotMatch(c.err(), /\n\s+at /);
  assert.equal((JSON.parse(readFileSync(state, 'utf8')) as unknown[]).length, 1, 'templates saved');
});
