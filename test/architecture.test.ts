// The layout is the architecture (lib/README.md): these checks keep it so as files are added.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, posix } from 'node:path';
import { ROOT } from './helpers/paths.js';

const SOURCE_DIRS = ['lib', 'transforms', 'bin'];

function tsFiles(dir: string): string[] {
  return readdirSync(join(ROOT, dir)).flatMap((f) => {
    const p = posix.join(dir, f);
    return statSync(join(ROOT, p)).isDirectory() ? tsFiles(p) : p.endsWith('.ts') ? [p] : [];
  });
}

const files = [...SOURCE_DIRS.flatMap(tsFiles), 'index.ts'];
const text = new Map(files.map((f) => [f, readFileSync(join(ROOT, f), 'utf8')]));

/** Relative imports of a file, as repository paths of .ts files. */
function importsOf(f: string): string[] {
  return [...text.get(f)!.matchAll(/(?:from|import)\s*\(?\s*'(\.\.?\/[^']+?)\.js'/g)].map((m) => posix.normalize(posix.join(posix.dirname(f), m[1]!)) + '.ts');
}

test('no import cycles between source files', () => {
  const state = new Map<string, 1 | 2>();
  const cycles: string[] = [];
  const visit = (f: string, stack: string[]): void => {
    state.set(f, 1);
    stack.push(f);
    for (const d of importsOf(f)) {
      if (state.get(d) === 1) cycles.push([...stack.slice(stack.indexOf(d)), d].join(' -> '));
      else if (!state.has(d) && text.has(d)) visit(d, stack);
    }
    stack.pop();
    state.set(f, 2);
  };
  for (const f of files) if (!state.has(f)) visit(f, []);
  assert.deepEqual(cycles, []);
});

test('lib/ is pure: it imports nothing outside lib/ and no I/O module', () => {
  const io = /from 'node:(fs|fs\/promises|dgram|child_process|worker_threads|http|https|http2|os|readline|cluster|stream|stream\/promises|zlib|process)'/;
  const problems: string[] = [];
  for (const f of files.filter((x) => x.startsWith('lib/'))) {
    for (const d of importsOf(f)) if (!d.startsWith('lib/')) problems.push(`${f} imports ${d}`);
    const m = io.exec(text.get(f)!);
    if (m) problems.push(`${f}: ${m[0]}`);
    const net = /import \{([^}]*)\} from 'node:net'/.exec(text.get(f)!);
    if (net && net[1]!.split(',').some((n) => !/^\s*(isIP|isIPv4|isIPv6)\s*$/.test(n))) problems.push(`${f}: node:net beyond isIP`);
  }
  assert.deepEqual(problems, []);
});

test('protocol folders import only codec/, registry/ and the shared types', () => {
  const lower = ['lib/codec/', 'lib/registry/', 'lib/netflow/', 'lib/sflow/'];
  const problems: string[] = [];
  for (const f of files.filter((x) => lower.some((l) => x.startsWith(l)))) {
    const own = lower.find((l) => f.startsWith(l))!;
    for (const d of importsOf(f)) {
      const ok = d.startsWith(own) || d.startsWith('lib/codec/') || d.startsWith('lib/registry/') || d === 'lib/types.ts';
      if (!ok) problems.push(`${f} imports ${d}`);
    }
  }
  assert.deepEqual(problems, []);
});

test('at most 6 .ts files directly in lib/, no hand-written file over 400 lines', () => {
  const top = files.filter((f) => /^lib\/[^/]+\.ts$/.test(f));
  assert.ok(top.length <= 6, `lib/ holds ${top.join(', ')}`);
  const long = files.filter((f) => !f.endsWith('.generated.ts') && text.get(f)!.split('\n').length > 400);
  assert.deepEqual(long, []);
});

test('the README names no build path of lib/ or transforms/', () => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  assert.doesNotMatch(readme, /dist\/(lib|transforms)/);
  assert.ok(statSync(join(ROOT, 'lib/README.md')).isFile());
});

test('the README documents every normalized and enriched field', async () => {
  const { NORMALIZED_FIELDS, ENRICHED_FIELDS } = await import('../lib/normalize/flow.js');
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Normalized flows and enrichment'), readme.indexOf('## Errors are data'));
  for (const f of NORMALIZED_FIELDS) assert.match(section, new RegExp(`^\\| \`${f}\` \\|`, 'm'), f);
  for (const f of ENRICHED_FIELDS) assert.ok(section.includes(`\`${f}\``) || (f.startsWith('dstNet') && section.includes('`dstNet…`')), f);
});
