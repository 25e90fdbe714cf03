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

// In JSON text every quote inside a string is escaped, so `"name":` with bare quotes is a key.
const KEY = /"([A-Za-z_][A-Za-z0-9_]*)":/g;

/** A JSON line with its keys in snake_case (nested keys too). */
export function snakeLine(line: string): string {
  return line.replace(KEY, (_m, k: string) => `"${snakeCase(k)}":`);
}
