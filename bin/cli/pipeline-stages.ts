// The stages a pipeline file names beyond what flags say (filters and maps from modules, more
// than one filter, aggregate, topN, pair, alert anywhere) and its branches, as streams.
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Transform, Writable } from 'node:stream';
import { chain } from '../../transforms/core/chain.js';
import { parseDuration } from '../../lib/analysis/windows.js';
import { compileFilter } from '../../lib/filter/expr.js';
import { stageName, type StageSpec } from '../../lib/pipeline/config.js';
import { filter, map } from '../../transforms/core/map-filter.js';
import { pick } from '../../transforms/core/pick.js';
import { toNdjson } from '../../transforms/format/ndjson.js';
import { InputError } from './enrich-options.js';
import type { PipelineExtras } from './pipeline-args.js';

type Fn = (record: Record<string, unknown>) => unknown;

/** The function a `module` stage names, as an input error naming the module when it is not there. */
async function userFunction(baseDir: string, module: string, name: string | undefined, stage: string): Promise<Fn> {
  const path = resolve(baseDir, module);
  let m: Record<string, unknown>;
  try {
    m = (await import(pathToFileURL(path).href)) as Record<string, unknown>;
  } catch (err) {
    throw new InputError(`${stage}: cannot load ${path}: ${(err as Error).message.split('\n')[0]}`);
  }
  const fn = m[name ?? 'default'];
  if (typeof fn !== 'function') throw new InputError(`${stage}: ${path} exports no function ${name === undefined ? 'as default' : `'${name}'`} (it exports: ${Object.keys(m).join(', ') || 'nothing'})`);
  return fn as Fn;
}

const ms = (v: string | number | undefined): number | undefined => (v === undefined ? undefined : parseDuration(v));

/** One stage of a file as a stream. */
export async function buildStage(s: StageSpec, baseDir: string, where: string): Promise<Transform> {
  const label = `${where} (${stageName(s)})`;
  if ('filter' in s) {
    if (s.filter.expr !== undefined) return filter(compileFilter(s.filter.expr));
    const fn = await userFunction(baseDir, s.filter.module!, s.filter.function, label);
    return filter((r: Record<string, unknown>) => fn(r) === true);
  }
  if ('map' in s) return map(await userFunction(baseDir, s.map.module, s.map.function, label));
  if ('fields' in s) return pick(s.fields);
  // The analysis stages load when a pipeline has them (start-up of a plain decode loads none).
  if ('alert' in s) return (await import('./alert-option.js')).alertStage(resolve(baseDir, s.alert.rules));
  if ('aggregate' in s) {
    const a = s.aggregate;
    const { aggregate } = await import('../../transforms/analysis/aggregate.js');
    return aggregate({ by: a.by, sizeMs: ms(a.window)!, ...(a.hop !== undefined ? { hopMs: ms(a.hop) } : {}), ...(a.lateness !== undefined ? { latenessMs: ms(a.lateness) } : {}), ...(a.maxKeys !== undefined ? { maxKeys: a.maxKeys } : {}) });
  }
  if ('topN' in s) {
    const t = s.topN;
    const { topN } = await import('../../transforms/analysis/top-n.js');
    return topN({ n: t.n, key: t.key, ...(t.by !== undefined ? { by: t.by } : {}), ...(t.window !== undefined ? { window: { sizeMs: ms(t.window)! } } : {}), ...(t.capacity !== undefined ? { capacity: t.capacity } : {}) });
  }
  if ('pair' in s) {
    const p = s.pair;
    const { pair } = await import('../../transforms/analysis/pair.js');
    return pair({ ...(p.timeout !== undefined ? { timeoutMs: ms(p.timeout) } : {}), ...(p.maxPending !== undefined ? { maxPending: p.maxPending } : {}), ...(p.slack !== undefined ? { slackMs: ms(p.slack) } : {}) });
  }
  throw new InputError(`${label}: an enricher runs fused into decoding, first in the trunk`); // the checker says so first
}

/** The trunk's extra stages, in order. */
export async function extraStages(x: PipelineExtras): Promise<Transform[]> {
  const out: Transform[] = [];
  for (const [i, s] of x.stages.entries()) out.push(await buildStage(s, x.baseDir, `stages[${i}]`));
  return out;
}

/** A branch: its stages, then NDJSON into `sinks` (one Writable that ends when the sinks have). */
export async function branchWritable(x: PipelineExtras, index: number, sinks: Writable): Promise<Writable> {
  const b = x.branches[index]!;
  const stages: Transform[] = [];
  for (const [i, s] of (b.stages ?? []).entries()) stages.push(await buildStage(s, x.baseDir, `branches[${index}].stages[${i}]`));
  return chain(...stages, toNdjson(), sinks);
}
