// A decode worker thread (started by parallelDecode()): decodes the batches of the exporters
// placed on it against its own template state, filters, and writes NDJSON into buffers that are
// transferred back (or only counts). Every batch is answered with 'done', in order.
import { getHeapStatistics } from 'node:v8';
import { parentPort, workerData } from 'node:worker_threads';
import { forEachDatagram, type DatagramBatch } from '../../lib/runtime/datagram-batch.js';
import { FlowDecoder } from '../../lib/decoder.js';
import { RecordOutput } from '../../lib/ndjson/record-output.js';
import type { DecodeError, DecodeResult } from '../../lib/types.js';
import { warmUp } from '../../lib/runtime/warm-up.js';
import type { OutputRecord } from '../../lib/normalize/normalizer.js';
import { Enrichment, wantsNormalize } from '../enrich/load.js';
import { shapeRecords } from './decode.js';
import { ExporterCounters } from '../../lib/runtime/exporter-counters.js';
import { exporterKey } from '../../lib/codec/bytes.js';
import type { FromWorker, OutputChunk, ToWorker, WorkerReport, WorkerSetup } from './decode-worker-protocol.js';

const setup = workerData as WorkerSetup;
warmUp(); // batches that arrive meanwhile wait in the port
const port = parentPort!;
const decoder = new FlowDecoder(setup.decoder);
decoder.importTemplates(setup.templates);
const output = new RecordOutput(setup, setup.output, setup.chunkBytes);
// The data files are read here, in every worker: no record crosses threads to be enriched.
// Messages wait in the port until the listener below is attached.
const enrichment = wantsNormalize(setup.enrich) ? await Enrichment.load({ ...setup.enrich, watch: false }) : null;
const flowsOnly = setup.enrich?.flowsOnly === true || setup.flowsOnly === true;
const normalized: OutputRecord[] = [];
const counters = setup.metrics === true ? new ExporterCounters() : null;
let flowsOnlyDropped = 0;
let errors: DecodeError[] = [];

/** The worker's JS heap: in use, and committed. */
function heapSizes(): { heapUsed: number; heapTotal: number } {
  const h = getHeapStatistics();
  return { heapUsed: h.used_heap_size, heapTotal: h.total_heap_size };
}

function take(res: DecodeResult, receivedAt: number): void {
  for (const e of res.errors) errors.push(e);
  const { records, runs, dropped } = shapeRecords(res, receivedAt, enrichment, flowsOnly, normalized);
  flowsOnlyDropped += dropped;
  output.add(records, runs);
}

function decodeBatch(batch: DatagramBatch): void {
  forEachDatagram(batch, (data, address, p, receivedAt) => {
    if (counters === null) return take(decoder.decode(data, { address, port: p }, receivedAt), receivedAt);
    const start = process.hrtime.bigint();
    const res = decoder.decode(data, { address, port: p }, receivedAt);
    counters.count(exporterKey(address, p), data, res, Number(process.hrtime.bigint() - start) / 1e9);
    take(res, receivedAt);
  });
}

function report(): WorkerReport {
  return {
    stats: decoder.stats, state: decoder.stateSize(), sequence: decoder.sequenceStats(), written: output.written, ...heapSizes(),
    ...(enrichment !== null ? { normalize: enrichment.stats } : {}), flowsOnlyDropped,
    ...(counters !== null ? { counters: counters.snapshot } : {}),
  };
}

/** Output and errors gathered so far, handed over (each chunk's ArrayBuffer is its own: transferred). */
function drain(): { chunks: OutputChunk[]; errors: DecodeError[] } {
  const chunks = (output.chunks?.take() ?? []).map((c) => ({ buffer: c.buffer as ArrayBuffer, length: c.length }));
  const out = { chunks, errors };
  errors = [];
  return out;
}

function send(msg: FromWorker): void {
  const transfer: ArrayBuffer[] = 'chunks' in msg ? msg.chunks.map((c) => c.buffer) : [];
  if (msg.type === 'done') transfer.push(msg.batch);
  port.postMessage(msg, transfer);
}

port.on('message', (msg: ToWorker) => {
  switch (msg.type) {
    case 'batch':
      decodeBatch(msg.batch);
      send({ type: 'done', datagrams: msg.batch.count, ...drain(), batch: msg.batch.bytes }); // the bytes go back for reuse
      break;
    case 'report':
      send({ type: 'report', id: msg.id, report: report() });
      break;
    case 'templates':
      send({ type: 'templates', id: msg.id, saved: decoder.exportTemplates() });
      break;
    case 'reload':
      if (enrichment === null) send({ type: 'reloaded', id: msg.id });
      else enrichment.reload().then(() => send({ type: 'reloaded', id: msg.id }), (err: Error) => send({ type: 'reloaded', id: msg.id, error: err.message }));
      break;
    case 'end':
      take(decoder.flush(), Date.now());
      send({ type: 'ended', ...drain(), report: report(), templates: decoder.exportTemplates() }); // then terminated
      break;
  }
});
