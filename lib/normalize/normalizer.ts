// FlowNormalizer: the records of one datagram in, normalized (and enriched) flows out, options
// and counter records passed through (or dropped with flowsOnly) after the sampling table and
// the enrichers have learned from them. Options that arrive after the flows they describe in the
// same datagram still apply to those flows: flows whose lookups missed are looked at again at
// the end of the datagram.
import type { FlowRecord, RecordRun } from '../types.js';
import type { Enricher } from '../enrich/enricher.js';
import { ApplicationNames } from './applications.js';
import { NormalizerCache, type NormalizeContext } from './compile.js';
import { exporterAddressOf, type NormalizedFlow } from './flow.js';
import { SamplingRates, type RateSource, type SamplingOptions } from './sampling.js';

export interface NormalizeOptions {
  /** Sampling defaults and overrides (`--sampling`). */
  sampling?: Omit<SamplingOptions, 'templateScope'>;
  /** As the decoder's: 'address' (default) shares options data between the ports of one address. */
  templateScope?: 'address' | 'strict';
  /** Drop options and counter records instead of passing them through (they still teach the enrichers). */
  flowsOnly?: boolean;
  /** Enrichers run on every flow after normalization, in order. */
  enrichers?: readonly Enricher[];
}

/** Counters of the normalizer; everything left out is counted. */
export interface NormalizeStats {
  /** Flow records normalized. */
  flows: number;
  /** Options, counter and drop records passed through unchanged. */
  passed: number;
  /** Such records left out (flowsOnly). */
  dropped: number;
  /** Flows whose sampling rate nobody stated (given samplingRate 1), per exporter. */
  samplingUnknown: Record<string, number>;
  /** Flows by where their sampling rate came from. */
  rateSources: Record<RateSource, number>;
}

/** What the normalizer outputs: normalized flows, and the other records unchanged. */
export type OutputRecord = NormalizedFlow | FlowRecord;

const MAX_STAT_KEYS = 1000;
const TWO53 = 2 ** 53;

/**
 * sampled × rate, an integer: bigints stay bigints, integer products beyond 2^53 become bigints,
 * a fractional rate (RFC 5476 interval/space) rounds to the nearest whole count.
 */
export function scaleCount(v: number | bigint, rate: number): number | bigint {
  if (typeof v === 'bigint') return Number.isInteger(rate) ? v * BigInt(rate) : BigInt(Math.round(Number(v) * rate));
  const x = v * rate;
  if (x >= TWO53 && Number.isInteger(rate) && Number.isInteger(v)) return BigInt(v) * BigInt(rate);
  return Number.isInteger(x) ? x : Math.round(x);
}

function applyRate(n: NormalizedFlow, rate: number): void {
  n.samplingRate = rate;
  if (rate === 1) return;
  if (n.sampledBytes !== undefined) n.bytes = scaleCount(n.sampledBytes, rate);
  if (n.sampledPackets !== undefined) n.packets = scaleCount(n.sampledPackets, rate);
}

export class FlowNormalizer {
  readonly stats: NormalizeStats = {
    flows: 0, passed: 0, dropped: 0, samplingUnknown: {},
    rateSources: { override: 0, record: 0, options: 0, header: 0, sflow: 0, default: 0, unknown: 0 },
  };
  private readonly cache = new NormalizerCache();
  private readonly sampling: SamplingRates;
  private readonly enrichers: Enricher[];
  private readonly flowsOnly: boolean;
  private readonly addresses = new Map<string, string>();
  private readonly ctx: NormalizeContext = { receivedAt: 0, addressOf: (e) => this.addressOf(e) };
  // Flows of the current datagram whose lookups missed: parallel arrays reused from datagram to
  // datagram (nothing allocated per flow), `missCount` long.
  private readonly missN: NormalizedFlow[] = [];
  private readonly missR: FlowRecord[] = [];
  private readonly missAt: number[] = [];
  private readonly missFrom: RateSource[] = [];
  private missCount = 0;
  private unknownKeys = 0;

