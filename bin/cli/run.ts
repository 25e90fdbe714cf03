// flowpipe run [--check] pipeline.yaml: a pipeline file, checked before anything binds or
// connects, then run by the same builder as decode / collect (the file becomes their arguments
// plus the stages and branches flags cannot say).
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { checkPipeline } from '../../lib/pipeline/check.js';
import { sourceKind, type PipelineConfig, type StageSpec } from '../../lib/pipeline/config.js';
import { parse, UsageError } from './args.js';
import { collectCommand } from './collect.js';
import { decodeCommand } from './decode.js';
import { argsFromConfig } from './pipeline-args.js';

export const RUN_HELP = `usage: flowpipe run [--check] PIPELINE.yaml

Runs a pipeline file: sources (udp, files or kafka), decode options, stages in order (enrichers
first: normalize, sampling, interfaces, networks, exporters, geoip, services; then filter (expr
or module), map, alert, aggregate, topN, pair, fields last), sinks, and branches (named
sub-chains with their own stages and sinks). \${VAR} and \${VAR:-default} take values from the
environment. Relative paths are relative to the file. The JSON Schema is pipeline.schema.json
(for editors: # yaml-language-server: $schema=…). README "Pipeline files".

  --check   validate, print the resolved pipeline (stages in order, branches, sinks), exit 0;
            or print every error as FILE:LINE:COLUMN: message and exit 2. Nothing binds or connects.

A udp pipeline runs until SIGINT/SIGTERM; SIGHUP reloads the enrichers' data files (networks,
exporters, interfaces, GeoIP) without dropping records. A change to the file's stages, sources or
sinks needs a restart (SIGHUP says so when it sees one).
exit status: 0 done (or --check passed), 1 input, output or server failure, 2 usage or pipeline error`;

/** The file checked: its config, or the errors as FILE:LINE:COLUMN lines. */
function load(file: string): { config: PipelineConfig | null; lines: string[] } {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    return { config: null, lines: [`${file}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}`] };
  }
  const r = checkPipeline(text, process.env);
  return { config: r.config, lines: r.errors.map((e) => `${file}:${e.line}:${e.col}: ${e.message}`) };
}

function describeStage(s: StageSpec): string {
  const [name, v] = Object.entries(s)[0]!;
  const detail = Array.isArray(v) ? v.join(', ') : Object.entries(v as Record<string, unknown>).map(([k, x]) => `${k}=${typeof x === 'object' ? JSON.stringify(x) : String(x)}`).join(' ');
  return detail === '' ? name : `${name} ${detail}`;
}

/** The resolved pipeline, one line per part, for --check. */
export function describe(c: PipelineConfig, file: string): string {
  const { command, argv, extras } = argsFromConfig(c, dirname(resolve(file)));
  const lines = [`pipeline ${file}: ${sourceKind(c)} source (runs as flowpipe ${command})`];
  for (const s of c.sources) lines.push(`  source  ${describeStage(s as unknown as StageSpec)}`);
  if (c.decode !== undefined) lines.push(`  decode  ${describeStage({ decode: c.decode } as unknown as StageSpec).slice('decode '.length)}`);
  (c.stages ?? []).forEach((s, i) => lines.push(`  stage ${i + 1} ${describeStage(s)}`));
  for (const s of c.sinks ?? [{ to: '-' }]) lines.push(`  sink    ${s.to === '-' ? 'stdout' : s.to}${c.output?.format !== undefined ? ` (${c.output.format})` : ''}`);
  for (const b of c.branches ?? []) {
    lines.push(`  branch ${b.name}`);
    (b.stages ?? []).forEach((s, i) => lines.push(`    stage ${i + 1} ${describeStage(s)}`));
    for (const s of b.sinks) lines.push(`    sink  ${s.to}`);
  }
  lines.push(`  same as: flowpipe ${command} ${argv.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, "'\\''")}'`)).join(' ')}${extras.branches.length > 0 || extras.stages.length > 0 ? ' (plus the stages and branches above)' : ''}`);
  return lines.join('\n') + '\n';
}

export async function runCommand(argv: string[]): Promise<number> {
  const p = parse(argv, { check: 'flag', help: 'flag' });
  if (p.opts.has('help')) {
    process.stdout.write(RUN_HELP + '\n');
    return 0;
  }
  if (p.positional.length !== 1) throw new UsageError('run needs one PIPELINE file');
  const file = p.positional[0]!;
  const { config, lines } = load(file);
  if (config === null) {
    process.stderr.write(lines.join('\n') + '\n');
    return 2;
  }
  if (p.opts.has('check')) {
    process.stdout.write(describe(config, file));
    return 0;
  }
  const { command, argv: args, extras } = argsFromConfig(config, dirname(resolve(file)));
  if (command === 'decode') return decodeCommand(args, extras);
  // SIGHUP: the enrichers reload their data; a changed file is said, not applied.
  const onReload = (): void => {
    const now = load(file);
    if (now.config === null) process.stderr.write(`flowpipe: ${file} has errors now (kept running as started):\n${now.lines.join('\n')}\n`);
    else if (JSON.stringify(now.config) !== JSON.stringify(config)) {
      process.stderr.write(`flowpipe: ${file} changed; SIGHUP reloads the enrichers' data files only: restart to apply the new pipeline\n`);
    }
  };
  return collectCommand(args, extras, onReload);
}
