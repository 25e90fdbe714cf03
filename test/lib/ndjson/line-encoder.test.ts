import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LineEncoder, NO_ROOM, compileLineWriter } from '../../../lib/ndjson/line-encoder.js';
import { toJson } from '../../../lib/ndjson/json.js';
import { snakeLine } from '../../../lib/sinks/lines.js';
import { CORPUS_EXPORTER, loadManifest, readCorpus, runSequence } from '../../helpers/corpus.js';
import { FlowDecoder } from '../../../lib/decoder.js';
import { hex } from '../../../lib/codec/bytes.js';

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

test('nested objects: compiled per shape at each key, shapes changing under one key, deep and odd values', () => {
  const enc = new LineEncoder();
  const snake = new LineEncoder('snake');
  let deep: Record<string, unknown> = { leaf: 1 };
  for (let i = 0; i < 40; i++) deep = { level: i, inner: deep };
  const nested: object[] = [
    { kind: 'flow', extendedSwitch: { sourceVlan: 514, sourcePriority: 0 } },
    { kind: 'flow', extendedSwitch: { sourceVlan: 7, sourcePriority: 1 } },
    { kind: 'flow', extendedSwitch: { sourcePriority: 1, sourceVlan: 7 } },
    { kind: 'flow', extendedSwitch: { sourceVlan: 7 } },
    { kind: 'flow', extendedSwitch: {} },
    { kind: 'flow', extendedSwitch: { sourceVlan: 'a"b', big: 2n ** 70n, none: null, on: true } },
    { kind: 'flow', extendedSwitch: { sourceVlan: undefined, sourcePriority: 1 } },
    { kind: 'flow', extendedSwitch: { fn: () => 1, sourcePriority: 1 } },
    { kind: 'flow', extendedSwitch: { toJSON: () => 'replaced' } },
    { kind: 'flow', extendedSwitch: { inner: { deeper: { x: [1, { y: 2 }] } } } },
    { kind: 'flow', extendedSwitch: new Date(0) },
    { kind: 'flow', extendedSwitch: Object.assign(Object.create({ inherited: 1 }) as object, { own: 1 }) },
    { kind: 'flow', deep },
  ];
  for (let round = 0; round < 3; round++) {
    for (const r of nested) {
      assert.equal(encode(enc, r), expectedLine(r), JSON.stringify(r, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v)));
      assert.equal(encode(snake, r), snakeLine(toJson(r)) + '\n');
    }
  }
});

