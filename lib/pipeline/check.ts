// Reads a pipeline file: YAML parsed with positions, ${ENV} interpolated, validated against the
// schema (unknown keys at any level are errors with a did-you-mean), value checks (CIDRs, URLs,
// filters, durations), then the rules between parts (one source kind, enrichers first, fields
// last). Every error has the line and column of what it is about. Pure: the caller reads the file
// and passes the environment.
import { isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import { stageName, type PipelineConfig, type StageSpec } from './config.js';
import { alternativeNames, ENRICHER_STAGES, pipelineSchema, type SchemaNode } from './schema.js';
import { checkValue, didYouMean } from './value-checks.js';

export interface PipelineError { line: number; col: number; message: string }

export interface PipelineCheck {
  /** The pipeline, when there is no error. */
  config: PipelineConfig | null;
  errors: PipelineError[];
}

type Env = Readonly<Record<string, string | undefined>>;

/** The offset of the unclosed `[`, `{` or quote a YAML error at `pos` is about (-1: not found). */
function openerBefore(text: string, pos: number, opener: string): number {
  const stack: number[] = [];
  let quote = '';
  let quoteAt = -1;
  for (let i = 0; i < pos && i < text.length; i++) {
    const c = text[i]!;
    if (quote !== '') {
      if (c === quote && text[i - 1] !== '\\') quote = '';
      continue;
    }
    if (c === '#' && (i === 0 || /\s/.test(text[i - 1]!))) { while (i < pos && text[i] !== '\n') i++; continue; }
    if (c === '"' || (c === "'" && (i === 0 || /[\s,[{:]/.test(text[i - 1]!)))) { quote = c; quoteAt = i; continue; }
    if (c === '[' || c === '{') stack.push(i);
    else if ((c === ']' || c === '}') && stack.length > 0) stack.pop();
  }
  if (opener === '"') return quote !== '' ? quoteAt : -1;
  for (let k = stack.length - 1; k >= 0; k--) if (text[stack[k]!] === opener) return stack[k]!;
  return -1;
}

class Checker {
  readonly errors: PipelineError[] = [];

  constructor(private readonly lc: LineCounter, private readonly doc: Document, private readonly env: Env) {}

  error(node: Node | null | undefined, message: string, offset?: number): void {
    const at = offset ?? node?.range?.[0] ?? 0;
    const { line, col } = this.lc.linePos(at);
    this.errors.push({ line, col, message });
  }

  /** `${NAME}` and `${NAME:-default}` in a string; a missing variable is an error at the value. */
  interpolate(node: Node, text: string, where: string): string {
    return text.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g, (_m, name: string, fallback: string | undefined) => {
      const v = this.env[name];
      if (v !== undefined && v !== '') return v;
      if (fallback !== undefined) return fallback;
      this.error(node, `${where}: environment variable ${name} is not set`);
      return '';
    });
  }

  /** Validates `node` against `schema`, returning its value (undefined where it is wrong). */
  value(node: Node | null, schema: SchemaNode, where: string): unknown {
    if (node !== null && isAlias(node)) return this.value(node.resolve(this.doc) ?? null, schema, where);
    if (schema.oneOf !== undefined) return this.alternative(node, schema, where);
    const types = schema.type === undefined ? [] : Array.isArray(schema.type) ? schema.type : [schema.type];
    if (node === null || (isScalar(node) && node.value === null)) {
      this.error(node, `${where}: a value is needed${types.length > 0 ? ` (${types.join(' or ')})` : ''}`);
      return undefined;
    }
    if (isMap(node)) return types.includes('object') ? this.object(node, schema, where) : this.wrongType(node, types, 'a mapping', where);
    if (isSeq(node)) return types.includes('array') ? this.array(node, schema, where) : this.wrongType(node, types, 'a list', where);
    if (!isScalar(node)) return this.wrongType(node, types, 'something else', where);
    let v = node.value;
    if (typeof v === 'string') v = this.interpolate(node, v, where);
    const kind = typeof v === 'number' ? (Number.isInteger(v) ? 'integer' : 'number') : typeof v;
    // A number written where text is expected (a port, a duration in seconds) is that text.
    if (types.includes('string') && !types.includes('number') && (kind === 'integer' || kind === 'number')) v = String(v);
    else if (!(types.includes(kind as 'string') || (kind === 'integer' && types.includes('number')))) return this.wrongType(node, types, `${kind} ${JSON.stringify(v)}`, where);
    if (schema.enum !== undefined && !schema.enum.includes(v as string)) {
      this.error(node, `${where}: '${String(v)}' is not one of ${schema.enum.join(', ')}${didYouMean(String(v), schema.enum.map(String))}`);
      return undefined;
    }
    if (typeof v === 'number' && ((schema.minimum !== undefined && v < schema.minimum) || (schema.maximum !== undefined && v > schema.maximum))) {
      this.error(node, `${where}: ${v} is out of range ${schema.minimum ?? '-∞'}..${schema.maximum ?? '∞'}`);
      return undefined;
    }
    if (schema['x-check'] !== undefined && (typeof v === 'string' || typeof v === 'number')) {
      const wrong = checkValue(schema['x-check'], v);
      if (wrong !== null) { this.error(node, `${where}: ${wrong}`); return undefined; }
    }
    return v;
  }

  private wrongType(node: Node, types: readonly string[], got: string, where: string): undefined {
    this.error(node, `${where}: expected ${types.map((t) => (t === 'object' ? 'a mapping' : t === 'array' ? 'a list' : t === 'integer' ? 'an integer' : `a ${t}`)).join(' or ')}, got ${got}`);
    return undefined;
  }

  private object(node: Node & { items: { key: unknown; value: unknown }[] }, schema: SchemaNode, where: string): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    const known = Object.keys(schema.properties ?? {});
    for (const pair of node.items) {
      const keyNode = pair.key as Node;
      const key = isScalar(keyNode) ? String(keyNode.value) : '';
      const sub = `${where === '' ? '' : `${where}.`}${key}`;
      const prop = schema.properties?.[key] ?? (typeof schema.additionalProperties === 'object' ? schema.additionalProperties : undefined);
      if (prop === undefined) {
        this.error(keyNode, `${where === '' ? '' : `${where}: `}unknown key '${key}'${didYouMean(key, known)}${known.length > 0 && didYouMean(key, known) === '' ? ` (known: ${known.join(', ')})` : ''}`);
        continue;
      }
      if (typeof schema.additionalProperties === 'object' && schema.properties?.[key] === undefined && schema.additionalProperties['x-check'] === undefined) {
        // map keys of a rates table are CIDRs
        const wrong = checkValue('cidr', key);
        if (wrong !== null) { this.error(keyNode, `${sub}: ${wrong}`); continue; }
      }
      const v = this.value(pair.value as Node | null, prop, sub);
      if (v !== undefined) out[key] = v;
    }
    for (const r of schema.required ?? []) {
      if (!node.items.some((p) => isScalar(p.key) && p.key.value === r)) this.error(node, `${where === '' ? 'the pipeline' : where}: '${r}' is required`);
    }
    return out;
  }

  private array(node: Node & { items: unknown[] }, schema: SchemaNode, where: string): unknown[] {
    if (schema.minItems !== undefined && node.items.length < schema.minItems) this.error(node, `${where}: at least ${schema.minItems} needed`);
    return node.items.map((item, i) => this.value(item as Node, schema.items ?? {}, `${where}[${i}]`)).filter((v) => v !== undefined);
  }

  /** A stage or source: an object with one key, which names the alternative. */
  private alternative(node: Node | null, schema: SchemaNode, where: string): unknown {
    const names = alternativeNames(schema);
    if (node !== null && isScalar(node) && typeof node.value === 'string' && names.includes(node.value)) {
      // `- normalize` for a stage without options
      const alt = schema.oneOf!.find((a) => a.required?.[0] === node.value)!;
      if ((alt.properties![node.value]!.required ?? []).length === 0) return { [node.value]: {} };
    }
    if (node === null || !isMap(node) || node.items.length !== 1) {
      this.error(node, `${where}: expected a mapping with one of ${names.join(', ')}`);
      return undefined;
    }
    const keyNode = node.items[0]!.key as Node;
    const key = isScalar(keyNode) ? String(keyNode.value) : '';
    const alt = schema.oneOf!.find((a) => a.required?.[0] === key);
    if (alt === undefined) {
      this.error(keyNode, `${where}: unknown ${where.startsWith('sources') ? 'source' : 'stage'} '${key}'${didYouMean(key, names)}${didYouMean(key, names) === '' ? ` (one of ${names.join(', ')})` : ''}`);
      return undefined;
    }
    const body = node.items[0]!.value as Node | null;
    // `normalize:` with nothing after it is the stage without options
    const empty = body === null || (isScalar(body) && body.value === null);
    const v = empty && (alt.properties![key]!.required ?? []).length === 0 && alt.properties![key]!.type === 'object' ? {} : this.value(body, alt.properties![key]!, `${where} (${key})`);
    return v === undefined ? undefined : { [key]: v };
  }
}

/** The rules between parts of a valid document, each at its node. */
function crossChecks(c: Checker, doc: Document, config: PipelineConfig): void {
  const at = (path: (string | number)[]): Node | null => doc.getIn(path, true) as Node | null;
  const kinds = new Set(config.sources.map((s) => Object.keys(s)[0]));
  if (kinds.size > 1) c.error(at(['sources']), `sources: one kind per pipeline (udp, files or kafka), got ${[...kinds].join(' and ')}`);
  if (kinds.has('kafka') && config.sources.length > 1) c.error(at(['sources', 1]), 'sources: one kafka source per pipeline');
  const stageRules = (stages: readonly StageSpec[], path: (string | number)[], trunk: boolean): void => {
    let seenOther = false;
    stages.forEach((s, i) => {
      const name = stageName(s);
      const node = at([...path, i]);
      const label = `${path.join('.')}[${i}] (${name})`;
      if ((ENRICHER_STAGES as readonly string[]).includes(name)) {
        if (!trunk) c.error(node, `${label}: enrichers run in the trunk's stages, before any branch`);
        else if (seenOther) c.error(node, `${label}: enrichers come first (they run fused into decoding), before filters, maps and analysis`);
      } else seenOther = true;
      if (name === 'fields' && i !== stages.length - 1) c.error(node, `${label}: fields is the last stage`);
      if (name === 'filter') {
        const f = (s as { filter: { expr?: string; module?: string; function?: string } }).filter;
        if ((f.expr === undefined) === (f.module === undefined)) c.error(node, `${label}: give expr or module (one of them)`);
        if (f.function !== undefined && f.module === undefined) c.error(node, `${label}: function goes with module`);
      }
    });
  };
  stageRules(config.stages ?? [], ['stages'], true);
  (config.branches ?? []).forEach((b, i) => stageRules(b.stages ?? [], ['branches', i, 'stages'], false));
  const names = (config.branches ?? []).map((b) => b.name);
  names.forEach((n, i) => { if (names.indexOf(n) !== i) c.error(at(['branches', i, 'name']), `branches[${i}]: the name '${n}' is taken`); });
  // Options of one source kind only (udp runs as collect, files and kafka as decode).
  const only = (kind: string, path: string[], present: boolean): void => {
    if (present && !kinds.has(kind) && !(kind === 'files' && kinds.has('kafka'))) c.error(at(path), `${path.join('.')}: only for ${kind === 'files' ? 'files and kafka' : kind} sources`);
  };
  only('udp', ['run', 'statsInterval'], config.run?.statsInterval !== undefined);
  only('udp', ['run', 'metrics'], config.run?.metrics !== undefined);
  only('udp', ['output', 'rotateBytes'], config.output?.rotateBytes !== undefined);
  only('udp', ['output', 'rotateSeconds'], config.output?.rotateSeconds !== undefined);
  only('files', ['run', 'stats'], config.run?.stats !== undefined);
  only('files', ['decode', 'strict'], config.decode?.strict !== undefined);
  if ((config.decode?.workers ?? 0) > 0) {
    const others = (config.stages ?? []).filter((s) => !(ENRICHER_STAGES as readonly string[]).includes(stageName(s)) && !['filter', 'fields'].includes(stageName(s)));
    if (kinds.has('kafka')) c.error(at(['decode', 'workers']), 'decode.workers: decoding on worker threads is for udp and files sources, not kafka');
    else if (others.length > 0 || (config.branches ?? []).length > 0) c.error(at(['decode', 'workers']), 'decode.workers: worker threads run decode, enrichers, an expr filter and fields; not other stages or branches');
  }
}

/** Parses and checks a pipeline file's text. */
export function checkPipeline(text: string, env: Env = {}): PipelineCheck {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false, uniqueKeys: true });
  const c = new Checker(lc, doc, env);
  for (const e of doc.errors) {
    const m = /end with an? ([\]}])|closing "quote/.exec(e.message);
    const opener = m === null ? -1 : openerBefore(text, e.pos[0], m[1] === ']' ? '[' : m[1] === '}' ? '{' : '"');
    c.error(null, `YAML: ${e.message.split('\n')[0]!}`, opener >= 0 ? opener : e.pos[0]);
  }
  if (c.errors.length > 0) return { config: null, errors: c.errors };
  if (doc.contents === null) return { config: null, errors: [{ line: 1, col: 1, message: 'the pipeline is empty: it needs sources (and sinks, stages)' }] };
  const config = c.value(doc.contents as Node, pipelineSchema as SchemaNode, '') as PipelineConfig | undefined;
  if (c.errors.length === 0 && config !== undefined) crossChecks(c, doc, config);
  c.errors.sort((a, b) => a.line - b.line || a.col - b.col);
  return c.errors.length > 0 || config === undefined ? { config: null, errors: c.errors } : { config, errors: [] };
}
