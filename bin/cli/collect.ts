// flowpipe collect --listen [ADDR:]PORT[,PORT] [--to FILE]: receive, decode, write; stats on
// SIGUSR1 and every --stats-interval seconds; SIGINT/SIGTERM stop receiving and drain.
import { pipeline } from 'node:stream/promises';
import { Readable, Writable, type Transform } from 'node:stream';
import { FlowDecoder, type SavedTemplate } from '../../lib/decoder.js';
import { toJson } from '../../lib/ndjson/json.js';
import type { DecodeError } from '../../lib/types.js';
import { workersOption, workerStage, workerStats } from './workers-option.js';
import { int, num, parse, UsageError, type Parsed } from './args.js';
import { udpSourceFrom } from './listen-options.js';
import { ErrorLines } from './error-lines.js';
import { decodeChain, fusedOutput, OUTPUT_HELP, OUTPUT_OPTIONS } from './output.js';
import { readTemplateFile, saveTemplates } from './templates-file.js';
import { isOutputClosed } from './stdout.js';
import { warmUpExports } from '../../lib/runtime/warm-up.js';
import type { EnrichConfig } from '../../transforms/enrich/load.js';
import { ENRICH_HELP, ENRICH_OPTIONS, enrichConfig, loadEnrichment } from './enrich-options.js';
import { ALERT_HELP, alertStage, loadRules } from './alert-option.js';
import { METRICS_HELP, serveMetrics } from './metrics-server.js';
import { ExporterCounters } from '../../lib/runtime/exporter-counters.js';
import type { MetricsInput } from '../../lib/metrics/prometheus.js';
import { checkSinks, DESTINATION_HELP, DESTINATION_OPTIONS, openDestinations, undeliveredLines } from './destinations.js';
import type { KeyCase } from '../../lib/ndjson/line-encoder.js';
import { configFromArgs, NO_EXTRAS, type PipelineExtras } from './pipeline-args.js';
import { extraStages } from './pipeline-stages.js';
import { openBranches } from './branches.js';
import { shapeStats } from './shape-stats.js';

export const COLLECT_HELP = `usage: flowpipe collect --listen [ADDR:]PORT[,PORT...] [options]

Receives NetFlow/IPFIX/sFlow on UDP (IPv4 and IPv6), decodes, and writes records to stdout,
files or servers (--to). SIGUSR1 prints stats on stderr; SIGHUP reloads enrichment data;
SIGINT/SIGTERM stop receiving, drain what is in flight, flush the sinks, save templates, exit 0.

  --listen LIST         ports or addresses: 2055,4739,6343 or 127.0.0.1:2055,[::1]:2055
${DESTINATION_HELP}
  --rotate-bytes N      start a new --to file every N bytes (FILE.1, FILE.2, ...)
  --rotate-seconds N    start a new --to file every N seconds
${OUTPUT_HELP}
${ENRICH_HELP}
${ALERT_HELP}
${METRICS_HELP}
  --allow LIST          only these exporters (IP, IP:PORT, CIDR), others dropped and counted
  --templates FILE      load template state at start, save it every minute and at exit
  --stats-interval S    print stats on stderr every S seconds
  --recv-buffer BYTES   socket receive buffer (default 32 MiB; the kernel caps it at net.core.rmem_max)
  --queue N             datagrams held while the output is slow (default 10000), beyond: dropped and counted
  --workers N           decode on N (1..64) worker threads, each exporter always on the same one (formats
                        ndjson and count); the main thread only receives and writes
  --print-config        print this command line as a pipeline file (YAML, for flowpipe run) and exit

exit status: 0 stopped by a signal after draining, 1 socket or output failure, 2 usage error`;

