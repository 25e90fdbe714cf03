// NetFlow v5 export packets: up to 30 fixed 48-byte records each, the header's flow sequence
// counting the flows sent before the packet, its sampling field from the records' rate. v5
// carries IPv4 flows only, and only its fixed fields (see V5_FIELDS); everything else is left out
// and counted, and a record without IPv4 addresses is skipped.
import { ip4 } from './compiled-writer.js';

/** What a v5 record carries: [record key, offset, length]. Times are sysUptime-relative. */
export const V5_FIELDS: readonly (readonly [string, number, number])[] = [
  ['sourceIPv4Address', 0, 4], ['destinationIPv4Address', 4, 4], ['ipNextHopIPv4Address', 8, 4],
  ['ingressInterface', 12, 2], ['egressInterface', 14, 2], ['packetDeltaCount', 16, 4], ['octetDeltaCount', 20, 4],
  ['flowStartSysUpTime', 24, 4], ['flowEndSysUpTime', 28, 4], ['sourceTransportPort', 32, 2], ['destinationTransportPort', 34, 2],
  ['tcpControlBits', 37, 1], ['protocolIdentifier', 38, 1], ['ipClassOfService', 39, 1],
  ['bgpSourceAsNumber', 40, 2], ['bgpDestinationAsNumber', 42, 2], ['sourceIPv4PrefixLength', 44, 1], ['destinationIPv4PrefixLength', 45, 1],
];
const LIMITS = { 1: 256, 2: 65536, 4: 4294967296 } as const;
const CARRIED = new Set([...V5_FIELDS.map(([k]) => k), 'flowStartMilliseconds', 'flowEndMilliseconds', 'samplingInterval', 'samplingAlgorithm']);
const META = new Set(['kind', 'protocol', 'exporter', 'domain', 'templateId', 'exportTime', 'sequence', 'scopes']);

export interface Netflow5Options {
  /** The sysUptime origin (default: the first `now` encoded). */
  bootMs?: number;
  engineType?: number;
  engineId?: number;
}

export interface Netflow5Stats { records: number; messages: number; skipped: number; notCarried: Record<string, number> }


export class Netflow5Encoder {
  readonly stats: Netflow5Stats = { records: 0, messages: 0, skipped: 0, notCarried: {} };
  private pending: Readonly<Record<string, unknown>>[] = [];
  private flows = 0;
  private boot = NaN;
  private lastKeys: { keys: string[]; out: string[] } | null = null;

  constructor(private readonly o: Netflow5Options = {}) {}

  encode(records: Iterable<Readonly<Record<string, unknown>>>, now: number = Date.now()): Buffer[] {
    const out: Buffer[] = [];
    for (const r of records) {
      if (r['kind'] === 'options' || typeof r['sourceIPv4Address'] !== 'string' || typeof r['destinationIPv4Address'] !== 'string') {
        this.stats.skipped++;
        continue;
      }
      for (const k of this.leftOut(r)) this.stats.notCarried[k] = (this.stats.notCarried[k] ?? 0) + 1;
      // One sampling header per packet: a record sampled otherwise starts the next packet.
      const first = this.pending[0];
      if (first !== undefined && (first['samplingInterval'] !== r['samplingInterval'] || first['samplingAlgorithm'] !== r['samplingAlgorithm'])) out.push(this.packet(now));
      this.pending.push(r);
      if (this.pending.length === 30) out.push(this.packet(now));
    }
    return out;
  }

  /** The keys of `r` v5 does not carry (remembered for the last key list: records come in runs of one shape). */
  private leftOut(r: Readonly<Record<string, unknown>>): readonly string[] {
    const keys = Object.keys(r);
    const last = this.lastKeys;
    if (last !== null && last.keys.length === keys.length && keys.every((k, i) => k === last.keys[i])) return last.out;
    const out = keys.filter((k) => !META.has(k) && !CARRIED.has(k));
    this.lastKeys = { keys, out };
    return out;
  }

  flush(now: number = Date.now()): Buffer[] {
    return this.pending.length > 0 ? [this.packet(now)] : [];
  }

