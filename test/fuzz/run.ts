#!/usr/bin/env node
// npm run fuzz -- [--inputs N] [--seed S] [--save DIR]
// Long run: npm run fuzz -- --inputs 10000000
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fuzz } from './harness.js';

const arg = (name: string, def: string): string => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] ?? def : def;
};
const inputs = Number(arg('--inputs', '1000000'));
const seed = Number(arg('--seed', String(Date.now() % 2 ** 31)));
const save = arg('--save', '');

console.log(`fuzzing ${inputs} inputs, seed ${seed}`);
const report = fuzz(seed, inputs, (done, r) => {
  process.stdout.write(`  ${done} inputs, ${r.records} records, worst ${r.worstMs.toFixed(2)} ms, ${r.failures.length} failures\n`);
});
const rate = report.inputs / report.seconds;
console.log(JSON.stringify({ ...report, failures: report.failures.length, inputsPerSecond: Math.round(rate) }, null, 1));
for (const [i, f] of report.failures.entries()) {
  console.log(`FAILURE ${i}: ${f.property}: ${f.detail}`);
  if (save) {
    mkdirSync(save, { recursive: true });
    const base = join(save, `seed${seed}-${i}`);
    writeFileSync(base + '.json', JSON.stringify({ property: f.property, detail: f.detail, exporter: f.exporter, before: f.before.slice(-50).map((b) => b.toString('hex')), input: f.input.toString('hex') }, null, 1));
    console.log(`  saved ${base}.json`);
  }
}
process.exitCode = report.failures.length > 0 ? 1 : 0;
