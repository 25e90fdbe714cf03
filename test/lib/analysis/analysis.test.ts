// The analysis logic on generated flows with known totals: windows and lateness, the `other` row,
// space-saving's error bound, pairing and its timeout, alert rules (matching, fire once, hold,
// re-arm), and the alert stage running a command with a hostile value as one argument.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Aggregator } from '../../../lib/analysis/aggregate.js';
import { TopN } from '../../../lib/analysis/top-n.js';
import { SpaceSaving } from '../../../lib/analysis/space-saving.js';
import { Pairer } from '../../../lib/analysis/pair.js';
import { AlertEngine, compileRules, fillArgs } from '../../../lib/analysis/alert.js';
import { parseDuration, WindowClock } from '../../../lib/analysis/windows.js';
import { fieldValue, measures } from '../../../lib/analysis/fields.js';
import { alert } from '../../../transforms/analysis/alert.js';

const flow = (t: number, dst: string, bytes: number, extra: Record<string, unknown> = {}): Record<string, unknown> =>
  ({ timeReceived: t, exporter: '192.0.2.1:2055', timeEnd: t, srcAddr: '10.0.0.1', dstAddr: dst, srcPort: 1234, dstPort: 80, proto: 6, bytes, packets: 1, sampledBytes: bytes, ...extra });

test('durations and windows: tumbling, hopping, which windows a time belongs to', () => {
  assert.deepEqual(['500ms', '30s', '5m', '1h', 2].map((d) => parseDuration(d)), [500, 30_000, 300_000, 3_600_000, 2000]);
  assert.throws(() => parseDuration('5 minutes'), /not a duration/);
  assert.deepEqual(new WindowClock({ sizeMs: 60_000 }).windowsOf(125_000), [120_000]);
  assert.deepEqual(new WindowClock({ sizeMs: 60_000, hopMs: 20_000 }).windowsOf(125_000), [80_000, 100_000, 120_000]);
  assert.throws(() => new WindowClock({ sizeMs: 10, hopMs: 20 }), /hop/);
});

test('fields: decoded records read through the equivalence table, scaled by their own sampling rate', () => {
  const v5 = { kind: 'flow', protocol: 'netflow-v5', destinationIPv4Address: '10.1.1.1', octetDeltaCount: 100, packetDeltaCount: 2, samplingInterval: 10 };
  assert.equal(fieldValue(v5, 'dstAddr'), '10.1.1.1');
  assert.deepEqual(measures(v5), { bytes: 1000, packets: 20, flows: 1 });
  assert.deepEqual(measures(flow(0, 'x', 5)), { bytes: 5, packets: 1, flows: 1 }, 'normalized: already scaled');
  assert.deepEqual(measures({ kind: 'flow', protocol: 'sflow-v5', frameLength: 64, samplingRate: 100 }), { bytes: 6400, packets: 100, flows: 1 });
});

test('aggregate: sums per key per window, exactly; late records counted, not folded', () => {
  const a = new Aggregator({ sizeMs: 60_000, by: ['dstAddr'], latenessMs: 10_000 });
  const rows = [];
  for (let i = 0; i < 120; i++) rows.push(...a.add(flow(i * 1000, i % 2 === 0 ? '10.0.0.1' : '10.0.0.2', 100)));
  assert.deepEqual(rows.map((r) => [r['dstAddr'], r.bytes, r.flows, r.windowStart]), [['10.0.0.1', 3000, 30, 0], ['10.0.0.2', 3000, 30, 0]], 'window 0 closed at 70 s');
  rows.push(...a.add(flow(5000, '10.0.0.1', 999)));
  assert.equal(a.stats.late, 1);
  rows.push(...a.flush());
  assert.equal(rows.filter((r) => r.windowStart === 60_000).reduce((s, r) => s + r.bytes, 0), 6000, 'the late record is not in a later window');
  assert.deepEqual(Object.keys(rows[0]!), ['dstAddr', 'bytes', 'packets', 'flows', 'windowStart', 'windowEnd']);
  const hop = new Aggregator({ sizeMs: 60_000, hopMs: 30_000, by: ['dstAddr'] });
  const h = [...hop.add(flow(45_000, 'a', 10)), ...hop.flush()];
  assert.deepEqual(h.map((r) => r.windowStart), [0, 30_000], 'a record in every window it falls in');
});

