// parallelDecode(): decode on worker threads. Datagrams in (from udpSource or captureSource),
// NDJSON bytes out. Each exporter address (address and port with templateScope 'strict') is
// sharded to one worker, so its records stay in order and decode against its own templates (and
// those its other source ports sent). Datagrams cross in batches packed into
// one transferred ArrayBuffer; NDJSON comes back in transferred buffers.
//
// Backpressure: a worker holds at most `maxInFlight` datagrams not yet answered (or answered
// but not yet taken by the reader); beyond that the stage stops taking input, so a UDP source
// queues and then drops and counts, and a file source simply waits.
import { Transform, type TransformCallback } from 'node:stream';
import { Worker } from 'node:worker_threads';
import { BatchBuilder } from '../../lib/runtime/datagram-batch.js';
import type { DecoderOptions, DecoderStats, SavedTemplate, SequenceReport, StateSize } from '../../lib/decoder.js';
import type { DecodeError } from '../../lib/types.js';
import type { NormalizeStats } from '../../lib/normalize/normalizer.js';
import type { EnrichConfig } from '../enrich/load.js';
import type { KeyCase } from '../../lib/ndjson/line-encoder.js';
import { mergeSnapshots, type CounterSnapshot } from '../../lib/runtime/exporter-counters.js';
import type { Datagram } from './datagram.js';
import type { FromWorker, OutputChunk, ToWorker, WorkerOutput, WorkerReport, WorkerSetup } from './decode-worker-protocol.js';

export interface ParallelDecodeOptions {
  /** Worker threads (default 2). */
  workers?: number;
  /** 'ndjson' (default): NDJSON bytes out; 'count': records are decoded and counted, nothing out. */
  output?: WorkerOutput;
  /** Keep only records matching this filter expression (as `flowpipe --filter`). */
  filter?: string;
  /** Output only these fields. */
  fields?: string[];
  /** NDJSON keys in snake_case (the table sinks'), or as the records have them. */
  keyCase?: KeyCase;
  /** Decoder options, for every worker. */
  decoder?: DecoderOptions;
  /** Normalize and enrich in the workers (each loads the data files). */
  enrich?: EnrichConfig;
  /** Without enrich: leave options and counter records out. */
  flowsOnly?: boolean;
  /** Per-exporter counters for metrics in every worker (merged in report()). */
  metrics?: boolean;
  /** Templates to start from (FlowDecoder#exportTemplates()); each worker gets them all. */
  templates?: SavedTemplate[];
  /** Datagrams a worker may hold unanswered (default 4096). */
  maxInFlight?: number;
  /** Datagrams per batch (default 32, or 64 KiB). */
  batchDatagrams?: number;
  /**
   * A batch that is not full leaves this many ms after its first datagram (default 1; 0: at the
   * end of the event-loop turn). Under load batches fill before that; the wait keeps a loaded
   * receiver from posting a few datagrams per turn (each message costs both threads a wake-up).
   */
  batchDelayMs?: number;
}

/** Counters of all workers together. */
export interface ParallelReport {
  workers: number;
  stats: DecoderStats;
  state: StateSize;
  sequence: SequenceReport[];
  /** Records written (after the filter). */
  written: number;
  /** JS heap in use in the workers, bytes. */
  workerHeapUsed: number;
  /** JS heap committed in the workers, bytes. */
  workerHeapTotal: number;
  /** Normalizer counters of all workers, when they normalize. */
  normalize?: NormalizeStats;
  /** Records left out by flowsOnly without normalization. */
  flowsOnlyDropped: number;
  /** Per-exporter counters of all workers, when metrics are on. */
  counters?: CounterSnapshot;
}

interface Lane {
  worker: Worker;
  builder: BatchBuilder;
  inFlight: number;
  /** Exporters placed on this worker. */
  exporters: number;
  /** The worker's last report and templates, once it has ended. */
  final: WorkerReport | null;
  finalTemplates: SavedTemplate[];
}

const BATCH_BYTES = 64 * 1024;

