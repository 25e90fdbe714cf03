import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { parse as parseYaml } from 'yaml';
import { checkPipeline } from '../../../lib/pipeline/check.js';
import { alternativeNames, ENRICHER_STAGES, pipelineSchema, type SchemaNode } from '../../../lib/pipeline/schema.js';
import { buildStage } from '../../../bin/cli/pipeline-stages.js';
import { argsFromConfig } from '../../../bin/cli/pipeline-args.js';
import type { PipelineConfig, StageSpec } from '../../../lib/pipeline/config.js';
import { run } from '../../helpers/cli.js';
import { ROOT } from '../../helpers/paths.js';

const tmp = mkdtempSync(join(tmpdir(), 'flowpipe-pipeline-check-'));
const SAMPLE = join(ROOT, 'examples/samples/softflowd-ipfix.bin');

/** `flowpipe run --check` on `text`: exit status and stderr lines. */
function checkCli(text: string): { status: number | null; errors: string[]; out: string } {
  const file = join(tmp, `p${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(file, text);
  const r = run(['run', '--check', file]);
  return { status: r.status, errors: r.stderr.toString().trim().split('\n').filter(Boolean).map((l) => l.slice(file.length)), out: r.stdout.toString() };
}

const base = `sources:\n  - files: { paths: [${SAMPLE}] }\n`;

// Each kind of error at its FILE:LINE:COLUMN, exit 2, nothing run.
const cases: [string, string, RegExp][] = [
  ['YAML syntax: an unclosed [ is reported where it opens', `sources:\n  - files: { paths: [a.pcap }\nstages: []\n`, /^:2:21: YAML: .*end with a \]/],
  ['unknown stage, with a did-you-mean', `${base}stages:\n  - normalise: {}\n`, /^:4:5: stages\[0\]: unknown stage 'normalise' \(did you mean 'normalize'\?\)$/],
  ['unknown key at a nested level', `${base}stages:\n  - aggregate: { by: [dstAddr], window: 1m, windw: 2m }\n`, /^:4:45: stages\[0\] \(aggregate\): unknown key 'windw' \(did you mean 'window'\?\)$/],
  ['bad option type', `${base}stages:\n  - topN: { n: ten, key: [dstAddr] }\n`, /^:4:16: stages\[0\] \(topN\)\.n: expected an integer, got string "ten"$/],
  ['bad CIDR', `${base}stages:\n  - sampling: { defaults: { 10.0.0.0/33: 100 } }\n`, /^:4:29: stages\[0\] \(sampling\)\.defaults\.10\.0\.0\.0\/33: .*0-32/],
  ['bad sink URL', `${base}sinks:\n  - to: kafka://broker:0/flows\n`, /^:4:9: sinks\[0\]\.to: .*port from 1 to 65535/],
  ['missing environment variable', `${base}sinks:\n  - to: redis://\${FLOWPIPE_TEST_UNSET_HOST}:6379/k\n`, /^:4:9: sinks\[0\]\.to: environment variable FLOWPIPE_TEST_UNSET_HOST is not set$/],
  ['a filter expression that does not parse', `${base}stages:\n  - filter: { expr: "dstPort == " }\n`, /^:4:21: stages\[0\] \(filter\)\.expr: the filter does not parse/],
  ['a bad duration', `${base}stages:\n  - pair: { timeout: 5 minutes }\n`, /^:4:22: stages\[0\] \(pair\)\.timeout: .*not a duration/],
  ['enrichers after other stages', `${base}stages:\n  - filter: { expr: "proto==6" }\n  - normalize\n`, /^:5:5: stages\[1\] \(normalize\): enrichers come first/],
  ['fields not last', `${base}stages:\n  - fields: [srcAddr]\n  - filter: { expr: "proto==6" }\n`, /^:4:5: stages\[0\] \(fields\): fields is the last stage$/],
  ['two source kinds', `${base}  - udp: { listen: "2055" }\n`, /^:2:3: sources: one kind per pipeline/],
  ['unknown top-level key', `${base}sink:\n  - to: out.ndjson\n`, /^:3:1: unknown key 'sink' \(did you mean 'sinks'\?\)$/],
  ['udp-only option on a files pipeline', `${base}run: { metrics: "127.0.0.1:9100" }\n`, /^:3:17: run\.metrics: only for udp sources$/],
];
for (const [what, text, want] of cases) {
  test(`run --check: ${what}`, () => {
    const r = checkCli(text);
    assert.equal(r.status, 2, r.errors.join('\n'));
    assert.equal(r.out, '', 'nothing on stdout');
    assert.ok(r.errors.some((e) => want.test(e)), `${r.errors.join('\n')}\n  wanted ${want}`);
  });
}

test('run --check: every error of a file at once, in line order', () => {
  const r = checkCli(`${base}stages:\n  - servces\n  - topN: { n: 0, key: [dstAddr] }\nsinks:\n  - to: nats://:4222/x\noutput: { format: yaml }\n`);
  assert.equal(r.status, 2);
  assert.equal(r.errors.length, 4, r.errors.join('\n'));
  assert.deepEqual(r.errors.map((e) => Number(e.split(':')[1])), [4, 5, 7, 8]);
  assert.match(r.errors[3]!, /output\.format: 'yaml' is not one of ndjson, json, csv, table, count/);
});

test('run --check: a valid file prints the resolved pipeline and the same command line, exit 0', () => {
  const r = checkCli(`${base}stages:\n  - normalize\n  - filter: { expr: "dstPort==443" }\nsinks:\n  - to: \${FLOWPIPE_TEST_OUT:-out.ndjson}\nbranches:\n  - name: web\n    stages: [ { aggregate: { by: [dstAddr], window: 1m } } ]\n    sinks: [ { to: agg.ndjson } ]\n`);
  assert.equal(r.status, 0, r.errors.join('\n'));
  assert.match(r.out, /stage 1 normalize\n  stage 2 filter expr=dstPort==443\n  sink    out\.ndjson\n  branch web\n    stage 1 aggregate by=\["dstAddr"\] window=1m\n    sink  agg\.ndjson/);
  assert.match(r.out, /same as: flowpipe decode \S+softflowd-ipfix\.bin --normalize --filter dstPort==443 --to \S+\/out\.ndjson \(plus the stages and branches above\)/);
});

test('pipeline.schema.json is the schema the checker uses, and a JSON Schema validator (ajv) agrees with the checker', () => {
  const published = JSON.parse(readFileSync(join(ROOT, 'pipeline.schema.json'), 'utf8')) as unknown;
  assert.deepEqual(published, JSON.parse(JSON.stringify(pipelineSchema)), 'npm run gen:schema');
  const ajv = new Ajv({ allErrors: true, strict: false });
  const validate = ajv.compile(published as object);
  const valid = [`${base}stages:\n  - normalize\n  - topN: { n: 5, key: [dstAddr], window: 5m }\nsinks: [ { to: out.ndjson } ]\n`, `sources:\n  - udp: { listen: "127.0.0.1:2055", allow: [192.0.2.0/24] }\ndecode: { workers: 2 }\n`];
  for (const v of valid) {
    assert.equal(checkPipeline(v).errors.length, 0);
    assert.equal(validate(parseYaml(v)), true, JSON.stringify(validate.errors));
  }
  for (const bad of [`${base}sink: []\n`, `${base}stages:\n  - normalise: {}\n`, `${base}stages:\n  - topN: { n: 5 }\n`, `sources: []\n`, `${base}output: { format: yaml }\n`]) {
    assert.ok(checkPipeline(bad).errors.length > 0, bad);
    assert.equal(validate(parseYaml(bad)), false, bad);
  }
});

test('every stage the schema names is built: enrichers as decode flags, the rest as streams', async () => {
  const rulesFile = join(tmp, 'rules.yaml');
  writeFileSync(rulesFile, '- { name: big, threshold: 1000, measure: pps }\n');
  const samples: Record<string, StageSpec> = {
    filter: { filter: { expr: 'proto==6' } }, map: { map: { module: join(ROOT, 'dist/test/helpers/paths.js'), function: 'ROOT' } }, fields: { fields: ['srcAddr'] },
    alert: { alert: { rules: rulesFile } }, aggregate: { aggregate: { by: ['dstAddr'], window: '1m' } },
    topN: { topN: { n: 3, key: ['dstAddr'] } }, pair: { pair: { timeout: '30s' } },
  };
  const stage = ((pipelineSchema as SchemaNode).properties!["stages"]!).items!;
  for (const name of alternativeNames(stage)) {
    if ((ENRICHER_STAGES as readonly string[]).includes(name)) {
      const c: PipelineConfig = { sources: [{ files: { paths: [SAMPLE] } }], stages: [{ [name]: name === 'geoip' ? { files: ['a.mmdb'] } : name === 'sampling' ? { defaults: { '0.0.0.0/0': 10 } } : ['interfaces', 'networks', 'exporters'].includes(name) ? { file: 'x.yaml' } : {} } as StageSpec] };
      assert.ok(argsFromConfig(c, tmp).argv.length > 1, name);
      assert.deepEqual(argsFromConfig(c, tmp).extras.stages, [], `${name} is a flag`);
    } else {
      assert.ok(samples[name] !== undefined, `a sample for ${name}`);
      if (name === 'map') continue; // a module's named export must be a function: built in the run tests
      const s = await buildStage(samples[name]!, tmp, 'stages[0]');
      assert.equal(typeof s.pipe, 'function', name);
    }
  }
});
