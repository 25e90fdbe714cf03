/**
 * flowpipe: NetFlow v1/v5/v7/v9, IPFIX and sFlow v5 decoding.
 * @packageDocumentation
 */
export { FlowDecoder } from './decoder.js';
export type { DecoderOptions, DecoderStats, SavedTemplate, SequenceReport, StateSize, TemplateInfo } from './decoder.js';
export type { EvictionStats, TemplateStoreOptions } from './netflow/template-store.js';
export { decodePacket } from './structure.js';
export type { SflowStructure, SflowSampleStructure, SflowHeader } from './sflow/decode.js';
export type { PacketStructure, StructMessage, StructSet, StructTemplate } from './structure.js';
export { ipfixElement, v9Element, v9ScopeElement, ciscoV9Names, REVERSE_PEN } from './registry/index.js';
export type { ElementInfo, DataType } from './registry/index.js';
export { ipv4, ipv6, mac, exporterKey } from './codec/bytes.js';
export type * from './types.js';