  constructor(options: NormalizeOptions = {}) {
    const strict = options.templateScope === 'strict';
    this.sampling = new SamplingRates({ ...options.sampling, templateScope: options.templateScope });
    this.enrichers = [new ApplicationNames(strict), ...(options.enrichers ?? [])];
    this.flowsOnly = options.flowsOnly === true;
  }

  private addressOf(exporter: string): string {
    let a = this.addresses.get(exporter);
    if (a === undefined) {
      if (this.addresses.size >= 100_000) this.addresses.clear();
      a = exporterAddressOf(exporter);
      this.addresses.set(exporter, a);
    }
    return a;
  }

  /** Where the sampling rate of the last flow processed came from. */
  get rateSource(): RateSource {
    return this.sampling.from;
  }

  /**
   * Normalizes one datagram's records (in order) into `out`. `runs` (the decoder's) say which
   * compiled template built which records, so their shape needs no inspection.
   */
  process(records: readonly FlowRecord[], receivedAt: number, runs?: readonly RecordRun[], out: OutputRecord[] = []): OutputRecord[] {
    this.ctx.receivedAt = receivedAt;
    let run = 0;
    let lastLearned = -1;
    for (let i = 0; i < records.length; i++) {
      const r = records[i]!;
      if (runs !== undefined) while (run < runs.length && runs[run]!.end <= i) run++;
      if (r.kind !== 'flow') {
        if (this.learn(r)) lastLearned = i;
        if (this.flowsOnly) this.stats.dropped++;
        else {
          this.stats.passed++;
          out.push(r);
        }
        continue;
      }
      const normalize = runs !== undefined && run < runs.length ? this.cache.forKeys(runs[run]!.keys, r.protocol) : this.cache.forRecord(r);
      const n = normalize(r, this.ctx);
      applyRate(n, this.sampling.rateOf(r, n.exporterAddress));
      const from = this.sampling.from;
      let complete = from !== 'unknown';
      for (const e of this.enrichers) complete = e.enrich(n, r) && complete;
      if (complete) this.countRate(from, n);
      else this.miss(n, r, i, from);
      out.push(n);
      this.stats.flows++;
    }
    if (this.missCount > 0) this.lookAgain(lastLearned);
    return out;
  }

  private miss(n: NormalizedFlow, r: FlowRecord, at: number, from: RateSource): void {
    const k = this.missCount++;
    this.missN[k] = n;
    this.missR[k] = r;
    this.missAt[k] = at;
    this.missFrom[k] = from;
  }

  private learn(r: FlowRecord): boolean {
    let learned = r.kind === 'options' && this.sampling.observe(r);
    for (const e of this.enrichers) if (e.observe !== undefined && e.observe(r)) learned = true;
    return learned;
  }

  /** Flows that missed a lookup before options data later in the datagram: enrich them again. */
  private lookAgain(lastLearned: number): void {
    for (let k = 0; k < this.missCount; k++) {
      const n = this.missN[k]!, r = this.missR[k]!;
      let from = this.missFrom[k]!;
      if (this.missAt[k]! < lastLearned) {
        if (from === 'unknown') {
          const rate = this.sampling.rateOf(r, n.exporterAddress);
          from = this.sampling.from;
          if (from !== 'unknown') applyRate(n, rate);
        }
        for (const e of this.enrichers) e.enrich(n, r);
      }
      this.countRate(from, n);
    }
    this.missN.fill(undefined as unknown as NormalizedFlow, 0, this.missCount); // let the records go
    this.missR.fill(undefined as unknown as FlowRecord, 0, this.missCount);
    this.missCount = 0;
  }

  private countRate(from: RateSource, n: NormalizedFlow): void {
    this.stats.rateSources[from]++;
    if (from === 'unknown') this.countUnknown(n.exporter);
  }

  /** Per exporter, at most MAX_STAT_KEYS of them; the rest under `other`. */
  private countUnknown(exporter: string): void {
    const u = this.stats.samplingUnknown;
    let v = u[exporter];
    if (v === undefined) {
      if (this.unknownKeys >= MAX_STAT_KEYS) exporter = 'other';
      else this.unknownKeys++;
      v = u[exporter] ?? 0;
    }
    u[exporter] = v + 1;
  }
}
