// Operator tables (networks, exporter info, interfaces) as YAML, JSON or CSV text: parsed into
// rows of (key, attributes) with errors that name the line. Pure: the stages read the files.
import { createRequire } from 'node:module';

// The YAML parser loads when a YAML table is read, not with every command that could read one
// (it is ~80 modules: 50 ms of every `flowpipe decode` start-up otherwise).
const requireModule = createRequire(import.meta.url);
let yamlModule: typeof import('yaml') | null = null;
const yaml = (): typeof import('yaml') => (yamlModule ??= requireModule('yaml') as typeof import('yaml'));

export type TableFormat = 'yaml' | 'json' | 'csv';

/** One row: its key (a CIDR, an address) and its attributes. */
export interface TableRow {
  readonly key: string;
  readonly attrs: Readonly<Record<string, unknown>>;
  /** 1-based line of the row in the text, for messages. */
  readonly line: number;
}

export class TableError extends Error {}

/** The format of a file by its extension (.yaml/.yml, .json, .csv), else by its first character. */
export function tableFormat(path: string, text: string): TableFormat {
  const ext = /\.([a-z]+)$/i.exec(path)?.[1]?.toLowerCase();
  if (ext === 'csv') return 'csv';
  if (ext === 'json') return 'json';
  if (ext === 'yaml' || ext === 'yml') return 'yaml';
  return /^\s*[[{]/.test(text) ? 'json' : 'yaml';
}

/**
 * Rows of a table. YAML/JSON: a map of key -> attributes (or key -> name), or a list of objects
 * with the key under `keyField`. CSV: a header row naming the columns, one of them `keyField`.
 */
export function parseTable(text: string, format: TableFormat, keyField: string): TableRow[] {
  if (format === 'csv') return parseCsvTable(text, keyField);
  if (format === 'json') return parseJsonTable(text, keyField);
  const doc = yaml().parseDocument(text, { uniqueKeys: true });
  if (doc.errors.length > 0) {
    const e = doc.errors[0]!;
    const reason = e.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
    throw new TableError(`line ${e.linePos?.[0]?.line ?? '?'}, column ${e.linePos?.[0]?.col ?? '?'}: ${reason}`);
  }
  const starts = lineStarts(text);
  const lineOf = (offset: number | undefined): number => (offset === undefined ? 0 : lineAt(starts, offset));
  const root: unknown = doc.contents;
  let js: unknown;
  try {
    js = doc.toJS({ maxAliasCount: 100 }); // aliases resolved here: an unknown one, or an alias bomb, is an error
  } catch (err) {
    throw new TableError((err as Error).message.split('\n')[0]!);
  }
  const rows: TableRow[] = [];
  const items = (root as { items?: { key?: { range?: number[] }; value?: { range?: number[] }; range?: number[] }[] } | null)?.items ?? [];
  if (Array.isArray(js)) {
    js.forEach((entry: unknown, i) => {
      const line = lineOf((items[i] as { range?: number[] } | undefined)?.range?.[0]);
      if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) throw new TableError(`line ${line}: each entry must be an object with '${keyField}'`);
      const attrs = entry as Record<string, unknown>;
      const key = attrs[keyField];
      if (typeof key !== 'string' && typeof key !== 'number') throw new TableError(`line ${line}: entry without '${keyField}'`);
      rows.push({ key: String(key), attrs, line });
    });
    return rows;
  }
  if (js === null || js === undefined) return rows;
  if (typeof js !== 'object') throw new TableError(`expected a map of ${keyField} -> attributes or a list of entries`);
  Object.entries(js as Record<string, unknown>).forEach(([key, value], i) => {
    const line = lineOf(items[i]?.key?.range?.[0]);
    const attrs = typeof value === 'string' ? { name: value } : value;
    if (attrs === null || typeof attrs !== 'object' || Array.isArray(attrs)) throw new TableError(`line ${line}: '${key}' must map to a name or to attributes`);
    rows.push({ key, attrs: attrs as Record<string, unknown>, line });
  });
  return rows;
}

/** Offsets where each line starts. */
function lineStarts(text: string): number[] {
  const out = [0];
  for (let p = text.indexOf('\n'); p >= 0; p = text.indexOf('\n', p + 1)) out.push(p + 1);
  return out;
}

/** 1-based line of an offset (binary search in the line starts). */
function lineAt(starts: readonly number[], offset: number): number {
  let lo = 0, hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid]! <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo + 1;
}

