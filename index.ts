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
export { CaptureParser, readCapture, isCapture } from './lib/capture/reader.js';
export type { CapturedDatagram, CaptureStats } from './lib/capture/reader.js';
export { pcapFile, pcapHeader, pcapRecord } from './lib/capture/pcap-writer.js';
export type { UdpPacket } from './lib/capture/pcap-writer.js';
export { toJson } from './lib/ndjson/json.js';
export type { Datagram } from './transforms/core/datagram.js';
export { decode, DecodeStream } from './transforms/core/decode.js';
export type { DecodeStreamOptions } from './transforms/core/decode.js';
export { toNdjson, fromNdjson, parseNdjsonLine } from './transforms/format/ndjson.js';
export type { ToNdjsonOptions } from './transforms/format/ndjson.js';
export { map, filter, discard } from './transforms/core/map-filter.js';
export { captureSource } from './transforms/sources/capture-source.js';
export { framer, Framer } from './transforms/core/framer.js';
export type { FramerOptions } from './transforms/core/framer.js';
export { frameAt } from './lib/capture/framing.js';
export type { CaptureSourceOptions } from './transforms/sources/capture-source.js';
export { udpSource, UdpSource, allowlist } from './transforms/sources/udp-source.js';
export type { UdpSourceOptions, UdpSourceStats } from './transforms/sources/udp-source.js';
export { tee } from './transforms/core/tee.js';
export { fileSink } from './transforms/sinks/file-sink.js';
export type { FileSinkOptions } from './transforms/sinks/file-sink.js';
export { Collector } from './transforms/core/collector.js';
export type { CollectorOptions } from './transforms/core/collector.js';
export { demux } from './transforms/core/demux.js';
export type { Routes } from './transforms/core/demux.js';
export { detectProtocol } from './lib/codec/version.js';
export { parallelDecode, ParallelDecode } from './transforms/core/parallel-decode.js';
export type { ParallelDecodeOptions, ParallelReport } from './transforms/core/parallel-decode.js';
export { pick } from './transforms/core/pick.js';
export { toCsv } from './transforms/format/csv.js';
export { toTable } from './transforms/format/table.js';
export { toJsonArray } from './transforms/format/json-array.js';
export { compileFilter } from './lib/filter/expr.js';
export { normalize, NormalizeStream } from './transforms/enrich/normalize.js';
export type { NormalizeStageOptions } from './transforms/enrich/normalize.js';
export { networks } from './transforms/enrich/networks.js';
export { geoip } from './transforms/enrich/geoip.js';
export { exporterInfo } from './transforms/enrich/exporters.js';
export { interfaceNames } from './transforms/enrich/interfaces.js';
export { serviceNames } from './transforms/enrich/services.js';
export { EnricherStage } from './transforms/enrich/enricher-stage.js';
export { Enrichment, EnrichFileError } from './transforms/enrich/load.js';
export type { EnrichConfig } from './transforms/enrich/load.js';
export { FlowNormalizer } from './lib/normalize/normalizer.js';
export type { NormalizeOptions, NormalizeStats, OutputRecord } from './lib/normalize/normalizer.js';
export { NORMALIZED_FIELDS, ENRICHED_FIELDS } from './lib/normalize/flow.js';
export type { NormalizedFlow } from './lib/normalize/flow.js';
export type { Enricher } from './lib/enrich/enricher.js';
