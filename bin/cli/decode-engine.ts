// What decodes for `flowpipe decode`: the decode stage in this thread (with the stages after it),
// or worker threads (--workers), behind one face for the command: its stages, its errors, its
// counters for --stats and the progress line, and its templates to save.
import type { Transform, Writable } from 'node:stream';
import { FlowDecoder, type SavedTemplate } from '../../lib/decoder.js';
import type { DecodeError } from '../../lib/types.js';
import type { KeyCase } from '../../lib/ndjson/line-encoder.js';
import type { DecodeStream } from '../../transforms/core/decode.js';
import type { EnrichConfig, Enrichment } from '../../transforms/enrich/load.js';
import { UsageError, type Parsed } from './args.js';
import { decodeChain } from './output.js';
import { loadTemplates, readTemplateFile } from './templates-file.js';
import { workerStage } from './workers-option.js';
import { shapeStats } from './shape-stats.js';

export interface EngineReport {
  counters: Record<string, unknown>;
  shaped: Record<string, unknown>;
  sequence: unknown[];
}

export interface DecodeEngine {
  /** The stages from decoding to the output, in order. */
  stages: Transform[];
  /** What the last stage writes to, given the destinations. */
  output(destinations: Writable): Writable;
  /** Calls `listener` for each decode error. */
  onError(listener: (e: DecodeError) => void): void;
  /** Progress so far (records are known only in this thread). */
  progress(): string;
  /** For --stats: decoder counters, what normalizing or --flows-only left out, sequence reports. */
  report(): Promise<EngineReport>;
  templates(): Promise<SavedTemplate[]>;
  /** The in-thread decode stage and decoder (a Kafka input checkpoints through them), else null. */
  inThread: { decoder: FlowDecoder; dec: DecodeStream } | null;
}

/** Decoding in this thread: the decode stage, the stages between, the output stages. */
export function inThreadEngine(p: Parsed, config: EnrichConfig | undefined, enrich: Enrichment | null, templates: string | undefined, keyCase: KeyCase, between: Transform[], branches: Writable[]): DecodeEngine {
  const decoder = new FlowDecoder({ templateScope: config?.templateScope });
  loadTemplates(decoder, templates);
  const { dec, stages, output } = decodeChain(p, decoder, enrich, keyCase, between, undefined, branches);
  const records = (): number => Object.values(decoder.stats.records).reduce((a, b) => a + b, 0);
  return {
    stages: [dec, ...stages], output,
    onError: (listener) => dec.on('flowpipe-error', listener),
    progress: () => `${decoder.stats.datagrams} datagrams, ${records()} records`,
    report: () => {
      return Promise.resolve({ counters: { ...decoder.stats }, shaped: shapeStats(enrich?.stats, dec.flowsOnlyDropped), sequence: decoder.sequenceStats() });
    },
    templates: () => Promise.resolve([...decoder.savedTemplates()]),
    inThread: { decoder, dec },
  };
}

/**
 * Decoding on `workers` threads, exporters spread over them (records of one exporter in order).
 * `read()` counts the datagrams given to them so far (for the progress line).
 */
export async function workersEngine(p: Parsed, workers: number, config: EnrichConfig | undefined, templates: string | undefined, keyCase: KeyCase, read: () => number): Promise<DecodeEngine> {
  if (p.opts.has('from')) throw new UsageError('--workers decodes files: not with --from');
  // (--format count in one thread counts 1.5 M records/s and more: workers would add nothing.)
  if ((p.opts.get('format') ?? 'ndjson') !== 'ndjson') throw new UsageError('decode --workers writes ndjson');
  const saved = readTemplateFile(templates);
  const par = await workerStage(p, workers, saved, config, keyCase, false);
  if (saved.length > 0) process.stderr.write(`flowpipe: loaded ${saved.length} templates from ${templates} into ${workers} workers\n`);
  return {
    stages: [par], output: (w) => w,
    onError: (listener) => par.on('flowpipe-error', listener),
    progress: () => `${read()} datagrams read`,
    report: async () => {
      const r = await par.report();
      return { counters: { ...r.stats, workers: r.workers }, shaped: shapeStats(r.normalize, r.flowsOnlyDropped), sequence: r.sequence };
    },
    templates: () => par.exportTemplates(),
    inThread: null,
  };
}
