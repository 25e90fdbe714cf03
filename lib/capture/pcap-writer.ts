// Builds classic pcap files (link type Ethernet) holding UDP datagrams, so captures of exports
// open in Wireshark, replay with tcpreplay and feed tshark. Pure: returns bytes.
import { isIPv4 } from 'node:net';

export interface UdpEndpoint {
  readonly address: string;
  readonly port: number;
}

export interface UdpPacket {
  readonly src: UdpEndpoint;
  readonly dst: UdpEndpoint;
  readonly payload: Uint8Array;
  /** Capture time, epoch ms (microsecond resolution kept). */
  readonly time: number;
}

/** pcap global header: microsecond timestamps, snaplen 262144, link type 1 (Ethernet). */
export function pcapHeader(): Buffer {
  const h = Buffer.alloc(24);
  h.writeUInt32LE(0xa1b2c3d4, 0);
  h.writeUInt16LE(2, 4);
  h.writeUInt16LE(4, 6);
  h.writeUInt32LE(262144, 16);
  h.writeUInt32LE(1, 20);
  return h;
}

function ipv6Bytes(a: string): Buffer {
  const [head, tail] = a.includes('::') ? a.split('::') : [a, undefined];
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = tail === undefined ? h : [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t];
  const b = Buffer.alloc(16);
  groups.forEach((g, i) => b.writeUInt16BE(parseInt(g || '0', 16), i * 2));
  return b;
}

function checksum(b: Buffer): number {
  let sum = 0;
  for (let i = 0; i + 1 < b.length; i += 2) sum += b.readUInt16BE(i);
  if (b.length % 2) sum += b[b.length - 1]! << 8;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

/** One pcap record: Ethernet + IPv4/IPv6 + UDP around the payload (UDP checksum left 0 for IPv4). */
export function pcapRecord(p: UdpPacket): Buffer {
  const v4 = isIPv4(p.src.address);
  const udpLen = 8 + p.payload.length;
  const udp = Buffer.alloc(8);
  udp.writeUInt16BE(p.src.port, 0);
  udp.writeUInt16BE(p.dst.port, 2);
  udp.writeUInt16BE(udpLen & 0xffff, 4);
  let ip: Buffer;
  if (v4) {
    ip = Buffer.alloc(20);
    ip[0] = 0x45;
    ip.writeUInt16BE((20 + udpLen) & 0xffff, 2);
    ip[8] = 64;
    ip[9] = 17;
    Buffer.from(p.src.address.split('.').map(Number)).copy(ip, 12);
    Buffer.from(p.dst.address.split('.').map(Number)).copy(ip, 16);
    ip.writeUInt16BE(checksum(ip), 10);
  } else {
    ip = Buffer.alloc(40);
    ip[0] = 0x60;
    ip.writeUInt16BE(udpLen & 0xffff, 4);
    ip[6] = 17;
    ip[7] = 64;
    ipv6Bytes(p.src.address).copy(ip, 8);
    ipv6Bytes(p.dst.address).copy(ip, 24);
    // IPv6 requires a UDP checksum: pseudo header + UDP header + payload.
    const pseudo = Buffer.concat([ip.subarray(8, 40), Buffer.from([0, 0, udpLen >> 8, udpLen & 0xff, 0, 0, 0, 17]), udp, p.payload]);
    udp.writeUInt16BE(checksum(pseudo) || 0xffff, 6);
  }
  const eth = Buffer.from([2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, v4 ? 0x08 : 0x86, v4 ? 0x00 : 0xdd]);
  const frame = Buffer.concat([eth, ip, udp, p.payload]);
  const rec = Buffer.alloc(16);
  const sec = Math.floor(p.time / 1000);
  rec.writeUInt32LE(sec, 0);
  rec.writeUInt32LE(Math.round((p.time - sec * 1000) * 1000), 4);
  rec.writeUInt32LE(frame.length, 8);
  rec.writeUInt32LE(frame.length, 12);
  return Buffer.concat([rec, frame]);
}

/** A whole pcap file. */
export function pcapFile(packets: readonly UdpPacket[]): Buffer {
  return Buffer.concat([pcapHeader(), ...packets.map(pcapRecord)]);
}
