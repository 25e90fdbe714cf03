// Benchmark workloads: real exports from the corpus, and generated IPFIX datagrams the way
// real ~1400-byte exports carry them (25 records, a few templates, a variable-length field).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Exporter, FlowRecord } from '../lib/types.js';
import { PROMOTE_AFTER_DATAGRAMS } from '../lib/netflow/tiered.js';

export interface Workload {
  name: string;
  exporter: Exporter;
  /** Datagrams that carry the templates, decoded first. */
  setup: Buffer[];
  datagrams: Buffer[];
  recordsPerDatagram: number;
  /** node-netflowv9 decodes it too. */
  peer: boolean;
}

const corpus = (f: string): Buffer => readFileSync(fileURLToPath(new URL('../../test/fixtures/corpus/' + f, import.meta.url)));

const u16 = (v: number): Buffer => { const b = Buffer.alloc(2); b.writeUInt16BE(v); return b; };
const u32 = (v: number): Buffer => { const b = Buffer.alloc(4); b.writeUInt32BE(v >>> 0); return b; };
const u64 = (v: number): Buffer => { const b = Buffer.alloc(8); b.writeBigUInt64BE(BigInt(v)); return b; };
const set = (id: number, body: Buffer): Buffer => Buffer.concat([u16(id), u16(body.length + 4), body]);
const ipfix = (seq: number, sets: Buffer[]): Buffer => {
  const body = Buffer.concat(sets);
  return Buffer.concat([u16(10), u16(16 + body.length), u32(1_700_000_000), u32(seq), u32(1), body]);
};

/** IPFIX: 3 templates (IPv4 with an interface name, IPv6, IPv4 with NAT), 25 records a datagram. */
function generatedIpfix(): Workload {
  const t256 = [[8, 4], [12, 4], [7, 2], [11, 2], [4, 1], [6, 1], [1, 8], [2, 8], [152, 8], [153, 8], [10, 4], [14, 4], [82, 65535]];
  const t257 = [[27, 16], [28, 16], [7, 2], [11, 2], [4, 1], [1, 8], [2, 8], [152, 8], [153, 8]];
  const t258 = [[8, 4], [12, 4], [225, 4], [226, 4], [7, 2], [11, 2], [227, 2], [228, 2], [4, 1], [1, 8], [152, 8]];
  const tpl = (id: number, f: number[][]): Buffer => Buffer.concat([u16(id), u16(f.length), ...f.map(([i, l]) => Buffer.concat([u16(i!), u16(l!)]))]);
  const setup = [ipfix(0, [set(2, Buffer.concat([tpl(256, t256), tpl(257, t257), tpl(258, t258)]))])];
  const ip4 = (n: number): Buffer => Buffer.from([10, (n >> 16) & 255, (n >> 8) & 255, n & 255]);
  const ip6 = (n: number): Buffer => { const b = Buffer.alloc(16); b.writeUInt32BE(0x20010db8, 0); b.writeUInt32BE(n, 12); return b; };
  const r256 = (n: number): Buffer => Buffer.concat([ip4(n), ip4(n + 7), u16(40000 + (n % 20000)), u16(443), Buffer.from([6, 0x18]), u64(n * 1400), u64(n % 1000), u64(1_700_000_000_000 + n), u64(1_700_000_001_000 + n), u32(3), u32(7), Buffer.from([8]), Buffer.from('ge-0/0/1')]);
  const r257 = (n: number): Buffer => Buffer.concat([ip6(n), ip6(n + 9), u16(50000), u16(53), Buffer.from([17]), u64(n * 90), u64(1), u64(1_700_000_000_000 + n), u64(1_700_000_000_500 + n)]);
  const r258 = (n: number): Buffer => Buffer.concat([ip4(n), ip4(n + 1), ip4(n + 2), ip4(n + 3), u16(1234), u16(80), u16(60000), u16(80), Buffer.from([6]), u64(n * 60), u64(1_700_000_000_000 + n)]);
  const datagrams: Buffer[] = [];
  for (let d = 0; d < 8; d++) {
    const n = d * 1000;
    datagrams.push(ipfix(d * 25, [
      set(256, Buffer.concat(Array.from({ length: 15 }, (_, i) => r256(n + i)))),
      set(257, Buffer.concat(Array.from({ length: 5 }, (_, i) => r257(n + i)))),
      set(258, Buffer.concat(Array.from({ length: 5 }, (_, i) => r258(n + i)))),
    ]));
  }
  return { name: 'ipfix', exporter: { address: '192.0.2.10', port: 4739 }, setup, datagrams, recordsPerDatagram: 25, peer: false };
}

export function workloads(): Workload[] {
  return [
    { name: 'v9', exporter: { address: '192.0.2.9', port: 2055 }, setup: [corpus('goflow2/nfv9_template_260.bin')], datagrams: [corpus('goflow2/nfv9_data_260_21records.bin')], recordsPerDatagram: 21, peer: true },
    generatedIpfix(),
    { name: 'v5', exporter: { address: '192.0.2.5', port: 2055 }, setup: [], datagrams: [corpus('logstash-codec-netflow/netflow5_test_juniper_mx80.dat')], recordsPerDatagram: 29, peer: true },
    { name: 'sflow', exporter: { address: '192.0.2.6', port: 6343 }, setup: [], datagrams: [corpus('gopacket/sflow_packet1_7_flow_samples.bin')], recordsPerDatagram: 7, peer: false },
  ];
}

/**
 * The records of one pass over the workload's datagrams as a running collector holds them: the
 * templates are decoded at the same clock as the data (a template learned at another time can
 * expire before the data) and the data is decoded a few times first, so every template has left
 * the interpreter for its compiled decoder (whose records all share one object shape).
 */
export function warmRecords(w: Workload, decoder: { decode(b: Buffer, e: Exporter, now?: number): { records: FlowRecord[] } }, now = 1_700_000_000_000): FlowRecord[] {
  for (const t of w.setup) decoder.decode(t, w.exporter, now);
  const pass = (): FlowRecord[] => w.datagrams.slice(0, 200).flatMap((b) => decoder.decode(b, w.exporter, now).records);
  for (let i = 0; i < PROMOTE_AFTER_DATAGRAMS; i++) pass();
  return pass();
}
