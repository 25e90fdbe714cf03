// Sampling rates: from a data record's own elements, from options data (per exporter, domain and
// sampler / selector), from the v5/v7 header, from the sFlow sample; operator defaults and
// overrides by exporter CIDR. Rates follow RFC 5476/5477 and RFC 3954: 1-in-N.
import type { FlowRecord } from '../types.js';
import { PrefixTable } from '../codec/ip-prefix.js';
import { exporterAddressOf } from './flow.js';

export interface SamplingOptions {
  /** CIDR (or address) -> rate, used when a flow's rate is unknown (the device never sends it). */
  defaults?: Readonly<Record<string, number>>;
  /** CIDR (or address) -> rate that wins over anything the device sends. */
  overrides?: Readonly<Record<string, number>>;
  /** A further override by exporter address (exporter info files), consulted after `overrides`. */
  overrideLookup?: (address: string) => number | undefined;
  /** As the decoder's templateScope: 'address' (default) lets other ports of an address share options data. */
  templateScope?: 'address' | 'strict';
}

/** Where a rate came from (the normalizer counts the flows whose rate was unknown). */
export type RateSource = 'override' | 'record' | 'options' | 'header' | 'sflow' | 'default' | 'unknown';

const MAX_LEARNED = 100_000;

/** A positive finite number, else undefined. */
function positive(v: unknown): number | undefined {
  return typeof v === 'number' && v > 0 && Number.isFinite(v) ? v : typeof v === 'bigint' && v > 0n ? Number(v) : undefined;
}

/**
 * The rate the sampling elements of a record (data or options) state, or undefined. 1-in-N for
 * samplingInterval (34) and samplerRandomInterval (50); (interval + space) / interval for
 * samplingPacketInterval/Space (305/306, RFC 5476 systematic count-based); 1 / p for
 * samplingProbability (311); population / size (310/309, RFC 5477 n-out-of-N).
 */
export function rateFromElements(r: Readonly<Record<string, unknown>>): number | undefined {
  const interval = positive(r['samplingInterval']) ?? positive(r['samplerRandomInterval']);
  if (interval !== undefined) return interval;
  const pi = positive(r['samplingPacketInterval']);
  if (pi !== undefined) return (pi + (positive(r['samplingPacketSpace']) ?? 0)) / pi;
  const p = positive(r['samplingProbability']);
  if (p !== undefined && p <= 1) return 1 / p;
  const size = positive(r['samplingSize']), population = positive(r['samplingPopulation']);
  if (size !== undefined && population !== undefined && population >= size) return population / size;
  return undefined;
}

/** The sampler a record names: samplerId (48, v9 FLOW_SAMPLER_ID), selectorId (302); -1 for none. */
function samplerOf(r: Readonly<Record<string, unknown>>): number {
  const v = r['samplerId'] ?? r['selectorId'];
  return typeof v === 'number' ? v : typeof v === 'bigint' ? Number(v) : -1;
}

/** Rates by exporter key or address, then domain, then sampler (-1: the whole domain). */
type Learned = Map<string, Map<number, Map<number, number>>>;

const FIXED = new Set(['netflow-v1', 'netflow-v5', 'netflow-v7']);

export class SamplingRates {
  private readonly defaults = new PrefixTable<number>();
  private readonly overrides = new PrefixTable<number>();
  private readonly strict: boolean;
  private readonly overrideLookup: ((address: string) => number | undefined) | undefined;
  private readonly learned: Learned = new Map();
  private learnedCount = 0;
  /** Where the rate of the last rateOf() came from. */
  from: RateSource = 'unknown';
  /** Operator default and override by exporter address (NaN: none), so the trie is walked once per exporter. */
  private readonly byAddress = new Map<string, { override: number; default: number }>();

  constructor(options: SamplingOptions = {}) {
    for (const [cidr, rate] of Object.entries(options.defaults ?? {})) this.defaults.add(cidr, checkRate(rate, cidr));
    for (const [cidr, rate] of Object.entries(options.overrides ?? {})) this.overrides.add(cidr, checkRate(rate, cidr));
    this.strict = options.templateScope === 'strict';
    this.overrideLookup = options.overrideLookup;
  }

  /** Learns from an options record. Returns true when it stated a rate. */
  observe(r: FlowRecord): boolean {
    const rate = rateFromElements(r);
    if (rate === undefined) return false;
    const sampler = samplerOf(r);
    if (this.learnedCount >= MAX_LEARNED) { this.learned.clear(); this.learnedCount = 0; } // a flood of samplers: start over rather than grow
    this.put(r.exporter, r.domain, sampler, rate);
    if (!this.strict) this.put(exporterAddressOf(r.exporter), r.domain, sampler, rate);
    return true;
  }

  private put(scope: string, domain: number, sampler: number, rate: number): void {
    let d = this.learned.get(scope);
    if (d === undefined) this.learned.set(scope, (d = new Map()));
    let s = d.get(domain);
    if (s === undefined) d.set(domain, (s = new Map()));
    if (!s.has(sampler)) this.learnedCount++;
    s.set(sampler, rate);
  }

  private operator(address: string): { override: number; default: number } {
    let v = this.byAddress.get(address);
    if (v === undefined) {
      if (this.byAddress.size >= 100_000) this.byAddress.clear();
      v = { override: this.overrides.lookup(address) ?? NaN, default: this.defaults.lookup(address) ?? NaN };
      this.byAddress.set(address, v);
    }
    return v;
  }

  /** The rate of a flow record; `from` tells where it came from ('unknown': 1, counted by the caller). */
  rateOf(r: FlowRecord, address: string): number {
    const op = this.overrides.size + this.defaults.size > 0 ? this.operator(address) : undefined;
    if (op !== undefined && !Number.isNaN(op.override)) return this.found(op.override, 'override');
    const x = this.overrideLookup?.(address);
    if (x !== undefined) return this.found(x, 'override');
    if (r.protocol === 'sflow-v5') {
      const s = positive(r['samplingRate']);
      if (s !== undefined) return this.found(s, 'sflow');
    } else if (FIXED.has(r.protocol)) {
      // v5/v7 header: the 14-bit interval; 0 means the exporter did not say (Juniper v5 leaves it 0 while sampling).
      const h = positive(r['samplingInterval']);
      if (h !== undefined) return this.found(h, 'header');
    } else {
      const own = rateFromElements(r);
      if (own !== undefined) return this.found(own, 'record');
      const learned = this.learned.size > 0 ? this.learnedRate(r, address) : undefined;
      if (learned !== undefined) return this.found(learned, 'options');
    }
    if (op !== undefined && !Number.isNaN(op.default)) return this.found(op.default, 'default');
    return this.found(1, 'unknown');
  }

  private found(rate: number, from: RateSource): number {
    this.from = from;
    return rate;
  }

  /** This port's options first, then (address scope) any port's of the address; the sampler's, then the domain's. */
  private learnedRate(r: FlowRecord, address: string): number | undefined {
    const own = this.learned.get(r.exporter)?.get(r.domain);
    const shared = this.strict ? undefined : this.learned.get(address)?.get(r.domain);
    const sampler = samplerOf(r);
    if (sampler >= 0) {
      const v = own?.get(sampler) ?? shared?.get(sampler);
      if (v !== undefined) return v;
    }
    return own?.get(-1) ?? shared?.get(-1);
  }
}

function checkRate(rate: number, cidr: string): number {
  if (!(typeof rate === 'number' && rate >= 1 && Number.isFinite(rate))) throw new Error(`sampling rate for ${cidr} must be a number >= 1, got ${String(rate)}`);
  return rate;
}