test('aggregate: at most maxKeys groups per window, the rest in one counted `other` row', () => {
  const a = new Aggregator({ sizeMs: 1000, by: ['dstAddr'], maxKeys: 3 });
  for (let i = 0; i < 10; i++) a.add(flow(10, `10.0.0.${i}`, 1));
  const rows = a.flush();
  assert.equal(rows.length, 4);
  const other = rows.find((r) => r['other'] === true)!;
  assert.deepEqual([other.flows, other.bytes, other['dstAddr']], [7, 7, undefined]);
  assert.equal(a.stats.other, 7);
  assert.equal(rows.reduce((s, r) => s + r.flows, 0), 10, 'nothing lost');
});

test('space-saving: exact while keys fit; beyond, every count within its error of the truth and every heavy key kept', () => {
  let seed = 9;
  const rand = (): number => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
  const s = new SpaceSaving<string>(100);
  const truth = new Map<string, number>();
  for (let i = 0; i < 50_000; i++) {
    // Zipf-like: a few keys carry most of the weight.
    const k = `k${Math.floor(1 / (rand() + 0.0005))}`;
    s.add(k, () => k, 1, []);
    truth.set(k, (truth.get(k) ?? 0) + 1);
  }
  assert.ok(!s.exact && truth.size > 100);
  for (const c of s.top(100)) {
    assert.ok(c.count >= truth.get(c.key)! && c.count - c.error <= truth.get(c.key)!, `${c.key}: ${c.count} - ${c.error} <= ${truth.get(c.key)} <= ${c.count}`);
    assert.ok(c.error <= s.total / 100);
  }
  const heavy = [...truth.entries()].filter(([, v]) => v > s.total / 100).map(([k]) => k);
  const kept = new Set(s.top(100).map((c) => c.key));
  assert.ok(heavy.every((k) => kept.has(k)), 'every key above total/capacity is in the table');
  const exact = new SpaceSaving<string>(1000);
  for (const [k, v] of truth) exact.add(k, () => k, v, []);
  assert.ok(exact.exact || truth.size > 1000);
});

test('topN: the n largest per window; bounded tables report an error bound', () => {
  const t = new TopN({ n: 2, by: 'bytes', key: ['dstAddr'], window: { sizeMs: 1000 } });
  const out = [...t.add(flow(1, 'a', 5)), ...t.add(flow(2, 'b', 9)), ...t.add(flow(3, 'c', 7)), ...t.add(flow(4, 'a', 5)), ...t.flush()];
  assert.deepEqual(out.map((r) => [r['dstAddr'], r.bytes, r.flows]), [['a', 10, 2], ['b', 9, 1]]);
  const small = new TopN({ n: 1, by: 'flows', key: ['dstAddr'], capacity: 2 });
  for (const d of ['a', 'b', 'c', 'a', 'a']) small.add(flow(1, d, 1));
  const [r] = small.flush();
  assert.equal(r!['dstAddr'], 'a');
  assert.ok(typeof r!['error'] === 'number', 'approximate: its bound is reported');
});

test('pair: reversed 5-tuples overlapping in time pair; a flow alone leaves after the timeout, counted', () => {
  const p = new Pairer({ timeoutMs: 10_000 });
  const a = flow(1000, '10.0.0.2', 700, { srcAddr: '10.0.0.1', srcPort: 50000, dstPort: 443, timeStart: 0 });
  const b = flow(1100, '10.0.0.1', 9000, { srcAddr: '10.0.0.2', srcPort: 443, dstPort: 50000, timeStart: 100 });
  assert.deepEqual(p.add(a), []);
  const [c] = p.add(b);
  assert.deepEqual([c!.srcAddr, c!.dstAddr, c!.bytesOut, c!.bytesIn, c!.service, c!.durationMs], ['10.0.0.1', '10.0.0.2', 700, 9000, 'https', 1100]);
  p.add(flow(2000, '10.9.9.9', 1, { timeStart: 2000 }));
  const later = p.add(flow(20_000, '10.8.8.8', 1, { timeStart: 20_000 }));
  assert.equal(later.length, 1);
  assert.equal(later[0]!.unpaired, true);
  assert.deepEqual([p.stats.paired, p.stats.unpaired], [1, 1]);
  const far = new Pairer({ timeoutMs: 100_000 });
  far.add(flow(1000, '10.0.0.2', 1, { srcAddr: '10.0.0.1', timeStart: 0 }));
  assert.equal(far.add(flow(90_000, '10.0.0.1', 1, { srcAddr: '10.0.0.2', timeStart: 89_000 })).length, 0, 'not overlapping in time: not a pair');
  const bounded = new Pairer({ maxPending: 5 });
  let out = 0;
  for (let i = 0; i < 20; i++) out += bounded.add(flow(i, `10.1.0.${i}`, 1)).length;
  assert.equal(out, 15);
  assert.equal(bounded.stats.evicted, 15);
});

