// Error lines stay bounded whatever the error rate: the first few per kind and exporter, then one
// summary per interval; nothing is queued while stderr does not drain; decode of a capture with an
// error in every datagram writes a bounded number of lines and still counts every error.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ErrorLines } from '../../bin/cli/error-lines.js';
import { pcapFile } from '../../lib/capture/pcap-writer.js';
import { run } from '../helpers/cli.js';

/** A stderr stand-in: records lines; `full` makes write() report a full buffer. */
class Sink extends EventEmitter {
  lines: string[] = [];
  full = false;
  write(s: string): boolean {
    this.lines.push(s);
    return !this.full;
  }
}

test('error lines: at most perKey per kind and exporter, then one summary line with the count', () => {
  const out = new Sink();
  const el = new ErrorLines(out as never, { perKey: 3, total: 100 });
  for (let i = 0; i < 10_000; i++) el.add({ kind: 'bad-length', exporter: '192.0.2.1:2055' }, `line ${i}\n`);
  for (let i = 0; i < 2; i++) el.add({ kind: 'truncated', exporter: '192.0.2.2:2055' }, `t ${i}\n`);
  el.close();
  assert.deepEqual(out.lines.slice(0, 3), ['line 0\n', 'line 1\n', 'line 2\n']);
  assert.equal(out.lines.length, 6);
  assert.match(out.lines[5]!, /^flowpipe: 9997 more bad-length error\(s\) from 192\.0\.2\.1:2055 in the last/);
});

test('error lines: many exporters are summarized in a bounded number of lines', () => {
  const out = new Sink();
  const el = new ErrorLines(out as never, { perKey: 1, total: 50, summaries: 5 });
  for (let i = 0; i < 100_000; i++) el.add({ kind: 'truncated', exporter: `10.${i >> 16}.${(i >> 8) & 255}.${i & 255}:1` }, 'x\n');
  el.close();
  assert.equal(out.lines.length, 50 + 5 + 1);
  assert.match(out.lines.at(-1)!, /^flowpipe: 99945 more error\(s\) of 1 kind\(s\) from 99945 more exporter\(s\)/);
});

test('error lines: while stderr does not drain, lines are counted, not queued', () => {
  const out = new Sink();
  out.full = true;
  const el = new ErrorLines(out as never, { perKey: 100, total: 1000 });
  for (let i = 0; i < 1000; i++) el.add({ kind: 'truncated', exporter: 'a' }, 'x\n');
  assert.equal(out.lines.length, 1, 'one write found the buffer full');
  out.full = false;
  out.emit('drain');
  el.add({ kind: 'truncated', exporter: 'a' }, 'y\n');
  assert.equal(out.lines.at(-1), 'y\n');
  el.close();
  assert.match(out.lines.at(-1)!, /999 more truncated/);
});

test('decode: 20,000 broken datagrams give a bounded number of error lines, every error counted', () => {
  const dir = mkdtempSync(join(tmpdir(), 'flowpipe-errlines-'));
  const bad = Buffer.from([0, 9, 0, 1, 0, 0]); // v9 header cut short
  const packets = Array.from({ length: 20_000 }, (_, i) => ({ src: { address: '192.0.2.1', port: 2055 }, dst: { address: '192.0.2.9', port: 2055 }, payload: bad, time: 1_700_000_000_000 + i }));
  const file = join(dir, 'bad.pcap');
  writeFileSync(file, pcapFile(packets));
  const r = run(['decode', file, '--stats']);
  const err = r.stderr.toString().trim().split('\n');
  const stats = JSON.parse(err.filter((l) => l.startsWith('{')).pop()!) as { errors: Record<string, number> };
  assert.equal(stats.errors['truncated'], 20_000);
  assert.ok(err.length < 200, `${err.length} lines`);
  assert.ok(err.some((l) => /more truncated error\(s\) from 192\.0\.2\.1:2055/.test(l)));
});
