// flowpipe decode --workers: a capture of several exporters decoded on worker threads gives each
// exporter's records in the same order as one thread, the same counters, and the templates saved.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pcapFile } from '../../lib/capture/pcap-writer.js';
import { warmUpExports } from '../../lib/runtime/warm-up.js';
import { BIN, ROOT } from '../helpers/paths.js';

const tmp = mkdtempSync(join(tmpdir(), 'flowpipe-decode-workers-'));
const run = (args: string[]) => spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, encoding: 'utf8', maxBuffer: 1 << 28 });

/** v5, v9 and IPFIX from five exporters, interleaved, each exporter's sequence numbers its own. */
function capture(): string {
  const { setup, data } = warmUpExports();
  const dst = { address: '192.0.2.2', port: 2055 };
  const packets = [];
  let time = 1_700_000_000_000;
  for (let e = 0; e < 5; e++) for (const s of setup) packets.push({ src: { address: `192.0.2.${10 + e}`, port: 2055 }, dst, payload: s, time: time++ });
  for (let i = 0; i < 600; i++) packets.push({ src: { address: `192.0.2.${10 + (i % 5)}`, port: 2055 }, dst, payload: data[i % data.length]!, time: time++ });
  const file = join(tmp, 'five-exporters.pcap');
  writeFileSync(file, pcapFile(packets));
  return file;
}

/** Lines by exporter, in output order. */
function byExporter(stdout: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const line of stdout.split('\n').filter(Boolean)) {
    const e = (JSON.parse(line) as { exporter: string }).exporter;
    out.set(e, [...(out.get(e) ?? []), line]);
  }
  return out;
}

test('decode --workers 2: each exporter\'s records as one thread gives them, in order; the same counters; templates saved', () => {
  const file = capture();
  const one = run(['decode', '--stats', file]);
  assert.equal(one.status, 0, one.stderr);
  const templates = join(tmp, 'templates.json');
  const two = run(['decode', '--workers', '2', '--stats', '--templates', templates, file]);
  assert.equal(two.status, 0, two.stderr);
  const a = byExporter(one.stdout), b = byExporter(two.stdout);
  assert.equal(a.size, 5);
  assert.deepEqual([...b.keys()].sort(), [...a.keys()].sort());
  for (const [e, lines] of a) assert.deepEqual(b.get(e), lines, e);
  const statsOf = (stderr: string) => JSON.parse(stderr.trim().split('\n').at(-1)!) as { datagrams: number; records: Record<string, number>; workers?: number; capture: { packets: number } };
  const s1 = statsOf(one.stderr), s2 = statsOf(two.stderr);
  assert.equal(s2.workers, 2);
  assert.equal(s2.datagrams, s1.datagrams);
  assert.deepEqual(s2.records, s1.records);
  assert.equal(s2.capture.packets, s1.capture.packets);
  // Templates of all five exporters, saved from both workers, decode the data without the setup.
  const saved = JSON.parse(readFileSync(templates, 'utf8')) as unknown[];
  assert.ok(saved.length >= 10, `${saved.length} templates`);
  const again = run(['decode', '--workers', '2', '--templates', templates, file]);
  assert.equal(again.status, 0, again.stderr);
  const c = byExporter(again.stdout);
  for (const [e, lines] of a) assert.deepEqual(c.get(e), lines, e); // (exporters interleave differently each run)
});

test('decode --workers: usage errors for formats and options the workers do not run; | head ends quietly', () => {
  const file = capture();
  for (const format of ['csv', 'count']) assert.equal(run(['decode', '--workers', '2', '--format', format, file]).status, 2, format);
  assert.equal(run(['decode', '--workers', '99', file]).status, 2);
  assert.equal(run(['decode', '--workers', '2', '--from', 'kafka://127.0.0.1:9/t']).status, 2);
  // stdout closing early ends quietly.
  const head = spawnSync('sh', ['-c', `"${process.execPath}" "${BIN}" decode --workers 2 "${file}" | head -1`], { encoding: 'utf8' });
  assert.equal(head.stdout.split('\n').filter(Boolean).length, 1);
  assert.equal(head.stderr, '');
});