/** FNV-1a of the exporter key: the same exporter always lands on the same worker. */
function shard(address: string, port: number, lanes: number): number {
  let h = 0x811c9dc5 ^ port;
  for (let i = 0; i < address.length; i++) h = Math.imul(h ^ address.charCodeAt(i), 16777619);
  return (h >>> 0) % lanes;
}

/** Exporters placed by first sight; beyond this many (spoofed floods), placed by hash alone. */
const MAX_PLACED = 100_000;

/** Sums counters of the same shape (numbers, and maps of numbers). */
function addCounts(into: Record<string, unknown>, from: Record<string, unknown>): void {
  for (const [k, v] of Object.entries(from)) {
    if (typeof v === 'number') into[k] = ((into[k] as number | undefined) ?? 0) + v;
    else if (v !== null && typeof v === 'object') addCounts((into[k] ??= {}) as Record<string, unknown>, v as Record<string, unknown>);
  }
}

/** Merges worker reports: counters add up, per-exporter maxima take the largest. */
export function mergeReports(reports: readonly WorkerReport[]): ParallelReport {
  const stats: DecoderStats = { datagrams: 0, bytes: 0, records: {}, errors: {}, templateMisses: {}, evicted: { exporters: 0, domains: 0, templates: 0, pendingSets: 0, pendingBytes: 0 }, trailingBytes: 0, templateFallbacks: 0 };
  const state: StateSize = { exporters: 0, domains: 0, templates: 0, templateFields: 0, pendingSets: 0, pendingBytes: 0, perExporter: { maxDomains: 0, maxPendingSets: 0, maxPendingBytes: 0 }, perDomain: { maxTemplates: 0 } };
  let written = 0;
  let workerHeapUsed = 0;
  let workerHeapTotal = 0;
  let flowsOnlyDropped = 0;
  let normalize: NormalizeStats | undefined;
  for (const r of reports) {
    flowsOnlyDropped += r.flowsOnlyDropped;
    if (r.normalize !== undefined) addCounts((normalize ??= { flows: 0, passed: 0, dropped: 0, samplingUnknown: {}, rateSources: { override: 0, record: 0, options: 0, header: 0, sflow: 0, default: 0, unknown: 0 } }) as unknown as Record<string, unknown>, r.normalize as unknown as Record<string, unknown>);
    workerHeapUsed += r.heapUsed;
    workerHeapTotal += r.heapTotal;
    addCounts(stats as unknown as Record<string, unknown>, r.stats as unknown as Record<string, unknown>);
    for (const k of ['exporters', 'domains', 'templates', 'templateFields', 'pendingSets', 'pendingBytes'] as const) state[k] += r.state[k];
    for (const k of ['maxDomains', 'maxPendingSets', 'maxPendingBytes'] as const) state.perExporter[k] = Math.max(state.perExporter[k], r.state.perExporter[k]);
    state.perDomain.maxTemplates = Math.max(state.perDomain.maxTemplates, r.state.perDomain.maxTemplates);
    written += r.written;
  }
  return {
    workers: reports.length, stats, state, sequence: reports.flatMap((r) => r.sequence), written, workerHeapUsed, workerHeapTotal,
    ...(normalize !== undefined ? { normalize } : {}), flowsOnlyDropped,
    ...(reports.some((r) => r.counters !== undefined) ? { counters: mergeSnapshots(reports.flatMap((r) => (r.counters === undefined ? [] : [r.counters]))) } : {}),
  };
}

/**
 * The decoder stage on worker threads. Events: 'flowpipe-error' (DecodeError), like decode().
 * @example await pipeline(udpSource({ listen: [2055] }), parallelDecode({ workers: 2 }), fileSink('flows.ndjson'))
 */
export class ParallelDecode extends Transform {
  private readonly lanes: Lane[] = [];
  private readonly placed = new Map<string, Lane>();
  /** Shard by address and port (strict template scope) or by address alone (the default). */
  private readonly byPort: boolean;
  private readonly maxInFlight: number;
  private waiting: TransformCallback | null = null;
  private readonly batchDelayMs: number;
  /** The pending "post what is batched" (a timer, or an immediate when batchDelayMs is 0). */
  private scheduled: NodeJS.Timeout | NodeJS.Immediate | null = null;
  private nextId = 1;
  private readonly replies = new Map<number, (msg: FromWorker | null) => void>();
  private onAllEnded: (() => void) | null = null;
  /** The reader has not taken what was pushed (push() returned false). */
  private readerFull = false;

