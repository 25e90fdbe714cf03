// aggregate({ window, by, sum }): bytes, packets and flows per key per window (lib/analysis/aggregate.ts).
import { Aggregator, type AggregateOptions, type AggregateRow } from '../../lib/analysis/aggregate.js';
import { AnalysisStage } from './analysis-stage.js';

/** @example pipeline(source, decode({ enrich }), aggregate({ sizeMs: 60_000, by: ['dstAddr'] }), toNdjson(), out) */
export function aggregate(options: AggregateOptions): AnalysisStage<AggregateRow> & { aggregator: Aggregator } {
  const a = new Aggregator(options);
  return Object.assign(new AnalysisStage(a), { aggregator: a });
}
