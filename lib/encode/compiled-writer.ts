// A record writer compiled per template shape, as the decoder compiles per template: one
// function that checks each value suits its field and writes it, integers inline, the rest
// through the generic writer. Returns the offset after the record, or -1 when a value does not
// suit (the record then gets a shape of its own). Only numbers and booleans reach the generated
// source as literals; keys are JSON-quoted.
import { fits, suits, writeValue, type EncodedField } from './fields.js';

export type RecordWriter = (r: Readonly<Record<string, unknown>>, b: Buffer, o: number) => number;

const LIMIT = [1, 256, 65536, 16777216, 4294967296];

function intField(i: number, f: EncodedField): string {
  const L = f.length;
  const v = `v${i}`;
  const key = JSON.stringify(f.key);
  const lines = [`const ${v} = r[${key}];`];
  if (L === 8 && f.kind === 'uint') {
    // numbers up to 2^53 inline (the usual counters and milliseconds); bigints by the generic path
    lines.push(
      `if (typeof ${v} === 'number' && ${v} >= 0 && ${v} <= 9007199254740991) {`,
      `const hi${i} = Math.floor(${v} / 4294967296), lo${i} = ${v} >>> 0;`,
      `b[o] = hi${i} >>> 24; b[o + 1] = (hi${i} >>> 16) & 255; b[o + 2] = (hi${i} >>> 8) & 255; b[o + 3] = hi${i} & 255;`,
      `b[o + 4] = lo${i} >>> 24; b[o + 5] = (lo${i} >>> 16) & 255; b[o + 6] = (lo${i} >>> 8) & 255; b[o + 7] = lo${i} & 255; o += 8;`,
      `} else { if (!h.suits(F[${i}], ${v})) return -1; o = h.writeValue(b, o, F[${i}], ${v}); }`,
    );
    return lines.join('\n');
  }
  if (L === 8 || (L !== 1 && L !== 2 && L !== 4)) {
    // signed 8 bytes (and any odd length): the generic path, bigint included
    lines.push(`if (!h.suits(F[${i}], ${v})) return -1;`, `o = h.writeValue(b, o, F[${i}], ${v});`);
    return lines.join('\n');
  }
  const min = f.kind === 'sint' ? -LIMIT[L]! / 2 : 0;
  const max = f.kind === 'sint' ? LIMIT[L]! / 2 : LIMIT[L]!;
  lines.push(
    `if (typeof ${v} !== 'number') { if (typeof ${v} !== 'bigint' || !h.fits(${JSON.stringify(f.kind)}, ${L}, ${v})) return -1; o = h.writeValue(b, o, F[${i}], ${v}); } else {`,
    `if (!(${v} >= ${min} && ${v} < ${max})) return -1;`,
    `let x${i} = Math.trunc(${v}); if (x${i} < 0) x${i} += ${LIMIT[L]};`,
  );
  if (L === 1) lines.push(`b[o] = x${i};`);
  else if (L === 2) lines.push(`b[o] = x${i} >>> 8; b[o + 1] = x${i} & 255;`);
  else lines.push(`b[o] = x${i} >>> 24; b[o + 1] = (x${i} >>> 16) & 255; b[o + 2] = (x${i} >>> 8) & 255; b[o + 3] = x${i} & 255;`);
  lines.push(`o += ${L}; }`);
  return lines.join('\n');
}

export function compileWriter(fields: readonly EncodedField[]): RecordWriter {
  const body = fields.map((f, i) => {
    if (f.kind === 'uint' || f.kind === 'sint') return intField(i, f);
    if (f.kind === 'ipv4') return `if (!h.ip4(b, o, r[${JSON.stringify(f.key)}])) return -1;\no += 4;`;
    const v = `v${i}`;
    return `const ${v} = r[${JSON.stringify(f.key)}];\nif (!h.suits(F[${i}], ${v})) return -1;\no = h.writeValue(b, o, F[${i}], ${v});`;
  }).join('\n');
  // eslint-disable-next-line @typescript-eslint/no-implied-eval -- per-shape code generation is the design
  const factory = new Function('h', 'F', `'use strict'; return function write(r, b, o) {\n${body}\nreturn o;\n};`) as (h: object, F: readonly EncodedField[]) => RecordWriter;
  return factory({ fits, suits, writeValue, ip4 }, fields);
}

/** Writes a dotted-quad IPv4 address at `o`; false (nothing sure written) when `v` is not one. */
export function ip4(b: Buffer, o: number, v: unknown): boolean {
  if (typeof v !== 'string') return false;
  let part = 0, n = 0, digits = 0;
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if (c === 46) {
      if (digits === 0 || n === 3) return false;
      b[o + n++] = part;
      part = 0;
      digits = 0;
    } else if (c >= 48 && c <= 57 && digits < 3) {
      part = part * 10 + (c - 48);
      if (part > 255) return false;
      digits++;
    } else return false;
  }
  if (digits === 0 || n !== 3) return false;
  b[o + 3] = part;
  return true;
}
