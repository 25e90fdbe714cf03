// Message walkers: cut a datagram into headers and sets by the protocols' own lengths and hand
// each piece to a SetSink. They hold no state, so the stateful decoder and the structural
// decodePacket() share them.
import type { DecodeErrorKind, FlowProtocol } from '../types.js';
import { allZero, u16, u32 } from '../codec/bytes.js';
import { versionAt } from '../codec/version.js';
import { parseIpfixTemplates, parseV9Options, parseV9Templates, type TemplateItem } from './template-parse.js';

export interface MessageHeader {
  readonly protocol: FlowProtocol;
  readonly version: number;
  readonly offset: number;
  /** v9 header count / v5 count (advisory for v9). */
  readonly count: number;
  /** IPFIX message length. */
  readonly length: number;
  readonly domain: number;
  /** Epoch milliseconds. */
  readonly exportTime: number;
  readonly sequence: number;
  /** sysUptime ms (v1/v5/v7/v9), NaN for IPFIX. */
  readonly uptimeMs: number;
  readonly engineType: number;
  readonly engineId: number;
  readonly samplingAlgorithm: number;
  readonly samplingInterval: number;
}

export interface SetSink {
  header(h: MessageHeader): void;
  templates(items: TemplateItem[], setId: number, offset: number, length: number): void;
  data(b: Uint8Array, start: number, end: number, setId: number, offset: number): void;
  /** v1/v5/v7: `count` fixed-size records from `start`. */
  fixed(b: Uint8Array, start: number, count: number): void;
  error(kind: DecodeErrorKind, reason: string, offset: number, templateId?: number): void;
  endMessage(): void;
}

/** Record sizes of the fixed formats. */
export const FIXED = {
  1: { header: 16, record: 48, protocol: 'netflow-v1' },
  5: { header: 24, record: 48, protocol: 'netflow-v5' },
  7: { header: 24, record: 52, protocol: 'netflow-v7' },
} as const;

/** Does an IPFIX message header plausibly start at `o`? */
export function ipfixHeaderAt(b: Uint8Array, o: number): boolean {
  return o + 16 <= b.length && u16(b, o) === 10 && u16(b, o + 2) >= 16;
}

/** v1/v5/v7. Returns the offset after the message. */
export function walkFixed(b: Uint8Array, off: number, sink: SetSink): number {
  const version = u16(b, off) as 1 | 5 | 7;
  const f = FIXED[version];
  if (b.length - off < f.header) {
    sink.error('truncated', `NetFlow v${version} header needs ${f.header} bytes, ${b.length - off} left`, off);
    return b.length;
  }
  const count = u16(b, off + 2);
  const uptimeMs = u32(b, off + 4);
  const secs = u32(b, off + 8);
  const nsecs = u32(b, off + 12);
  const sampling = version === 5 ? u16(b, off + 22) : 0;
  sink.header({
    protocol: f.protocol, version, offset: off, count, length: 0,
    domain: version === 1 ? 0 : (b[off + 20]! << 8) | b[off + 21]!,
    exportTime: secs * 1000 + Math.floor(nsecs / 1e6),
    sequence: version === 1 ? 0 : u32(b, off + 16),
    uptimeMs,
    engineType: version === 5 ? b[off + 20]! : 0,
    engineId: version === 5 ? b[off + 21]! : 0,
    samplingAlgorithm: sampling >>> 14,
    samplingInterval: sampling & 0x3fff,
  });
  const room = Math.floor((b.length - off - f.header) / f.record);
  const n = Math.min(count, room);
  if (n < count) sink.error('truncated', `header count ${count} but only ${n} records fit in the datagram`, off + 2);
  sink.fixed(b, off + f.header, n);
  sink.endMessage();
  return off + f.header + n * f.record;
}

/** NetFlow v9: flowsets are walked by their lengths; the header count is advisory. */
export function walkV9(b: Uint8Array, off: number, sink: SetSink): number {
  if (b.length - off < 20) {
    sink.error('truncated', `NetFlow v9 header needs 20 bytes, ${b.length - off} left`, off);
    return b.length;
  }
  sink.header({
    protocol: 'netflow-v9', version: 9, offset: off, count: u16(b, off + 2), length: 0,
    domain: u32(b, off + 16), exportTime: u32(b, off + 8) * 1000, sequence: u32(b, off + 12),
    uptimeMs: u32(b, off + 4), engineType: 0, engineId: 0, samplingAlgorithm: 0, samplingInterval: 0,
  });
  let q = off + 20;
  while (q + 4 <= b.length) {
    const id = u16(b, q);
    const len = u16(b, q + 2);
    // Flowset ids 2..255 are reserved; 9 here is the next message of a concatenated capture.
    if (id === 9 && q + 20 <= b.length) break;
    if (len < 4) {
      if (!allZero(b, q, b.length)) sink.error('bad-length', `flowset ${id} length ${len} is shorter than its header`, q);
      q = b.length; // zero padding after the last flowset, or nothing more we can trust
      break;
    }
    let end = q + len;
    if (end > b.length) {
      sink.error('truncated', `flowset ${id} length ${len} runs ${end - b.length} bytes past the datagram`, q, id >= 256 ? id : undefined);
      end = b.length;
    }
    dispatchV9(b, q, end, id, sink);
    q = end;
  }
  sink.endMessage();
  return q + 4 <= b.length ? q : b.length;
}

