// Every corpus record (NetFlow v1/v5/v7/v9 and IPFIX, flows and options) decoded → encoded as
// IPFIX, NetFlow v9 and NetFlow v5 → decoded again gives the same values for every field the
// target protocol carries; what it cannot carry is counted by the encoder, never silently lost,
// and listed here (t.diagnostic) for each target.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FlowDecoder, type FlowRecord } from '../../../lib/index.js';
import { IpfixEncoder } from '../../../lib/encode/ipfix.js';
import { Netflow9Encoder } from '../../../lib/encode/netflow9.js';
import { Netflow5Encoder, V5_FIELDS } from '../../../lib/encode/netflow5.js';
import { loadManifest, readCorpus } from '../../helpers/corpus.js';

const EXPORTER = { address: '192.0.2.1', port: 2055 };
const NOW = 1_700_000_000_000;
const META = new Set(['protocol', 'exporter', 'templateId', 'exportTime', 'sequence', 'domain', 'scopes', 'engineType', 'engineId', 'samplingAlgorithm', 'samplingInterval']);
const DERIVED = new Set(['flowStartMilliseconds', 'flowEndMilliseconds']);

/** Records of every raw NetFlow/IPFIX corpus file, each decoded after the files it takes templates from. */
function corpusRecords(): FlowRecord[] {
  const out: FlowRecord[] = [];
  for (const e of loadManifest()) {
    if (e.container !== 'raw' || e.malformed || e.protocol === 'invalid' || e.protocol.startsWith('sflow')) continue;
    const dec = new FlowDecoder();
    for (const f of [...e.needs_templates_from, e.file]) out.push(...dec.decode(readCorpus(f), EXPORTER, NOW).records);
  }
  return out;
}

type Encoder = { encode(r: Iterable<Readonly<Record<string, unknown>>>, now?: number): Buffer[]; flush(now?: number): Buffer[]; stats: { skipped: number; notCarried: Record<string, number> } };

const same = (key: string, a: unknown, b: unknown): boolean =>
  JSON.stringify(a, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)) === JSON.stringify(b, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))
  // derived and microsecond times are carried to the millisecond (dateTimeMilliseconds)
  || (typeof a === 'number' && typeof b === 'number' && /Milliseconds$|Microseconds$|Nanoseconds$/.test(key) && Math.abs(a - b) < 1);

for (const [name, make] of [['IPFIX', () => new IpfixEncoder()], ['NetFlow v9', () => new Netflow9Encoder()], ['NetFlow v5', () => new Netflow5Encoder()]] as [string, () => Encoder][]) {
  test(`round trip through ${name}: every carried value equal, the rest counted`, (t) => {
    const records = corpusRecords();
    assert.ok(records.length > 500, String(records.length));
    const enc = make();
    const kept: FlowRecord[] = [];
    const messages: Buffer[] = [];
    // Each record at its own export time (v5 can only say times within 24.8 days of its packet's).
    let now = NaN;
    const times: number[] = [];
    const take = (ms: Buffer[]): void => { for (const m of ms) { messages.push(m); times.push(now); } };
    for (const r of records) {
      if (r.exportTime !== now) { take(enc.flush(now)); now = r.exportTime; }
      const skipped = enc.stats.skipped;
      take(enc.encode([r], now));
      if (enc.stats.skipped === skipped) kept.push(r);
    }
    take(enc.flush(now));
    const dec = new FlowDecoder();
    const back = messages.flatMap((m, i) => {
      const res = dec.decode(m, EXPORTER, times[i]);
      assert.deepEqual(res.errors, [], 'the decoder finds nothing wrong');
      return res.records;
    });
    assert.equal(back.length, kept.length, 'one record back for each record encoded');
    let compared = 0;
    const missing = new Set<string>();
    kept.forEach((r, i) => {
      const b = back[i]!;
      assert.equal(b['kind'], r['kind']);
      for (const key of Object.keys(r)) {
        if (META.has(key) || key === 'kind') continue;
        if (name === 'NetFlow v5' && /SysUpTime$/.test(key)) continue; // re-based on the new packet's uptime: the absolute times are compared
        if (!(key in b)) {
          missing.add(key);
          assert.ok((enc.stats.notCarried[key] ?? 0) > 0, `${key} neither carried nor counted`);
          continue;
        }
        if (!same(key, b[key], r[key]) && (enc.stats.notCarried[key] ?? 0) > 0) { missing.add(key); continue; } // too large for the field: counted
        assert.ok(same(key, b[key], r[key]), `record ${i} ${key}: ${String(b[key])} != ${String(r[key])}`);
        compared++;
      }
      // v5's fixed records have every field: the ones the record lacked come back as 0.
      const fixed = (key: string): boolean => name === 'NetFlow v5' && V5_FIELDS.some(([k]) => k === key) && (/SysUpTime$/.test(key) || b[key] === (key.endsWith('Address') ? '0.0.0.0' : 0));
      for (const key of Object.keys(b)) assert.ok(key in r || META.has(key) || DERIVED.has(key) || key === 'kind' || fixed(key), `${key} appeared`);
    });
    t.diagnostic(`${kept.length} of ${records.length} records (${enc.stats.skipped} skipped: no field or no scope ${name} carries), ${messages.length} messages, ${compared} values equal; not carried: ${[...missing].sort().join(', ') || 'nothing'}`);
    assert.ok(compared > 5_000, String(compared));
  });
}
