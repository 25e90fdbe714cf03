// Fuzzing the parsers around the decoder: template state files, filter expressions, CLI flag
// values (numbers, listen addresses, allowlists, exporter addresses, sink URLs) and NDJSON input.
// Properties: only the parser's own typed error is ever thrown (never a TypeError, RangeError or a
// stack overflow), what is accepted is in range, and nothing hangs (each input within a generous
// bound, as a hang guard rather than a speed test). Seeded: a failure names its input.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FlowDecoder } from '../lib/decoder.js';
import { compileFilter, FilterError } from '../lib/filter/expr.js';
import { parseSinkUrl, SinkUrlError } from '../lib/sinks/url.js';
import { parseNdjsonLine } from '../transforms/format/ndjson.js';
import { allowlist, parseListenAddress, UdpSourceOptionError } from '../transforms/sources/udp-source.js';
import { hostPort, int, num, UsageError } from '../bin/cli/args.js';
import { readTemplateFile } from '../bin/cli/templates-file.js';
import { parseTable, TableError, type TableFormat } from '../lib/enrich/table-file.js';
import { networksFromRows } from '../lib/enrich/networks.js';
import { exportersFromRows } from '../lib/enrich/exporters.js';
import { interfaceTableFromRows } from '../lib/enrich/interfaces.js';
import { ipfix, set } from './helpers/build.js';
import { Prng } from './fuzz/prng.js';

const HANG_MS = 2000;
const ALPHABET = ['a', 'Z', '0', '9', '-', '_', '.', ':', '/', '[', ']', '(', ')', '&', '|', '!', '=', '<', '>', '"', "'", '\\', ' ', '\t', '\n', '\u0000', '\u00e9', '\u{1F600}', '%', '?', '#', '@', ',', '{', '}', '$', 'e', 'x', '+', '*', '1e99', '-1', '65536', '4294967296', 'NaN', 'Infinity', '::', '::1', '127.0.0.1', '10.0.0.0/8', '/40', 'constructor', '__proto__', 'kafka://', 'redis://', '&&', '||', '==', '!=', '>='];

const junk = (r: Prng, n = 1 + r.int(24)): string => Array.from({ length: n }, () => r.pick(ALPHABET)).join('');

/** Calls `fn` on 3,000 inputs; any throw must be `expected`; returns accepted results. */
function fuzz<T>(seed: number, make: (r: Prng) => string, fn: (s: string) => T, expected: (new (...a: never[]) => Error)[]): T[] {
  const r = new Prng(seed);
  const accepted: T[] = [];
  for (let i = 0; i < 3000; i++) {
    const input = make(r);
    const started = Date.now();
    try {
      accepted.push(fn(input));
    } catch (err) {
      assert.ok(expected.some((E) => err instanceof E), `input ${JSON.stringify(input)} threw ${(err as Error).stack}`);
    }
    assert.ok(Date.now() - started < HANG_MS, `input ${JSON.stringify(input)} took ${Date.now() - started} ms`);
  }
  return accepted;
}

test('fuzz: filter expressions either compile or give a FilterError with a column; compiled ones never throw on records', () => {
  const records = [{ a: 1, b: 'x', protocolIdentifier: 6 }, {}, { 'a-b': null, constructor: 3 }, Object.create(null) as Record<string, unknown>];
  const preds = fuzz(1, (r) => junk(r), (s) => compileFilter(s), [FilterError]);
  for (const p of preds) for (const rec of records) assert.equal(typeof p(rec), 'boolean');
  assert.ok(preds.length > 0);
});

test('fuzz: numeric flags are in range or a UsageError', () => {
  for (const v of fuzz(2, (r) => junk(r, 1 + r.int(3)), (s) => int(s, '--workers', 0, 64), [UsageError])) assert.ok(v! >= 0 && v! <= 64 && Number.isInteger(v));
  for (const v of fuzz(3, (r) => junk(r, 1 + r.int(3)), (s) => num(s, '--rate'), [UsageError])) assert.ok(Number.isFinite(v) && v! >= 0);
});

test('fuzz: listen addresses, exporter addresses and allowlists: valid or their typed error', () => {
  for (const a of fuzz(4, (r) => junk(r, 1 + r.int(4)), (s) => parseListenAddress(s), [UdpSourceOptionError])) assert.ok(Number.isInteger(a.port) && a.port >= 0 && a.port <= 65535);
  for (const a of fuzz(5, (r) => junk(r, 1 + r.int(4)), (s) => hostPort(s, '--exporter'), [UsageError])) assert.ok(a.port >= 0 && a.port <= 65535);
  const checks = fuzz(6, (r) => junk(r, 1 + r.int(4)), (s) => allowlist(s.split(',')), [UdpSourceOptionError]);
  for (const allowed of checks) assert.equal(typeof allowed('192.0.2.1', 2055), 'boolean');
});

test('fuzz: sink URLs parse or give a SinkUrlError', () => {
  const schemes = ['kafka://', 'redis://', 'nats://', 'clickhouse://', 'postgres://', 'file://', 'bogus://', ''];
  fuzz(7, (r) => r.pick(schemes) + junk(r), (s) => parseSinkUrl(s, {}), [SinkUrlError]);
});

