// Incremental capture parser: classic pcap (either byte order, µs or ns) and pcapng (SHB, IDB,
// EPB, SPB, if_tsresol), link types Ethernet (with VLAN tags), Linux cooked SLL / SLL2, raw IP
// and BSD loopback; IPv4 and IPv6; UDP payloads out, IP fragments reassembled. Pure: feed it
// bytes in any chunking with push(), it returns the UDP datagrams completed so far.
import { ipv4, ipv6 } from '../codec/bytes.js';

export interface CapturedDatagram {
  /** Capture time, epoch ms. */
  time: number;
  src: { address: string; port: number };
  dst: { address: string; port: number };
  payload: Buffer;
}

/** What the parser skipped, so nothing is dropped silently. */
export interface CaptureStats {
  packets: number;
  udp: number;
  notUdp: number;
  unsupportedLinkType: number;
  truncated: number;
  fragmentsPending: number;
}

const PCAP_US = 0xa1b2c3d4, PCAP_NS = 0xa1b23c4d, PCAPNG_SHB = 0x0a0d0d0a;
const LINK_NULL = 0, LINK_ETHERNET = 1, LINK_RAW = 101, LINK_LOOP = 108, LINK_SLL = 113, LINK_IPV4 = 228, LINK_IPV6 = 229, LINK_SLL2 = 276;
const MAX_FRAGMENT_SETS = 4096;
/** Incomplete fragment sets older than this (capture time) are dropped. */
const FRAGMENT_TIMEOUT_MS = 30_000;

/** Is this the start of a pcap or pcapng file? */
export function isCapture(b: Uint8Array): boolean {
  if (b.length < 4) return false;
  const le = (b[0]! | (b[1]! << 8) | (b[2]! << 16) | (b[3]! << 24)) >>> 0;
  const be = ((b[0]! << 24) | (b[1]! << 16) | (b[2]! << 8) | b[3]!) >>> 0;
  return [PCAP_US, PCAP_NS, PCAPNG_SHB].includes(le) || [PCAP_US, PCAP_NS].includes(be);
}

/**
 * Bytes of a new chunk copied to complete the record cut at the end of the last one: a datagram
 * of a full Ethernet frame with its headers (larger ones take the slower path).
 */
const CARRY_BYTES = 2048;
const EMPTY = Buffer.alloc(0);

interface Fragments { parts: { off: number; data: Buffer }[]; total: number; first: number; time: number; src: string; dst: string }

export interface CaptureParserOptions {
  /**
   * Payloads as views into the chunks pushed instead of copies: for a caller that never changes a
   * chunk once pushed (a stream's chunks are the reader's). A payload kept keeps its whole chunk
   * in memory. Default false.
   */
  payloadViews?: boolean;
}

export class CaptureParser {
  readonly stats: CaptureStats = { packets: 0, udp: 0, notUdp: 0, unsupportedLinkType: 0, truncated: 0, fragmentsPending: 0 };
  /** The chunk being read; between pushes, a copy of the bytes after its last whole record. */
  private buf: Buffer = EMPTY;
  private format: 'pcap' | 'pcapng' | null = null;
  private le = true;
  private nanos = false;
  private linkType = LINK_ETHERNET;
  /** pcapng interfaces: link type and ticks per second. */
  private interfaces: { linkType: number; tsPerSec: number }[] = [];
  private readonly fragments = new Map<string, Fragments>();
  private readonly payloadViews: boolean;

  constructor(options: CaptureParserOptions = {}) {
    this.payloadViews = options.payloadViews === true;
  }

  /**
   * Feeds bytes; returns the UDP datagrams they complete. Throws only on a file that is not a
   * capture. The chunk is read where it is, not copied, and nothing of it is kept: payloads
   * (unless `payloadViews`), fragments and the bytes of a record cut at its end are copies (the
   * caller may reuse it).
   */
  push(chunk: Uint8Array): CapturedDatagram[] {
    const input = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    const out: CapturedDatagram[] = [];
    let from = 0;
    const carried = this.buf.length;
    if (carried > 0) {
      // The record cut at the last chunk's end, completed from this chunk's first bytes; then on
      // in the chunk itself. A record longer than that (rare) takes the whole chunk appended.
      this.buf = Buffer.concat([this.buf, input.subarray(0, CARRY_BYTES)]);
      const off = this.records(0, out);
      if (off < carried) {
        this.buf = Buffer.concat([this.buf.subarray(off, carried), input]);
        this.buf = this.buf.subarray(this.records(0, out));
        return this.done(out);
      }
      from = off - carried;
    }
    this.buf = input;
    const end = this.records(from, out);
    this.buf = end === input.length ? EMPTY : Buffer.from(input.subarray(end));
    return this.done(out);
  }

  /** Reads the file header (first) and the whole records in `buf` from `off`; returns where they end. */
  private records(off: number, out: CapturedDatagram[]): number {
    if (this.format === null) {
      if (this.buf.length < 24) return off;
      off = this.readFileHeader();
    }
    for (;;) {
      const used = this.format === 'pcap' ? this.pcapRecord(off, out) : this.pcapngBlock(off, out);
      if (used === 0) return off;
      off += used;
    }
  }

