// Long strings made of characters JSON never escapes (the hex of sFlow's sampled headers and of
// long octet fields), remembered for a moment so the NDJSON writer can skip checking them.
//
// Checking a 256-character string for characters to escape costs the writer ~200 ns (a regular
// expression over every character; Node has no native check), as much as making the hex. The
// writer usually asks right after decoding, in the order the strings were made, so a small ring
// and a cursor find them at the first probe. Equality, not identity, decides, so the answer is
// right whichever string is asked about: a string equal to one made here has the same characters.

const SIZE = 64; // a power of two
const ring: string[] = new Array<string>(SIZE).fill('');
let head = 0;
let cursor = 0;

/** Notes `s`, whose every character is one JSON writes as it is (printable ASCII, no `"` or `\`). */
export function notePlain(s: string): void {
  ring[head] = s;
  head = (head + 1) & (SIZE - 1);
}

/** Was `s` made as plain text lately? (false: unknown, check it.) */
export function isKnownPlain(s: string): boolean {
  for (let i = 0; i < 4; i++) {
    const j = (cursor + i) & (SIZE - 1);
    if (ring[j] === s) {
      cursor = (j + 1) & (SIZE - 1);
      return true;
    }
  }
  return false;
}
