// The interpreted tier decodes exactly what the compiled tier does: same records, same keys in
// the same order, same end offset, same nested-list errors, same refusals of records that do not
// fit; on every template the corpus teaches and on random templates (lists, varlen, odd lengths,
// enterprise elements, repeats, derived times).
import { test } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import assert from 'node:assert/strict';
import { compileTemplate } from '../../../lib/netflow/compile.js';
import { newContext, type RecordContext } from '../../../lib/netflow/record-context.js';
import { TieredTemplate } from '../../../lib/netflow/tiered.js';
import type { CompiledTemplate, FieldSpec, TemplateDef } from '../../../lib/netflow/template.js';
import { FlowDecoder } from '../../../lib/decoder.js';
import { ipfixElement, v9Element, v9ScopeElement } from '../../../lib/registry/index.js';
import { CORPUS_EXPORTER, loadManifest, readCorpus } from '../../helpers/corpus.js';
import { Prng } from '../../fuzz/prng.js';

const spec = (protocol: TemplateDef['protocol'], id: number, pen: number, length: number, scope: boolean): FieldSpec => {
  const info = protocol === 'ipfix' ? ipfixElement(pen, id) : scope ? v9ScopeElement(id) : v9Element(id);
  return { id, pen, length, name: info.name, type: info.type, known: info.known, scope };
};

/** Every template the corpus defines. */
function corpusTemplates(): TemplateDef[] {
  const dec = new FlowDecoder();
  for (const e of loadManifest()) {
    if (e.protocol === 'sflow-v5') continue;
    try { dec.decode(readCorpus(e.file), CORPUS_EXPORTER, 1_700_000_000_000); } catch { /* not a raw export */ }
  }
  return dec.exportTemplates().map((t) => ({
    protocol: t.protocol, id: t.templateId, options: t.options, fields: t.fields.map((f) => spec(t.protocol, f.id, f.pen, f.length, f.scope)),
  }));
}

const IDS = [1, 2, 4, 7, 8, 12, 21, 22, 27, 56, 82, 95, 136, 150, 151, 152, 153, 154, 156, 160, 210, 291, 292, 293, 434, 320, 276, 999, 32000];
const LENGTHS = [0, 1, 2, 3, 4, 5, 6, 8, 9, 16, 65535, 65535];

function randomTemplate(r: Prng, id: number): TemplateDef {
  const ipfix = r.chance(0.7);
  const n = r.int(14) + 1;
  const options = r.chance(0.2);
  const fields: FieldSpec[] = [];
  for (let i = 0; i < n; i++) {
    const pen = ipfix && r.chance(0.2) ? r.pick([29305, 9, 4242]) : 0;
    fields.push(spec(ipfix ? 'ipfix' : 'netflow-v9', r.pick(IDS), pen, r.pick(LENGTHS), options && i === 0));
  }
  return { protocol: ipfix ? 'ipfix' : 'netflow-v9', id, options, fields };
}

function randomRecord(r: Prng, def: TemplateDef): Buffer {
  const parts: Buffer[] = [];
  for (const f of def.fields) {
    if (f.length !== 65535) parts.push(r.bytes(f.length));
    else {
      const n = r.chance(0.1) ? 255 + r.int(300) : r.int(40);
      parts.push(n >= 255 ? Buffer.from([255, n >> 8, n & 255]) : Buffer.from([n]), r.bytes(n));
    }
  }
  return Buffer.concat(parts);
}

function context(r: Prng, lookup: RecordContext['lookup']): RecordContext {
  const c = newContext();
  c.exportTime = 1_700_000_000_000;
  c.uptimeMs = r.chance(0.5) ? r.int(2 ** 32) : NaN;
  c.initMs = r.chance(0.5) ? 1_690_000_000_000 : NaN;
  c.lookup = lookup;
  return c;
}

/** Decodes with one tier: the record (or null), its keys, where it ended and the errors it reported. */
function run(t: Pick<CompiledTemplate, 'decodeRecord' | 'decodeFields'>, nested: boolean, b: Buffer, end: number, c: RecordContext): unknown {
  c.errors = [];
  c.next = -1;
  const v = nested ? t.decodeFields(b, 0, end, c) : t.decodeRecord(b, 0, end, c);
  return { v, keys: v === null ? null : Object.keys(v), next: c.next, errors: c.errors };
}

