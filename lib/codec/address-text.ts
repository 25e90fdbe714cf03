// IPv4 and MAC address text, made flat and remembered.
//
// Concatenating cached pieces (`"10.1." + "14.22"`) is cheap to make but yields a V8 cons string
// once 13 characters or longer, and whoever reads its characters first (the NDJSON writer,
// every sink) pays for flattening it: a runtime call and a copy, 150-200 ns for a MAC address on
// this machine against 25-35 ns to make the flat string with String.fromCharCode directly.
// Flow data repeats addresses (the same hosts, the same router MACs), so each is also kept in a
// direct-mapped cache: a hit returns the string made before, shared by every record.

const SLOTS = 1 << 14;

/** ASCII codes of each byte value's decimal digits, one to three. */
const DEC0 = new Uint8Array(256);
const DEC1 = new Uint8Array(256);
const DEC2 = new Uint8Array(256);
const DECLEN = new Uint8Array(256);
for (let v = 0; v < 256; v++) {
  const s = String(v);
  DECLEN[v] = s.length;
  DEC0[v] = s.charCodeAt(0);
  DEC1[v] = s.charCodeAt(1) || 0;
  DEC2[v] = s.charCodeAt(2) || 0;
}

/** Scratch character codes: formatting is synchronous, never reentrant. */
const C = new Uint16Array(17);
const F = String.fromCharCode;

/** A flat string of the first n codes in C: 7..15 (IPv4) or 17 (MAC). */
function flat(n: number): string {
  switch (n) {
    case 7: return F(C[0]!, C[1]!, C[2]!, C[3]!, C[4]!, C[5]!, C[6]!);
    case 8: return F(C[0]!, C[1]!, C[2]!, C[3]!, C[4]!, C[5]!, C[6]!, C[7]!);
    case 9: return F(C[0]!, C[1]!, C[2]!, C[3]!, C[4]!, C[5]!, C[6]!, C[7]!, C[8]!);
    case 10: return F(C[0]!, C[1]!, C[2]!, C[3]!, C[4]!, C[5]!, C[6]!, C[7]!, C[8]!, C[9]!);
    case 11: return F(C[0]!, C[1]!, C[2]!, C[3]!, C[4]!, C[5]!, C[6]!, C[7]!, C[8]!, C[9]!, C[10]!);
    case 12: return F(C[0]!, C[1]!, C[2]!, C[3]!, C[4]!, C[5]!, C[6]!, C[7]!, C[8]!, C[9]!, C[10]!, C[11]!);
    case 13: return F(C[0]!, C[1]!, C[2]!, C[3]!, C[4]!, C[5]!, C[6]!, C[7]!, C[8]!, C[9]!, C[10]!, C[11]!, C[12]!);
    case 14: return F(C[0]!, C[1]!, C[2]!, C[3]!, C[4]!, C[5]!, C[6]!, C[7]!, C[8]!, C[9]!, C[10]!, C[11]!, C[12]!, C[13]!);
    case 15: return F(C[0]!, C[1]!, C[2]!, C[3]!, C[4]!, C[5]!, C[6]!, C[7]!, C[8]!, C[9]!, C[10]!, C[11]!, C[12]!, C[13]!, C[14]!);
    default: return F(C[0]!, C[1]!, C[2]!, C[3]!, C[4]!, C[5]!, C[6]!, C[7]!, C[8]!, C[9]!, C[10]!, C[11]!, C[12]!, C[13]!, C[14]!, C[15]!, C[16]!);
  }
}

/** Appends the decimal digits of byte v at C[n]; returns the new length. */
function decimal(v: number, n: number): number {
  const len = DECLEN[v]!;
  C[n] = DEC0[v]!;
  if (len > 1) C[n + 1] = DEC1[v]!;
  if (len > 2) C[n + 2] = DEC2[v]!;
  return n + len;
}

const V4_KEYS = new Float64Array(SLOTS).fill(-1);
const V4_TEXT: string[] = new Array<string>(SLOTS).fill('');

/** Dotted-quad IPv4 address (a flat string). Small, so compiled decoders inline the cache hit. */
export function ipv4(b: Uint8Array, o: number): string {
  const key = b[o]! * 16777216 + ((b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!);
  const slot = Math.imul(key | 0, 0x9e3779b1) >>> 18;
  return V4_KEYS[slot] === key ? V4_TEXT[slot]! : newIpv4(key, slot);
}

function newIpv4(key: number, slot: number): string {
  const a = key >>> 24, c = (key >>> 16) & 255, d = (key >>> 8) & 255, e = key & 255;
  let n = decimal(a, 0);
  C[n++] = 46;
  n = decimal(c, n);
  C[n++] = 46;
  n = decimal(d, n);
  C[n++] = 46;
  n = decimal(e, n);
  const text = flat(n);
  V4_KEYS[slot] = key;
  V4_TEXT[slot] = text;
  return text;
}

/** Lower-case hex digit codes of each byte value. */
const HEX_HI = new Uint8Array(256);
const HEX_LO = new Uint8Array(256);
for (let v = 0; v < 256; v++) {
  const s = v.toString(16).padStart(2, '0');
  HEX_HI[v] = s.charCodeAt(0);
  HEX_LO[v] = s.charCodeAt(1);
}

const MAC_HI = new Int32Array(SLOTS).fill(-1); // first two bytes; -1: empty
const MAC_LO = new Int32Array(SLOTS);
const MAC_TEXT: string[] = new Array<string>(SLOTS).fill('');

/** MAC address as aa:bb:cc:dd:ee:ff (a flat string). */
export function mac(b: Uint8Array, o: number): string {
  const hi = (b[o]! << 8) | b[o + 1]!;
  const lo = (b[o + 2]! << 24) | (b[o + 3]! << 16) | (b[o + 4]! << 8) | b[o + 5]!;
  const slot = Math.imul(lo ^ Math.imul(hi, 0x85ebca6b), 0x9e3779b1) >>> 18;
  return MAC_HI[slot] === hi && MAC_LO[slot] === lo ? MAC_TEXT[slot]! : newMac(hi, lo, slot);
}

function newMac(hi: number, lo: number, slot: number): string {
  for (let i = 0; i < 6; i++) {
    const v = i < 2 ? (hi >>> (8 - 8 * i)) & 255 : (lo >>> (40 - 8 * i)) & 255;
    C[i * 3] = HEX_HI[v]!;
    C[i * 3 + 1] = HEX_LO[v]!;
    if (i < 5) C[i * 3 + 2] = 58;
  }
  const text = flat(17);
  MAC_HI[slot] = hi;
  MAC_LO[slot] = lo;
  MAC_TEXT[slot] = text;
  return text;
}