/** The decoding part of the chain: in this thread, or on worker threads. */
interface Engine {
  stages: Transform[];
  /** What the last stage writes to, given the destinations (a tee when there are branches). */
  output?: (destinations: Writable) => Writable;
  /** Decoder counters, state sizes and sequence reports. */
  report(): Promise<Record<string, unknown>>;
  templates(): Promise<Iterable<SavedTemplate>>;
  /** Runs synthetic exports through throwaway copies of the stages (see lib/warm-up.ts). */
  warm(): Promise<void>;
  /** Re-reads the enrichment data files (SIGHUP). */
  reload(): Promise<void>;
}

/** Synthetic datagrams through `stages` into nothing: Node's stream paths get hot too. */
async function warmChain(stages: Transform[]): Promise<void> {
  const { setup, data } = warmUpExports();
  const exporter = { address: '198.51.100.1', port: 9 };
  const all = [...setup, ...Array.from({ length: 1500 }, (_, i) => data[i % data.length]!)];
  const datagrams = Readable.from(all.map((d) => ({ data: d, exporter, receivedAt: 0 })));
  await pipeline([datagrams, ...stages, new Writable({ objectMode: true, write: (_c, _e, done) => done() })]);
}

/** Template misses are worth a line (other errors are counted in stats), a bounded number per second. */
const errorLines = new ErrorLines();
function templateMissLine(e: DecodeError): void {
  if (e.kind === 'template-miss') errorLines.add(e, `flowpipe: ${e.exporter}: ${e.reason}\n`);
}

async function inThread(p: Parsed, saved: SavedTemplate[], file: string | undefined, config: EnrichConfig | undefined, keyCase: KeyCase, between: Transform[], branches: Writable[]): Promise<Engine> {
  const decoder = new FlowDecoder({ templateScope: config?.templateScope });
  if (saved.length > 0) process.stderr.write(`flowpipe: loaded ${decoder.importTemplates(saved)} templates from ${file}\n`); // validated on read
  const enrich = await loadEnrichment(config, false);
  enrich?.watch((err) => process.stderr.write(`flowpipe: reload failed, keeping the old data: ${err.message}\n`));
  const rules = p.opts.get('alert');
  const counters = p.opts.has('metrics') ? new ExporterCounters() : undefined;
  const { dec, stages, output } = decodeChain(p, decoder, enrich, keyCase, [...(typeof rules === 'string' ? [alertStage(rules)] : []), ...between], counters, branches);
  dec.on('flowpipe-error', templateMissLine);
  return {
    stages: [dec, ...stages],
    output,
    report: () => Promise.resolve({
      decoder: decoder.stats, state: decoder.stateSize(), sequence: decoder.sequenceStats(), ...shapeStats(enrich?.stats, dec.flowsOnlyDropped),
      ...(counters !== undefined ? { counters: counters.snapshot } : {}),
    }),
    templates: () => Promise.resolve(decoder.savedTemplates()),
    warm: async () => {
      const copy = decodeChain(p, new FlowDecoder(), await loadEnrichment(config, false), keyCase); // (no alert stage: warm-up must not fire)
      return warmChain([copy.dec, ...copy.stages]);
    },
    reload: () => enrich?.reload() ?? Promise.resolve(),
  };
}

async function onWorkers(p: Parsed, workers: number, saved: SavedTemplate[], file: string | undefined, config: EnrichConfig | undefined, keyCase: KeyCase): Promise<Engine> {
  const par = await workerStage(p, workers, saved, config, keyCase, p.opts.has('metrics'));
  if (saved.length > 0) process.stderr.write(`flowpipe: loaded ${saved.length} templates from ${file} into ${workers} workers\n`);
  par.on('flowpipe-error', templateMissLine);
  return {
    stages: [par],
    report: async () => workerStats(await par.report()),
    templates: () => par.exportTemplates(),
    // Each worker warms its decoder up and loads its data files before it takes messages; a
    // report answered by every worker means all are ready, so the socket binds only then.
    warm: async () => { await par.report(); },
    reload: () => par.reload(),
  };
}

/** --to kafka://…?format=raw: datagrams go to the sinks undecoded (decoding happens downstream). */
function forwarder(): Engine {
  return {
    stages: [],
    report: () => Promise.resolve({}),
    templates: () => Promise.resolve([]),
    warm: () => Promise.resolve(),
    reload: () => Promise.resolve(),
  };
}