  private done(out: CapturedDatagram[]): CapturedDatagram[] {
    this.stats.fragmentsPending = this.fragments.size;
    return out;
  }

  /** Bytes left that do not make a whole record (a truncated capture). */
  get leftover(): number {
    return this.buf.length;
  }

  private u32(o: number): number {
    return this.le ? this.buf.readUInt32LE(o) : this.buf.readUInt32BE(o);
  }
  private u16(o: number): number {
    return this.le ? this.buf.readUInt16LE(o) : this.buf.readUInt16BE(o);
  }

  private readFileHeader(): number {
    const le = this.buf.readUInt32LE(0);
    if (le === PCAPNG_SHB) {
      this.format = 'pcapng';
      return 0; // the SHB is read as a block
    }
    const be = this.buf.readUInt32BE(0);
    if (le === PCAP_US || le === PCAP_NS) this.le = true;
    else if (be === PCAP_US || be === PCAP_NS) this.le = false;
    else throw new Error('not a pcap or pcapng capture');
    this.format = 'pcap';
    this.nanos = (this.le ? le : be) === PCAP_NS;
    this.linkType = this.u32(20) & 0xffff;
    return 24;
  }

  private pcapRecord(off: number, out: CapturedDatagram[]): number {
    if (this.buf.length - off < 16) return 0;
    const caplen = this.u32(off + 8);
    const origlen = this.u32(off + 12);
    if (caplen > 0x4000000) throw new Error(`pcap record of ${caplen} bytes: the file is corrupt`);
    if (this.buf.length - off < 16 + caplen) return 0;
    const time = this.u32(off) * 1000 + this.u32(off + 4) / (this.nanos ? 1e6 : 1e3);
    if (caplen < origlen) this.stats.truncated++;
    this.frame(this.linkType, this.buf.subarray(off + 16, off + 16 + caplen), time, out);
    return 16 + caplen;
  }

  private pcapngBlock(off: number, out: CapturedDatagram[]): number {
    if (this.buf.length - off < 12) return 0;
    if (this.buf.readUInt32LE(off) === PCAPNG_SHB) {
      // Section header: its byte-order magic decides how the section reads.
      this.le = this.buf.readUInt32LE(off + 8) === 0x1a2b3c4d;
      this.interfaces = [];
    }
    const type = this.u32(off);
    const len = this.u32(off + 4);
    if (len < 12 || len > 0x4000000) throw new Error(`pcapng block of ${len} bytes: the file is corrupt`);
    if (this.buf.length - off < len) return 0;
    if (type === 1) this.interfaceBlock(off, len);
    else if (type === 6) { // enhanced packet block
      const ifc = this.interfaces[this.u32(off + 8)] ?? { linkType: LINK_ETHERNET, tsPerSec: 1e6 };
      const ticks = this.u32(off + 12) * 4294967296 + this.u32(off + 16);
      const caplen = this.u32(off + 20);
      if (caplen < this.u32(off + 24)) this.stats.truncated++;
      this.frame(ifc.linkType, this.buf.subarray(off + 28, off + 28 + Math.min(caplen, len - 28)), (ticks / ifc.tsPerSec) * 1000, out);
    } else if (type === 3) { // simple packet block: no timestamp
      const ifc = this.interfaces[0] ?? { linkType: LINK_ETHERNET, tsPerSec: 1e6 };
      const orig = this.u32(off + 8);
      this.frame(ifc.linkType, this.buf.subarray(off + 12, off + 12 + Math.min(orig, len - 16)), 0, out);
    }
    return len;
  }

  private interfaceBlock(off: number, len: number): void {
    const linkType = this.u16(off + 8);
    let tsPerSec = 1e6;
    for (let o = off + 16; o + 4 <= off + len - 4;) {
      const code = this.u16(o);
      const olen = this.u16(o + 2);
      if (code === 0) break;
      if (code === 9 && olen >= 1) { // if_tsresol
        const v = this.buf[o + 4]!;
        tsPerSec = v & 0x80 ? 2 ** (v & 0x7f) : 10 ** v;
      }
      o += 4 + Math.ceil(olen / 4) * 4;
    }
    this.interfaces.push({ linkType, tsPerSec });
  }

