// What the analysis stages read from a record, whether it is normalized or as decoded: the key
// fields under their normalized names (dstAddr reads destinationIPv4Address or
// destinationIPv6Address on a decoded record), bytes/packets/flows scaled by the sampling rate
// when the record is normalized (its `bytes` already are) and as sent otherwise.
import { EQUIVALENCES } from '../normalize/equivalences.js';

type Rec = Readonly<Record<string, unknown>>;

const SOURCES = new Map<string, readonly string[]>(EQUIVALENCES.map((e) => [e.field, e.from.map((s) => (typeof s === 'string' ? s : s.path)).filter((p) => !p.includes('.'))]));

/** A field of a record by its normalized name (or any name the record has). */
export function fieldValue(r: Rec, name: string): unknown {
  const v = r[name];
  if (v !== undefined) return v;
  const alts = SOURCES.get(name);
  if (alts === undefined) return undefined;
  for (const a of alts) {
    const x = r[a];
    if (x !== undefined && x !== null) return x;
  }
  return undefined;
}

/** A compiled reader of several key fields, joined into one map key. */
export function keyReader(names: readonly string[]): (r: Rec) => { key: string; values: unknown[] } {
  return (r) => {
    const values = names.map((n) => fieldValue(r, n));
    return { key: values.map((v) => (v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v))).join('\u0001'), values };
  };
}

/** Is this a record analysis counts: a flow (normalized, decoded, or an sFlow flow sample)? */
export function isFlow(r: Rec): boolean {
  return r['kind'] === undefined || r['kind'] === 'flow';
}

/** The sampling rate a decoded record states itself (v5 header, sFlow sample), else 1. */
function ownRate(r: Rec): number {
  const s = r['samplingRate'] ?? r['samplingInterval'];
  return typeof s === 'number' && s > 0 ? s : 1;
}

/** Bytes, packets, flows of a record: normalized ones as they are (scaled), decoded ones scaled by their own rate. */
export function measures(r: Rec): { bytes: number; packets: number; flows: number } {
  if (r['sampledBytes'] !== undefined || r['timeReceived'] !== undefined) {
    return { bytes: Number(r['bytes'] ?? 0), packets: Number(r['packets'] ?? 0), flows: 1 };
  }
  const rate = ownRate(r);
  const bytes = Number(fieldValue(r, 'sampledBytes') ?? 0);
  const sflow = r['protocol'] === 'sflow-v5';
  const packets = sflow ? 1 : Number(fieldValue(r, 'sampledPackets') ?? 0);
  return { bytes: bytes * rate, packets: packets * rate, flows: 1 };
}

/** The time a flow counts at: its end (normalized timeEnd, or the decoded end time), else receive/export time. */
export function flowTime(r: Rec): number | undefined {
  const t = fieldValue(r, 'timeEnd') ?? r['timeReceived'] ?? r['exportTime'];
  return typeof t === 'number' ? t : undefined;
}
