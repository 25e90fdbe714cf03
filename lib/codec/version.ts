// Which protocol a datagram is, from its version word. Shared by both protocol families, the
// demux stage and the framer: the only thing they all must agree on.
import { u16 } from './bytes.js';

/** sFlow v5 starts with a 32-bit version 5; NetFlow v5 with a 16-bit one. */
export function isSflow(b: Uint8Array): boolean {
  return b.length >= 4 && b[0] === 0 && b[1] === 0 && b[2] === 0 && b[3] === 5;
}

/** Protocol of the message at `o` by its version word, or null. sFlow (32-bit 5) is not NetFlow v5. */
export function versionAt(b: Uint8Array, o: number): 1 | 5 | 7 | 9 | 10 | null {
  if (o + 2 > b.length) return null;
  const v = u16(b, o);
  return v === 1 || v === 5 || v === 7 || v === 9 || v === 10 ? v : null;
}

/** The protocol of a datagram by its version word (sFlow: 32-bit 5), or null. */
export function detectProtocol(b: Uint8Array): 'netflow-v1' | 'netflow-v5' | 'netflow-v7' | 'netflow-v9' | 'ipfix' | 'sflow-v5' | null {
  if (isSflow(b)) return 'sflow-v5';
  const v = versionAt(b, 0);
  return v === null ? null : v === 10 ? 'ipfix' : v === 9 ? 'netflow-v9' : v === 7 ? 'netflow-v7' : v === 5 ? 'netflow-v5' : 'netflow-v1';
}
