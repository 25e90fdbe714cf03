// Warm-up: decode and serialize synthetic exports before a collector opens its sockets.
//
// A cold process runs the decoder in V8's interpreter and baseline code for its first thousands
// of datagrams, while the optimizing compiler competes for the same cores. Measured on the bench
// machine with a bare receiver decoding 50k v9 datagrams/s from a second process: the first 2,000
// datagrams took 185 ms, longer than the socket buffer lasts (net.core.rmem_max caps it), and
// the kernel dropped ~6,000 in the first second; after a warm-up on other templates, 0. The
// exporter's own template still compiles on arrival, but the walkers, session, value helpers
// and NDJSON writers are hot by then.
import { FlowDecoder } from '../decoder.js';
import { RecordOutput } from '../ndjson/record-output.js';

const be16 = (v: number): number[] => [(v >> 8) & 255, v & 255];
const be32 = (v: number): number[] => [(v >>> 24) & 255, (v >> 16) & 255, (v >> 8) & 255, v & 255];

/** NetFlow v5 with `n` records. */
function v5(n: number, seq: number): Buffer {
  const out = [...be16(5), ...be16(n), ...be32(3_600_000), ...be32(1_700_000_000), ...be32(0), ...be32(seq), 0, 0, ...be16(0)];
  for (let i = 0; i < n; i++) {
    out.push(10, 0, i >> 8, i & 255, 192, 0, 2, i & 255, 0, 0, 0, 0, ...be16(1), ...be16(2), ...be32(i + 1), ...be32(1500 * (i + 1)),
      ...be32(3_500_000), ...be32(3_590_000), ...be16(40000 + i), ...be16(443), 0, 0x18, 6, 0, ...be16(64500), ...be16(64501), 24, 24, 0, 0);
  }
  return Buffer.from(out);
}

/** [element id, length] pairs: addresses, ports, counters, times, and a string (IPFIX: variable length). */
const FIELDS: readonly (readonly [number, number])[] = [[8, 4], [12, 4], [7, 2], [11, 2], [4, 1], [6, 1], [1, 8], [2, 4], [22, 4], [21, 4], [10, 4], [14, 4], [27, 16], [56, 6]];

function record(i: number, varlen: boolean): number[] {
  const out = [10, 1, i >> 8, i & 255, 10, 2, 0, i & 255, ...be16(50000 + i), ...be16(53), 17, 0, 0, 0, 0, 0, ...be32(i * 1000 + 7), ...be32(i + 1),
    ...be32(3_500_000 + i), ...be32(3_590_000 + i), ...be32(3), ...be32(7), 0x20, 1, 0x0d, 0xb8, ...new Array<number>(10).fill(0), i >> 8, i & 255, 2, 0, 0, 0, 0, i & 255];
  if (varlen) out.push(8, ...Buffer.from(`ge-0/0/${i % 10}`.padEnd(8, ' ')));
  return out;
}

/** A template set (set id 0 for v9, 2 for IPFIX) and a data set of `n` records, v9 and IPFIX alike. */
function sets(templateSetId: number, id: number, n: number, withTemplate: boolean): number[] {
  const varlen = templateSetId === 2; // IPFIX also carries a variable-length interfaceName
  const fields = varlen ? [...FIELDS, [82, 65535] as const] : FIELDS;
  const out: number[] = [];
  if (withTemplate) {
    const t = [...be16(id), ...be16(fields.length), ...fields.flatMap(([f, l]) => [...be16(f), ...be16(l)])];
    out.push(...be16(templateSetId), ...be16(t.length + 4), ...t);
  }
  const data = Array.from({ length: n }, (_, i) => record(i, varlen)).flat();
  out.push(...be16(id), ...be16(data.length + 4), ...data);
  return out;
}

function v9(id: number, n: number, seq: number, withTemplate: boolean): Buffer {
  const body = sets(0, id, n, withTemplate);
  return Buffer.from([...be16(9), ...be16(n + (withTemplate ? 1 : 0)), ...be32(3_600_000), ...be32(1_700_000_000), ...be32(seq), ...be32(1), ...body]);
}

function ipfix(id: number, n: number, seq: number, withTemplate: boolean): Buffer {
  const body = sets(2, id, n, withTemplate);
  return Buffer.from([...be16(10), ...be16(16 + body.length), ...be32(1_700_000_000), ...be32(seq), ...be32(1), ...body]);
}

/** The synthetic exports: templates first, then v5, v9 and IPFIX data (29 + 20 + 20 records). */
export function warmUpExports(): { setup: Buffer[]; data: Buffer[] } {
  return {
    setup: [v9(300, 20, 0, true), ipfix(400, 20, 0, true)],
    data: [v5(29, 0), v9(300, 20, 1, false), ipfix(400, 20, 20, false)],
  };
}

/**
 * Runs the decode and NDJSON paths hot on synthetic v5, v9 and IPFIX exports (about 200 ms on
 * the bench machine), through RecordOutput as the decode workers use it. Call once before
 * opening sockets; nothing is kept.
 */
export function warmUp(rounds = 1000): void {
  const decoder = new FlowDecoder();
  const output = new RecordOutput({}, 'ndjson');
  const exporter = { address: '198.51.100.1', port: 9 };
  const { setup, data } = warmUpExports();
  for (const d of setup) decoder.decode(d, exporter, 0);
  for (let i = 0; i < rounds; i++) {
    const res = decoder.decode(data[i % data.length]!, exporter, i);
    output.add(res.records, res.runs);
    if (output.chunks!.pendingBytes > 1 << 16) output.chunks!.take();
  }
}
