// The fuzz harness: drives the same stateful decoder the CLI uses with template state carried
// across inputs, and checks the properties on every input.
import { readFileSync } from 'node:fs';
import { FlowDecoder, decodePacket, type DecodeError, type DecodeResult, type Exporter, type TemplateStoreOptions } from '../../lib/index.js';
import { toJson } from '../../lib/ndjson/json.js';
import { loadManifest, readCorpus } from '../helpers/corpus.js';
import { readCapture } from '../../lib/capture/reader.js';
import { mutate } from './mutate.js';
import { randomTemplateAndData } from './generate.js';
import { Prng } from './prng.js';

/** Small caps so the fuzzer actually reaches them. */
export const FUZZ_CAPS: Required<TemplateStoreOptions> = {
  templateTimeoutMs: 60_000, maxPendingSets: 64, maxPendingBytes: 64 * 1024, maxPendingAgeMs: 10_000,
  maxExporters: 8, maxDomainsPerExporter: 16, maxTemplatesPerDomain: 64, maxFieldsPerTemplate: 1024, templateScope: 'address',
  maxDomains: 40, maxTemplates: 300, maxTemplateFields: 6000, maxPendingSetsTotal: 200, maxPendingBytesTotal: 256 * 1024,
};

const KINDS = new Set<DecodeError['kind']>(['unknown-version', 'truncated', 'bad-length', 'bad-template', 'record-overflow', 'length-mismatch', 'template-miss', 'nesting-too-deep']);
const EXPORTERS: Exporter[] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map((i) => ({ address: `192.0.2.${i}`, port: 2055 + (i % 2) }));

export interface Failure {
  property: string;
  detail: string;
  input: Buffer;
  /** Inputs fed to a fresh decoder before `input` to reproduce (template prerequisites). */
  before: Buffer[];
  exporter: Exporter;
}

export interface FuzzReport {
  seed: number;
  inputs: number;
  records: number;
  errors: Record<string, number>;
  events: number;
  worstMs: number;
  worstInput: number;
  seconds: number;
  failures: Failure[];
}

/** Corpus datagrams (raw files and every datagram of the captures), each with the files that carry its templates. */
export function corpusSeeds(): { input: Buffer; before: Buffer[] }[] {
  return loadManifest().flatMap((e) => e.container === 'raw'
    ? [{ input: readCorpus(e.file), before: e.needs_templates_from.map(readCorpus) }]
    : readCapture(readCorpus(e.file)).map((d) => ({ input: d.payload, before: [] })));
}

function checkResult(res: DecodeResult, input: Buffer): string | null {
  for (const e of res.errors) {
    if (e.kind === 'internal') return `internal error: ${e.reason}`;
    if (!KINDS.has(e.kind)) return `untyped error kind ${String(e.kind)}`;
    if (typeof e.reason !== 'string' || e.reason === '' || typeof e.exporter !== 'string') return `malformed error ${JSON.stringify(e)}`;
    if (!e.held && !(e.offset >= -1 && e.offset <= input.length)) return `error offset ${e.offset} outside the ${input.length}-byte input`;
  }
  return null;
}

function checkCaps(dec: FlowDecoder): string | null {
  const s = dec.stateSize();
  const c = FUZZ_CAPS;
  if (s.exporters > c.maxExporters) return `exporters ${s.exporters} > ${c.maxExporters}`;
  if (s.perExporter.maxDomains > c.maxDomainsPerExporter) return `domains ${s.perExporter.maxDomains} > ${c.maxDomainsPerExporter}`;
  if (s.perDomain.maxTemplates > c.maxTemplatesPerDomain) return `templates ${s.perDomain.maxTemplates} > ${c.maxTemplatesPerDomain}`;
  if (s.perExporter.maxPendingSets > c.maxPendingSets) return `pending sets ${s.perExporter.maxPendingSets} > ${c.maxPendingSets}`;
  if (s.perExporter.maxPendingBytes > c.maxPendingBytes) return `pending bytes ${s.perExporter.maxPendingBytes} > ${c.maxPendingBytes}`;
  return null;
}

