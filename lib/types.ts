/** Where a datagram came from: the UDP source of an export. */
export interface Exporter {
  readonly address: string;
  readonly port: number;
}

/** Wire protocols flowpipe decodes. */
export type FlowProtocol = 'netflow-v1' | 'netflow-v5' | 'netflow-v7' | 'netflow-v9' | 'ipfix' | 'sflow-v5';

/** A decoded field value. Integers above 2^53-1 are bigint; octet arrays and unknown elements are hex strings. */
export type FieldValue =
  | string | number | bigint | boolean | null
  | readonly FieldValue[]
  | BasicListValue | SubTemplateListValue | SubTemplateMultiListValue;

/** RFC 6313 structured-data semantic. */
export type ListSemantic = 'noneOf' | 'exactlyOneOf' | 'oneOrMoreOf' | 'allOf' | 'ordered' | 'undefined' | `semantic${number}`;

/** RFC 6313 basicList: a list of values of one Information Element. */
export interface BasicListValue {
  readonly semantic: ListSemantic;
  readonly element: string;
  readonly values: FieldValue[];
}

/** RFC 6313 subTemplateList: records of one template. */
export interface SubTemplateListValue {
  readonly semantic: ListSemantic;
  readonly templateId: number;
  readonly records: FieldMap[];
  /** Hex of the records when their template is unknown. */
  readonly raw?: string;
}

/** RFC 6313 subTemplateMultiList: several lists of records, each with its template. */
export interface SubTemplateMultiListValue {
  readonly semantic: ListSemantic;
  readonly lists: { readonly templateId: number; readonly records: FieldMap[]; readonly raw?: string }[];
}

/** Decoded fields under their IANA (or vendor) names. */
export interface FieldMap {
  [field: string]: FieldValue | undefined;
}

/** Record meta data common to every protocol. */
export interface RecordMeta {
  /**
   * `flow` for data records and sFlow flow samples, `options` for options data records
   * (v9/IPFIX), `counters` for sFlow counter samples, `drop` for sFlow discarded-packet samples.
   */
  kind: 'flow' | 'options' | 'counters' | 'drop';
  protocol: FlowProtocol;
  /** `ip:port` of the exporter (`[v6]:port` for IPv6). */
  exporter: string;
  /** v9 source id, IPFIX observation domain id, v5/v7 `engineType << 8 | engineId`, sFlow sub-agent id, v1 0. */
  domain: number;
  /** v9/IPFIX template id; 0 for the fixed formats. */
  templateId: number;
  /** Export time from the message header, epoch milliseconds (sFlow has none: the receive time). */
  exportTime: number;
  /** Header sequence number (v9 packets, IPFIX and v5/v7 records). */
  sequence: number;
  /** Names of the fields that are options scope fields (options records only). */
  scopes?: readonly string[];
}

/** One decoded data record: meta data, then the fields flat under their names. */
export type FlowRecord = RecordMeta & FieldMap;

/** Why a datagram, or part of one, could not be decoded. */
export type DecodeErrorKind =
  | 'unknown-version'   // version word not 1, 5, 7, 9, 10 (or sFlow 5)
  | 'truncated'         // header or declared content runs past the end of the datagram
  | 'bad-length'        // a length field that cannot be right (set shorter than its header, message length < header)
  | 'bad-template'      // a template record that cannot be used (field count overflow, reserved id, zero-length record)
  | 'record-overflow'   // a data record longer than what is left of its set
  | 'length-mismatch'   // message length disagrees with the datagram; decoded by the set lengths instead
  | 'template-miss'     // data whose template never arrived in time (counted per exporter/template id)
  | 'nesting-too-deep'  // RFC 6313 lists nested beyond the decoder's limit
  | 'internal';         // a decoder bug caught at the boundary: reported, never thrown

/** A typed decode error: returned as data, never thrown. */
export interface DecodeError {
  readonly kind: DecodeErrorKind;
  readonly reason: string;
  readonly exporter: string;
  /** Byte offset in the datagram where the problem was found (-1 when not about one datagram). */
  readonly offset: number;
  readonly protocol?: FlowProtocol;
  readonly domain?: number;
  readonly templateId?: number;
  /**
   * true when the problem is in data held from an earlier datagram (decoded when its template
   * arrived): `offset` then points into that earlier datagram.
   */
  readonly held?: boolean;
  /** For template misses: how many data sets and records were dropped. */
  readonly dropped?: { readonly sets: number; readonly bytes: number };
}

/** One field of a template as the exporter declared it. */
export interface TemplateFieldInfo {
  readonly id: number;
  readonly pen: number;
  /** Declared length; 65535 means variable length. */
  readonly length: number;
  readonly name: string;
  readonly scope: boolean;
}

/** Template state changes, reported beside the records (never as records). */
export interface TemplateEvent {
  readonly type: 'template-learned' | 'template-withdrawn' | 'template-expired';
  readonly protocol: 'netflow-v9' | 'ipfix';
  readonly exporter: string;
  readonly domain: number;
  readonly templateId: number;
  /** Options template? */
  readonly options: boolean;
  /** true when a learned template replaced a different definition with the same id. */
  readonly redefined?: boolean;
  readonly fields?: readonly TemplateFieldInfo[];
}

/** What one call to the stateful decoder produced. */
export interface DecodeResult {
  records: FlowRecord[];
  errors: DecodeError[];
  events: TemplateEvent[];
  /**
   * NetFlow/IPFIX: which compiled template built which records, in order (absent when there
   * are none, and for sFlow). Lets a serializer that gets the records untouched skip checking
   * every record's keys.
   */
  runs?: RecordRun[];
}

/** Records from the previous run's `end` up to this `end` were built by one compiled template. */
export interface RecordRun {
  /** Index in `records` after the run's last record. */
  end: number;
  /**
   * The records' own keys, in order, when their derived times (flowStart/EndMilliseconds from
   * uptimes) are known; otherwise they lack those keys. One frozen array per compiled template.
   */
  keys: readonly string[];
}