test('alert rules: first match wins, pps per key over the window, fires once, ends after the hold, fires again', () => {
  const e = new AlertEngine([
    { name: 'dns', match: { dst: '192.0.2.53/32', proto: 17 }, threshold: 1000, window: '1s', hold: '5s', action: { run: ['/bin/echo', 'block', '{dstAddr}'] }, undo: { run: ['/bin/echo', 'unblock', '{dstAddr}'] } },
    { name: 'all', match: { dst: '0.0.0.0/0' }, threshold: 100_000, window: '1s' },
  ]);
  const pkts = (t: number, dst: string, packets: number, proto = 17): Record<string, unknown> => ({ ...flow(t, dst, 0), packets, proto });
  assert.deepEqual(e.add(pkts(100, '192.0.2.53', 500)), []);
  const fired = e.add(pkts(200, '192.0.2.53', 600));
  assert.equal(fired.length, 1);
  assert.deepEqual([fired[0]!.type, fired[0]!.rule, fired[0]!.key, fired[0]!.value, fired[0]!.actions[0]!.run], ['alert', 'dns', '192.0.2.53', 1100, ['/bin/echo', 'block', '192.0.2.53']]);
  assert.deepEqual(e.add(pkts(300, '192.0.2.53', 5000)), [], 'fires once while above');
  assert.deepEqual(e.add(pkts(300, '192.0.2.53', 5000, 6)).length, 0, 'TCP: another rule');
  const ended = e.expire(5400);
  assert.deepEqual(ended.map((a) => [a.type, a.actions[0]!.run]), [['alert-end', ['/bin/echo', 'unblock', '192.0.2.53']]]);
  assert.equal(e.add(pkts(7000, '192.0.2.53', 2000)).length, 1, 're-armed: fires again');
  assert.throws(() => compileRules([{ name: 'x', threshold: 1, action: { run: 'rm -rf /' as unknown as string[] } }]), /list of strings/);
  assert.throws(() => compileRules([{ name: 'y', threshold: 1, match: { dst: '10.0.0.0/99' } }]), /rule 'y': dst/);
});

test('alert stage: a value with shell metacharacters reaches the command as one literal argument', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'flowpipe-alert-'));
  const log = join(dir, 'args');
  const script = join(dir, 'a.sh');
  writeFileSync(script, `#!/bin/sh\nfor a in "$@"; do printf '[%s]' "$a" >> ${log}; done\necho " $FLOWPIPE_RULE" >> ${log}\n`);
  chmodSync(script, 0o755);
  const hostile = 'x; touch ' + join(dir, 'pwned') + ' $(id) `id` | cat';
  const stage = alert({ rules: [{ name: 'r', per: 'inIfName', threshold: 1, measure: 'flows', action: { run: [script, '{inIfName}', 'if={inIfName}'] } }], tickMs: 0 });
  await pipeline(Readable.from([flow(1, '10.0.0.1', 1, { inIfName: hostile })]), stage, new Writable({ objectMode: true, write: (_c, _e, done) => done() }));
  assert.equal(readFileSync(log, 'utf8'), `[${hostile}][if=${hostile}] r\n`);
  assert.deepEqual(fillArgs(['{a}', '{b}', 'x{a}y'], { a: '1 2' }), ['1 2', '{b}', 'x1 2y']);
  assert.equal(stage.actions.commands, 1);
});
