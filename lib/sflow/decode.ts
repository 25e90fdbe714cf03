// sFlow v5 datagrams (sflow_version_5.txt): header, samples by their lengths, records by theirs.
// One record out per sample: `flow`, `counters` or `drop`. Never throws; every problem is a typed
// error and the rest of the datagram decodes where its lengths allow.
import { SequenceTracker } from '../codec/sequence.js';
import type { DecodeError, DecodeErrorKind, FlowRecord } from '../types.js';
import { pad4, XdrReader } from './reader.js';
import { allZero } from '../codec/bytes.js';
import { isSflow } from '../codec/version.js';

import { counterRecord, flowRecord, type Fields } from './records.js';
import { sampleRecord } from './sample-record.js';

/** Layout of one sample, for decodePacket() and tools (tcpdump-like views). */
export interface SflowSampleStructure {
  enterprise: number;
  format: number;
  offset: number;
  length: number;
  records: { enterprise: number; format: number; offset: number; length: number }[];
}

export interface SflowHeader {
  version: 5;
  agent: string;
  subAgentId: number;
  sequence: number;
  uptime: number;
  samples: number;
}

export interface SflowStructure {
  header: SflowHeader | null;
  samples: SflowSampleStructure[];
}

/** Sequence counters per (exporter, agent, sub-agent) and per sample source, bounded. */
export class SflowSequences {
  readonly datagrams = new Map<string, SequenceTracker>();
  readonly sources = new Map<string, SequenceTracker>();
  /** The source trackers of each datagram stream by a numeric key: no key string per sample. */
  private readonly bySource = new Map<string, Map<number, SequenceTracker>>();
  /** The last datagram stream and its key: most datagrams come from the agent the one before did. */
  private last = { exporter: '', agent: '', subAgentId: -1, key: '' };
  constructor(private readonly max = 65536) {}
  /** `exporter|agent|subAgentId`, the same string while the stream stays the same (its hash computed once). */
  streamKey(exporter: string, agent: string, subAgentId: number): string {
    const l = this.last;
    if (exporter !== l.exporter || agent !== l.agent || subAgentId !== l.subAgentId) this.last = { exporter, agent, subAgentId, key: `${exporter}|${agent}|${subAgentId}` };
    return this.last.key;
  }
  tracker(map: Map<string, SequenceTracker>, key: string): SequenceTracker {
    let t = map.get(key);
    if (t === undefined) {
      if (map.size >= this.max) {
        map.delete(map.keys().next().value as string);
        if (map === this.sources) this.bySource.clear(); // it may hold the evicted one
      }
      t = new SequenceTracker();
      map.set(key, t);
    }
    return t;
  }
  /** The tracker of one sample source (`sources` keeps them by name for reports). */
  sourceTracker(streamKey: string, counters: boolean, type: unknown, index: unknown): SequenceTracker {
    if (typeof type !== 'number' || typeof index !== 'number') return this.tracker(this.sources, `${streamKey}|${counters ? 'c' : 'f'}|${String(type)}:${String(index)}`);
    let m = this.bySource.get(streamKey);
    if (m === undefined) {
      if (this.bySource.size >= 4096) this.bySource.clear();
      m = new Map();
      this.bySource.set(streamKey, m);
    }
    const k = (type * 16777216 + index) * 2 + (counters ? 1 : 0);
    let t = m.get(k);
    if (t === undefined) {
      t = this.tracker(this.sources, `${streamKey}|${counters ? 'c' : 'f'}|${type}:${index}`);
      this.bySource.set(streamKey, m); // again: an eviction in tracker() may have cleared the cache
      m.set(k, t);
    }
    return t;
  }
}

export { isSflow };

/** Records decoded per sample; real agents send a handful. More is reported and skipped. */
const MAX_RECORDS_PER_SAMPLE = 256;

const SAMPLE_KIND: Record<number, 'flow' | 'counters' | 'drop'> = { 1: 'flow', 2: 'counters', 3: 'flow', 4: 'counters', 5: 'drop' };
const SAMPLE_NAME: Record<number, string> = { 1: 'flow', 2: 'counters', 3: 'expanded-flow', 4: 'expanded-counters', 5: 'discarded-packet' };

export interface SflowOut {
  records: FlowRecord[];
  errors: DecodeError[];
}

/**
 * Decodes one sFlow v5 datagram.
 * @param exporter `ip:port` of the UDP source
 * @param now receive time (sFlow carries no wall clock): the records' exportTime
 * @param seq sequence trackers, or null (stateless)
 * @param structure filled with the sample/record layout when given
 * @returns bytes after the declared samples (not zero padding)
 */