test('alternating shapes under one template id (flow and counter samples) stay exact', () => {
  const enc = new LineEncoder();
  const shapes = [
    (i: number) => ({ kind: 'flow', templateId: 0, a: i, s: { v: i } }),
    (i: number) => ({ kind: 'counters', templateId: 0, ifIndex: i, genericInterface: { ifInOctets: i * 1e6 } }),
    (i: number) => ({ kind: 'flow', templateId: 0, a: i, s: { v: i }, extra: 'x' }),
    (i: number) => ({ kind: 'flow', templateId: 0, b: i }),
    (i: number) => ({ kind: 'flow', templateId: 0, c: i }),
    (i: number) => ({ kind: 'flow', templateId: 0, d: i }),
  ];
  for (let i = 0; i < 600; i++) {
    const r = shapes[(i * 7) % shapes.length]!(i);
    assert.equal(encode(enc, r), expectedLine(r));
  }
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

test('long strings (48 characters and more) at any offset: plain, known-plain hex, escaped, non-ASCII', () => {
  const enc = new LineEncoder();
  const hexText = hex(Uint8Array.from({ length: 128 }, (_, i) => (i * 37) & 255), 0, 128); // noted as plain
  const values = [hexText, 'p'.repeat(300), `${'q'.repeat(60)}"\\`, `${'r'.repeat(50)}\u00e9\u2028`, `${'s'.repeat(70)}\n`];
  for (const v of values) {
    for (let at = 0; at < 9; at++) {
      const r = { kind: 'flow', sampledHeader: v, n: at };
      const b = Buffer.alloc(4096);
      const end = enc.write(r, b, at);
      assert.equal(b.toString('utf8', at, end), expectedLine(r));
    }
  }
});

test('near a chunk\'s end: strings longer than their share of the room, then numbers, nested objects and long bigints: NO_ROOM or the exact line, never past the buffer', () => {
  const wide: Record<string, unknown> = {};
  for (let i = 0; i < 30; i++) wide[`s${i}`] = 'x'.repeat(40); // each over the 24 bytes a value is promised
  for (let i = 0; i < 30; i++) wide[`n${i}`] = 9007199254740991;
  const nested = { kind: 'flow', a: { name: 'y'.repeat(60), more: 'z'.repeat(30), n: 123456789012 }, b: 2 ** 52, c: -1.5e-300 };
  const big = { kind: 'flow', s: 'w'.repeat(30), v: 2n ** 200n, n: 7 };
  for (const keyCase of ['as-is', 'snake'] as const) {
    for (const r of [wide, nested, big]) {
      const enc = new LineEncoder(keyCase);
      const want = keyCase === 'snake' ? snakeLine(toJson(r)) + '\n' : expectedLine(r);
      let fitted = 0;
      // The writers ask for more room than a line takes (24 bytes a value, 6 a string character).
      for (let size = 0; size <= Buffer.byteLength(want) * 2 + 512; size++) {
        const b = Buffer.alloc(size + 64, 0xee);
        const view = b.subarray(0, size);
        const end = enc.write(r, view, 0); // must not throw
        if (end !== NO_ROOM) {
          assert.equal(view.toString('utf8', 0, end), want, `${keyCase}, ${size} bytes`);
          fitted++;
        }
        assert.ok(b.subarray(size).every((x) => x === 0xee), `${keyCase}, ${size} bytes: nothing past the buffer`);
      }
      assert.ok(fitted > 0);
    }
  }
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

test('key text of every printable character and of non-ASCII, at every alignment (8-byte double stores)', () => {
  let x = 0x2545f491;
  const rand = (n: number): number => (x = (Math.imul(x ^ (x >>> 13), 0x5bd1e995) + 0x9e3779b9) >>> 0) % n;
  const printable = Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i)).join('');
  const extra = ['\u00e9', '\u007f', '\u0000', '\n', '\u2028', '\ud83d\ude00', '\uffff'];
  for (let i = 0; i < 300; i++) {
    const r: Record<string, unknown> = {};
    for (let k = 0, n = 1 + rand(6); k < n; k++) {
      let key = '';
      for (let c = 0, len = rand(30); c < len; c++) key += rand(8) === 0 ? extra[rand(extra.length)]! : printable[rand(printable.length)]!;
      r[key] = rand(2) === 0 ? rand(100000) : 'v';
    }
    assert.equal(encode(new LineEncoder(), r), expectedLine(r), JSON.stringify(Object.keys(r)));
  }
});

test('string values of every length with any character at any position (4-character stores)', () => {
  let x = 0x1b873593;
  const rand = (n: number): number => (x = (Math.imul(x ^ (x >>> 15), 0x85ebca6b) + 0x6b43a9b5) >>> 0) % n;
  const odd = ['"', '\\', '\u0000', '\u001f', '\u007f', '\u00e9', '\u2028', '\ud800', '\udc00', '\ud83d\ude00', '\uffff', '\u0100', '\u0120'];
  const enc = new LineEncoder();
  for (let len = 0; len <= 60; len++) {
    for (let trial = 0; trial < 40; trial++) {
      let s = '';
      for (let c = 0; c < len; c++) s += String.fromCharCode(32 + rand(95));
      if (trial > 0 && len > 0) {
        const at = rand(len);
        s = s.slice(0, at) + odd[rand(odd.length)]! + s.slice(at + 1);
      }
      const r = { a: 1, s, t: s.toUpperCase() };
      assert.equal(encode(enc, r), expectedLine(r), JSON.stringify(s));
    }
  }
});

test('integers of every length write as String(v) does (4-digit word stores)', () => {
  const enc = new LineEncoder();
  const values: number[] = [];
  for (let d = 0; d <= 15; d++) {
    const p = 10 ** d;
    values.push(p - 1, p, p + 1, 2 * p - 1, 5 * p);
  }
  let x = 0x9e3779b9;
  const rand = (): number => (x = (Math.imul(x ^ (x >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0) / 2 ** 32;
  for (let i = 0; i < 20000; i++) values.push(Math.floor(rand() * 10 ** (1 + Math.floor(rand() * 16))));
  values.push(Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER - 1, 2 ** 32 - 1, 2 ** 32 + 1);
  const b = Buffer.alloc(1 << 16);
  for (const v of values) {
    const r = { kind: 'flow', v, w: v };
    const end = enc.write(r, b, 0);
    assert.equal(b.toString('utf8', 0, end), `{"kind":"flow","v":${v},"w":${v}}\n`);
  }
});

test('decoder runs: records have their run keys (or lack only derived times) and encode unchecked exactly', () => {
  const enc = new LineEncoder();
  const derived = new Set(['flowStartMilliseconds', 'flowEndMilliseconds']);
  let records = 0, short = 0;
  for (const m of loadManifest()) {
    if (m.container !== 'raw' || m.protocol === 'sflow-v5') continue;
    const dec = new FlowDecoder();
    for (const f of [...m.needs_templates_from, m.file]) {
      const res = dec.decode(readCorpus(f), CORPUS_EXPORTER, 1_700_000_000_000);
      let from = 0;
      for (const run of res.runs ?? []) {
        assert.ok(run.end > from && Object.isFrozen(run.keys), f);
        for (let i = from; i < run.end; i++) {
          const r = res.records[i]!;
          const keys = Object.keys(r);
          if (keys.length !== run.keys.length) {
            short++;
            assert.deepEqual(keys, run.keys.filter((k) => keys.includes(k)), f);
            assert.ok(run.keys.filter((k) => !keys.includes(k)).every((k) => derived.has(k)), f);
          } else assert.deepEqual(keys, run.keys, f);
          const b = Buffer.alloc(1 << 16);
          assert.equal(b.toString('utf8', 0, enc.writeRun(r, run.keys, b, 0)), expectedLine(r), f);
          records++;
        }
        from = run.end;
      }
      assert.equal(from, res.records.length, `${f}: every NetFlow/IPFIX record is in a run`);
    }
  }
  assert.ok(records > 500, `${records} records`);
  assert.ok(short > 0, 'some corpus records lack derived times (no uptime known)');
});

test('writeRun falls back to the checked path when a record lacks a key or holds undefined', () => {
  const enc = new LineEncoder();
  const keys = Object.freeze(['kind', 'a', 'flowStartMilliseconds']);
  for (const r of [{ kind: 'flow', a: 1, flowStartMilliseconds: 5 }, { kind: 'flow', a: 1 }, { kind: 'flow', a: undefined, flowStartMilliseconds: 5 }, { kind: 'flow', a: 'x"y', flowStartMilliseconds: 2 ** 40 }]) {
    const b = Buffer.alloc(256);
    assert.equal(b.toString('utf8', 0, enc.writeRun(r, keys, b, 0)), expectedLine(r), JSON.stringify(r));
  }
  assert.equal(enc.writeRun({ kind: 'flow', a: 1, flowStartMilliseconds: 5 }, keys, Buffer.alloc(10), 0), NO_ROOM);
});
