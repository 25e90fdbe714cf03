// IP address parsing and longest-prefix match over IPv4 and IPv6 CIDRs: a binary trie per family with
// typed arrays (one walk of at most 32 / 128 steps, no allocation per lookup). Used for networks,
// exporter info and sampling overrides.

/** Parses IPv4 or IPv6 text into `out` (16 bytes; IPv4 in the first 4). Returns 4, 6, or 0 (not an address). */
export function parseIp(text: string, out: Uint8Array): 4 | 6 | 0 {
  if (text.includes(':')) return parseIpv6(text, out) ? 6 : 0;
  return parseIpv4(text, out, 0) ? 4 : 0;
}

function parseIpv4(text: string, out: Uint8Array, at: number): boolean {
  let part = 0, digits = 0, n = 0;
  for (let i = 0; i <= text.length; i++) {
    const c = i < text.length ? text.charCodeAt(i) : 46; // a final '.'
    if (c === 46) {
      if (digits === 0 || n > 3) return false;
      out[at + n++] = part;
      part = 0;
      digits = 0;
    } else if (c >= 48 && c <= 57 && digits < 3) {
      part = part * 10 + (c - 48);
      if (part > 255 || (digits === 1 && part < 10 && text.charCodeAt(i - 1) === 48)) return false; // no leading zeros
      digits++;
    } else return false;
  }
  return n === 4;
}

/** The value of hex digit `c` (a char code), or -1. */
function hexDigit(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  const l = c | 32; // lower case
  return l >= 97 && l <= 102 ? l - 87 : -1;
}

/**
 * IPv6 text (RFC 4291 §2.2: groups, one `::`, a dotted IPv4 tail, a `%zone` ignored) into `out`
 * in one pass without allocating: records carry addresses as text, and the encoder and the
 * network trie parse one per field.
 */
function parseIpv6(text: string, out: Uint8Array): boolean {
  let end = text.indexOf('%');
  if (end < 0) end = text.length;
  let w = 0; // 16-bit words written
  let gap = -1; // the word index where '::' stands
  let i = 0;
  if (text.charCodeAt(0) === 58) { // a leading ':' only as '::'
    if (end < 2 || text.charCodeAt(1) !== 58) return false;
    gap = 0;
    i = 2;
  }
  while (i < end) {
    let v = 0, digits = 0, j = i;
    for (let d = hexDigit(text.charCodeAt(j)); j < end && d >= 0; d = hexDigit(text.charCodeAt(++j))) {
      if (++digits > 4) return false;
      v = v * 16 + d;
    }
    if (j < end && text.charCodeAt(j) === 46) { // a dotted IPv4 tail: the last two words
      if (w > 6 || !parseIpv4(text.slice(i, end), out, 2 * w)) return false;
      w += 2;
      break;
    }
    if (digits === 0 || w === 8) return false;
    out[2 * w] = v >> 8;
    out[2 * w + 1] = v & 255;
    w++;
    if (j === end) break;
    if (text.charCodeAt(j) !== 58 || ++j === end) return false; // a group ends at ':', not at the end
    if (text.charCodeAt(j) === 58) {
      if (gap >= 0) return false;
      gap = w;
      j++;
    }
    i = j;
  }
  if (gap < 0) return w === 8;
  if (w > 7) return false;
  // The words after '::' move to the end; the gap between becomes zeros.
  const tail = w - gap;
  for (let k = tail - 1; k >= 0; k--) {
    out[2 * (8 - tail + k)] = out[2 * (gap + k)]!;
    out[2 * (8 - tail + k) + 1] = out[2 * (gap + k) + 1]!;
  }
  out.fill(0, 2 * gap, 2 * (8 - tail));
  return true;
}