export function decodeSflow(b: Uint8Array, exporter: string, now: number, out: SflowOut, seq: SflowSequences | null, structure?: SflowStructure): number {
  const err = (kind: DecodeErrorKind, reason: string, offset: number): void => {
    out.errors.push({ kind, reason, exporter, offset, protocol: 'sflow-v5' });
  };
  const r = new XdrReader(b, 4, b.length);
  const agent = r.address();
  const subAgentId = r.u32();
  const sequence = r.u32();
  const uptime = r.u32();
  const count = r.u32();
  if (r.overrun || agent === '') {
    err('truncated', `sFlow datagram of ${b.length} bytes is shorter than its header`, 0);
    return 0;
  }
  if (structure) structure.header = { version: 5, agent, subAgentId, sequence, uptime, samples: count };
  const streamKey = seq === null ? '' : seq.streamKey(exporter, agent, subAgentId);
  seq?.tracker(seq.datagrams, streamKey).observe(sequence, 1);
  for (let i = 0; i < count; i++) {
    if (r.left < 8) {
      err('truncated', `header says ${count} samples but the datagram ends after ${i}`, r.p);
      return 0;
    }
    const start = r.p;
    const dataFormat = r.u32();
    const length = r.u32();
    let end = r.p + length;
    if (end > b.length) {
      err('truncated', `sample ${i} length ${length} runs ${end - b.length} bytes past the datagram`, start);
      end = b.length;
    }
    const enterprise = Math.floor(dataFormat / 4096);
    const format = dataFormat & 0xfff;
    const sampleStruct: SflowSampleStructure | undefined = structure ? { enterprise, format, offset: start, length, records: [] } : undefined;
    if (sampleStruct) structure!.samples.push(sampleStruct);
    const kind = enterprise === 0 ? SAMPLE_KIND[format] : undefined;
    const body = new XdrReader(b, r.p, end);
    r.p = end;
    if (kind === undefined) {
      // Unknown sample type: kept, with its bytes, as its own record.
      const unknown = sampleRecord('flow', exporter, subAgentId, now, sequence, agent, uptime);
      unknown['sampleType'] = `enterprise${enterprise}:${format}`;
      unknown['data'] = body.hex(body.left);
      out.records.push(unknown);
      continue;
    }
    const rec = sampleRecord(kind, exporter, subAgentId, now, sequence, agent, uptime);
    const s = sampleHeader(format, body, rec);
    const n = body.u32();
    if (body.overrun) {
      err('truncated', `sample ${i} (${SAMPLE_NAME[format]}) ends inside its header`, start);
      out.records.push(rec);
      continue;
    }
    seq?.sourceTracker(streamKey, kind === 'counters', s['sourceIdType'], s['sourceIdIndex']).observe(s['sampleSequence'] as number, 1);
    for (let j = 0; j < n; j++) {
      if (j === MAX_RECORDS_PER_SAMPLE) {
        err('bad-length', `sample ${i} declares ${n} records; only the first ${MAX_RECORDS_PER_SAMPLE} are decoded`, body.p);
        break;
      }
      if (body.left < 8) {
        err('truncated', `sample ${i} says ${n} records but ends after ${j}`, body.p);
        break;
      }
      const recStart = body.p;
      const recFormat = body.u32();
      const recLength = body.u32();
      const re = Math.floor(recFormat / 4096);
      const rf = recFormat & 0xfff;
      // A length that is not a multiple of 4 is never valid XDR: decode the record by its own
      // content (within the sample), go on from where it ends, and report the bad length.
      const unaligned = recLength % 4 !== 0;
      let recEnd = unaligned ? end : body.p + recLength;
      if (recEnd > end) {
        if (recEnd <= b.length) {
          // The record's own length fits in the datagram: trust it over the sample's.
          err('length-mismatch', `record ${j} of sample ${i} (format ${rf}) runs ${recEnd - end} bytes past its sample length; decoded by the record length`, recStart);
          end = recEnd;
          body.end = end;
          r.p = end;
        } else {
          err('truncated', `record ${j} of sample ${i} (format ${rf}) length ${recLength} runs past the datagram`, recStart);
          recEnd = end;
        }
      }
      sampleStruct?.records.push({ enterprise: re, format: rf, offset: recStart, length: recLength });
      const rr = new XdrReader(b, body.p, recEnd);
      const known = kind === 'counters' ? counterRecord(re, rf, rr, rec) : flowRecord(re, rf, rr, rec);
      if (!known) {
        const size = unaligned ? Math.min(rr.left, pad4(recLength)) : rr.left;
        const list = (rec['unknownRecords'] ??= []) as unknown as { enterprise: number; format: number; data: string }[];
        list.push({ enterprise: re, format: rf, data: rr.hex(size) });
      } else if (rr.overrun) {
        err('record-overflow', `record ${j} of sample ${i} (enterprise ${re}, format ${rf}) is shorter than its format; decoded as far as it goes`, recStart);
      }
      if (unaligned) {
        const used = rr.p - recStart - 8;
        // Content that fills the declared length with only the XDR padding missing (an unpadded
        // final string) is intact: go on right after it. Anything else is reported.
        if (known && (used === recLength || used === pad4(recLength))) body.p = Math.min(end, recStart + 8 + recLength);
        else {
          err('length-mismatch', `record ${j} of sample ${i} (format ${rf}) declares length ${recLength}, not XDR-aligned; decoded by its content (${used} bytes)`, recStart);
          body.p = rr.p;
        }
      } else body.p = recEnd;
    }
    out.records.push(rec);
  }
  // The datagram ends after its declared samples; bytes beyond (old buffer contents in some
  // captures) are counted by the caller, like NetFlow's trailing bytes.
  return r.left > 0 && !allZero(b, r.p, b.length) ? r.left : 0;
}

