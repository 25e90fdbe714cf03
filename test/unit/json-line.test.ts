import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LineEncoder, NO_ROOM, compileLineWriter } from '../../lib/json-line.js';
import { toJson } from '../../lib/json.js';
import { loadManifest, runSequence } from '../helpers/corpus.js';

/** What the encoder must produce: toJson's text and a newline. */
function expectedLine(r: unknown): string {
  return toJson(r) + '\n';
}

function encode(enc: LineEncoder, r: object, size = 1 << 16): string {
  const b = Buffer.alloc(size);
  const end = enc.write(r, b, 0);
  assert.notEqual(end, NO_ROOM);
  return b.toString('utf8', 0, end);
}

test('every record of the corpus encodes exactly as JSON.stringify does', () => {
  const enc = new LineEncoder();
  let records = 0;
  for (const m of loadManifest()) {
    if (m.container !== 'raw' || m.malformed) continue;
    const run = runSequence([...m.needs_templates_from, m.file]);
    for (const r of run.records) {
      assert.equal(encode(enc, r), expectedLine(r), m.file);
      records++;
    }
  }
  assert.ok(records > 500, `${records} records`);
  assert.ok(enc.shapes > 50, `${enc.shapes} shapes`);
});

test('numbers: integer boundaries, negatives, fractions and non-finite values', () => {
  const values = [0, 1, 9, 10, 99, 100, 12345678, 99999999, 100000000, 100000001, 2 ** 31 - 1, 2 ** 31, 2 ** 32, 1_636_475_812_022,
    9999999999999999, 1e16, Number.MAX_SAFE_INTEGER, 2 ** 53, 2 ** 64, 1e21, 1.5, 0.1, -0, -1, -(2 ** 40), 3.4e38, 5e-324, NaN, Infinity, -Infinity];
  const enc = new LineEncoder();
  for (const v of values) {
    assert.equal(encode(enc, { kind: 'flow', v }), expectedLine({ kind: 'flow', v }), String(v));
  }
});

test('strings that need escaping, non-ASCII and lone surrogates', () => {
  const enc = new LineEncoder();
  for (const s of ['', 'ge-0/0/1', 'quote " here', 'back\\slash', 'tab\tnew\nline', '\u0000\u001f', 'caf\u00e9', '\u4e2d\u6587', '\ud83d\ude00', 'lone \ud800 x', '\u007f', '\u2028']) {
    assert.equal(encode(enc, { name: s, n: 1 }), expectedLine({ name: s, n: 1 }), JSON.stringify(s));
  }
  // Keys are escaped once, when the writer is compiled.
  const odd = { 'a"b': 1, 'caf\u00e9': 'x', '\n': true };
  assert.equal(encode(enc, odd), expectedLine(odd));
});

test('other values: bigint, booleans, null, nested objects and arrays', () => {
  const enc = new LineEncoder();
  const r = { a: 2n ** 64n - 1n, b: -5n, t: true, f: false, n: null, o: { x: [1, 2n ** 60n, 'y'] }, list: [{ z: 1 }], d: new Date(0) };
  assert.equal(encode(enc, r), expectedLine(r));
});

test('shape changes by user stages fall back or recompile, never mis-key', () => {
  const enc = new LineEncoder();
  const base = { kind: 'flow', templateId: 256, a: 1, b: 'x' };
  assert.equal(encode(enc, base), expectedLine(base));
  const cases: object[] = [
    { kind: 'flow', templateId: 256, a: 1, b: 'x', extra: 3 },
    { kind: 'flow', templateId: 256, a: 1 },
    { templateId: 256, kind: 'flow', b: 'x', a: 1 },
    { kind: 'flow', templateId: 256, a: undefined, b: 'x' },
    { kind: 'flow', templateId: 256, a: () => 1, b: 'x' },
    { kind: 'flow', templateId: 256, a: Symbol('s'), b: 'x' },
    { kind: 'flow', templateId: 256, a: 1, b: 'x', toJSON: () => ({ replaced: true }) },
    Object.assign(Object.create({ inherited: 1 }) as object, { kind: 'flow', templateId: 256, a: 1, b: 'x' }),
    new (class Rec { kind = 'flow'; templateId = 256; a = 1; b = 'x'; })(),
    new Date(5),
    [1, 2, 3],
    {},
    base,
  ];
  for (const r of cases) assert.equal(encode(enc, r), expectedLine(r), JSON.stringify(r));
  const deleted: Record<string, unknown> = { ...base };
  delete deleted['a'];
  assert.equal(encode(enc, deleted), expectedLine(deleted));
});

test('NO_ROOM when the line does not fit; nothing past the buffer is touched', () => {
  const r = { kind: 'flow', name: 'x'.repeat(100), n: 123456789 };
  const enc = new LineEncoder();
  const full = expectedLine(r);
  for (const size of [0, 10, 50, full.length - 1]) {
    const b = Buffer.alloc(size + 8, 0xee);
    const view = b.subarray(0, size);
    const end = enc.write(r, view, 0);
    if (end !== NO_ROOM) assert.equal(view.toString('utf8', 0, end), full);
    assert.ok(b.subarray(size).every((x) => x === 0xee), `size ${size}`);
  }
  assert.equal(enc.write(r, Buffer.alloc(1000), 0) > 0, true);
});

test('a compiled writer rejects records of another shape', () => {
  const w = compileLineWriter(['a', 'b']);
  const b = Buffer.alloc(256);
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  assert.equal(b.toString('utf8', 0, w({ a: 1, b: 2 }, b, dv, 0)), '{"a":1,"b":2}\n');
  assert.equal(w({ b: 2, a: 1 }, b, dv, 0), -2);
  assert.equal(w({ a: 1 }, b, dv, 0), -2);
  assert.equal(w({ a: 1, b: 2, c: 3 }, b, dv, 0), -2);
});
