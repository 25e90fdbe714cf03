// topN({ n, by, key, window }): heavy hitters per window in bounded memory (lib/analysis/top-n.ts).
import { TopN, type TopNOptions, type TopRow } from '../../lib/analysis/top-n.js';
import { AnalysisStage } from './analysis-stage.js';

/** @example pipeline(source, decode(), topN({ n: 10, by: 'bytes', key: ['dstAddr'], window: { sizeMs: 300_000 } }), toNdjson(), out) */
export function topN(options: TopNOptions): AnalysisStage<TopRow> & { top: TopN } {
  const t = new TopN(options);
  return Object.assign(new AnalysisStage(t), { top: t });
}
