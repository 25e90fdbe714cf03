// Exporter-controlled strings in human and spreadsheet outputs, and flowpipe's own NDJSON read back.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { toCsv, toTable, fromNdjson, toNdjson } from '../../../index.js';
import { csvCell, tableCell } from '../../../lib/ndjson/cells.js';
import { pickFields } from '../../../lib/ndjson/record-output.js';

async function text(records: object[], stage: NodeJS.ReadWriteStream): Promise<string> {
  let out = '';
  await pipeline(Readable.from(records), stage, async (src: AsyncIterable<Buffer | string>) => {
    for await (const c of src) out += c.toString();
  });
  return out;
}

const OSC = '\u001b]8;;http://evil.example\u0007link\u001b]8;;\u0007';
const CSI = '\u001b[2J\u001b[31mred';

test('table: control characters from exporters never reach the terminal', async () => {
  const out = await text([{ ifName: OSC, application: CSI, c1: 'a\u009bb', ok: 'Gi0/0/1' }], toTable());
  assert.doesNotMatch(out, /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);
  assert.match(out, /\\x1b\]8;;http:\/\/evil\.example\\x07link/);
  assert.match(out, /a\\x9bb/);
  assert.match(out, /Gi0\/0\/1/);
  assert.equal(tableCell('tab\there'), 'tab\\x09here');
});

test('csv: formula cells are neutralized (OWASP), numbers and plain text are not', async () => {
  assert.equal(csvCell('=HYPERLINK("http://evil.example","x")'), `"'=HYPERLINK(""http://evil.example"",""x"")"`);
  assert.equal(csvCell('+cmd'), "'+cmd");
  assert.equal(csvCell('@SUM(A1)'), "'@SUM(A1)");
  assert.equal(csvCell('-2+3'), "'-2+3");
  assert.equal(csvCell('\tx'), "'\tx");
  assert.equal(csvCell(-5), '-5');
  assert.equal(csvCell('-1.5e3'), '-1.5e3');
  assert.equal(csvCell('Gi0/1'), 'Gi0/1');
  const out = await text([{ ifName: '=1+1', bytes: -3 }], toCsv());
  assert.equal(out, "ifName,bytes\n'=1+1,-3\n");
});

test('fromNdjson reads back strings starting with NUL, next to big integers or not', async () => {
  const records = [
    { a: '\u0000abc', n: 1 },
    { a: '\u000012345', big: 18446744073709551615n },
    { a: '\u0000\u0000x', b: '\u000099', big: -9223372036854775808n, nested: { s: '\u0000', v: [12345678901234567890n, '\u00001'] } },
    { '\u0000key': 12345678901234567n },
  ];
  const ndjson = await text(records, toNdjson());
  const back: unknown[] = [];
  await pipeline(Readable.from([ndjson]), fromNdjson(), async (src: AsyncIterable<unknown>) => {
    for await (const r of src) back.push(r);
  });
  assert.deepEqual(back, records);
});

test('--fields never reads Object.prototype, and __proto__ stays a plain key', () => {
  assert.deepEqual(pickFields({ a: 1 }, ['constructor', 'toString', 'a']), { a: 1 });
  const parsed = JSON.parse('{"__proto__": {"polluted": 1}, "b": 2}') as Record<string, unknown>;
  const picked = pickFields(parsed, ['__proto__', 'b']);
  assert.equal(Object.getPrototypeOf(picked), Object.prototype);
  assert.deepEqual(Object.keys(picked), ['__proto__', 'b']);
  assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
});
