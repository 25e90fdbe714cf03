// Builds sFlow v5 datagrams and sampled packets for unit tests.
import { cat, ip4, ip6, mac, u16, u32, u64, u8 } from './build.js';

export const xdrString = (s: string): Buffer => {
  const b = Buffer.from(s, 'utf8');
  return cat(u32(b.length), b, Buffer.alloc((4 - (b.length % 4)) % 4));
};
export const macPadded = (m: string): Buffer => cat(mac(m), Buffer.alloc(2));
export const addr4 = (a: string): Buffer => cat(u32(1), ip4(a));
export const addr6 = (a: string): Buffer => cat(u32(2), ip6(a));

/** A flow or counter record: data format (enterprise << 12 | format), length, body. */
export const record = (format: number, body: Buffer, enterprise = 0): Buffer => cat(u32(enterprise * 4096 + format), u32(body.length), body);

export interface FlowSampleOpts { seq?: number; sourceId?: number; rate?: number; pool?: number; drops?: number; input?: number; output?: number }

export function flowSample(o: FlowSampleOpts, records: Buffer[]): Buffer {
  const body = cat(u32(o.seq ?? 1), u32(o.sourceId ?? 3), u32(o.rate ?? 1000), u32(o.pool ?? 5000), u32(o.drops ?? 0),
    u32(o.input ?? 1), u32(o.output ?? 2), u32(records.length), ...records);
  return record(1, body);
}

export function expandedFlowSample(o: FlowSampleOpts & { sourceType?: number; inFormat?: number; outFormat?: number }, records: Buffer[]): Buffer {
  const body = cat(u32(o.seq ?? 1), u32(o.sourceType ?? 0), u32(o.sourceId ?? 3), u32(o.rate ?? 1000), u32(o.pool ?? 5000), u32(o.drops ?? 0),
    u32(o.inFormat ?? 0), u32(o.input ?? 1), u32(o.outFormat ?? 0), u32(o.output ?? 2), u32(records.length), ...records);
  return record(3, body);
}

export const counterSample = (seq: number, sourceId: number, records: Buffer[]): Buffer => record(2, cat(u32(seq), u32(sourceId), u32(records.length), ...records));
export const expandedCounterSample = (seq: number, type: number, index: number, records: Buffer[]): Buffer =>
  record(4, cat(u32(seq), u32(type), u32(index), u32(records.length), ...records));
export const discardSample = (seq: number, index: number, drops: number, input: number, output: number, reason: number, records: Buffer[]): Buffer =>
  record(5, cat(u32(seq), u32(0), u32(index), u32(drops), u32(input), u32(output), u32(reason), u32(records.length), ...records));

export function datagram(samples: Buffer[], o: { agent?: string; sub?: number; seq?: number; uptime?: number } = {}): Buffer {
  const agent = o.agent ?? '192.0.2.10';
  return cat(u32(5), agent.includes(':') ? addr6(agent) : addr4(agent), u32(o.sub ?? 0), u32(o.seq ?? 1), u32(o.uptime ?? 1000), u32(samples.length), ...samples);
}

/** Sampled header record (format 1). */
export const sampledHeader = (header: Buffer, protocol = 1, frameLength = header.length + 4, stripped = 4): Buffer =>
  record(1, cat(u32(protocol), u32(frameLength), u32(stripped), u32(header.length), header, Buffer.alloc((4 - (header.length % 4)) % 4)));

// ---- packets ----

/** Ethernet (dst 00:00:5e:00:53:01, src …:02) with optional VLAN tags, outer first; QinQ uses 0x88a8 for the outer tag. */
export function eth(type: number, payload: Buffer, tags: { vid: number; pcp?: number }[] = []): Buffer {
  const parts: Buffer[] = [mac('00:00:5e:00:53:01'), mac('00:00:5e:00:53:02')];
  tags.forEach((t, i) => parts.push(u16(i === 0 && tags.length > 1 ? 0x88a8 : 0x8100), u16(((t.pcp ?? 0) << 13) | t.vid)));
  return cat(...parts, u16(type), payload);
}

export function ipv4(proto: number, src: string, dst: string, payload: Buffer, o: { tos?: number; ttl?: number; frag?: number; id?: number; options?: Buffer } = {}): Buffer {
  const opts = o.options ?? Buffer.alloc(0);
  const ihl = 5 + opts.length / 4;
  return cat(u8(0x40 | ihl), u8(o.tos ?? 0), u16(20 + opts.length + payload.length), u16(o.id ?? 7), u16(o.frag ?? 0), u8(o.ttl ?? 64), u8(proto), u16(0), ip4(src), ip4(dst), opts, payload);
}

export function ipv6(next: number, src: string, dst: string, payload: Buffer, o: { tc?: number; flow?: number; hop?: number } = {}): Buffer {
  const w = (6 << 28) | ((o.tc ?? 0) << 20) | (o.flow ?? 0);
  return cat(u32(w >>> 0), u16(payload.length), u8(next), u8(o.hop ?? 64), ip6(src), ip6(dst), payload);
}

export const tcp = (sport: number, dport: number, flags: number): Buffer => cat(u16(sport), u16(dport), u32(1000), u32(0), u8(0x50), u8(flags), u16(512), u16(0), u16(0));
export const udp = (sport: number, dport: number, payload: Buffer = Buffer.alloc(0)): Buffer => cat(u16(sport), u16(dport), u16(8 + payload.length), u16(0), payload);

export { u8, u16, u32, u64, ip4, ip6, mac, cat };