test('interpreted and compiled tiers decode identically (corpus templates and 3,000 random ones)', () => {
  const r = new Prng(20261202);
  const defs = [...corpusTemplates(), ...Array.from({ length: 3000 }, (_, i) => randomTemplate(r, 256 + (i % 20)))];
  assert.ok(defs.length > 3050);
  let compared = 0;
  for (const def of defs) {
    const compiled = compileTemplate(def);
    const tiered = new TieredTemplate(def);
    assert.equal(tiered.compiled, false);
    assert.deepEqual(tiered.recordKeys, compiled.recordKeys);
    // subTemplateLists refer to the template itself (and so nest until the depth cap)
    const lookupC = (id: number): CompiledTemplate | undefined => (id === def.id ? compiled : undefined);
    const lookupT = (id: number): CompiledTemplate | undefined => (id === def.id ? tiered : undefined);
    for (let k = 0; k < 4; k++) {
      const rec = randomRecord(r, def);
      const seed = r.int(1e9);
      for (const end of [rec.length, r.int(rec.length + 1)]) {
        for (const nested of [false, true]) {
          const a = run(compiled, nested, rec, end, context(new Prng(seed), lookupC));
          const b = run(tiered, nested, rec, end, context(new Prng(seed), lookupT));
          assert.deepStrictEqual(b, a, `template ${JSON.stringify(def.fields.map((f) => [f.id, f.pen, f.length]))}`);
          compared++;
        }
      }
    }
  }
  assert.ok(compared > 40_000);
});

test('a template is compiled after decoding data in its third datagram, and can go back to the interpreter', () => {
  const def: TemplateDef = { protocol: 'ipfix', id: 300, options: false, fields: [spec('ipfix', 8, 0, 4, false), spec('ipfix', 1, 0, 8, false)] };
  const t = new TieredTemplate(def);
  const interpreted = t.decodeRecord;
  t.used(1); t.used(1); t.used(2);
  assert.equal(t.compiled, false, 'two datagrams (several sets in one count once)');
  t.used(3);
  assert.equal(t.compiled, true);
  assert.notEqual(t.decodeRecord, interpreted);
  t.uncompile();
  assert.equal(t.decodeRecord, interpreted);
});

test('interpreted records are fast objects, however wide (a dictionary-mode record would make the NDJSON writers slow for good)', () => {
  setFlagsFromString('--allow-natives-syntax');
  const hasFastProperties = new Function('o', 'return %HasFastProperties(o)') as (o: object) => boolean;
  // 40 fields, flowStart/EndSysUpTime among them (derived times known in one context, not the other)
  const ids = [8, 12, 1, 2, 7, 11, 4, 6, 10, 14, 22, 21, 5, 9, 13, 15, 16, 17, 56, 80];
  const fields = [...ids, ...ids.map((id) => id)].map((id, i) => ({ ...spec('netflow-v9', id, 0, 4, false), name: `f${i}_${v9Element(id).name}` }));
  fields[10] = spec('netflow-v9', 22, 0, 4, false);
  fields[11] = spec('netflow-v9', 21, 0, 4, false);
  const t = new TieredTemplate({ protocol: 'netflow-v9', id: 400, options: false, fields });
  const rec = Buffer.alloc(160, 7);
  for (const uptime of [5_000_000, NaN]) {
    const c = newContext();
    c.exportTime = 1_700_000_000_000;
    c.uptimeMs = uptime;
    const a = t.decodeRecord(rec, 0, rec.length, c)!;
    const b = t.decodeFields(rec, 0, rec.length, c)!;
    assert.equal(Object.keys(a).length, Number.isNaN(uptime) ? 47 : 49);
    assert.ok(hasFastProperties(a) && hasFastProperties(b));
    assert.equal(Object.hasOwn(a, 'flowStartMilliseconds'), !Number.isNaN(uptime));
  }
  assert.equal(t.compiled, false);
});
