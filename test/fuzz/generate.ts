// Random but well-formed templates followed by random data: reaches template shapes the
// corpus lacks (lists, odd lengths, enterprise and reverse elements, repeats, varlen everywhere).
import type { Prng } from './prng.js';

const u16 = (v: number): Buffer => { const b = Buffer.alloc(2); b.writeUInt16BE(v & 0xffff); return b; };
const u32 = (v: number): Buffer => { const b = Buffer.alloc(4); b.writeUInt32BE(v >>> 0); return b; };

// A spread of element ids: every abstract type, lists, timestamps, plus unknown ids.
const IDS = [1, 2, 4, 7, 8, 12, 21, 22, 27, 56, 82, 95, 136, 150, 152, 154, 156, 160, 210, 291, 292, 293, 434, 320, 276, 999, 32000];
const PENS = [0, 0, 0, 0, 29305, 5951, 6871, 10704, 9, 4242];
const LENGTHS = [0, 1, 2, 3, 4, 6, 8, 16, 65535, 65535];

function randomFields(r: Prng, ipfix: boolean): { id: number; len: number; pen: number }[] {
  const n = r.int(12) + 1;
  const out = [];
  for (let i = 0; i < n; i++) {
    const pen = ipfix ? r.pick(PENS) : 0;
    out.push({ id: ipfix ? r.pick(IDS) & 0x7fff : r.chance(0.1) ? 32768 + r.int(20000) : r.pick(IDS), len: r.pick(LENGTHS), pen });
  }
  return out;
}

/** A random data record for the fields: mostly right-sized, sometimes not. */
function randomRecord(r: Prng, fields: { len: number }[]): Buffer {
  const parts: Buffer[] = [];
  for (const f of fields) {
    if (f.len !== 65535) parts.push(r.bytes(f.len));
    else {
      const n = r.chance(0.1) ? 255 + r.int(300) : r.int(40);
      parts.push(n >= 255 ? Buffer.concat([Buffer.from([255]), u16(n)]) : Buffer.from([n]), r.bytes(n));
    }
  }
  return Buffer.concat(parts);
}

function set(id: number, body: Buffer): Buffer {
  return Buffer.concat([u16(id), u16(body.length + 4), body]);
}

/** An IPFIX or v9 datagram with a random template (or options template) and data for it. */
export function randomTemplateAndData(r: Prng): Buffer {
  const ipfix = r.chance(0.6);
  const options = r.chance(0.3);
  const tid = 256 + r.int(16);
  const fields = randomFields(r, ipfix);
  const scope = Math.min(fields.length, r.int(3) + 1);
  let tpl: Buffer;
  if (ipfix) {
    const defs = fields.map((f) => (f.pen ? Buffer.concat([u16(f.id | 0x8000), u16(f.len), u32(f.pen)]) : Buffer.concat([u16(f.id), u16(f.len)])));
    tpl = set(options ? 3 : 2, Buffer.concat([u16(tid), u16(fields.length), ...(options ? [u16(scope)] : []), ...defs]));
  } else if (options) {
    const defs = fields.map((f, i) => Buffer.concat([u16(i < scope ? r.int(7) : f.id), u16(f.len)]));
    tpl = set(1, Buffer.concat([u16(tid), u16(scope * 4), u16((fields.length - scope) * 4), ...defs]));
  } else {
    tpl = set(0, Buffer.concat([u16(tid), u16(fields.length), ...fields.map((f) => Buffer.concat([u16(f.id), u16(f.len)]))]));
  }
  const records = Array.from({ length: r.int(5) + 1 }, () => randomRecord(r, fields));
  const data = set(tid, Buffer.concat([...records, Buffer.alloc(r.int(4))]));
  const sets = r.chance(0.2) ? [data, tpl] : [tpl, data];
  const body = Buffer.concat(sets);
  const domain = r.int(4);
  return ipfix
    ? Buffer.concat([u16(10), u16(16 + body.length), u32(1_700_000_000), u32(r.int(1000)), u32(domain), body])
    : Buffer.concat([u16(9), u16(2), u32(r.int(2 ** 32)), u32(1_700_000_000), u32(r.int(1000)), u32(domain), body]);
}
