// The stateful, template-aware decoder: datagrams in, records, typed errors and template events
// out. Never throws on input: every problem becomes a DecodeError and is counted.
import { DecodeSession } from './netflow/decode-session.js';
import { exporterKey } from './codec/bytes.js';
import type { SequenceStats } from './codec/sequence.js';
import { fieldInfo } from './netflow/template.js';
import { TemplateStore, type EvictionStats, type TemplateStoreOptions } from './netflow/template-store.js';
import type { DecodeError, DecodeErrorKind, DecodeResult, Exporter, FlowProtocol, TemplateFieldInfo } from './types.js';
import { walkDatagram } from './netflow/walk.js';
import { savedTemplateProblem, type SavedTemplate } from './netflow/saved-templates.js';

export type { SavedTemplate } from './netflow/saved-templates.js';
import { ipfixField, v9Field } from './netflow/field-spec.js';
import { decodeSflow, isSflow, SflowSequences } from './sflow/decode.js';

/** Keys of stats.templateMisses before the rest are summed under `other`. */
const MAX_MISS_KEYS = 1000;

export interface DecoderOptions extends TemplateStoreOptions {
  /** How often (in the `now` clock given to decode) expiry runs and template misses are reported. Default 1000 ms. */
  sweepIntervalMs?: number;
}

/** Counters a decoder keeps; everything dropped is visible here. */
export interface DecoderStats {
  datagrams: number;
  bytes: number;
  /** Records by `protocol/kind`, e.g. `ipfix/flow`. */
  records: Record<string, number>;
  /** Errors by kind. */
  errors: Partial<Record<DecodeErrorKind, number>>;
  /**
   * Data sets dropped for want of a template, by `exporter domain/templateId`: the first 1,000
   * keys, the rest summed under `other` (spoofed sources cannot grow it without bound).
   */
  templateMisses: Record<string, number>;
  /** State dropped to stay within the caps (global and per exporter/domain), by kind. */
  evicted: EvictionStats;
  /** Bytes after the last message too short to be another message. */
  trailingBytes: number;
  /**
   * Data sets decoded with a template learned on another source port of the same address and
   * domain (templateScope 'address', the default).
   */
  templateFallbacks: number;
}

/** Sizes of the decoder's state, totals and the largest per exporter / domain. */
export interface StateSize {
  exporters: number;
  domains: number;
  templates: number;
  /** Fields of all templates held (maxTemplateFields bounds it). */
  templateFields: number;
  pendingSets: number;
  pendingBytes: number;
  perExporter: { maxDomains: number; maxPendingSets: number; maxPendingBytes: number };
  perDomain: { maxTemplates: number };
}

/** One stream's sequence counters. */
export interface SequenceReport extends SequenceStats {
  exporter: string;
  protocol: FlowProtocol;
  domain: number;
  /** sFlow: the agent address. */
  agent?: string;
  /** sFlow: per data source sample counters (`flows 0:3`, `counters 0:23001`); absent for datagram counters. */
  source?: string;
}

/** A template held by the decoder. */
export interface TemplateInfo {
  exporter: string;
  protocol: FlowProtocol;
  domain: number;
  templateId: number;
  options: boolean;
  fields: TemplateFieldInfo[];
}

/**
 * Decodes NetFlow v1/v5/v7/v9 and IPFIX datagrams with template state per exporter.
 *
 * @example
 * const dec = new FlowDecoder();
 * const { records, errors, events } = dec.decode(datagram, { address: '192.0.2.1', port: 2055 });
 */
export class FlowDecoder {
  readonly stats: DecoderStats;
  private readonly store: TemplateStore;
  private readonly sweepIntervalMs: number;
  private readonly session: DecodeSession;
  private readonly sflow = new SflowSequences();
  private lastSweep = -Infinity;
  private missKeys = 0;
  /** The latest `now` given to decode(): the input's clock (a capture's, when decoding a file). */
  private clock = NaN;

  constructor(options: DecoderOptions = {}) {
    this.store = new TemplateStore(options);
    this.stats = { datagrams: 0, bytes: 0, records: {}, errors: {}, templateMisses: {}, evicted: this.store.evicted, trailingBytes: 0, templateFallbacks: 0 };
    this.sweepIntervalMs = options.sweepIntervalMs ?? 1000;
    this.session = new DecodeSession(this.store);
    this.stats.records = this.session.recordCounts;
  }

