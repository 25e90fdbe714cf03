// The packages the project brief named, against what flowpipe uses instead, on the same records:
// ndjson's stringify() vs toNdjson(), pump vs node:stream/promises pipeline. Both peers are
// installed into bench/node_modules with --no-save (never dependencies).
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { Readable, Writable, type Duplex } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { FlowDecoder, toNdjson, type FlowRecord } from '../index.js';
import { benchDir, median, RUNS, type Row } from './common.js';
import { warmRecords, type Workload } from './workloads.js';

const RECORDS = 500_000;

/** RECORDS decoded v9 records (21 distinct, repeated) as an object stream. */
function records(w: Workload): () => Readable {
  const one = warmRecords(w, new FlowDecoder());
  return () => {
    let i = 0;
    return new Readable({
      objectMode: true,
      highWaterMark: 256,
      read() {
        for (let k = 0; k < 64; k++) {
          if (i >= RECORDS) return void this.push(null);
          this.push(one[i++ % one.length] as FlowRecord);
        }
      },
    });
  };
}

const nullSink = (): Writable => new Writable({ write: (_c, _e, done) => done() });

type Run = () => Promise<void>;

/**
 * Median records/s of each contender over RUNS rounds, after one warm-up round. Rounds
 * interleave the contenders so JIT warm-up and machine noise do not favour whichever runs later.
 */
async function rates(runs: readonly Run[]): Promise<number[]> {
  for (const run of runs) await run();
  const r: number[][] = runs.map(() => []);
  for (let i = 0; i < RUNS; i++) {
    for (const [k, run] of runs.entries()) {
      const start = process.hrtime.bigint();
      await run();
      r[k]!.push(RECORDS / (Number(process.hrtime.bigint() - start) / 1e9));
    }
  }
  return r.map(median);
}

/** The peer's module from bench/node_modules, or null when it is not installed. */
function peer<T>(name: string): T | null {
  try {
    return createRequire(join(benchDir, 'package.json'))(name) as T;
  } catch {
    return null;
  }
}

export async function briefPackages(w: Workload): Promise<Row[]> {
  const source = records(w);
  const ndjson = peer<{ stringify: () => Duplex }>('ndjson');
  const pump = peer<(...a: unknown[]) => void>('pump');
  const ours: Run = () => pipeline(source(), toNdjson(), nullSink());
  const viaNdjson: Run = () => pipeline(source(), ndjson!.stringify(), nullSink());
  const viaPump: Run = () => new Promise<void>((resolve, reject) => {
    pump!(source(), toNdjson(), nullSink(), (err?: Error) => (err ? reject(err) : resolve()));
  });
  const [oursRate, ndjsonRate, pumpRate] = await rates([ours, ...(ndjson ? [viaNdjson] : []), ...(pump ? [viaPump] : [])]);
  const rows: Row[] = [{ name: `pipeline(source, toNdjson(), sink) (${w.name} records, batched, compiled writers)`, records_s: oursRate! }];
  if (ndjson === null) rows.push({ name: 'ndjson', note: 'not installed (bench/node_modules)' });
  else rows.push({ name: `pipeline(source, ndjson.stringify(), sink) (${w.name} records)`, records_s: ndjsonRate!, note: `toNdjson() is ${(oursRate! / ndjsonRate!).toFixed(1)}x` });
  const pumped = ndjson === null ? ndjsonRate : pumpRate;
  if (pump === null) rows.push({ name: 'pump', note: 'not installed (bench/node_modules)' });
  else rows.push({ name: `pump(source, toNdjson(), sink) (${w.name} records)`, records_s: pumped!, note: `pipeline() above: ${Math.round(oursRate! / 1000)} k` });
  return rows;
}
