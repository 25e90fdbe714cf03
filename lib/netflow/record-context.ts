import type { DecodeError, FieldMap, FlowProtocol } from '../types.js';

/**
 * What a subTemplateList needs of a template found by `lookup`: a CompiledTemplate is one. Declared
 * here, not imported from template.ts, so the two modules do not import each other.
 */
export interface NestedTemplate {
  /** Smallest encoding of one record. */
  readonly minLength: number;
  readonly decodeFields: (b: Uint8Array, o: number, end: number, c: RecordContext) => FieldMap | null;
}

/**
 * Per-message state the compiled decoders read. One object is reused for every message of a
 * decoder, so the hot path allocates nothing but the records.
 */
export interface RecordContext {
  protocol: FlowProtocol;
  exporter: string;
  domain: number;
  exportTime: number;
  sequence: number;
  /** Offset just after the record last decoded. */
  next: number;
  /** v1/v5/v7/v9: header sysUptime in ms (uint32). NaN for IPFIX. */
  uptimeMs: number;
  /** IPFIX: systemInitTimeMilliseconds learned from options data for this domain, else NaN. */
  initMs: number;
  /** v5/v7 header fields copied into each record. */
  engineType: number;
  engineId: number;
  samplingAlgorithm: number;
  samplingInterval: number;
  /** Template lookup in the same (exporter, domain), for subTemplateList. */
  lookup: (templateId: number) => NestedTemplate | undefined;
  /** Current RFC 6313 nesting depth. */
  depth: number;
  /** Where nested decoders report problems. */
  errors: DecodeError[];
}

const noLookup = (): undefined => undefined;

export function newContext(): RecordContext {
  return {
    protocol: 'ipfix', exporter: '', domain: 0, exportTime: 0, sequence: 0, next: 0,
    uptimeMs: NaN, initMs: NaN, engineType: 0, engineId: 0, samplingAlgorithm: 0,
    samplingInterval: 0, lookup: noLookup, depth: 0, errors: [],
  };
}
