// Mutation operators. Generic ones (bit/byte flips, truncation, extension, splices) and
// protocol-aware ones that rewrite the length and count fields the decoders trust, located with
// the structural parser.
import { decodePacket } from '../../lib/index.js';
import type { Prng } from './prng.js';

/** Positions of 32-bit length/count fields of an sFlow datagram: samples, records, and words inside records (XDR string lengths, array counts). */
export function sflowFields(b: Buffer, r: Prng): number[] {
  const s = decodePacket(b).sflow;
  if (s?.header == null) return [];
  const out = [b[7] === 2 ? 36 : 24]; // number of samples, after an IPv6 or IPv4 agent address
  for (const sample of s.samples) {
    out.push(sample.offset + 4, sample.offset + 8 + 4 * r.int(10));
    for (const rec of sample.records) out.push(rec.offset + 4, rec.offset + 8 + 4 * r.int(Math.max(1, rec.length / 4)));
  }
  return out.filter((o) => o + 4 <= b.length);
}

const INTERESTING32 = [0, 1, 2, 3, 4, 8, 255, 256, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff, 65536];

function edit32(r: Prng, b: Buffer, at: number): void {
  const old = b.readUInt32BE(at);
  const v = r.pick([() => r.pick(INTERESTING32), () => old + r.int(17) - 8, () => b.length - at, () => r.int(2 ** 32)])();
  b.writeUInt32BE(((v % 2 ** 32) + 2 ** 32) % 2 ** 32, at);
}

/** Positions of 16-bit length/count fields in a datagram, found by its structure. */
export function lengthFields(b: Buffer): number[] {
  const out: number[] = [];
  const p = decodePacket(b);
  for (const m of p.messages) {
    out.push(m.offset + 2); // IPFIX message length, v9/v5 count
    for (const s of m.sets) {
      out.push(s.offset + 2); // set / flowset length
      for (const t of s.templates ?? []) {
        out.push(t.offset + 2); // field count (v9 options: scope length)
        if (t.options) out.push(t.offset + 4); // scope field count / option length
        let q = t.offset + (t.options ? 6 : 4);
        for (const f of t.fields) {
          out.push(q + 2); // field length (65535 = variable)
          q += f.pen !== 0 ? 8 : 4;
        }
      }
    }
  }
  return out.filter((o) => o + 2 <= b.length);
}

const INTERESTING16 = [0, 1, 2, 3, 4, 5, 6, 8, 16, 255, 256, 0x7fff, 0x8000, 0xfffe, 0xffff];

function edit16(r: Prng, b: Buffer, at: number): void {
  const old = b.readUInt16BE(at);
  const v = r.pick([
    () => r.pick(INTERESTING16),
    () => old + r.int(9) - 4,
    () => old * 2,
    () => b.length - at + r.int(9) - 4,
    () => r.int(65536),
  ])();
  b.writeUInt16BE(((v % 65536) + 65536) % 65536, at);
}

/** One random mutation of `input` (never modifies it). `other` is a second input for splices. */
export function mutate(r: Prng, input: Buffer, other: Buffer): Buffer {
  let b = Buffer.from(input);
  const ops = r.int(4) + 1;
  for (let k = 0; k < ops && b.length > 0; k++) {
    switch (r.int(10)) {
      case 0: { // bit flips
        for (let i = r.int(8) + 1; i > 0; i--) b[r.int(b.length)]! ^= 1 << r.int(8);
        break;
      }
      case 1: { // random bytes
        for (let i = r.int(8) + 1; i > 0; i--) b[r.int(b.length)] = r.pick([0, 0xff, 0x7f, 0x80, r.int(256)]);
        break;
      }
      case 2: b = b.subarray(0, r.int(b.length + 1)); break; // truncate
      case 3: b = Buffer.concat([b, r.chance(0.5) ? Buffer.alloc(r.int(64)) : r.bytes(r.int(200))]); break; // extend
      case 4: case 5: case 6: { // length / count fields
        const sflow = sflowFields(b, r);
        if (sflow.length > 0) edit32(r, b, r.pick(sflow));
        else {
          const fields = lengthFields(b);
          if (fields.length > 0) edit16(r, b, r.pick(fields));
        }
        break;
      }
      case 7: { // splice with another datagram
        const cut = r.int(b.length + 1);
        b = Buffer.concat([b.subarray(0, cut), other.subarray(r.int(other.length + 1))]);
        break;
      }
      case 8: { // duplicate or drop a chunk
        const from = r.int(b.length), len = r.int(Math.min(64, b.length - from) + 1);
        b = r.chance(0.5)
          ? Buffer.concat([b.subarray(0, from + len), b.subarray(from)])
          : Buffer.concat([b.subarray(0, from), b.subarray(from + len)]);
        break;
      }
      default: { // 16-bit interesting value anywhere (varlen prefixes, XDR lengths, ids)
        if (b.length >= 2) edit16(r, b, r.int(b.length - 1));
      }
    }
  }
  return b;
}