  constructor(options: ParallelDecodeOptions = {}) {
    super({ writableObjectMode: true, writableHighWaterMark: 256, readableHighWaterMark: 1 << 20 });
    const n = Math.max(1, Math.floor(options.workers ?? 2));
    this.maxInFlight = options.maxInFlight ?? 4096;
    this.byPort = options.decoder?.templateScope === 'strict';
    this.batchDelayMs = Math.max(0, options.batchDelayMs ?? 1);
    const setup: WorkerSetup = {
      decoder: options.decoder ?? {}, templates: options.templates ?? [], output: options.output ?? 'ndjson',
      filter: options.filter, fields: options.fields, keyCase: options.keyCase ?? 'as-is', chunkBytes: 64 * 1024,
      ...(options.enrich !== undefined ? { enrich: options.enrich } : {}), flowsOnly: options.flowsOnly === true, metrics: options.metrics === true,
    };
    for (let i = 0; i < n; i++) {
      const worker = new Worker(new URL('./decode-worker.js', import.meta.url), { workerData: setup });
      const lane: Lane = { worker, builder: new BatchBuilder(BATCH_BYTES, options.batchDatagrams ?? 32), inFlight: 0, exporters: 0, final: null, finalTemplates: [] };
      worker.on('message', (msg: FromWorker) => this.fromWorker(lane, msg));
      worker.on('error', (err) => this.destroy(err));
      worker.on('exit', (code) => {
        if (lane.final === null && !this.destroyed) this.destroy(new Error(`decode worker exited (code ${code}) before the end`));
      });
      this.lanes.push(lane);
    }
  }

  /** A datagram, or a batch of them (captureBatches()): one stream hop for many. */
  override _transform(chunk: Datagram | readonly Datagram[], _enc: BufferEncoding, done: TransformCallback): void {
    let over = false;
    if (Array.isArray(chunk)) for (const d of chunk as readonly Datagram[]) over = this.place(d) || over;
    else over = this.place(chunk as Datagram);
    if (over || this.readerFull) this.waiting = done; // resumed by fromWorker / _read
    else done();
  }

  /** Hands a datagram to its exporter's worker; true when that worker now holds more than maxInFlight. */
  private place(d: Datagram): boolean {
    const lane = this.laneOf(d.exporter.address, d.exporter.port);
    if (!lane.builder.add(d.data, d.exporter.address, d.exporter.port, d.receivedAt)) {
      this.post(lane);
      lane.builder.add(d.data, d.exporter.address, d.exporter.port, d.receivedAt);
    }
    lane.inFlight++;
    if (lane.builder.full) this.post(lane);
    else if (this.scheduled === null) this.schedulePost();
    return lane.inFlight > this.maxInFlight;
  }

  /**
   * The worker of an exporter: on first sight the one with the fewest exporters (so a handful of
   * busy exporters spread over the workers), then always the same one.
   */
  private laneOf(address: string, port: number): Lane {
    if (this.lanes.length === 1) return this.lanes[0]!;
    const key = this.byPort ? `${address}|${port}` : address;
    let lane = this.placed.get(key);
    if (lane !== undefined) return lane;
    if (this.placed.size >= MAX_PLACED) return this.lanes[shard(address, this.byPort ? port : 0, this.lanes.length)]!;
    lane = this.lanes.reduce((a, b) => (b.exporters < a.exporters ? b : a));
    lane.exporters++;
    this.placed.set(key, lane);
    return lane;
  }

  override _flush(done: TransformCallback): void {
    this.postAll();
    this.onAllEnded = () => {
      Promise.all(this.lanes.map((l) => l.worker.terminate())).then(() => done(), done);
    };
    for (const lane of this.lanes) this.send(lane, { type: 'end' });
  }

  override _read(size: number): void {
    this.readerFull = false;
    this.admit();
    super._read(size);
  }

  override _destroy(err: Error | null, done: (error: Error | null) => void): void {
    this.cancelPost();
    for (const answer of this.replies.values()) answer(null);
    this.replies.clear();
    Promise.all(this.lanes.map((l) => l.worker.terminate())).then(() => done(err), () => done(err));
  }

