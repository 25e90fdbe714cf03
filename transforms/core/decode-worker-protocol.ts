// Messages between parallelDecode() (the receiving thread) and its decode workers.
import type { DatagramBatch } from '../../lib/runtime/datagram-batch.js';
import type { DecoderOptions, DecoderStats, SavedTemplate, SequenceReport, StateSize } from '../../lib/decoder.js';
import type { DecodeError } from '../../lib/types.js';
import type { NormalizeStats } from '../../lib/normalize/normalizer.js';
import type { EnrichConfig } from '../enrich/load.js';
import type { KeyCase } from '../../lib/ndjson/line-encoder.js';
import type { CounterSnapshot } from '../../lib/runtime/exporter-counters.js';

/** What a worker does with its records. */
export type WorkerOutput = 'ndjson' | 'count';

/** Given to every worker at start. */
export interface WorkerSetup {
  decoder: DecoderOptions;
  templates: SavedTemplate[];
  output: WorkerOutput;
  /** Filter expression (lib/filter-expr.ts), applied before output. */
  filter?: string;
  /** Output only these fields. */
  fields?: string[];
  /** NDJSON keys in snake_case (table sinks) or as the records have them. */
  keyCase: KeyCase;
  chunkBytes: number;
  /** Normalize and enrich in the worker (each worker loads the data files itself). */
  enrich?: EnrichConfig;
  /** Without enrich: leave options and counter records out. */
  flowsOnly?: boolean;
  /** Keep per-exporter counters for metrics. */
  metrics?: boolean;
}

/** One worker's counters and state sizes. */
export interface WorkerReport {
  stats: DecoderStats;
  state: StateSize;
  sequence: SequenceReport[];
  /** Records after the filter. */
  written: number;
  /** The worker's JS heap in use, bytes. */
  heapUsed: number;
  /** The worker's JS heap committed (in use plus reserved free space), bytes. */
  heapTotal: number;
  /** Normalizer counters, when it normalizes. */
  normalize?: NormalizeStats;
  /** Records left out by flowsOnly without normalization. */
  flowsOnlyDropped: number;
  /** Per-exporter counters, when metrics are on. */
  counters?: CounterSnapshot;
}

/** NDJSON bytes: the first `length` bytes of a transferred buffer. */
export interface OutputChunk {
  buffer: ArrayBuffer;
  length: number;
}

export type ToWorker =
  | { type: 'batch'; batch: DatagramBatch }
  | { type: 'report'; id: number }
  | { type: 'templates'; id: number }
  | { type: 'reload'; id: number }
  | { type: 'end' };

export type FromWorker =
  | { type: 'done'; datagrams: number; chunks: OutputChunk[]; errors: DecodeError[]; batch: ArrayBuffer }
  | { type: 'report'; id: number; report: WorkerReport }
  | { type: 'templates'; id: number; saved: SavedTemplate[] }
  | { type: 'reloaded'; id: number; error?: string }
  | { type: 'ended'; chunks: OutputChunk[]; errors: DecodeError[]; report: WorkerReport; templates: SavedTemplate[] };
