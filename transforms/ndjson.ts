// NDJSON out (batched: one string per batch of records, not one write per record) and in
// (split2 lines; integers beyond 2^53 come back as exact bigints).
import { Transform, type TransformCallback } from 'node:stream';
import split2 from 'split2';
import { toJson } from '../lib/json.js';

export interface ToNdjsonOptions {
  /** Records joined into one output chunk (default 256). */
  batch?: number;
}

/** Records (objects) in, NDJSON bytes out. Integers above 2^53 (bigint) are written as exact digits. */
export function toNdjson(options: ToNdjsonOptions = {}): Transform {
  const max = options.batch ?? 256;
  let lines: string[] = [];
  const flushLines = (t: Transform): void => {
    if (lines.length === 0) return;
    t.push(lines.join('\n') + '\n');
    lines = [];
  };
  return new Transform({
    writableObjectMode: true,
    writableHighWaterMark: 1024,
    transform(record: unknown, _enc: BufferEncoding, done: TransformCallback): void {
      lines.push(toJson(record));
      if (lines.length >= max) flushLines(this);
      done();
    },
    flush(done: TransformCallback): void {
      flushLines(this);
      done();
    },
  });
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
