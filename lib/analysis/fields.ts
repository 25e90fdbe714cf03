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

const text = (v: unknown): string => (v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v));

/**
 * The map key of a record's key fields (joined text; one field: its text). Allocation-light: the
 * values themselves are read again only when a new group is made (keyValues).
 */
export function keyReader(names: readonly string[]): (r: Rec) => string {
  if (names.length === 1) {
    const n = names[0]!;
    return (r) => text(fieldValue(r, n));
  }
  if (names.length === 2) {
    const [a, b] = names as [string, string];
    return (r) => text(fieldValue(r, a)) + '\u0001' + text(fieldValue(r, b));
  }
  return (r) => names.map((n) => text(fieldValue(r, n))).join('\u0001');
}

/** The key fields' values of a record (for the row of a new group). */
export function keyValues(names: readonly string[], r: Rec): unknown[] {
  return names.map((n) => fieldValue(r, n));
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

export interface Measures { bytes: number; packets: number; flows: number }

/**
 * Bytes, packets, flows of a record: normalized ones as they are (scaled), decoded ones scaled by
 * their own rate. Written into `into` (default a new object): hot loops pass one to reuse.
 */
export function measures(r: Rec, into: Measures = { bytes: 0, packets: 0, flows: 1 }): Measures {
  into.flows = 1;
  if (r['timeReceived'] !== undefined) {
    into.bytes = Number(r['bytes'] ?? 0);
    into.packets = Number(r['packets'] ?? 0);
    return into;
  }
  const rate = ownRate(r);
  into.bytes = Number(fieldValue(r, 'sampledBytes') ?? 0) * rate;
  into.packets = (r['protocol'] === 'sflow-v5' ? 1 : Number(fieldValue(r, 'sampledPackets') ?? 0)) * rate;
  return into;
}

/** The time a flow counts at: its end (normalized timeEnd, or the decoded end time), else receive/export time. */
export function flowTime(r: Rec): number | undefined {
  const t = fieldValue(r, 'timeEnd') ?? r['timeReceived'] ?? r['exportTime'];
  return typeof t === 'number' ? t : undefined;
}
