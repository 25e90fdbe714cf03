// Normalized flows (any vendor, sFlow included) as records of IANA elements, so the encoders can
// write them: each field to the first element its equivalence (lib/normalize/equivalences.ts)
// reads it from that can hold the value — the same table in reverse, so decoding and normalizing
// the result gives the field back. The sampling rate goes out as options data (samplingInterval
// per samplerId, RFC 7270 / IANA 34, 302), the data records carry the sampled counters and their
// samplerId: a collector scales them itself. Used for sFlow → IPFIX.
import { EQUIVALENCES } from '../normalize/equivalences.js';
import type { NormalizedFlow } from '../normalize/flow.js';
import { ipfixElementByName } from '../registry/index.js';
import { fieldFor } from './fields.js';

/** Candidate elements per normalized field: plain element names only (no conversions). */
const CANDIDATES: ReadonlyMap<string, readonly string[]> = new Map(EQUIVALENCES.map((e) => [
  e.field,
  e.from.filter((s): s is string => typeof s === 'string' && !s.includes('.') && ipfixElementByName(s) !== undefined),
]));

/** Fields that say how the others are counted or where they come from, not values of the flow. */
const NOT_FIELDS = new Set(['timeReceived', 'exporter', 'exporterAddress', 'protocol', 'domain', 'sequence', 'samplingRate', 'bytes', 'packets']);

export interface IanaRecordStats {
  /** Normalized fields with no element to carry them, by field. */
  notCarried: Record<string, number>;
}

/** The normalized flow as a record of IANA elements (sampled counters; rate by `samplerId` when given). */
export function ianaRecord(n: Readonly<NormalizedFlow>, samplerId: number | undefined, stats: IanaRecordStats): Record<string, unknown> {
  const out: Record<string, unknown> = { kind: 'flow' };
  const v6 = typeof n.srcAddr === 'string' && n.srcAddr.includes(':');
  for (const [field, v] of Object.entries(n)) {
    if (NOT_FIELDS.has(field) || v === undefined || v === null) continue;
    const name = pick(field, v, v6);
    if (name === undefined) { stats.notCarried[field] = (stats.notCarried[field] ?? 0) + 1; continue; }
    out[name] = v;
  }
  if (samplerId !== undefined) out['samplerId'] = samplerId;
  return out;
}

/** The first candidate element that can hold `v` (IPv6 names first for an IPv6 flow's masks and ICMP). */
function pick(field: string, v: unknown, v6: boolean): string | undefined {
  const names = CANDIDATES.get(field) ?? [];
  const ordered = v6 ? [...names.filter((x) => x.includes('IPv6')), ...names.filter((x) => !x.includes('IPv6'))] : names.filter((x) => !x.includes('IPv6') || typeof v === 'string');
  for (const name of ordered) {
    const e = ipfixElementByName(name)!;
    if (fieldFor(name, e, v, true) !== null) return name;
  }
  return undefined;
}

/**
 * Normalized flows to IANA records with their sampling rates as options data: an options record
 * (scope samplerId) before the first flow of each rate and again every `refreshEvery` flows.
 */
/**
 * How a rate is said: IPFIX options scoped by samplerId; v9 options scoped by the system (v9
 * scopes are System, Interface, Line card, Cache, Template) with the samplerId as a field; v5 has
 * no options, the rate goes in each record (the packet header's sampling interval).
 */
export type RateCarrier = 'ipfix' | 'netflow9' | 'netflow5';

export class SampledFlowRecords {
  readonly stats: IanaRecordStats = { notCarried: {} };
  private readonly samplers = new Map<number, { id: number; since: number }>();

  constructor(private readonly carrier: RateCarrier = 'ipfix', private readonly refreshEvery = 1000) {}

  /** The records to encode for one flow: maybe an options record, then the flow. */
  records(n: Readonly<NormalizedFlow>): Record<string, unknown>[] {
    const rate = typeof n.samplingRate === 'number' && n.samplingRate >= 1 ? n.samplingRate : undefined;
    if (rate === undefined) return [ianaRecord(n, undefined, this.stats)];
    if (this.carrier === 'netflow5') {
      const r = ianaRecord(n, undefined, this.stats);
      r['samplingInterval'] = Math.min(rate, 0x3fff); // 14 bits in the v5 header
      r['samplingAlgorithm'] = 2; // random (sFlow)
      return [r];
    }
    let s = this.samplers.get(rate);
    const out: Record<string, unknown>[] = [];
    if (s === undefined) {
      if (this.samplers.size >= 255) this.samplers.clear(); // samplerId is unsigned8: start over (options sent again)
      s = { id: this.samplers.size + 1, since: this.refreshEvery };
      this.samplers.set(rate, s);
    }
    if (s.since >= this.refreshEvery) {
      out.push(this.carrier === 'ipfix'
        ? { kind: 'options', scopes: ['samplerId'], samplerId: s.id, samplingInterval: rate, samplingAlgorithm: 2 }
        : { kind: 'options', scopes: ['scopeSystem'], scopeSystem: 0, samplerId: s.id, samplingInterval: rate, samplingAlgorithm: 2 });
      s.since = 0;
    }
    s.since++;
    out.push(ianaRecord(n, s.id, this.stats));
    return out;
  }
}
