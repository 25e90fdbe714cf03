// The raw-datagram envelope `collect --to kafka://…?format=raw` writes (one per Kafka message)
// and `decode --from kafka://…` reads: a receiver forwards undecoded datagrams with where and when
// they came from, so consumers decode with per-exporter template state (Akvorado's inlet).
//
//   offset  size  field
//   0       2     magic "FP"
//   2       1     version (1)
//   3       1     address family: 4 or 6
//   4       2     exporter UDP port (big-endian)
//   6       8     receive time, epoch milliseconds (big-endian, unsigned)
//   14      4|16  exporter address
//   18|30   rest  the datagram as received
import { ipv4, ipv6 } from '../codec/bytes.js';
import { parseIp } from '../codec/ip-prefix.js';

export const ENVELOPE_VERSION = 1;

/** A datagram as it came in. */
export interface EnvelopedDatagram {
  data: Buffer;
  exporter: { address: string; port: number };
  receivedAt: number;
}

const scratch = new Uint8Array(16);

/** Wraps a datagram; throws on an exporter address that is not IPv4 or IPv6 text. */
export function encodeEnvelope(d: EnvelopedDatagram): Buffer {
  const family = parseIp(d.exporter.address, scratch);
  if (family === 0) throw new Error(`exporter address '${d.exporter.address}' is not an IP address`);
  const alen = family === 4 ? 4 : 16;
  const b = Buffer.allocUnsafe(14 + alen + d.data.length);
  b[0] = 0x46; b[1] = 0x50; b[2] = ENVELOPE_VERSION; b[3] = family;
  b.writeUInt16BE(d.exporter.port, 4);
  b.writeBigUInt64BE(BigInt(Math.max(0, Math.round(d.receivedAt))), 6);
  b.set(scratch.subarray(0, alen), 14);
  b.set(d.data, 14 + alen);
  return b;
}

/** Unwraps an envelope, or returns why it is not one (a message someone else wrote). */
export function decodeEnvelope(b: Buffer): EnvelopedDatagram | string {
  if (b.length < 18 || b[0] !== 0x46 || b[1] !== 0x50) return 'not a flowpipe envelope (no "FP" magic)';
  if (b[2] !== ENVELOPE_VERSION) return `envelope version ${b[2]} (this flowpipe reads ${ENVELOPE_VERSION})`;
  const family = b[3];
  const alen = family === 4 ? 4 : family === 6 ? 16 : 0;
  if (alen === 0) return `envelope address family ${family}`;
  if (b.length < 14 + alen) return 'envelope shorter than its header';
  const address = family === 4 ? ipv4(b, 14) : ipv6(b, 14);
  return { data: b.subarray(14 + alen), exporter: { address, port: b.readUInt16BE(4) }, receivedAt: Number(b.readBigUInt64BE(6)) };
}
