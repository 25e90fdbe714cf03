// NDJSON out (batched: one string per batch of records, not one write per record) and in
// (split2 lines; integers beyond 2^53 come back as exact bigints).
import { Transform, type Readable, type TransformCallback } from 'node:stream';
import split2 from 'split2';
import { NdjsonChunks } from '../../lib/ndjson/chunks.js';

export interface ToNdjsonOptions {
  /** Bytes gathered before a chunk is pushed (default 64 KiB). */
  chunkBytes?: number;
  /** Also push after this many records (default 1024), so a slow trickle is not held back long. */
  batch?: number;
}

/**
 * NDJSON chunks into a stream: full chunks at once, the partial one at the end of the event-loop
 * turn (or after `maxRecords`), so lines written in one turn leave together and a trickle is
 * not held back. Shared by toNdjson() and decode({ output: 'ndjson' }).
 */
export class ChunkPusher {
  private pending: NodeJS.Immediate | null = null;

  constructor(private readonly stream: Readable, private readonly chunks: NdjsonChunks, private readonly maxRecords = Infinity) {}

  /** Call after adding records. */
  added(): void {
    for (const c of this.chunks.takeFull()) this.stream.push(c);
    if (this.chunks.records >= this.maxRecords) this.flush();
    else if (this.pending === null && this.chunks.pendingBytes > 0) this.pending = setImmediate(() => this.flush());
  }

  /** Pushes everything now (end of input). */
  flush(): void {
    this.cancel();
    if (!this.stream.destroyed) for (const c of this.chunks.take()) this.stream.push(c);
  }

  /** Forgets the scheduled push (the stream is being destroyed). */
  cancel(): void {
    if (this.pending !== null) clearImmediate(this.pending);
    this.pending = null;
  }
}

/**
 * Records (objects) in, NDJSON bytes out. Lines are written straight into one buffer per chunk by
 * writers compiled per record shape (see lib/json-line.ts): no per-record string, no per-record
 * write. Output equals JSON.stringify per record, except that integers above 2^53 (bigint) are
 * written as exact digits. Lines written in one turn of the event loop leave together.
 */
export function toNdjson(options: ToNdjsonOptions = {}): Transform {
  const chunks = new NdjsonChunks(options.chunkBytes ?? 64 * 1024);
  const stage: Transform = new Transform({
    writableObjectMode: true,
    writableHighWaterMark: 1024,
    transform(record: object, _enc: BufferEncoding, done: TransformCallback): void {
      chunks.add(record);
      out.added();
      done();
    },
    flush(done: TransformCallback): void {
      out.flush();
      done();
    },
    destroy(err: Error | null, done: (error: Error | null) => void): void {
      out.cancel();
      done(err);
    },
  });
  const out = new ChunkPusher(stage, chunks, options.batch ?? 1024);
  return stage;
}

/** Quotes integer literals of 16+ digits outside strings, so the reviver can make them bigints. */
function protectBigInts(line: string): string {
  if (!/\d{16}/.test(line)) return line;
  let out = '';
  let i = 0;
  while (i < line.length) {
    const c = line[i]!;
    if (c === '"') {
      let j = i + 1;
      while (j < line.length && line[j] !== '"') j += line[j] === '\\' ? 2 : 1;
      out += line.slice(i, j + 1);
      i = j + 1;
    } else if ((c === '-' || (c >= '0' && c <= '9'))) {
      const m = /^-?\d+(\.\d+)?([eE][+-]?\d+)?/.exec(line.slice(i))!;
      const num = m[0];
      const digits = num.replace('-', '');
      out += m[1] === undefined && m[2] === undefined && digits.length >= 16 && !Number.isSafeInteger(Number(num)) ? `"\\u0000${num}"` : num;
      i += num.length;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

function reviver(_key: string, value: unknown): unknown {
  return typeof value === 'string' && value.charCodeAt(0) === 0 ? BigInt(value.slice(1)) : value;
}

/** Parses one NDJSON line, keeping integers above 2^53 exact (bigint). */
export function parseNdjsonLine(line: string): unknown {
  return JSON.parse(protectBigInts(line), reviver);
}

/** NDJSON bytes in, objects out (blank lines skipped; a bad line is a stream error naming its number). */
export function fromNdjson(): Transform {
  let n = 0;
  return split2((line: string) => {
    n++;
    if (line.trim() === '') return undefined;
    try {
      return parseNdjsonLine(line);
    } catch (err) {
      throw new Error(`NDJSON line ${n}: ${(err as Error).message}`);
    }
  }, { objectMode: true } as never) as unknown as Transform;
}
