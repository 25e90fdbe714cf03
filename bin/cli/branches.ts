// Branches of a pipeline file: each a named sub-chain with its own stages and sinks, fed every
// record of the trunk (after the trunk's stages) through tee, with backpressure from the slowest.
import type { Writable } from 'node:stream';
import type { SinkErrorPolicy } from '../../transforms/sinks/batching-sink.js';
import { parse, type Parsed } from './args.js';
import { checkSinks, DESTINATION_OPTIONS, openDestinations, type Destinations } from './destinations.js';
import type { PipelineExtras } from './pipeline-args.js';
import { branchWritable } from './pipeline-stages.js';

export interface Branches {
  /** One Writable per branch (stages, NDJSON, its sinks). */
  writables: Writable[];
  dests: Destinations[];
  /** A branch writes to a table sink without field selection: the trunk normalizes. */
  wantsNormalize: boolean;
}

/** Opens every branch's sinks with the trunk's sink policy and timeout. */
export async function openBranches(p: Parsed, x: PipelineExtras, defaultPolicy: SinkErrorPolicy, check: boolean): Promise<Branches> {
  const writables: Writable[] = [];
  const dests: Destinations[] = [];
  for (const [i, b] of x.branches.entries()) {
    const argv = b.sinks.flatMap((s) => ['--to', s.to]);
    for (const k of ['on-sink-error', 'sink-timeout']) if (typeof p.opts.get(k) === 'string') argv.push(`--${k}`, String(p.opts.get(k)));
    const d = await openDestinations(parse(argv, DESTINATION_OPTIONS), defaultPolicy, {}, false);
    if (check) await checkSinks(d);
    dests.push(d);
    writables.push(await branchWritable(x, i, d.writable));
  }
  return { writables, dests, wantsNormalize: dests.some((d) => d.wantsNormalize) };
}
