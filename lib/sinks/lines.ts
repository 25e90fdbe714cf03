// What sinks ship: one JSON text per record (no newline). Helpers that read what they need from
// that text without parsing it all: whether it is a flow, a top-level field (a Kafka key, a
// subject), snake_case keys for the table sinks.

/** Is this record a flow (a normalized flow, a flow record, an sFlow flow sample)? */
export function isFlowRecord(r: Readonly<Record<string, unknown>>): boolean {
  return r['kind'] === undefined || r['kind'] === 'flow';
}

/**
 * The same for a JSON line written by flowpipe: decoded records start with their `kind`;
 * normalized flows have none. (A line whose fields were picked without `kind` counts as a flow.)
 */
export function isFlowLine(line: string): boolean {
  return !line.startsWith('{"kind":"') || line.startsWith('{"kind":"flow"');
}

const KIND = Buffer.from('{"kind":"');
const KIND_FLOW = Buffer.from('{"kind":"flow"');

/** isFlowLine for a line as bytes (no decoding). */
export function isFlowBytes(line: Buffer): boolean {
  return !(line.length >= KIND.length && line.compare(KIND, 0, KIND.length, 0, KIND.length) === 0) || (line.length >= KIND_FLOW.length && line.compare(KIND_FLOW, 0, KIND_FLOW.length, 0, KIND_FLOW.length) === 0);
}

const NEEDLES = new Map<string, Buffer>();

/** fieldOfLine for a line as bytes: only the value is decoded. */
export function fieldOfBytes(line: Buffer, field: string): string | undefined {
  let needle = NEEDLES.get(field);
  if (needle === undefined) {
    needle = Buffer.from(`"${field}":`);
    if (NEEDLES.size < 1000) NEEDLES.set(field, needle);
  }
  const i = line.indexOf(needle);
  if (i < 0) return undefined;
  let end = i + needle.length;
  if (line[end] === 34) {
    end++;
    while (end < line.length && line[end] !== 34) end += line[end] === 92 ? 2 : 1;
    return fieldOfLine(line.toString('utf8', i, Math.min(end + 1, line.length)), field);
  }
  while (end < line.length && line[end] !== 44 && line[end] !== 125) end++;
  return fieldOfLine(line.toString('latin1', i, end), field);
}

/**
 * The text of a top-level string or number field of a JSON line (its first occurrence: flowpipe
 * writes the record's own keys before nested objects), or undefined.
 */
export function fieldOfLine(line: string, field: string): string | undefined {
  const needle = `"${field}":`;
  let i = line.indexOf(needle);
  if (i < 0) return undefined;
  i += needle.length;
  if (line.charCodeAt(i) === 34) {
    let end = i + 1;
    while (end < line.length) {
      const c = line.charCodeAt(end);
      if (c === 92) end += 2; // an escape
      else if (c === 34) break;
      else end++;
    }
    const raw = line.slice(i + 1, end);
    return raw.includes('\\') ? (JSON.parse(`"${raw}"`) as string) : raw;
  }
  let end = i;
  while (end < line.length && line[end] !== ',' && line[end] !== '}') end++;
  const v = line.slice(i, end);
  return v === '' || v[0] === '{' || v[0] === '[' ? undefined : v;
}

const SNAKE = new Map<string, string>();

/** `srcAddr` -> `src_addr`, `inIfName` -> `in_if_name`, `sampledBytes` -> `sampled_bytes`. */
export function snakeCase(name: string): string {
  let s = SNAKE.get(name);
  if (s === undefined) {
    s = name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').replace(/([A-Z]+)([A-Z][a-z])/g, '$1_$2').toLowerCase();
    if (SNAKE.size < 10_000) SNAKE.set(name, s);
  }
  return s;
}

/**
 * A JSON line with its keys in snake_case (nested keys too). In JSON text a quote inside a string
 * is escaped, and a string value is never followed by a colon, so an unescaped `":` ends a key.
 */
export function snakeLine(line: string): string {
  let out = '';
  let copied = 0;
  for (let end = line.indexOf('":'); end >= 0; end = line.indexOf('":', end + 2)) {
    let bs = 0;
    while (line.charCodeAt(end - 1 - bs) === 92) bs++;
    if (bs % 2 === 1) continue; // an escaped quote inside a string
    const start = line.lastIndexOf('"', end - 1);
    const key = line.slice(start + 1, end);
    const snake = snakeCase(key);
    if (snake === key) continue;
    out += line.slice(copied, start + 1) + snake;
    copied = end;
  }
  return copied === 0 ? line : out + line.slice(copied);
}