  /**
   * Decodes one datagram (one or more export messages) from `exporter`.
   * @param now the receive time in epoch ms (template expiry and pending-data ageing run on it)
   */
  decode(datagram: Uint8Array, exporter: Exporter, now: number = Date.now()): DecodeResult {
    const res: DecodeResult = { records: [], errors: [], events: [] };
    this.stats.datagrams++;
    this.stats.bytes += datagram.length;
    const key = exporterKey(exporter.address, exporter.port);
    if (!(now <= this.clock)) this.clock = now;
    try {
      if (isSflow(datagram)) this.decodeSflow(datagram, key, now, res);
      else {
        this.session.begin(res, this.store.exporter(key, now), now);
        this.stats.trailingBytes += walkDatagram(datagram, this.session);
        this.stats.templateFallbacks = this.session.templateFallbacks;
      }
    } catch (err) {
      // A decoder bug must not take the pipeline down with it: report it like bad input.
      res.errors.push({ kind: 'internal', reason: `decoder error: ${(err as Error).message}`, exporter: key, offset: -1 });
    }
    if (now - this.lastSweep >= this.sweepIntervalMs) this.sweep(res, now, false);
    this.countErrors(res.errors);
    return res;
  }

  /**
   * End of input: every data set still waiting for its template becomes a template-miss error.
   * Call when a file or stream ends. Expiry runs on the input's clock (the latest receive time
   * given to decode(), so the templates of an old capture do not all expire at its end), or on
   * the wall clock when nothing was decoded.
   */
  flush(now: number = Number.isNaN(this.clock) ? Date.now() : this.clock): DecodeResult {
    const res: DecodeResult = { records: [], errors: [], events: [] };
    this.sweep(res, now, true);
    this.countErrors(res.errors);
    return res;
  }

  private decodeSflow(datagram: Uint8Array, key: string, now: number, res: DecodeResult): void {
    this.stats.trailingBytes += decodeSflow(datagram, key, now, res, this.sflow);
    // Counted by kind first: no key string per record.
    let flow = 0, counters = 0, drop = 0;
    for (const r of res.records) {
      if (r.kind === 'flow') flow++;
      else if (r.kind === 'counters') counters++;
      else drop++;
    }
    const counts = this.stats.records;
    if (flow > 0) counts['sflow-v5/flow'] = (counts['sflow-v5/flow'] ?? 0) + flow;
    if (counters > 0) counts['sflow-v5/counters'] = (counts['sflow-v5/counters'] ?? 0) + counters;
    if (drop > 0) counts['sflow-v5/drop'] = (counts['sflow-v5/drop'] ?? 0) + drop;
  }

  private sweep(res: DecodeResult, now: number, all: boolean): void {
    this.lastSweep = now;
    const before = res.errors.length;
    this.store.sweep(now, res.events, res.errors, all);
    for (let i = before; i < res.errors.length; i++) {
      const e = res.errors[i]!;
      const misses = this.stats.templateMisses;
      let k = e.exporter === 'other' ? 'other' : `${e.exporter} ${e.domain}/${e.templateId}`;
      if (!(k in misses) && this.missKeys >= MAX_MISS_KEYS) k = 'other';
      else if (!(k in misses)) this.missKeys++;
      misses[k] = (misses[k] ?? 0) + (e.dropped?.sets ?? 0);
    }
  }

  private countErrors(errors: readonly DecodeError[]): void {
    for (const e of errors) this.stats.errors[e.kind] = (this.stats.errors[e.kind] ?? 0) + 1;
  }

  /** Templates currently held. */
  templates(): TemplateInfo[] {
    return [...this.store.entries()].map(({ exporter, domain, def }) => ({
      exporter, protocol: domain.protocol, domain: domain.id, templateId: def.id, options: def.options,
      fields: fieldInfo(def),
    }));
  }