  /** Current counters of all workers (asks each one). */
  async report(): Promise<ParallelReport> {
    const reports = await Promise.all(this.lanes.map(async (l) => {
      if (l.final !== null) return l.final;
      const m = await this.ask(l, 'report');
      return m?.type === 'report' ? m.report : null;
    }));
    return mergeReports(reports.filter((r): r is WorkerReport => r !== null));
  }

  /** Template state of all workers (for saving; FlowDecoder#importTemplates() reads it). */
  async exportTemplates(): Promise<SavedTemplate[]> {
    const replies = await Promise.all(this.lanes.map(async (l) => {
      if (l.final !== null) return l.finalTemplates;
      const m = await this.ask(l, 'templates');
      return m?.type === 'templates' ? m.saved : [];
    }));
    return replies.flat();
  }

  /**
   * Every worker re-reads its enrichment data files (SIGHUP). Rejects with the first error; the
   * workers that failed keep their old data.
   */
  async reload(): Promise<void> {
    const replies = await Promise.all(this.lanes.filter((l) => l.final === null).map((l) => this.ask(l, 'reload')));
    const failed = replies.find((m) => m?.type === 'reloaded' && m.error !== undefined);
    if (failed?.type === 'reloaded') throw new Error(failed.error);
  }

  /** A question to a worker; null when the stage is destroyed before the answer. */
  private ask(lane: Lane, type: 'report' | 'templates' | 'reload'): Promise<FromWorker | null> {
    if (this.destroyed) return Promise.resolve(null);
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.replies.set(id, resolve);
      this.send(lane, { type, id });
    });
  }

  private schedulePost(): void {
    const post = (): void => this.postAll();
    this.scheduled = this.batchDelayMs > 0 ? setTimeout(post, this.batchDelayMs) : setImmediate(post);
  }

  private cancelPost(): void {
    const s = this.scheduled;
    if (s === null) return;
    if (this.batchDelayMs > 0) clearTimeout(s as NodeJS.Timeout);
    else clearImmediate(s as NodeJS.Immediate);
    this.scheduled = null;
  }

  private postAll(): void {
    this.cancelPost();
    for (const lane of this.lanes) if (lane.builder.count > 0) this.post(lane);
  }

  private post(lane: Lane): void {
    const batch = lane.builder.take();
    lane.worker.postMessage({ type: 'batch', batch } satisfies ToWorker, [batch.bytes, batch.meta.buffer as ArrayBuffer]);
  }

  private send(lane: Lane, msg: ToWorker): void {
    lane.worker.postMessage(msg);
  }

  private fromWorker(lane: Lane, msg: FromWorker): void {
    switch (msg.type) {
      case 'done':
        lane.builder.recycle(msg.batch);
        this.output(msg.chunks, msg.errors);
        lane.inFlight -= msg.datagrams;
        this.admit();
        break;
      case 'report':
      case 'templates':
      case 'reloaded':
        this.replies.get(msg.id)?.(msg);
        this.replies.delete(msg.id);
        break;
      case 'ended':
        this.output(msg.chunks, msg.errors);
        lane.final = msg.report;
        lane.finalTemplates = msg.templates;
        if (this.lanes.every((l) => l.final !== null)) this.onAllEnded?.();
        break;
    }
  }

  private output(chunks: OutputChunk[], errors: DecodeError[]): void {
    for (const e of errors) this.emit('flowpipe-error', e);
    for (const c of chunks) {
      if (!this.push(Buffer.from(c.buffer, 0, c.length))) this.readerFull = true;
    }
  }

  /** Lets the held datagram in when the lanes and the reader have room again. */
  private admit(): void {
    const cb = this.waiting;
    if (cb === null) return;
    if (!this.readerFull && this.lanes.every((l) => l.inFlight <= this.maxInFlight)) {
      this.waiting = null;
      cb();
    }
  }
}

/** Creates the worker-thread decoder stage. */
export function parallelDecode(options?: ParallelDecodeOptions): ParallelDecode {
  return new ParallelDecode(options);
}