test('fuzz: NDJSON lines (flowpipe\'s own output, mutated) parse or give a SyntaxError', () => {
  const lines = [
    '{"kind":"flow","octetDeltaCount":18446744073709551615,"exporter":"192.0.2.1:2055","s":"\\u0000\\u0000abc"}',
    '{"a":[1,2,{"b":-0.5e-3}],"c":null,"d":true,"e":"x\\"y"}',
  ];
  fuzz(8, (r) => {
    const base = r.pick(lines);
    const chars = [...base];
    for (let k = 0; k < 1 + r.int(4); k++) chars.splice(r.int(chars.length + 1), r.int(3), ...junk(r, r.int(3)));
    return chars.join('');
  }, (s) => parseNdjsonLine(s), [SyntaxError]);
});

/** A valid saved template, then one value in it replaced by something hostile. */
function hostileEntry(r: Prng): unknown {
  const entry: Record<string, unknown> = {
    exporter: '192.0.2.1:2055', protocol: 'ipfix', domain: 0, templateId: 256 + r.int(10), options: false,
    fields: [{ id: 8, pen: 0, length: 4, scope: false }, { id: 7, pen: 0, length: 2, scope: false }],
  };
  const values: unknown[] = [-1, 1e99, '4', null, [], {}, true, 65535, 65536, 2 ** 31, -0, 0.5, '', 'x'.repeat(400), [{}], Array(2000).fill({ id: 1, pen: 0, length: 1, scope: false })];
  const keys = ['exporter', 'protocol', 'domain', 'templateId', 'options', 'fields', 'field.id', 'field.pen', 'field.length', 'field.scope'];
  const k = r.pick(keys);
  const v = r.pick(values);
  if (k.startsWith('field.')) (entry['fields'] as Record<string, unknown>[])[r.int(2)]![k.slice(6)] = v;
  else entry[k] = v;
  return r.chance(0.1) ? r.pick(values) : entry;
}

test('fuzz: template state files: hostile entries are skipped, the rest loaded, and decoding with them never hangs', () => {
  const r = new Prng(9);
  const data = ipfix({}, ...Array.from({ length: 10 }, (_, i) => set(256 + i, Buffer.alloc(60, 1))));
  for (let i = 0; i < 500; i++) {
    const saved = Array.from({ length: 1 + r.int(5) }, () => hostileEntry(r));
    const dec = new FlowDecoder();
    const started = Date.now();
    dec.importTemplates(saved, 0, () => undefined);
    const res = dec.decode(data, { address: '192.0.2.1', port: 2055 }, 0);
    assert.ok(Array.isArray(res.records));
    assert.ok(!res.errors.some((e) => e.kind === 'internal'), JSON.stringify(res.errors));
    assert.ok(Date.now() - started < HANG_MS, JSON.stringify(saved).slice(0, 300));
  }
  // The same through the file reader, with the file's bytes mutated too: no throw, ever.
  const dir = mkdtempSync(join(tmpdir(), 'flowpipe-fuzz-state-'));
  const file = join(dir, 'state.json');
  const write = process.stderr.write.bind(process.stderr);
  process.stderr.write = (() => true) as typeof process.stderr.write; // the reader names each bad entry on stderr
  try {
    for (let i = 0; i < 300; i++) {
      const text = JSON.stringify(Array.from({ length: 1 + r.int(4) }, () => hostileEntry(r)));
      const chars = [...text];
      if (r.chance(0.5)) chars.splice(r.int(chars.length), r.int(4), ...junk(r, r.int(3)));
      writeFileSync(file, chars.join(''));
      const loaded = readTemplateFile(file);
      assert.ok(Array.isArray(loaded));
      new FlowDecoder().importTemplates(loaded, 0);
    }
  } finally {
    process.stderr.write = write;
  }
});

test('fuzz: operator tables (networks, exporters, interfaces as YAML, JSON, CSV), mutated: rows or a TableError naming the line', () => {
  const texts: [TableFormat, string][] = [
    ['yaml', '10.0.0.0/8:\n  name: corp\n  role: internal\n192.0.2.0/24: lab\n'],
    ['json', '{"10.0.0.0/8": {"name": "corp", "site": "par"}, "2001:db8::/32": "v6"}'],
    ['csv', 'prefix,name,role\n10.0.0.0/8,corp,internal\n192.0.2.0/24,"lab, west",dmz\n'],
    ['yaml', '192.0.2.1:\n  name: edge1\n  interfaces:\n    10: { name: xe-0/0/0, speed: 10000000000 }\n'],
  ];
  const builders = [
    (rows: ReturnType<typeof parseTable>): unknown => networksFromRows(rows),
    (rows: ReturnType<typeof parseTable>): unknown => exportersFromRows(rows),
    (rows: ReturnType<typeof parseTable>): unknown => interfaceTableFromRows(rows),
  ];
  const r = new Prng(10);
  fuzz(10, () => {
    const [format, base] = r.pick(texts);
    const chars = [...base];
    for (let k = 0; k < 1 + r.int(3); k++) chars.splice(r.int(chars.length + 1), r.int(3), ...junk(r, r.int(3)));
    return `${format}\u0001${chars.join('')}`;
  }, (s) => {
    const [format, text] = s.split('\u0001') as [TableFormat, string];
    const rows = parseTable(text, format, format === 'csv' ? 'prefix' : 'prefix');
    for (const b of builders) {
      try { b(rows); } catch (err) { if (!(err instanceof TableError)) throw err; }
    }
    return rows;
  }, [TableError]);
});
