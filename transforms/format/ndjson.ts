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

// Integers of 16+ digits beyond 2^53 are rewritten as marker strings "\u0000<digits>" before
// JSON.parse, and the reviver turns markers back into bigints. A string value of the line that
// itself starts with NUL gets a second NUL, which the reviver removes again, so no string can be
// mistaken for a marker. Lines without such integers are parsed without any of this.
const NUMBER = /-?\d+(\.\d+)?([eE][+-]?\d+)?/y;

function isKey(line: string, after: number): boolean {
  let k = after;
  while (k < line.length && (line[k] === ' ' || line[k] === '\t')) k++;
  return line[k] === ':';
}

/** The line with big integer literals marked, or undefined when it has none. */
function protectBigInts(line: string): string | undefined {
  if (!/\d{16}/.test(line)) return undefined;
  let out = '';
  let marked = false;
  let i = 0;
  while (i < line.length) {
    const c = line[i]!;
    if (c === '"') {
      let j = i + 1;
      while (j < line.length && line[j] !== '"') j += line[j] === '\\' ? 2 : 1;
      const nulFirst = line.startsWith('\\u0000', i + 1) && !isKey(line, j + 1);
      out += nulFirst ? '"\\u0000' + line.slice(i + 1, j + 1) : line.slice(i, j + 1);
      i = j + 1;
      continue;
    }
    NUMBER.lastIndex = i;
    const m = c === '-' || (c >= '0' && c <= '9') ? NUMBER.exec(line) : null;
    if (m === null) {
      out += c;
      i++;
      continue;
    }
    const num = m[0];
    const big = m[1] === undefined && m[2] === undefined && num.replace('-', '').length >= 16 && !Number.isSafeInteger(Number(num));
    out += big ? `"\\u0000${num}"` : num;
    marked ||= big;
    i += num.length;
  }
  return marked ? out : undefined;
}

function reviver(_key: string, value: unknown): unknown {
  if (typeof value !== 'string' || value.charCodeAt(0) !== 0) return value;
  return value.charCodeAt(1) === 0 ? value.slice(1) : BigInt(value.slice(1));
}

/** Parses one NDJSON line, keeping integers above 2^53 exact (bigint). */
export function parseNdjsonLine(line: string): unknown {
  const marked = protectBigInts(line);
  return marked === undefined ? JSON.parse(line) : JSON.parse(marked, reviver);
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
