/**
 * flowpipe: NetFlow v1/v5/v7/v9, IPFIX and sFlow v5 decoders and the stream stages to build
 * collectors with.
 * @example
 * import { pipeline } from 'node:stream/promises';
 * import { udpSource, decode, toNdjson } from 'flowpipe';
 * const source = udpSource({ listen: [2055, 4739, 6343] });
 * await source.listen();
 * await pipeline(source, decode(), toNdjson(), process.stdout);
 * @packageDocumentation
 */
export * from './lib/index.js';
export { CaptureParser, readCapture, isCapture } from './lib/capture.js';
export type { CapturedDatagram, CaptureStats } from './lib/capture.js';
export { pcapFile, pcapHeader, pcapRecord } from './lib/pcap-write.js';
export type { UdpPacket } from './lib/pcap-write.js';
export { toJson } from './lib/json.js';
export type { Datagram } from './transforms/datagram.js';
export { decode, DecodeStream } from './transforms/decode.js';
export type { DecodeStreamOptions } from './transforms/decode.js';
export { toNdjson, fromNdjson, parseNdjsonLine } from './transforms/ndjson.js';
export type { ToNdjsonOptions } from './transforms/ndjson.js';
export { map, filter, discard } from './transforms/map-filter.js';
export { captureSource } from './transforms/capture-source.js';
export { framer, Framer } from './transforms/framer.js';
export type { FramerOptions } from './transforms/framer.js';
export { frameAt } from './lib/framing.js';
export type { CaptureSourceOptions } from './transforms/capture-source.js';
export { udpSource, UdpSource, allowlist } from './transforms/udp-source.js';
export type { UdpSourceOptions, UdpSourceStats } from './transforms/udp-source.js';
export { tee } from './transforms/tee.js';
export { fileSink } from './transforms/file-sink.js';
export type { FileSinkOptions } from './transforms/file-sink.js';
export { Collector } from './transforms/collector.js';
export type { CollectorOptions } from './transforms/collector.js';
export { demux } from './transforms/demux.js';
export type { Routes } from './transforms/demux.js';
export { detectProtocol } from './lib/walk.js';
export { parallelDecode, ParallelDecode } from './transforms/parallel-decode.js';
export type { ParallelDecodeOptions, ParallelReport } from './transforms/parallel-decode.js';
