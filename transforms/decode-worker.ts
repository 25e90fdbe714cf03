// A decode worker thread (started by parallelDecode()): decodes the batches of the exporters
// sharded to it against its own template state, filters, and writes NDJSON into transferred
// buffers (or only counts). Every batch is answered with 'done', in order.
import { parentPort, workerData } from 'node:worker_threads';
import { forEachDatagram, type DatagramBatch } from '../lib/datagram-batch.js';
import { FlowDecoder } from '../lib/decoder.js';
import { compileFilter } from '../lib/filter-expr.js';
import { LineEncoder, NO_ROOM, writeGeneric } from '../lib/json-line.js';
import type { DecodeError, DecodeResult } from '../lib/types.js';
import { warmUp } from '../lib/warm-up.js';
import type { FromWorker, OutputChunk, ToWorker, WorkerReport, WorkerSetup } from './decode-worker-protocol.js';
import { pickFields } from './format.js';

const setup = workerData as WorkerSetup;
warmUp(); // batches that arrive meanwhile wait in the port
const port = parentPort!;
const decoder = new FlowDecoder(setup.decoder);
decoder.importTemplates(setup.templates);
const keep = setup.filter !== undefined ? compileFilter(setup.filter) : null;
const fields = setup.fields;
const encoder = new LineEncoder();
const ndjson = setup.output === 'ndjson';

let buf = Buffer.allocUnsafeSlow(setup.chunkBytes);
let pos = 0;
let chunks: OutputChunk[] = [];
let errors: DecodeError[] = [];
let written = 0;

function finishChunk(): void {
  if (pos === 0) return;
  chunks.push({ buffer: buf.buffer as ArrayBuffer, length: pos });
  buf = Buffer.allocUnsafeSlow(setup.chunkBytes);
  pos = 0;
}

function writeRecord(r: object): void {
  let end = encoder.write(r, buf, pos);
  if (end === NO_ROOM) {
    finishChunk();
    end = encoder.write(r, buf, 0);
    if (end === NO_ROOM) {
      // A record larger than a chunk gets a buffer of its own.
      buf = Buffer.allocUnsafeSlow(Buffer.byteLength(JSON.stringify(r) ?? '') * 2 + 64);
      end = writeGeneric(r, buf, 0);
    }
  }
  pos = end;
}

function take(res: DecodeResult): void {
  for (const e of res.errors) errors.push(e);
  for (const r of res.records) {
    if (keep !== null && !keep(r)) continue;
    written++;
    if (ndjson) writeRecord(fields !== undefined ? pickFields(r, fields) : r);
  }
}

function decodeBatch(batch: DatagramBatch): void {
  forEachDatagram(batch, (data, address, p, receivedAt) => take(decoder.decode(data, { address, port: p }, receivedAt)));
}

function report(): WorkerReport {
  return { stats: decoder.stats, state: decoder.stateSize(), sequence: decoder.sequenceStats(), written };
}

/** Output and errors gathered so far, handed over (buffers transferred). */
function drain(): { chunks: OutputChunk[]; errors: DecodeError[] } {
  finishChunk();
  const out = { chunks, errors };
  chunks = [];
  errors = [];
  return out;
}

function send(msg: FromWorker): void {
  const transfer = 'chunks' in msg ? msg.chunks.map((c) => c.buffer) : [];
  port.postMessage(msg, transfer);
}

port.on('message', (msg: ToWorker) => {
  switch (msg.type) {
    case 'batch':
      decodeBatch(msg.batch);
      send({ type: 'done', datagrams: msg.batch.count, ...drain() });
      break;
    case 'report':
      send({ type: 'report', id: msg.id, report: report() });
      break;
    case 'templates':
      send({ type: 'templates', id: msg.id, saved: decoder.exportTemplates() });
      break;
    case 'end':
      take(decoder.flush());
      send({ type: 'ended', ...drain(), report: report(), templates: decoder.exportTemplates() }); // the receiving thread then terminates us
      break;
  }
});
