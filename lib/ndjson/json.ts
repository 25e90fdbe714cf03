// NDJSON serialization of records. Integers above 2^53 are bigint in memory and bare exact
// digits in JSON (never quoted, never rounded).

const MARK = '\u0000bigint:';
const MARKED = /"\\u0000bigint:(-?\d+)"/g; // JSON.stringify escapes the NUL

function replacer(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? MARK + value.toString() : value;
}

/** JSON text of a value; bigints become bare digits. */
export function toJson(value: unknown): string {
  try {
    return JSON.stringify(value);
  } catch (err) {
    // Only records with a bigint pay for the replacer.
    if (!(err instanceof TypeError)) throw err;
    return JSON.stringify(value, replacer).replace(MARKED, '$1');
  }
}
