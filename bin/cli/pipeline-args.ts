// One pipeline, two spellings: a command line (decode / collect flags) and a pipeline file. Both
// go through the same builder: `flowpipe run` turns the file into the command's arguments plus
// what flags cannot say (more stages, branches), and `--print-config` turns arguments into the
// file. Paths become absolute on the way to a file; relative paths in a file are relative to it.
import { isAbsolute, resolve } from 'node:path';
import { stageName, sourceKind, type BranchSpec, type PipelineConfig, type StageSpec } from '../../lib/pipeline/config.js';
import { ENRICHER_STAGES } from '../../lib/pipeline/schema.js';
import { parseSinkUrl } from '../../lib/sinks/url.js';
import type { Parsed } from './args.js';
import { rates } from './enrich-options.js';

/** What flags cannot say: stages between decoding and the output, and branches. */
export interface PipelineExtras {
  /** Stages after the enrichers (and any --alert), before --filter / --fields / the format. */
  stages: StageSpec[];
  branches: BranchSpec[];
  /** Where relative paths in stages (modules, rules) start. */
  baseDir: string;
}

export const NO_EXTRAS: PipelineExtras = { stages: [], branches: [], baseDir: process.cwd() };

const abs = (base: string, p: string): string => (p === '-' || isAbsolute(p) ? p : resolve(base, p));

/** A sink URL with a file path made absolute (other URLs as given). */
function sinkPath(base: string, url: string): string {
  try {
    return parseSinkUrl(url).scheme === 'file' ? abs(base, url) : url;
  } catch {
    return url;
  }
}

const text = (p: Parsed, name: string): string | undefined => {
  const v = p.opts.get(name);
  return typeof v === 'string' ? v : undefined;
};
const number = (p: Parsed, name: string): number | undefined => (text(p, name) === undefined ? undefined : Number(text(p, name)));
/** Drops undefined values and empty objects, so printed files hold only what was asked. */
function compact<T extends object>(o: T): T | undefined {
  const out = Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined && v !== false));
  return Object.keys(out).length > 0 ? (out as T) : undefined;
}

/** The pipeline file of a decode or collect command line (`--print-config`). */
export function configFromArgs(command: 'decode' | 'collect', p: Parsed, cwd = process.cwd()): PipelineConfig {
  const allow = text(p, 'allow');
  const from = text(p, 'from');
  const source: PipelineConfig['sources'][number] = command === 'collect'
    ? { udp: compact({ listen: text(p, 'listen')!, allow: allow?.split(',').map((s) => s.trim()), recvBuffer: number(p, 'recv-buffer'), queue: number(p, 'queue') })! }
    : from !== undefined
      ? { kafka: compact({ url: from, untilEnd: p.opts.has('until-end') || undefined, templateStore: text(p, 'template-store') })! }
      : { files: compact({ paths: (p.positional.length > 0 ? p.positional : ['-']).map((f) => abs(cwd, f)), exporter: text(p, 'exporter') })! };
  const scope = text(p, 'template-scope') as 'address' | 'strict' | undefined;
  const templates = text(p, 'templates');
  const stages: StageSpec[] = [];
  if (p.opts.has('normalize')) stages.push({ normalize: {} });
  const defaults = rates(p, 'sampling'), overrides = rates(p, 'sampling-override');
  if (defaults !== undefined || overrides !== undefined) stages.push({ sampling: compact({ defaults, overrides })! });
  for (const [flag, name] of [['interfaces', 'interfaces'], ['networks', 'networks'], ['exporter-info', 'exporters']] as const) {
    const f = text(p, flag);
    if (f !== undefined) stages.push({ [name]: { file: abs(cwd, f) } } as StageSpec);
  }
  const geoip = (p.lists.get('geoip') ?? []).flatMap((v) => v.split(','));
  if (geoip.length > 0) stages.push({ geoip: { files: geoip.map((f) => abs(cwd, f)) } });
  if (p.opts.has('service-names')) stages.push({ services: {} });
  const alert = text(p, 'alert');
  if (alert !== undefined) stages.push({ alert: { rules: abs(cwd, alert) } });
  const filter = text(p, 'filter');
  if (filter !== undefined) stages.push({ filter: { expr: filter } });
  const fields = text(p, 'fields');
  if (fields !== undefined) stages.push({ fields: fields.split(',').map((s) => s.trim()).filter(Boolean) });
  const sinks = (p.lists.get('to') ?? []).map((to) => ({ to: sinkPath(cwd, to) }));
  const c: PipelineConfig = { sources: [source] };
  const decode = compact({ templateScope: scope, templates: templates === undefined ? undefined : abs(cwd, templates), flowsOnly: p.opts.has('flows-only') || undefined, workers: number(p, 'workers'), strict: p.opts.has('strict') || undefined });
  if (decode !== undefined) c.decode = decode;
  if (stages.length > 0) c.stages = stages;
  if (sinks.length > 0) c.sinks = sinks;
  const output = compact({
    format: text(p, 'format') as NonNullable<PipelineConfig['output']>['format'], onSinkError: text(p, 'on-sink-error') as NonNullable<PipelineConfig['output']>['onSinkError'],
    sinkTimeout: number(p, 'sink-timeout'), rotateBytes: number(p, 'rotate-bytes'), rotateSeconds: number(p, 'rotate-seconds'),
  });
  if (output !== undefined) c.output = output;
  const run = compact({ stats: p.opts.has('stats') || undefined, statsInterval: number(p, 'stats-interval'), metrics: text(p, 'metrics') });
  if (run !== undefined) c.run = run;
  return c;
}