  /**
   * Template state as plain JSON (for `--templates FILE`): restored with importTemplates(), so a
   * restarted collector decodes data before the exporter's next template refresh.
   */
  exportTemplates(): SavedTemplate[] {
    return [...this.savedTemplates()];
  }

  /** exportTemplates() one entry at a time, for writing a large state without holding it twice. */
  *savedTemplates(): Generator<SavedTemplate> {
    for (const { exporter, domain, def } of this.store.entries()) {
      yield {
        exporter, protocol: def.protocol as SavedTemplate['protocol'], domain: domain.id, templateId: def.id, options: def.options,
        fields: def.fields.map((f) => ({ id: f.id, pen: f.pen, length: f.length, scope: f.scope })),
      };
    }
  }

  /** The caps this decoder applies (also to imported templates). */
  get limits(): Readonly<Required<TemplateStoreOptions>> {
    return this.store.options;
  }

  /**
   * Restores templates saved by exportTemplates(); returns how many were loaded. Every entry is
   * validated first (types, ranges, reserved ids, field-count cap): an invalid one is skipped and
   * reported to `onRejected` with its index and why, the rest are loaded.
   */
  importTemplates(saved: readonly unknown[], now: number = Date.now(), onRejected?: (index: number, reason: string) => void): number {
    let n = 0;
    const limits = { maxFieldsPerTemplate: this.store.options.maxFieldsPerTemplate };
    saved.forEach((entry, index) => {
      const problem = savedTemplateProblem(entry, limits);
      if (problem !== null) {
        onRejected?.(index, problem);
        return;
      }
      const t = entry as SavedTemplate;
      const fields = t.fields.map((f) => (t.protocol === 'ipfix' ? ipfixField(f.pen, f.id, f.length, f.scope) : v9Field(f.id, f.length, f.scope)));
      const exp = this.store.exporter(t.exporter, now);
      const refused = this.store.learn(this.store.domain(exp, t.protocol, t.domain), { protocol: t.protocol, id: t.templateId, options: t.options, fields }, now, []);
      if (refused === null) n++;
      else onRejected?.(index, refused);
    });
    return n;
  }

  /** Data sets waiting for their template. */
  get pendingSets(): number {
    return this.store.pendingSets;
  }

  /** How much state the decoder holds (each bounded by an option). */
  stateSize(): StateSize {
    let maxPendingSets = 0, maxPendingBytes = 0, maxDomains = 0, maxTemplates = 0;
    for (const e of this.store.exporters.values()) {
      maxDomains = Math.max(maxDomains, e.domains.size);
      maxPendingSets = Math.max(maxPendingSets, e.pending.length);
      maxPendingBytes = Math.max(maxPendingBytes, e.pendingBytes);
      for (const d of e.domains.values()) maxTemplates = Math.max(maxTemplates, d.templates.size);
    }
    const t = this.store.totals();
    return {
      exporters: this.store.exporters.size, domains: t.domains, templates: t.templates, templateFields: t.fields, pendingSets: t.pendingSets, pendingBytes: t.pendingBytes,
      perExporter: { maxDomains, maxPendingSets, maxPendingBytes }, perDomain: { maxTemplates },
    };
  }

  /** Sequence loss / duplicate / reordering per (exporter, domain). */
  sequenceStats(): SequenceReport[] {
    const out: SequenceReport[] = [];
    for (const e of this.store.exporters.values()) {
      for (const d of e.domains.values()) {
        if (d.sequence === null) continue;
        out.push({ exporter: e.key, protocol: d.protocol, domain: d.id, ...d.sequence.snapshot() });
      }
    }
    // sFlow: datagrams per (exporter, agent, sub-agent); samples per data source.
    for (const [key, t] of this.sflow.datagrams) {
      const [exporter, agent, sub] = key.split('|');
      out.push({ exporter: exporter!, protocol: 'sflow-v5', domain: Number(sub), agent, ...t.snapshot() });
    }
    for (const [key, t] of this.sflow.sources) {
      const [exporter, agent, sub, kind, source] = key.split('|');
      out.push({ exporter: exporter!, protocol: 'sflow-v5', domain: Number(sub), agent, source: `${kind === 'c' ? 'counters' : 'flows'} ${source}`, ...t.snapshot() });
    }
    return out;
  }
}