  private frame(linkType: number, f: Buffer, time: number, out: CapturedDatagram[]): void {
    this.stats.packets++;
    let p: number;
    let ethType: number;
    switch (linkType) {
      case LINK_ETHERNET:
        if (f.length < 14) return void this.stats.truncated++;
        ethType = f.readUInt16BE(12);
        p = 14;
        while ((ethType === 0x8100 || ethType === 0x88a8 || ethType === 0x9100) && p + 4 <= f.length) {
          ethType = f.readUInt16BE(p + 2);
          p += 4;
        }
        break;
      case LINK_SLL:
        if (f.length < 16) return void this.stats.truncated++;
        ethType = f.readUInt16BE(14);
        p = 16;
        break;
      case LINK_SLL2:
        if (f.length < 20) return void this.stats.truncated++;
        ethType = f.readUInt16BE(0);
        p = 20;
        break;
      case LINK_NULL: case LINK_LOOP: { // BSD loopback: address family in host (or network) order
        if (f.length < 4) return void this.stats.truncated++;
        const af = f.readUInt32LE(0) > 0xffff ? f.readUInt32BE(0) : f.readUInt32LE(0);
        ethType = af === 2 ? 0x0800 : 0x86dd;
        p = 4;
        break;
      }
      case LINK_RAW: case LINK_IPV4: case LINK_IPV6:
        ethType = f.length > 0 && f[0]! >> 4 === 6 ? 0x86dd : 0x0800;
        p = 0;
        break;
      default:
        this.stats.unsupportedLinkType++;
        return;
    }
    if (ethType === 0x0800) this.ipv4(f, p, time, out);
    else if (ethType === 0x86dd) this.ipv6(f, p, time, out);
    else this.stats.notUdp++;
  }

  private ipv4(f: Buffer, p: number, time: number, out: CapturedDatagram[]): void {
    if (f.length < p + 20) return void this.stats.truncated++;
    const ihl = (f[p]! & 15) * 4;
    const total = Math.min(f.readUInt16BE(p + 2), f.length - p);
    const src = ipv4(f, p + 12), dst = ipv4(f, p + 16);
    if (f[p + 9] !== 17) return void this.stats.notUdp++;
    const frag = f.readUInt16BE(p + 6);
    const body = f.subarray(p + ihl, p + total);
    if ((frag & 0x3fff) === 0) return this.udp(body, src, dst, time, out);
    this.fragment(`4|${src}|${dst}|${f.readUInt16BE(p + 4)}`, (frag & 0x1fff) * 8, (frag & 0x2000) !== 0, body, src, dst, time, out);
  }

  private ipv6(f: Buffer, p: number, time: number, out: CapturedDatagram[]): void {
    if (f.length < p + 40) return void this.stats.truncated++;
    const src = ipv6(f, p + 8), dst = ipv6(f, p + 24);
    const end = Math.min(f.length, p + 40 + f.readUInt16BE(p + 4));
    let next = f[p + 6]!;
    let q = p + 40;
    for (let i = 0; i < 8 && q + 8 <= end; i++) {
      if (next === 44) { // fragment header
        const fo = f.readUInt16BE(q + 2);
        const id = f.readUInt32BE(q + 4);
        const proto = f[q]!;
        if (proto !== 17 && (fo >> 3) === 0) return void this.stats.notUdp++;
        return this.fragment(`6|${src}|${dst}|${id}`, fo & 0xfff8, (fo & 1) !== 0, f.subarray(q + 8, end), src, dst, time, out);
      }
      if (next !== 0 && next !== 43 && next !== 60) break;
      next = f[q]!;
      q += (f[q + 1]! + 1) * 8;
    }
    if (next !== 17) return void this.stats.notUdp++;
    this.udp(f.subarray(q, end), src, dst, time, out);
  }

  private fragment(key: string, off: number, more: boolean, data: Buffer, src: string, dst: string, time: number, out: CapturedDatagram[]): void {
    let set = this.fragments.get(key);
    if (set === undefined) {
      this.expireFragments(time);
      if (this.fragments.size >= MAX_FRAGMENT_SETS) this.fragments.delete(this.fragments.keys().next().value as string);
      set = { parts: [], total: -1, first: -1, time, src, dst };
      this.fragments.set(key, set);
    }
    set.parts.push({ off, data: Buffer.from(data) });
    if (!more) set.total = off + data.length;
    if (set.total < 0) return;
    set.parts.sort((a, b) => a.off - b.off);
    let have = 0;
    for (const part of set.parts) {
      if (part.off > have) return; // a hole: wait for more
      have = Math.max(have, part.off + part.data.length);
    }
    if (have < set.total) return;
    this.fragments.delete(key);
    const whole = Buffer.alloc(set.total);
    for (const part of set.parts) part.data.copy(whole, part.off);
    this.udp(whole, src, dst, set.time, out);
  }

  private expireFragments(now: number): void {
    for (const [k, s] of this.fragments) if (now - s.time > FRAGMENT_TIMEOUT_MS) this.fragments.delete(k);
  }

  private udp(u: Buffer, src: string, dst: string, time: number, out: CapturedDatagram[]): void {
    if (u.length < 8) return void this.stats.truncated++;
    const len = u.readUInt16BE(4);
    const end = len >= 8 && len <= u.length ? len : u.length;
    this.stats.udp++;
    out.push({
      time,
      src: { address: src, port: u.readUInt16BE(0) },
      dst: { address: dst, port: u.readUInt16BE(2) },
      payload: this.payloadViews ? u.subarray(8, end) : Buffer.from(u.subarray(8, end)),
    });
  }
}

/** All UDP datagrams of a whole capture in memory. */
export function readCapture(file: Uint8Array): CapturedDatagram[] {
  return new CaptureParser().push(file);
}