/** The command, its arguments and the extras of a checked pipeline file in `baseDir`. */
export function argsFromConfig(c: PipelineConfig, baseDir: string): { command: 'decode' | 'collect'; argv: string[]; extras: PipelineExtras } {
  const argv: string[] = [];
  const flag = (name: string, on: boolean | undefined): void => { if (on === true) argv.push(`--${name}`); };
  const opt = (name: string, v: string | number | undefined): void => { if (v !== undefined) argv.push(`--${name}`, String(v)); };
  const kind = sourceKind(c);
  const command = kind === 'udp' ? 'collect' : 'decode';
  if (kind === 'udp') {
    const udp = c.sources.map((s) => (s as { udp: { listen: string; allow?: string[]; recvBuffer?: number; queue?: number } }).udp);
    opt('listen', udp.map((u) => u.listen).join(','));
    const allow = udp.flatMap((u) => u.allow ?? []);
    if (allow.length > 0) opt('allow', allow.join(','));
    opt('recv-buffer', udp.find((u) => u.recvBuffer !== undefined)?.recvBuffer);
    opt('queue', udp.find((u) => u.queue !== undefined)?.queue);
  } else if (kind === 'kafka') {
    const k = (c.sources[0] as { kafka: { url: string; untilEnd?: boolean; templateStore?: string } }).kafka;
    opt('from', k.url);
    flag('until-end', k.untilEnd);
    opt('template-store', k.templateStore);
  } else {
    const files = c.sources.flatMap((s) => (s as { files: { paths: string[] } }).files.paths.map((f) => abs(baseDir, f)));
    opt('exporter', c.sources.map((s) => (s as { files: { exporter?: string } }).files.exporter).find((e) => e !== undefined));
    argv.push(...files.map((f) => (f.startsWith('-') && f !== '-' ? `./${f}` : f)));
  }
  opt('template-scope', c.decode?.templateScope);
  opt('templates', c.decode?.templates === undefined ? undefined : abs(baseDir, c.decode.templates));
  flag('flows-only', c.decode?.flowsOnly);
  opt('workers', c.decode?.workers);
  flag('strict', c.decode?.strict);
  const stages = [...(c.stages ?? [])];
  // Enrichers (first, checked) become their flags.
  while (stages.length > 0 && (ENRICHER_STAGES as readonly string[]).includes(stageName(stages[0]!))) {
    const s = stages.shift()!;
    if ('normalize' in s) flag('normalize', true);
    else if ('sampling' in s) {
      for (const [k, v] of Object.entries(s.sampling.defaults ?? {})) opt('sampling', `${k}=${v}`);
      for (const [k, v] of Object.entries(s.sampling.overrides ?? {})) opt('sampling-override', `${k}=${v}`);
    } else if ('interfaces' in s) opt('interfaces', abs(baseDir, s.interfaces.file));
    else if ('networks' in s) opt('networks', abs(baseDir, s.networks.file));
    else if ('exporters' in s) opt('exporter-info', abs(baseDir, s.exporters.file));
    else if ('geoip' in s) for (const f of s.geoip.files) opt('geoip', abs(baseDir, f));
    else if ('services' in s) flag('service-names', true);
  }
  // The stage sequence flags spell ([alert] [filter expr] [fields]) stays flags; anything else
  // runs as stages between decoding and the output, with only fields as a flag after them.
  const last = stages[stages.length - 1];
  if (last !== undefined && 'fields' in last) { stages.pop(); opt('fields', last.fields.join(',')); }
  const asFlags = (() => {
    let i = 0;
    if (command === 'collect' && stages[i] !== undefined && 'alert' in stages[i]!) i++;
    const f = stages[i];
    if (f !== undefined && 'filter' in f && f.filter.expr !== undefined) i++;
    return i === stages.length;
  })();
  if (asFlags) {
    for (const s of stages.splice(0)) {
      if ('alert' in s) opt('alert', abs(baseDir, s.alert.rules));
      else if ('filter' in s) opt('filter', s.filter.expr);
    }
  }
  for (const s of c.sinks ?? []) opt('to', sinkPath(baseDir, s.to));
  opt('format', c.output?.format);
  opt('on-sink-error', c.output?.onSinkError);
  opt('sink-timeout', c.output?.sinkTimeout);
  opt('rotate-bytes', c.output?.rotateBytes);
  opt('rotate-seconds', c.output?.rotateSeconds);
  flag('stats', c.run?.stats);
  opt('stats-interval', c.run?.statsInterval);
  opt('metrics', c.run?.metrics);
  const branches = (c.branches ?? []).map((b) => ({ ...b, sinks: b.sinks.map((s) => ({ to: sinkPath(baseDir, s.to) })) }));
  return { command, argv, extras: { stages, branches, baseDir } };
}