/** Runs `inputs` fuzz inputs from `seed`. Stops collecting after 20 failures. */
export function fuzz(seed: number, inputs: number, onProgress?: (done: number, r: FuzzReport) => void): FuzzReport {
  const r = new Prng(seed);
  const seeds = corpusSeeds();
  const report: FuzzReport = { seed, inputs: 0, records: 0, errors: {}, events: 0, worstMs: 0, worstInput: -1, seconds: 0, failures: [] };
  const started = process.hrtime.bigint();
  // Two decoders fed the same inputs: their outputs must be identical (same state, same input).
  let a = new FlowDecoder(FUZZ_CAPS);
  let b = new FlowDecoder(FUZZ_CAPS);
  let history: Buffer[] = [];
  let now = 0;
  const feed = (input: Buffer, exporter: Exporter): void => {
    now += r.int(2000);
    const t0 = process.hrtime.bigint();
    const ra = a.decode(input, exporter, now);
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    const rb = b.decode(input, exporter, now);
    history.push(input);
    report.inputs++;
    report.records += ra.records.length;
    report.events += ra.events.length;
    for (const e of ra.errors) report.errors[e.kind] = (report.errors[e.kind] ?? 0) + 1;
    if (ms > report.worstMs) { report.worstMs = ms; report.worstInput = report.inputs; }
    const fail = (property: string, detail: string): void => {
      if (report.failures.length < 20) report.failures.push({ property, detail, input, before: history.slice(0, -1), exporter });
    };
    const bad = checkResult(ra, input);
    if (bad) fail('typed errors only', bad);
    if (ms > 1000) fail('bounded time', `${ms.toFixed(0)} ms for one datagram`);
    const caps = checkCaps(a);
    if (caps) fail('state within caps', caps);
    if (toJson(ra) !== toJson(rb)) fail('deterministic', 'two decoders in the same state disagree on the same input');
    // Nothing is lost silently: an input that gave no record, error or event must be well formed
    // (template refreshes, data held for its template, padding).
    if (ra.records.length === 0 && ra.errors.length === 0 && ra.events.length === 0) {
      const p = decodePacket(input);
      const parsed = p.messages.length > 0 || (p.sflow?.header ?? null) !== null;
      if (!parsed || p.errors.length > 0) fail('accounted for', `no output, structure: ${JSON.stringify(p.errors).slice(0, 200)}`);
    }
  };
  for (let i = 0; i < inputs; i++) {
    // Every 5,000 inputs start over from fresh state, so reproductions stay short.
    if (i % 5000 === 0) {
      a = new FlowDecoder(FUZZ_CAPS);
      b = new FlowDecoder(FUZZ_CAPS);
      history = [];
    }
    const exporter = r.chance(0.9) ? EXPORTERS[0]! : r.pick(EXPORTERS);
    const s = r.pick(seeds);
    const choice = r.int(10);
    if (choice === 0) for (const pre of s.before) feed(pre, exporter); // re-teach templates
    const input = choice === 1 ? randomTemplateAndData(r) : choice === 2 ? s.input : mutate(r, choice === 3 ? randomTemplateAndData(r) : s.input, r.pick(seeds).input);
    feed(input, exporter);
    if (onProgress && (i + 1) % 100_000 === 0) onProgress(i + 1, report);
  }
  const end = a.flush(now + 1_000_000);
  const bad = checkResult(end, Buffer.alloc(0));
  if (bad) report.failures.push({ property: 'typed errors only', detail: `flush: ${bad}`, input: Buffer.alloc(0), before: history, exporter: EXPORTERS[0]! });
  report.seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return report;
}

/** Replays a saved failure: fresh decoder, prerequisites, then the input. */
export function replay(before: Buffer[], input: Buffer, exporter: Exporter = EXPORTERS[0]!): DecodeResult[] {
  const dec = new FlowDecoder(FUZZ_CAPS);
  const out = before.map((x) => dec.decode(x, exporter, 0));
  out.push(dec.decode(input, exporter, 0), dec.flush(0));
  return out;
}

export function readHex(file: string): Buffer {
  return Buffer.from(readFileSync(file, 'utf8').replace(/\s+/g, ''), 'hex');
}
