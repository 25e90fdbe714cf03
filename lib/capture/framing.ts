// Where does the export message at `off` end? Pure length logic for cutting raw byte streams
// (captures saved with `nc -lu`, concatenated payloads) into messages: IPFIX by its length,
// v1/v5/v7 by count, v9 by walking flowsets to the next header, sFlow by walking its samples.
import { u16, u32 } from '../codec/bytes.js';
import { FIXED } from '../netflow/walk.js';

const MAX_FIXED_COUNT = { 1: 24, 5: 30, 7: 28 } as const;

/** A message length, 'more' (need more bytes to know), or 'garbage' (no message starts here). */
export type FrameResult = number | 'more' | 'garbage';

/**
 * Length of the message starting at `off`. With `final` (no more bytes will come) a message
 * that runs to the end of the buffer is cut there.
 */
export function frameAt(b: Uint8Array, off: number, final: boolean): FrameResult {
  const left = b.length - off;
  if (left < 4) return final ? 'garbage' : 'more';
  if (u32(b, off) === 5) return sflowFrame(b, off, final);
  const v = u16(b, off);
  if (v === 10) {
    const len = u16(b, off + 2);
    if (len < 16) return 'garbage';
    return len <= left ? len : final ? left : 'more';
  }
  if (v === 1 || v === 5 || v === 7) {
    const f = FIXED[v];
    const count = u16(b, off + 2);
    // Cisco's limits per datagram; beyond them it is not a header (in a raw stream, more
    // likely bytes that happen to start with 0x0001 / 0x0005 / 0x0007).
    if (count === 0 || count > MAX_FIXED_COUNT[v]) return 'garbage';
    const len = f.header + count * f.record;
    return len <= left ? len : final ? left : 'more';
  }
  if (v === 9) return v9Frame(b, off, final);
  return 'garbage';
}

function v9Frame(b: Uint8Array, off: number, final: boolean): FrameResult {
  if (b.length - off < 20) return final ? b.length - off : 'more';
  let q = off + 20;
  for (;;) {
    if (q + 4 > b.length) return final ? b.length - off : 'more';
    const id = u16(b, q);
    const len = u16(b, q + 2);
    // The next message, or something that is not a flowset: the message ends here.
    if (id === 9 || (id > 1 && id < 256) || len < 4) return q - off;
    if (q + len > b.length) return final ? b.length - off : 'more';
    q += len;
  }
}

function sflowFrame(b: Uint8Array, off: number, final: boolean): FrameResult {
  const need = (n: number): boolean => off + n <= b.length;
  if (!need(8)) return final ? 'garbage' : 'more';
  const addrType = u32(b, off + 4);
  if (addrType !== 1 && addrType !== 2) return 'garbage';
  const head = 8 + (addrType === 1 ? 4 : 16) + 16;
  if (!need(head)) return final ? b.length - off : 'more';
  const samples = u32(b, off + head - 4);
  if (samples > 4096) return 'garbage';
  let q = off + head;
  for (let i = 0; i < samples; i++) {
    if (q + 8 > b.length) return final ? b.length - off : 'more';
    q += 8 + u32(b, q + 4);
    if (q > b.length) return final ? b.length - off : 'more';
  }
  return q - off;
}
