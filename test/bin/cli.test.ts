import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { BIN, ROOT } from '../helpers/paths.js';

const root = ROOT;
const bin = BIN;
const run = (args: string[], input?: Buffer) => spawnSync(process.execPath, [bin, ...args], { cwd: root, input, encoding: 'buffer' });

test('flowpipe decode: NDJSON records from the bundled samples, several files with one template state', () => {
  const r = run(['decode', 'examples/samples/softflowd-ipfix.bin', 'examples/samples/cisco-v9-template-and-data.bin']);
  assert.equal(r.status, 0, r.stderr.toString());
  const lines = r.stdout.toString().trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  assert.equal(lines.length, 13 + 21);
  assert.equal(lines[1]!['sourceIPv4Address'], '192.168.253.1');
  assert.equal(lines[33]!['protocol'], 'netflow-v9');
});

test('flowpipe decode: stdin, --exporter, exit codes', () => {
  const sample = spawnSync('cat', ['examples/samples/softflowd-ipfix.bin'], { cwd: root }).stdout;
  const r = run(['decode', '--exporter', '[2001:db8::1]:4739'], sample);
  assert.equal(r.status, 0);
  assert.match(r.stdout.toString(), /"exporter":"\[2001:db8::1\]:4739"/);
  assert.equal(run(['decode', '--bogus']).status, 2);
  assert.equal(run(['frobnicate']).status, 2);
  assert.equal(run(['decode', 'no/such/file']).status, 1);
  const garbage = run(['decode', '--strict'], Buffer.alloc(32, 0xff));
  assert.equal(garbage.status, 1);
  assert.match(garbage.stderr.toString(), /unknown-version/);
  assert.equal(run(['decode'], Buffer.alloc(32, 0xff)).status, 0, 'decode errors are reported, not fatal');
});

test('flowpipe decode: stdin redirected from a file (read as a file) gives what the path gives', () => {
  for (const file of ['test/fixtures/corpus/tcpdump/sflow-print-v6.pcap', 'examples/samples/cisco-v9-template-and-data.bin']) {
    const fd = openSync(`${root}/${file}`, 'r');
    try {
      const redirected = spawnSync(process.execPath, [bin, 'decode'], { cwd: root, stdio: [fd, 'pipe', 'pipe'], encoding: 'buffer' });
      assert.equal(redirected.status, 0, redirected.stderr.toString());
      const byPath = run(['decode', file]);
      assert.ok(redirected.stdout.length > 0);
      // Raw exports are attributed to 0.0.0.0:0 either way; export times come from the data.
      assert.equal(redirected.stdout.toString(), byPath.stdout.toString(), file);
    } finally {
      closeSync(fd);
    }
  }
});

test('flowpipe decode: pcap captures (attributed to their UDP source) and gzip', () => {
  const r = run(['decode', 'test/fixtures/corpus/tcpdump/sflow_expanded.pcap']);
  assert.equal(r.status, 0, r.stderr.toString());
  const rec = JSON.parse(r.stdout.toString().trim()) as Record<string, unknown>;
  assert.equal(rec['protocol'], 'sflow-v5');
  assert.equal(rec['exporter'], '192.0.2.100:47873');
  assert.equal(rec['agent'], '49.49.49.49');
  const gz = spawnSync('gzip', ['-c', 'examples/samples/softflowd-ipfix.bin'], { cwd: root }).stdout;
  const z = run(['decode'], gz);
  assert.equal(z.status, 0);
  assert.equal(z.stdout.toString().trim().split('\n').length, 13);
});
