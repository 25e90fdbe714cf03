/**
 * Capture files: pcap and pcapng reading (UDP payloads out, IP fragments reassembled), a pcap
 * writer, and framing of raw export bytes (several datagrams concatenated) by the protocols' own
 * lengths. Pure code: bytes in, datagrams out. `import { readCapture } from 'flowpipe/capture'`.
 * @packageDocumentation
 */
export { CaptureParser, readCapture, isCapture } from './reader.js';
export type { CapturedDatagram, CaptureParserOptions, CaptureStats } from './reader.js';
export { pcapFile, pcapHeader, pcapRecord } from './pcap-writer.js';
export type { UdpPacket } from './pcap-writer.js';
export { frameAt } from './framing.js';
export type { FrameResult } from './framing.js';