/** --metrics HOST:PORT (or [v6]:PORT); port 0 picks one. */
function hostPortOf(v: string): [string, number] {
  const m = /^\[([^\]]+)\]:(\d+)$/.exec(v) ?? /^([^:]+):(\d+)$/.exec(v);
  if (!m || Number(m[2]) > 65535) throw new UsageError(`--metrics wants HOST:PORT, got '${v}'`);
  return [m[1]!, Number(m[2])];
}

/** collect's options (flowpipe run parses a pipeline file's arguments with them too). */
export const COLLECT_OPTIONS = {
  ...OUTPUT_OPTIONS, ...ENRICH_OPTIONS, ...DESTINATION_OPTIONS, alert: 'value', metrics: 'value', listen: 'value', 'rotate-bytes': 'value', 'rotate-seconds': 'value', allow: 'value',
  templates: 'value', 'stats-interval': 'value', 'recv-buffer': 'value', queue: 'value', workers: 'value', help: 'flag', 'print-config': 'flag',
} as const;

/**
 * `extras`: what a pipeline file adds beyond flags (flowpipe run). `onReload`: also called on
 * SIGHUP (flowpipe run checks whether the file's topology changed).
 */
export async function collectCommand(argv: string[], extras: PipelineExtras = NO_EXTRAS, onReload?: () => void): Promise<number> {
  const p = parse(argv, COLLECT_OPTIONS);
  if (p.opts.has('help')) {
    process.stdout.write(COLLECT_HELP + '\n');
    return 0;
  }
  if (p.opts.has('print-config')) {
    if (typeof p.opts.get('listen') !== 'string') throw new UsageError('collect needs --listen PORT');
    process.stdout.write((await import('../../lib/pipeline/print.js')).pipelineYaml(configFromArgs('collect', p)));
    return 0;
  }
  const listen = p.opts.get('listen');
  if (typeof listen !== 'string') throw new UsageError('collect needs --listen PORT');
  const templates = p.opts.get('templates') as string | undefined;
  const workers = workersOption(p);
  const source = udpSourceFrom(p); // every socket option checked here, before anything starts
  const statsInterval = int(p.opts.get('stats-interval'), '--stats-interval', 0, 86_400);
  const metricsAt = p.opts.get('metrics');
  const metricsAddress = typeof metricsAt === 'string' ? hostPortOf(metricsAt) : null;
  const saved = readTemplateFile(templates);
  const rulesFile = p.opts.get('alert');
  if (typeof rulesFile === 'string') {
    loadRules(rulesFile); // a bad rules file: one line, exit 2, before binding
    if (workers >= 1) throw new UsageError('--alert needs every flow in one place: not with --workers');
  }
  const between = await extraStages(extras);
  const dest = await openDestinations(p, 'buffer', {
    maxBytes: num(p.opts.get('rotate-bytes'), '--rotate-bytes'), maxAgeMs: (num(p.opts.get('rotate-seconds'), '--rotate-seconds') ?? 0) * 1000 || undefined,
  }, fusedOutput(p, between.length + (typeof rulesFile === 'string' ? 1 : 0), extras.branches.length));
  const exitOnSinkError = p.opts.get('on-sink-error') === 'exit';
  if (exitOnSinkError) await checkSinks(dest);
  const branches = await openBranches(p, extras, 'buffer', exitOnSinkError);
  const sinks = [...dest.sinks, ...branches.dests.flatMap((d) => d.sinks)];
  const asked = enrichConfig(p);
  const config = dest.wantsNormalize || branches.wantsNormalize ? { ...asked, normalize: true } : asked;
  const keyCase: KeyCase = dest.snake ? 'snake' : 'as-is';
  const engine = dest.raw ? forwarder() : workers >= 1 ? await onWorkers(p, workers, saved, templates, config, keyCase) : await inThread(p, saved, templates, config, keyCase, between, branches.writables);
  const out: Writable = engine.output?.(dest.writable) ?? dest.writable;
  for (const s of sinks) s.check().catch((err: Error) => process.stderr.write(`flowpipe: ${err.message}; buffering (--on-sink-error ${String(p.opts.get('on-sink-error') ?? 'buffer')})\n`));
  await engine.warm(); // a cold decoder at full load loses its first datagrams (see lib/warm-up.ts)
  const bound = await source.listen();
  const stats = async (): Promise<void> => {
    const r = await engine.report();
    const { rss, heapUsed, heapTotal, external, arrayBuffers } = process.memoryUsage();
    const sinkStats = sinks.length > 0 ? { sinks: sinks.map((s) => ({ ...s.stats })) } : {};
    process.stderr.write(toJson({ receiver: { ...source.stats, kernel: kernelAtStop ?? source.kernelStats() }, ...r, ...sinkStats, memory: { rss, heapUsed, heapTotal, external, arrayBuffers } }) + '\n');
  };
  const printStats = (): void => void stats().catch(() => undefined);
  const metrics = metricsAddress !== null ? await serveMetrics(...metricsAddress, async (): Promise<MetricsInput> => {
    const r = await engine.report() as { counters?: MetricsInput['counters']; decoder?: MetricsInput['decoder']; sequence?: MetricsInput['sequence'] };
    return { ...r, receiver: { ...source.stats, kernel: source.kernelStats() }, sinks: sinks.map((s) => ({ ...s.stats })), gauges: { sink_count: sinks.length } };
  }) : null;
  if (metrics !== null) process.stderr.write(`flowpipe: metrics on http://${String(metricsAt).replace(/:\d+$/, '')}:${metrics.port}/metrics\n`);
  process.on('SIGUSR1', printStats);
  const reload = (): void => {
    onReload?.();
    engine.reload().then(
      () => process.stderr.write('flowpipe: reloaded the enrichment data\n'),
      (err: Error) => process.stderr.write(`flowpipe: reload failed, keeping the old data: ${err.message}\n`),
    );
  };
  process.on('SIGHUP', reload);
  const interval = statsInterval;
  const timer = interval ? setInterval(printStats, interval * 1000) : undefined;
  // Save template state every minute too, so a crash does not lose it (written atomically).
  const save = async (): Promise<boolean> => saveTemplates(templates, await engine.templates());
  const saver = templates !== undefined ? setInterval(() => void save(), 60_000) : undefined;
  let failed = false;
  let kernelAtStop: ReturnType<typeof source.kernelStats> = null; // the sockets are gone after close()
  const stop = (): void => {
    kernelAtStop = source.kernelStats();
    process.stderr.write('flowpipe: stopping, draining what is in flight\n');
    source.close();
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  // Said once every handler is in place: a SIGTERM right after it drains, saves and exits 0.
  process.stderr.write(`flowpipe: listening on ${bound.map((b) => `${b.address}:${b.port}`).join(', ')}\n`);
  try {
    const chain: (NodeJS.ReadableStream | NodeJS.WritableStream | NodeJS.ReadWriteStream)[] = [source, ...engine.stages, out];
    await pipeline(chain);
  } catch (err) {
    // stdout closed (| head) is a normal end. An output that fails (ENOSPC on a full disk, an
    // output device gone) ends the run cleanly: one line, templates saved, stats, exit 1.
    if (!isOutputClosed(err)) {
      process.stderr.write(`flowpipe: output failed, stopping: ${(err as Error).message}\n`);
      failed = true;
    }
  } finally {
    if (timer) clearInterval(timer);
    if (saver) clearInterval(saver);
    process.off('SIGUSR1', printStats);
    metrics?.server.close();
    process.off('SIGHUP', reload);
    await save();
    errorLines.close();
  }
  await stats();
  const lost = [dest, ...branches.dests].flatMap(undeliveredLines);
  for (const l of lost) process.stderr.write(l + '\n');
  return failed ? 1 : 0;
}