/**
 * JSON with JSON.parse (ten times faster than a YAML parser on big tables); rows get their line
 * by finding their key in the text.
 */
function parseJsonTable(text: string, keyField: string): TableRow[] {
  let js: unknown;
  try {
    js = JSON.parse(text);
  } catch (err) {
    const at = /position (\d+)/.exec((err as Error).message);
    const line = at ? text.slice(0, Number(at[1])).split('\n').length : '?';
    throw new TableError(`line ${line}: ${(err as Error).message}`);
  }
  // Keys appear in text order: count newlines incrementally from the previous key.
  let from = 0, line = 1;
  const lineOf = (key: string): number => {
    const i = text.indexOf(JSON.stringify(key), from);
    if (i < 0) return 0;
    for (let p = text.indexOf('\n', from); p >= 0 && p < i; p = text.indexOf('\n', p + 1)) line++;
    from = i;
    return line;
  };
  const rows: TableRow[] = [];
  if (Array.isArray(js)) {
    js.forEach((entry: unknown, i) => {
      if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) throw new TableError(`entry ${i + 1}: each entry must be an object with '${keyField}'`);
      const attrs = entry as Record<string, unknown>;
      const key = attrs[keyField];
      if (typeof key !== 'string' && typeof key !== 'number') throw new TableError(`entry ${i + 1}: no '${keyField}'`);
      rows.push({ key: String(key), attrs, line: lineOf(String(key)) });
    });
    return rows;
  }
  if (js === null || typeof js !== 'object') throw new TableError(`expected a map of ${keyField} -> attributes or a list of entries`);
  for (const [key, value] of Object.entries(js as Record<string, unknown>)) {
    const line = lineOf(key);
    const attrs = typeof value === 'string' ? { name: value } : value;
    if (attrs === null || typeof attrs !== 'object' || Array.isArray(attrs)) throw new TableError(`line ${line}: '${key}' must map to a name or to attributes`);
    rows.push({ key, attrs: attrs as Record<string, unknown>, line });
  }
  return rows;
}

/** RFC 4180 fields of one line (quotes, doubled quotes). */
function csvFields(line: string): string[] {
  const out: string[] = [];
  let cur = '', quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') { cur += '"'; i++; }
      else if (c === '"') quoted = false;
      else cur += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') { out.push(cur); cur = ''; }
    else cur += c;
  }
  out.push(cur);
  return out.map((f) => f.trim());
}

function parseCsvTable(text: string, keyField: string): TableRow[] {
  const lines = text.split(/\r?\n/);
  let header: string[] | undefined;
  const rows: TableRow[] = [];
  lines.forEach((raw, i) => {
    if (raw.trim() === '' || raw.trimStart().startsWith('#')) return;
    const fields = csvFields(raw);
    if (header === undefined) {
      header = fields;
      if (!header.includes(keyField)) throw new TableError(`line ${i + 1}: the header row must name a '${keyField}' column`);
      return;
    }
    const attrs: Record<string, unknown> = {};
    header.forEach((h, j) => {
      const v = fields[j];
      if (v !== undefined && v !== '') attrs[h] = /^\d+$/.test(v) && h !== keyField ? Number(v) : v;
    });
    const key = attrs[keyField];
    if (key === undefined) throw new TableError(`line ${i + 1}: no ${keyField}`);
    rows.push({ key: String(key), attrs, line: i + 1 });
  });
  return rows;
}

/** A string attribute, or undefined; anything else is an error naming the row. */
export function stringAttr(row: TableRow, name: string): string | undefined {
  const v = row.attrs[name];
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string' || typeof v === 'number') return String(v);
  throw new TableError(`line ${row.line}: '${row.key}': ${name} must be text`);
}

/** A number attribute (>= min), or undefined. */
export function numberAttr(row: TableRow, name: string, min = 0): number | undefined {
  const v = row.attrs[name];
  if (v === undefined || v === null) return undefined;
  const n = typeof v === 'string' && /^\d+(\.\d+)?$/.test(v) ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isFinite(n) || n < min) throw new TableError(`line ${row.line}: '${row.key}': ${name} must be a number >= ${min}`);
  return n;
}