/** `10.0.0.0/8`, `2001:db8::/32`, or a bare address (a host prefix). Throws on anything else. */
export function parseCidr(text: string): { family: 4 | 6; bytes: Uint8Array; length: number } {
  const slash = text.indexOf('/');
  const bytes = new Uint8Array(16);
  const family = parseIp((slash >= 0 ? text.slice(0, slash) : text).trim(), bytes);
  if (family === 0) throw new Error(`'${text}' is not an IP address or CIDR`);
  const max = family === 4 ? 32 : 128;
  const lenText = slash >= 0 ? text.slice(slash + 1).trim() : String(max);
  const length = /^\d{1,3}$/.test(lenText) ? Number(lenText) : NaN;
  if (!(length >= 0 && length <= max)) throw new Error(`'${text}': prefix length must be 0-${max}`);
  return { family, bytes, length };
}

/** A growable binary trie: node i has children left[i], right[i] (0 = none) and value slot[i] (-1 = none). */
class BitTrie {
  private left: Int32Array = new Int32Array(64);
  private right: Int32Array = new Int32Array(64);
  private slot: Int32Array = new Int32Array(64).fill(-1);
  private size = 1;

  insert(bytes: Uint8Array, length: number, value: number): void {
    let node = 0;
    for (let bit = 0; bit < length; bit++) {
      const one = (bytes[bit >> 3]! >> (7 - (bit & 7))) & 1;
      const next = one ? this.right[node]! : this.left[node]!;
      node = next !== 0 ? next : this.grow(node, one);
    }
    this.slot[node] = value;
  }

  /** Value slot of the longest prefix containing the address, or -1. */
  lookup(bytes: Uint8Array, bits: number): number {
    let node = 0;
    let best = this.slot[0]!;
    for (let bit = 0; bit < bits; bit++) {
      node = (bytes[bit >> 3]! >> (7 - (bit & 7))) & 1 ? this.right[node]! : this.left[node]!;
      if (node === 0) break;
      const v = this.slot[node]!;
      if (v >= 0) best = v;
    }
    return best;
  }

  private grow(parent: number, one: number): number {
    if (this.size === this.left.length) {
      const n = this.left.length * 2;
      const copy = (a: Int32Array, fill: number): Int32Array => { const b = new Int32Array(n).fill(fill); b.set(a); return b; };
      this.left = copy(this.left, 0);
      this.right = copy(this.right, 0);
      this.slot = copy(this.slot, -1);
    }
    const node = this.size++;
    if (one) this.right[parent] = node;
    else this.left[parent] = node;
    return node;
  }
}

/**
 * Longest-prefix-match table from CIDRs to values. An IPv4-mapped IPv6 address (`::ffff:a.b.c.d`)
 * matches the IPv4 prefixes.
 */
export class PrefixTable<T> {
  private readonly v4 = new BitTrie();
  private readonly v6 = new BitTrie();
  private readonly values: T[] = [];
  private readonly scratch = new Uint8Array(16);
  /** Prefixes inserted. */
  size = 0;

  /** Adds (or replaces) a prefix. Throws on a bad CIDR. */
  add(cidr: string, value: T): void {
    const p = parseCidr(cidr);
    this.values.push(value);
    (p.family === 4 ? this.v4 : this.v6).insert(p.bytes, p.length, this.values.length - 1);
    this.size++;
  }

  /** The value of the longest prefix holding `address` (text), or undefined. */
  lookup(address: string): T | undefined {
    const b = this.scratch;
    const family = parseIp(address, b);
    if (family === 0) return undefined;
    let i: number;
    if (family === 4) i = this.v4.lookup(b, 32);
    else if (isV4Mapped(b)) {
      b.copyWithin(0, 12, 16);
      i = this.v4.lookup(b, 32);
    } else i = this.v6.lookup(b, 128);
    return i >= 0 ? this.values[i] : undefined;
  }
}

function isV4Mapped(b: Uint8Array): boolean {
  for (let i = 0; i < 10; i++) if (b[i] !== 0) return false;
  return b[10] === 0xff && b[11] === 0xff;
}
