// flowpipe decode [FILE...]: captures and raw exports to records, one template state across files.
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { toJson } from '../../lib/ndjson/json.js';
import type { DecodeError } from '../../lib/types.js';
import { captureBatches, type CaptureSummary } from '../../transforms/sources/capture-source.js';
import type { Datagram } from '../../transforms/core/datagram.js';
import { hostPort, parse, UsageError } from './args.js';
import { fusedOutput, OUTPUT_HELP, OUTPUT_OPTIONS } from './output.js';
import { ENRICH_HELP, ENRICH_OPTIONS, enrichConfig, loadEnrichment } from './enrich-options.js';
import { checkSinks, DESTINATION_HELP, DESTINATION_OPTIONS, openDestinations, undeliveredLines } from './destinations.js';
import { KAFKA_INPUT_HELP, KAFKA_INPUT_OPTIONS, kafkaInput, type KafkaInput } from './kafka-input.js';
import { saveTemplates } from './templates-file.js';
import { inThreadEngine, workersEngine } from './decode-engine.js';
import { workersOption } from './workers-option.js';
import { blockingStdout, isOutputClosed } from './stdout.js';
import { fdWriter } from '../../transforms/sinks/fd-writer.js';
import { ErrorLines } from './error-lines.js';
import { configFromArgs, NO_EXTRAS, type PipelineExtras } from './pipeline-args.js';
import { extraStages } from './pipeline-stages.js';
import { openBranches } from './branches.js';

export const DECODE_HELP = `usage: flowpipe decode [options] [FILE...]

Decodes NetFlow v1/v5/v7/v9, IPFIX and sFlow v5 from pcap/pcapng captures (each datagram
attributed to its UDP source) or raw export bytes (cut into messages by their own lengths),
gzipped or not, to stdout. Files are decoded in order with one template state; no FILE (or -)
reads stdin.

  --exporter IP:PORT  exporter raw input is attributed to (default 0.0.0.0:0)
${KAFKA_INPUT_HELP}
${OUTPUT_HELP}
${DESTINATION_HELP}
${ENRICH_HELP}
  --templates FILE    load template state from FILE first, save it there at the end
  --workers N         decode on N (1..64) worker threads, each exporter always on the same one, so
                      its records stay in order (ndjson; for captures of several exporters); the
                      main thread reads the files and writes
  --strict            exit 1 if any decode error occurred
  --stats             summary on stderr: datagrams, records, errors by kind, template misses, sequence loss
  --print-config      print this command line as a pipeline file (YAML, for flowpipe run) and exit

exit status: 0 input read (decode errors are reported on stderr and counted), 1 unreadable
input, a sink that cannot be used or records it did not take, or --strict with errors, 2 usage error`;

/** decode's options (flowpipe run parses a pipeline file's arguments with them too). */
export const DECODE_OPTIONS = { ...OUTPUT_OPTIONS, ...ENRICH_OPTIONS, ...DESTINATION_OPTIONS, ...KAFKA_INPUT_OPTIONS, exporter: 'value', templates: 'value', workers: 'value', strict: 'flag', stats: 'flag', help: 'flag', 'print-config': 'flag' } as const;

