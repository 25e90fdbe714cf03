// A bounded fuzz round in CI (>= 100,000 inputs), and every saved fuzz finding replayed.
// The long run is `npm run fuzz -- --inputs 10000000`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { fuzz, replay } from './fuzz/harness.js';

const FIXTURES = fileURLToPath(new URL('../../test/fixtures/fuzz/', import.meta.url));

test('fuzz: 100,000 mutated and generated inputs, no property broken', () => {
  const report = fuzz(20261123, 100_000);
  console.log(`fuzz: ${report.inputs} inputs in ${report.seconds.toFixed(1)} s, ${report.records} records, ${report.events} template events, worst ${report.worstMs.toFixed(1)} ms per datagram, errors ${JSON.stringify(report.errors)}`);
  assert.ok(report.inputs >= 100_000);
  assert.deepEqual(report.failures.map((f) => `${f.property}: ${f.detail}`), []);
  // The round must reach the decoders, not just bounce off headers.
  assert.ok(report.records > 100_000 && report.events > 10_000, 'inputs decode into records and templates');
  for (const kind of ['truncated', 'bad-template', 'bad-length', 'record-overflow', 'template-miss', 'unknown-version']) {
    assert.ok((report.errors[kind] ?? 0) > 0, `the round produces ${kind} errors`);
  }
});

interface Finding { found: string; property: string; problem: string; exporter: { address: string; port: number }; before: string[]; input: string }

for (const file of readdirSync(FIXTURES).filter((f) => f.endsWith('.json'))) {
  test(`fuzz regression ${file}`, () => {
    const f = JSON.parse(readFileSync(FIXTURES + file, 'utf8')) as Finding;
    const input = Buffer.from(f.input, 'hex');
    const started = Date.now();
    const results = replay(f.before.map((h) => Buffer.from(h, 'hex')), input, f.exporter);
    assert.ok(Date.now() - started < 1000, 'replays in bounded time');
    for (const r of results) {
      for (const e of r.errors) {
        assert.notEqual(e.kind, 'internal', e.reason);
        if (e.offset > input.length) assert.equal(e.held, true, `offset ${e.offset} beyond the input must be marked held`);
      }
    }
    if (/held/.test(f.problem)) assert.ok(results.at(-2)!.errors.some((e) => e.held), 'the finding still exercises held data');
    assert.ok(results.at(-2)!.errors.length > 0, 'the bad input is reported as typed errors');
  });
}