/** 32-bit words in each sample type's header before its record count. */
const HEADER_WORDS: Record<number, number> = { 1: 7, 2: 2, 3: 10, 4: 3, 5: 7 };

/**
 * Sample header fields: compact and expanded forms give the same names. A header cut short keeps
 * only the fields it holds (the caller reports it); nothing past its end is made up.
 */
function sampleHeader(format: number, r: XdrReader, s: Fields): Fields {
  if (r.left >= HEADER_WORDS[format]! * 4) return wholeSampleHeader(format, r, s);
  const w: number[] = [];
  for (let i = 0; i < HEADER_WORDS[format]! && r.left >= 4; i++) w.push(r.u32());
  s['sampleType'] = SAMPLE_NAME[format];
  const set = (name: string, v: number | undefined): void => { if (v !== undefined) s[name] = v; };
  set('sampleSequence', w[0]);
  let k: number;
  if (format === 1 || format === 2) {
    if (w[1] !== undefined) {
      s['sourceIdType'] = w[1] >>> 24;
      s['sourceIdIndex'] = w[1] & 0xffffff;
    }
    k = 2;
  } else {
    set('sourceIdType', w[1]);
    set('sourceIdIndex', w[2]);
    k = 3;
  }
  if (format === 2 || format === 4) return s;
  if (format === 5) {
    set('drops', w[k]);
    set('ingressInterface', w[k + 1]);
    set('egressInterface', w[k + 2]);
    set('dropReason', w[k + 3]);
    return s;
  }
  set('samplingRate', w[k]);
  set('samplePool', w[k + 1]);
  set('drops', w[k + 2]);
  if (format === 1) {
    // Compact form: the top two bits are the format (0 ifIndex, 1 discard reason, 2 interface count).
    if (w[k + 3] !== undefined) interfaceValue(s, true, w[k + 3]!);
    if (w[k + 4] !== undefined) interfaceValue(s, false, w[k + 4]!);
  } else {
    set('ingressInterface', w[k + 4]);
    if (w[k + 3] !== undefined && w[k + 3] !== 0) s['ingressInterfaceFormat'] = w[k + 3];
    set('egressInterface', w[k + 6]);
    if (w[k + 5] !== undefined && w[k + 5] !== 0) s['egressInterfaceFormat'] = w[k + 5];
  }
  return s;
}

/** sampleHeader() for a header that is all there (the usual case): read straight into the record. */
function wholeSampleHeader(format: number, r: XdrReader, s: Fields): Fields {
  s['sampleType'] = SAMPLE_NAME[format];
  s['sampleSequence'] = r.u32();
  if (format === 1 || format === 2) {
    const source = r.u32();
    s['sourceIdType'] = source >>> 24;
    s['sourceIdIndex'] = source & 0xffffff;
  } else {
    s['sourceIdType'] = r.u32();
    s['sourceIdIndex'] = r.u32();
  }
  if (format === 2 || format === 4) return s;
  if (format === 5) {
    s['drops'] = r.u32();
    s['ingressInterface'] = r.u32();
    s['egressInterface'] = r.u32();
    s['dropReason'] = r.u32();
    return s;
  }
  s['samplingRate'] = r.u32();
  s['samplePool'] = r.u32();
  s['drops'] = r.u32();
  if (format === 1) {
    interfaceValue(s, true, r.u32());
    interfaceValue(s, false, r.u32());
    return s;
  }
  const inFormat = r.u32(), input = r.u32(), outFormat = r.u32(), output = r.u32();
  s['ingressInterface'] = input;
  if (inFormat !== 0) s['ingressInterfaceFormat'] = inFormat;
  s['egressInterface'] = output;
  if (outFormat !== 0) s['egressInterfaceFormat'] = outFormat;
  return s;
}

/**
 * A compact-form interface value: the low 30 bits, and its format from the top two (0 ifIndex, 1
 * discard reason, 2 interface count) when not 0. Stores under literal names: a store under a
 * name passed in is one site for every record shape, and goes megamorphic.
 */
function interfaceValue(s: Fields, ingress: boolean, v: number): void {
  const fmt = v >>> 30;
  if (ingress) {
    s['ingressInterface'] = v & 0x3fffffff;
    if (fmt !== 0) s['ingressInterfaceFormat'] = fmt;
  } else {
    s['egressInterface'] = v & 0x3fffffff;
    if (fmt !== 0) s['egressInterfaceFormat'] = fmt;
  }
}
