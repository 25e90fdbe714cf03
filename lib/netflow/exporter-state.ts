// What the decoder holds per exporter (address:port) and per observation domain / source id:
// templates, data waiting for its template, sequence tracking. Plain state; the caps and the
// eviction that keep it bounded live in template-store.ts.
import { RecordSequenceTracker, SequenceTracker } from '../codec/sequence.js';
import { exporterAddressOf } from '../codec/bytes.js';
import type { CompiledTemplate, TemplateDef } from './template.js';

/** A learned template; its decoder is made on first use, since many exporters define templates they never use. */
export interface TemplateEntry {
  readonly def: TemplateDef;
  tpl: CompiledTemplate | undefined;
  lastSeen: number;
}

/** Data held until its template arrives, with the header values it came with. */
export interface PendingSet {
  readonly domain: DomainState;
  readonly templateId: number;
  readonly data: Uint8Array;
  /** Offset of the set header in the datagram the data came in. */
  readonly offset: number;
  readonly exportTime: number;
  readonly sequence: number;
  readonly uptimeMs: number;
  readonly receivedAt: number;
}

export type NetflowProtocol = 'netflow-v9' | 'ipfix' | 'netflow-v1' | 'netflow-v5' | 'netflow-v7';

/** State of one (exporter, protocol, domain). */
export class DomainState {
  /** Templates by id, least recently (re)defined first. */
  readonly templates = new Map<number, TemplateEntry>();
  /** v9 counts messages; IPFIX, v5 and v7 count records (numbering convention learned); v1 has none. */
  readonly sequence: SequenceTracker | RecordSequenceTracker | null;
  /** IPFIX systemInitTimeMilliseconds from options data (NaN until seen). */
  initMs = NaN;
  /** Template misses not yet reported: template id -> dropped sets and bytes. */
  readonly misses = new Map<number, { sets: number; bytes: number }>();
  /** Fields of the templates held. */
  fieldCount = 0;
  readonly lookup: (id: number) => CompiledTemplate | undefined;

  constructor(
    readonly exporter: ExporterState,
    readonly protocol: NetflowProtocol,
    readonly id: number,
    decoderOf: (def: TemplateDef) => CompiledTemplate,
  ) {
    this.sequence = protocol === 'netflow-v1' ? null : protocol === 'netflow-v9' ? new SequenceTracker() : new RecordSequenceTracker();
    this.lookup = (tid: number): CompiledTemplate | undefined => {
      const t = this.templates.get(tid);
      if (t === undefined) return undefined;
      return t.tpl ?? (t.tpl = decoderOf(t.def));
    };
  }
}

/** State of one exporter (address:port). */
export class ExporterState {
  /** Domains by protocol + id, least recently created first. */
  readonly domains = new Map<string, DomainState>();
  pending: PendingSet[] = [];
  pendingBytes = 0;
  lastSeen = 0;
  /** When it last moved to the recent end of the store's eviction order. */
  touchedAt = 0;
  /** Templates held over all its domains (to find the largest holder when a global cap is hit). */
  templateCount = 0;
  /** The address part of the key (without brackets for IPv6). */
  readonly address: string;
  constructor(readonly key: string) {
    this.address = exporterAddressOf(key);
  }
}