function dispatchV9(b: Uint8Array, q: number, end: number, id: number, sink: SetSink): void {
  if (id >= 256) return sink.data(b, q + 4, end, id, q);
  if (id > 1) return sink.error('bad-length', `reserved flowset id ${id} skipped`, q);
  const items: TemplateItem[] = [];
  if (id === 0) parseV9Templates(b, q + 4, end, items);
  else parseV9Options(b, q + 4, end, items);
  sink.templates(items, id, q, end - q);
}

/** IPFIX: one message by its length. Returns the offset after it. */
export function walkIpfix(b: Uint8Array, off: number, sink: SetSink): number {
  if (b.length - off < 16) {
    sink.error('truncated', `IPFIX header needs 16 bytes, ${b.length - off} left`, off);
    return b.length;
  }
  const length = u16(b, off + 2);
  sink.header({
    protocol: 'ipfix', version: 10, offset: off, count: 0, length,
    domain: u32(b, off + 12), exportTime: u32(b, off + 4) * 1000, sequence: u32(b, off + 8),
    uptimeMs: NaN, engineType: 0, engineId: 0, samplingAlgorithm: 0, samplingInterval: 0,
  });
  if (length < 16) {
    sink.error('bad-length', `IPFIX message length ${length} is shorter than its header`, off + 2);
    sink.endMessage();
    return b.length;
  }
  let end = off + length;
  if (end > b.length) {
    sink.error('truncated', `IPFIX message length ${length} but only ${b.length - off} bytes received`, off + 2);
    end = b.length;
  }
  let q = off + 16;
  while (q + 4 <= end) {
    const id = u16(b, q);
    const len = u16(b, q + 2);
    if (len < 4) {
      if (!allZero(b, q, end)) sink.error('bad-length', `set ${id} length ${len} is shorter than its header`, q);
      q = end;
      break;
    }
    let setEnd = q + len;
    if (setEnd > end) {
      if (setEnd <= b.length && !ipfixHeaderAt(b, end)) {
        // The set lengths account for the datagram, the message length does not: trust the sets.
        sink.error('length-mismatch', `set ${id} runs past the message length ${length}; decoded by the set length`, q);
        end = setEnd;
      } else {
        sink.error('truncated', `set ${id} length ${len} runs ${setEnd - end} bytes past the message`, q, id >= 256 ? id : undefined);
        setEnd = end;
      }
    }
    dispatchIpfix(b, q, setEnd, id, sink);
    q = setEnd;
  }
  sink.endMessage();
  return end;
}

function dispatchIpfix(b: Uint8Array, q: number, end: number, id: number, sink: SetSink): void {
  if (id >= 256) return sink.data(b, q + 4, end, id, q);
  if (id !== 2 && id !== 3) return sink.error('bad-length', `reserved set id ${id} skipped`, q);
  const items: TemplateItem[] = [];
  parseIpfixTemplates(b, q + 4, end, id === 3, items);
  sink.templates(items, id, q, end - q);
}

/**
 * Walks every message in a datagram (captures made with netcat concatenate several). After each
 * message, zero bytes are padding; fewer bytes than any header are counted as trailing bytes;
 * anything else that is not a next message is reported.
 * @returns trailing bytes left over (for statistics)
 */
export function walkDatagram(b: Uint8Array, sink: SetSink): number {
  if (b.length === 0) {
    sink.error('truncated', 'empty datagram', 0);
    return 0;
  }
  let off = 0;
  while (off < b.length) {
    const v = versionAt(b, off);
    if (v === null) {
      const word = b.length - off >= 2 ? `0x${u16(b, off).toString(16).padStart(4, '0')}` : 'missing';
      if (off === 0) sink.error('unknown-version', `unknown export version ${word}`, off);
      else sink.error('length-mismatch', `${b.length - off} bytes after the last message are not another message`, off);
      return 0;
    }
    const next = v === 9 ? walkV9(b, off, sink) : v === 10 ? walkIpfix(b, off, sink) : walkFixed(b, off, sink);
    if (next >= b.length) return 0;
    if (allZero(b, next, b.length)) return 0;
    if (b.length - next < 16) return b.length - next;
    off = next;
  }
  return 0;
}