  private packet(now: number): Buffer {
    if (Number.isNaN(this.boot)) this.boot = this.o.bootMs ?? now;
    const recs = this.pending;
    this.pending = [];
    const b = Buffer.alloc(24 + 48 * recs.length);
    const uptime = Math.max(0, now - this.boot);
    b.writeUInt16BE(5, 0);
    b.writeUInt16BE(recs.length, 2);
    b.writeUInt32BE(uptime >>> 0, 4);
    b.writeUInt32BE(Math.floor(now / 1000) >>> 0, 8);
    b.writeUInt32BE(Math.round((now % 1000) * 1e6) >>> 0, 12);
    b.writeUInt32BE(this.flows >>> 0, 16);
    // The engine is this encoder's (one sequence space), not the records' original exporters'.
    b[20] = this.o.engineType ?? 0;
    b[21] = this.o.engineId ?? 0;
    const interval = recs[0]!['samplingInterval'];
    const mode = recs[0]!['samplingAlgorithm'];
    if (typeof interval === 'number' && interval > 0) b.writeUInt16BE(((typeof mode === 'number' ? mode & 3 : 1) << 14) | (interval & 0x3fff), 22);
    recs.forEach((r, i) => this.record(b, 24 + 48 * i, r, now, uptime));
    this.flows = (this.flows + recs.length) >>> 0;
    this.stats.records += recs.length;
    this.stats.messages++;
    return b;
  }

  /** One 48-byte record: each field by its constant name (V5_FIELDS lists the same layout). */
  private record(b: Buffer, o: number, r: Readonly<Record<string, unknown>>, now: number, uptime: number): void {
    this.address(b, o, r['sourceIPv4Address']);
    this.address(b, o + 4, r['destinationIPv4Address']);
    this.address(b, o + 8, r['ipNextHopIPv4Address']);
    this.uint(b, o + 12, 2, r['ingressInterface'], 'ingressInterface');
    this.uint(b, o + 14, 2, r['egressInterface'], 'egressInterface');
    this.uint(b, o + 16, 4, r['packetDeltaCount'], 'packetDeltaCount');
    this.uint(b, o + 20, 4, r['octetDeltaCount'], 'octetDeltaCount');
    this.time(b, o + 24, r['flowStartMilliseconds'], r['flowStartSysUpTime'], 'flowStartMilliseconds', now, uptime);
    this.time(b, o + 28, r['flowEndMilliseconds'], r['flowEndSysUpTime'], 'flowEndMilliseconds', now, uptime);
    this.uint(b, o + 32, 2, r['sourceTransportPort'], 'sourceTransportPort');
    this.uint(b, o + 34, 2, r['destinationTransportPort'], 'destinationTransportPort');
    this.uint(b, o + 37, 1, r['tcpControlBits'], 'tcpControlBits');
    this.uint(b, o + 38, 1, r['protocolIdentifier'], 'protocolIdentifier');
    this.uint(b, o + 39, 1, r['ipClassOfService'], 'ipClassOfService');
    this.uint(b, o + 40, 2, r['bgpSourceAsNumber'], 'bgpSourceAsNumber');
    this.uint(b, o + 42, 2, r['bgpDestinationAsNumber'], 'bgpDestinationAsNumber');
    this.uint(b, o + 44, 1, r['sourceIPv4PrefixLength'], 'sourceIPv4PrefixLength');
    this.uint(b, o + 45, 1, r['destinationIPv4PrefixLength'], 'destinationIPv4PrefixLength');
  }

  private address(b: Buffer, o: number, v: unknown): void {
    if (typeof v === 'string' && ip4(b, o, v)) return;
    b[o] = b[o + 1] = b[o + 2] = b[o + 3] = 0; // absent or not an IPv4 address: 0.0.0.0
  }

  /**
   * Times are relative to this packet's sysUptime: from the absolute time when the record has it
   * (a relative time from another exporter means nothing here); wraps are fine (the difference to
   * sysUptime is read as signed 32-bit). Further from the packet's time than v5 can say (24.8
   * days): not carried, counted.
   */
  private time(b: Buffer, o: number, abs: unknown, relative: unknown, absKey: string, now: number, uptime: number): void {
    let v: unknown = relative;
    if (typeof abs === 'number') {
      if (Math.abs(now - abs) >= 2 ** 31) {
        this.stats.notCarried[absKey] = (this.stats.notCarried[absKey] ?? 0) + 1;
        v = undefined;
      } else v = uptime - (now - Math.round(abs));
    }
    const x = typeof v === 'number' ? ((Math.trunc(v) % 4294967296) + 4294967296) % 4294967296 : 0;
    b.writeUInt32BE(x, o);
  }

  private uint(b: Buffer, o: number, len: 1 | 2 | 4, v: unknown, key: string): void {
    let x = typeof v === 'number' ? Math.trunc(v) : typeof v === 'bigint' ? Number(v) : 0;
    if (x < 0 || x >= LIMITS[len]) {
      // Too large for v5's field (a 32-bit ifIndex, a 4-byte AS number, a 64-bit counter): not
      // carried, counted; AS numbers become AS_TRANS (RFC 6793), as routers do.
      this.stats.notCarried[key] = (this.stats.notCarried[key] ?? 0) + 1;
      x = key.startsWith('bgp') ? 23456 : 0;
    }
    if (len === 1) b[o] = x;
    else if (len === 2) b.writeUInt16BE(x, o);
    else b.writeUInt32BE(x, o);
  }
}
