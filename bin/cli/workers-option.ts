// --workers N for decode and collect: the decoding on worker threads (transforms/core/parallel-decode.ts),
// configured from the same output and enrichment options as the in-thread chain.
import type { ParallelDecode, ParallelReport } from '../../transforms/core/parallel-decode.js';
import type { SavedTemplate } from '../../lib/decoder.js';
import type { KeyCase } from '../../lib/ndjson/line-encoder.js';
import type { EnrichConfig } from '../../transforms/enrich/load.js';
import { loadEnrichment } from './enrich-options.js';
import { checkedFilter, outputChoices } from './output.js';
import { int, UsageError, type Parsed } from './args.js';
import { shapeStats } from './shape-stats.js';

/** More decode threads than this is a typo, not a machine (each one holds its own state). */
const MAX_WORKERS = 64;

/** --workers as given (0: decode in this thread). */
export function workersOption(p: Parsed): number {
  return int(p.opts.get('workers'), '--workers', 0, MAX_WORKERS) ?? 0;
}

/**
 * The worker stage for these options: NDJSON or count, --filter and --fields, enrichment (each
 * worker loads the data files; checked here first, so a bad file is one clear line before any
 * worker starts), --flows-only, and per-exporter counters when `metrics`.
 */
export async function workerStage(p: Parsed, workers: number, saved: SavedTemplate[], config: EnrichConfig | undefined, keyCase: KeyCase, metrics: boolean): Promise<ParallelDecode> {
  const { format, filter, fields } = outputChoices(p);
  if (format !== 'ndjson' && format !== 'count') throw new UsageError(`--workers writes ndjson or count, not '${format}'`);
  if (filter !== undefined) checkedFilter(filter);
  (await loadEnrichment(config, false))?.unwatch();
  const { parallelDecode } = await import('../../transforms/core/parallel-decode.js'); // only with --workers
  return parallelDecode({
    workers, output: format, filter, fields, keyCase, templates: saved, decoder: { templateScope: config?.templateScope }, metrics,
    ...(config !== undefined ? { enrich: config } : {}), flowsOnly: p.opts.has('flows-only'),
  });
}

/** The workers' merged report as --stats prints it. */
export function workerStats(r: ParallelReport): Record<string, unknown> {
  return {
    workers: r.workers, written: r.written, workerHeapUsed: r.workerHeapUsed, workerHeapTotal: r.workerHeapTotal, decoder: r.stats, state: r.state, sequence: r.sequence,
    ...shapeStats(r.normalize, r.flowsOnlyDropped),
    ...(r.counters !== undefined ? { counters: r.counters } : {}),
  };
}