/** `extras`: what a pipeline file adds beyond flags (flowpipe run). */
export async function decodeCommand(argv: string[], extras: PipelineExtras = NO_EXTRAS): Promise<number> {
  const p = parse(argv, DECODE_OPTIONS);
  if (p.opts.has('help')) {
    process.stdout.write(DECODE_HELP + '\n');
    return 0;
  }
  if (p.opts.has('print-config')) {
    process.stdout.write((await import('../../lib/pipeline/print.js')).pipelineYaml(configFromArgs('decode', p)));
    return 0;
  }
  const ex = p.opts.get('exporter');
  const exporter = typeof ex === 'string' ? hostPort(ex, '--exporter') : { address: '0.0.0.0', port: 0 };
  const templates = p.opts.get('templates') as string | undefined;
  const from = p.opts.get('from');
  if (typeof from === 'string' && p.positional.length > 0) throw new UsageError('--from reads Kafka: give no FILE');
  const between = await extraStages(extras);
  // Files in: the event loop has nothing else to serve while a write waits (stdout, --to files).
  const filesIn = typeof from !== 'string';
  const dest = await openDestinations(p, 'block', { sync: filesIn }, fusedOutput(p, between.length, extras.branches.length));
  const branches = await openBranches(p, extras, 'block', false);
  const asked = enrichConfig(p);
  const config = dest.wantsNormalize || branches.wantsNormalize ? { ...asked, normalize: true } : asked;
  const workers = workersOption(p);
  if (workers > 0 && (between.length > 0 || extras.branches.length > 0)) throw new UsageError('--workers runs decode, enrichers, --filter and --fields: not other stages or branches');
  const enrich = workers > 0 ? null : await loadEnrichment(config, false);
  await checkSinks(dest); // a server that is not there: one line, exit 1, before reading anything
  for (const d of branches.dests) await checkSinks(d);
  const sinks = [...dest.sinks, ...branches.dests.flatMap((d) => d.sinks)];
  // Files into stdout: written by a thread of its own, from blocking writes.
  const toStdout = filesIn && dest.writable === process.stdout;
  if (toStdout) blockingStdout();
  const files = p.positional.length > 0 ? p.positional : ['-'];
  let current = files[0]!;
  let unreadable = false;
  let errors = 0;
  let read = 0;
  const capture = { files: 0, packets: 0, notUdp: 0, truncatedPackets: 0, truncatedFiles: 0 };
  const onCaptureEnd = (s: CaptureSummary): void => {
    capture.files++;
    capture.packets += s.packets;
    capture.notUdp += s.notUdp;
    capture.truncatedPackets += s.truncated;
    if (s.leftoverBytes === 0) return;
    capture.truncatedFiles++;
    errors++; // data lost: --strict exits 1
    process.stderr.write(`flowpipe: ${current}: capture truncated: the last ${s.leftoverBytes} bytes do not make a whole header or record\n`);
  };
  // Datagrams in batches (up to 64 KiB of them): one stream hop for many.
  async function* all(): AsyncGenerator<Datagram[]> {
    for (const f of files) {
      current = f;
      const it = captureBatches(f, { exporter, onCaptureEnd });
      try {
        for (;;) {
          let next: IteratorResult<Datagram[]>;
          try {
            next = await it.next();
          } catch (err) {
            // Only a failure to read is blamed on the file; errors from downstream (stdout closed)
            // arrive at the yield below and end the run.
            process.stderr.write(`flowpipe: cannot read ${f}: ${(err as Error).message}\n`);
            unreadable = true;
            break;
          }
          if (next.done === true) break;
          const batch = next.value;
          if (batch.length === 0) continue;
          read += batch.length;
          yield batch;
        }
      } finally {
        await it.return(undefined);
      }
    }
  }
  const keyCase = dest.snake ? 'snake' : 'as-is';
  const engine = workers > 0 ? await workersEngine(p, workers, config, templates, keyCase, () => read) : inThreadEngine(p, config, enrich, templates, keyCase, between, branches.writables);
  // NDJSON chunks straight from the decode stage go back to it once copied for the writing thread.
  const out = engine.output(toStdout ? fdWriter(1, { recycle: engine.inThread?.dec.chunkPool }) : dest.writable);
  // A Kafka checkpoint waits for every sink, the branches' too.
  const kafka: KafkaInput | null = typeof from === 'string' && engine.inThread !== null
    ? await kafkaInput(from, p.opts.has('until-end'), p.opts.get('template-store') as string | undefined, engine.inThread.decoder, engine.inThread.dec, { ...dest, writable: out, sinks })
    : null;
  // Progress on a terminal when reading files, every half second.
  const progress = process.stderr.isTTY && !files.includes('-') ? setInterval(() => process.stderr.write(`\r${current}: ${engine.progress()}\x1b[K`), 500) : undefined;
  const errorLines = new ErrorLines();
  engine.onError((e: DecodeError) => {
    errors++;
    errorLines.add(e, `flowpipe: ${current}: ${e.kind} (exporter ${e.exporter}, offset ${e.offset}${e.held ? ', held data' : ''}): ${e.reason}\n`);
  });
  const chain: (NodeJS.ReadableStream | NodeJS.WritableStream | NodeJS.ReadWriteStream)[] = [kafka?.source ?? Readable.from(all(), { objectMode: true }), ...engine.stages, out];
  try {
    await pipeline(chain);
  } catch (err) {
    if (!isOutputClosed(err)) throw err; // stdout closed (| head): a normal end, stats still due
  } finally {
    await kafka?.close();
    errorLines.close();
    if (progress) {
      clearInterval(progress);
      process.stderr.write('\r\x1b[K');
    }
  }
  if (templates !== undefined && !saveTemplates(templates, await engine.templates())) unreadable = true;
  if (p.opts.has('stats')) {
    const input = kafka !== null ? { kafka: { ...kafka.source.stats, templatesShared: kafka.shared?.saved ?? 0, templatesLoaded: kafka.shared?.loaded ?? 0 } } : {};
    const { counters, shaped, sequence } = await engine.report();
    process.stderr.write(toJson({ ...counters, ...(capture.files > 0 ? { capture } : {}), ...shaped, sequence, ...(sinks.length > 0 ? { sinks: sinks.map((s) => ({ ...s.stats })) } : {}), ...input }) + '\n');
  }
  const lost = [dest, ...branches.dests].flatMap(undeliveredLines);
  for (const l of lost) process.stderr.write(l + '\n');
  if (lost.length > 0) return 1;
  if (unreadable) return 1;
  return p.opts.has('strict') && errors > 0 ? 1 : 0;
}
