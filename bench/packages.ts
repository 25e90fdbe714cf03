// The packages the project brief named, against what flowpipe uses instead, on the same records:
// ndjson's stringify() vs toNdjson(), pump vs node:stream/promises pipeline. Both peers are
// installed into bench/node_modules with --no-save (never dependencies).
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { Readable, Writable, type Duplex } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { FlowDecoder, toNdjson, type FlowRecord } from '../index.js';
import { benchDir, median, RUNS, type Row } from './common.js';
import type { Workload } from './workloads.js';

const RECORDS = 500_000;

/** RECORDS decoded v9 records (21 distinct, repeated) as an object stream. */
function records(w: Workload): () => Readable {
  const dec = new FlowDecoder();
  for (const s of w.setup) dec.decode(s, w.exporter, 0);
  const one = dec.decode(w.datagrams[0]!, w.exporter, 0).records;
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

/** Median records/s of `run` over RUNS runs. */
async function rate(run: () => Promise<void>): Promise<number> {
  const r: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const start = process.hrtime.bigint();
    await run();
    r.push(RECORDS / (Number(process.hrtime.bigint() - start) / 1e9));
  }
  return median(r);
}

export async function briefPackages(w: Workload): Promise<Row[]> {
  const require = createRequire(join(benchDir, 'package.json'));
  const source = records(w);
  const ours = await rate(() => pipeline(source(), toNdjson(), nullSink()));
  const rows: Row[] = [{ name: `toNdjson() (${w.name} records, batched, compiled writers)`, records_s: ours }];
  try {
    const ndjson = require('ndjson') as { stringify: () => Duplex };
    const theirs = await rate(() => pipeline(source(), ndjson.stringify(), nullSink()));
    rows.push({ name: `ndjson stringify() (${w.name} records)`, records_s: theirs, note: `toNdjson() is ${(ours / theirs).toFixed(1)}x` });
  } catch {
    rows.push({ name: 'ndjson', note: 'not installed (bench/node_modules)' });
  }
  try {
    const pump = require('pump') as (...streams: (NodeJS.ReadableStream | NodeJS.WritableStream)[]) => void;
    const viaPump = await rate(() => new Promise<void>((resolve, reject) => {
      const streams = [source(), toNdjson(), nullSink()];
      (pump as unknown as (...a: unknown[]) => void)(...streams, (err?: Error) => (err ? reject(err) : resolve()));
    }));
    rows.push({ name: `pump(source, toNdjson(), sink) (${w.name} records)`, records_s: viaPump, note: `pipeline() above: ${Math.round(ours / 1000)} k` });
  } catch {
    rows.push({ name: 'pump', note: 'not installed (bench/node_modules)' });
  }
  return rows;
}
