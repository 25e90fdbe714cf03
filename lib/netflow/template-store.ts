// Template state keyed by (exporter address, exporter port, domain, template id), data waiting
// for its template, template expiry, and the caps that keep all of it bounded. With the default
// template scope, data from one port of an address may use a template learned on another port of
// that address for the same domain (exporters such as Cisco IOS XR line cards send templates and
// data from different source ports); `templateScope: 'strict'` keeps RFC 7011's transport-session
// scope.
import { compileTemplate } from './compile.js';
import { RecordSequenceTracker, SequenceTracker } from '../codec/sequence.js';
import { exporterAddressOf } from '../codec/bytes.js';
import { fieldInfo, signatureOf, type CompiledTemplate, type TemplateDef } from './template.js';
import type { DecodeError, TemplateEvent } from '../types.js';

export interface TemplateStoreOptions {
  /** A template not refreshed for this long is forgotten (default 30 min). */
  templateTimeoutMs?: number;
  /** Data sets kept per exporter while waiting for their template (default 1000). */
  maxPendingSets?: number;
  /** Bytes of such data kept per exporter (default 8 MiB). */
  maxPendingBytes?: number;
  /** How long such data waits (default 120 s). */
  maxPendingAgeMs?: number;
  /** Exporters (address:port) tracked at once; the least recently heard is dropped (default 10,000). */
  maxExporters?: number;
  /** Observation domains / source ids per exporter (default 1,024). */
  maxDomainsPerExporter?: number;
  /** Templates per domain (default 4,096). */
  maxTemplatesPerDomain?: number;
  /** Fields per template; longer templates are rejected as bad-template (default 1,024). */
  maxFieldsPerTemplate?: number;
  /**
   * 'address' (default): when the exact (address, port, domain) has no template for a data set,
   * use one learned from another source port of the same address and domain (counted in
   * `templateFallbacks`). 'strict': templates belong to one transport session (RFC 7011 §8).
   * Another address or another domain never shares templates.
   */
  templateScope?: 'address' | 'strict';
}

/** A learned template; compiled on first use, since many exporters define templates they never use. */
interface TemplateEntry {
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

/** State of one (exporter, protocol, domain). */
export class DomainState {
  readonly templates = new Map<number, TemplateEntry>();
  /** v9 counts messages; IPFIX, v5 and v7 count records (numbering convention learned); v1 has none. */
  readonly sequence: SequenceTracker | RecordSequenceTracker | null;
  /** IPFIX systemInitTimeMilliseconds from options data (NaN until seen). */
  initMs = NaN;
  /** Template misses not yet reported: template id -> dropped sets and bytes. */
  readonly misses = new Map<number, { sets: number; bytes: number }>();
  readonly lookup = (id: number): CompiledTemplate | undefined => {
    const t = this.templates.get(id);
    if (t === undefined) return undefined;
    return t.tpl ?? (t.tpl = compileShared(t.def));
  };
  constructor(
    readonly exporter: ExporterState,
    readonly protocol: 'netflow-v9' | 'ipfix' | 'netflow-v1' | 'netflow-v5' | 'netflow-v7',
    readonly id: number,
  ) {
    this.sequence = protocol === 'netflow-v1' ? null : protocol === 'netflow-v9' ? new SequenceTracker() : new RecordSequenceTracker();
  }
}

/** State of one exporter (address:port). */
export class ExporterState {
  readonly domains = new Map<string, DomainState>();
  pending: PendingSet[] = [];
  pendingBytes = 0;
  lastSeen = 0;
  /** The address part of the key (without brackets for IPv6). */
  readonly address: string;
  constructor(readonly key: string) {
    this.address = exporterAddressOf(key);
  }
}

const DEFAULTS: Required<TemplateStoreOptions> = {
  templateTimeoutMs: 30 * 60_000,
  maxPendingSets: 1000,
  maxPendingBytes: 8 * 1024 * 1024,
  maxPendingAgeMs: 120_000,
  maxExporters: 10_000,
  maxDomainsPerExporter: 1024,
  maxTemplatesPerDomain: 4096,
  maxFieldsPerTemplate: 1024,
  templateScope: 'address',
};

/**
 * Compiled templates shared by every decoder: many routers send identical templates, and a
 * compiled template is immutable.
 */
const COMPILE_CACHE_MAX = 4096;
const compiled = new Map<string, CompiledTemplate>();

function compileShared(def: TemplateDef): CompiledTemplate {
  const key = `${def.protocol}|${def.id}|${signatureOf(def)}`;
  let tpl = compiled.get(key);
  if (tpl === undefined) {
    if (compiled.size >= COMPILE_CACHE_MAX) compiled.delete(compiled.keys().next().value as string);
    tpl = compileTemplate(def);
    compiled.set(key, tpl);
  }
  return tpl;
}

export class TemplateStore {
  readonly options: Required<TemplateStoreOptions>;
  readonly exporters = new Map<string, ExporterState>();
  /** Exporters by address, for the 'address' template scope (ports of one address share templates). */
  private readonly byAddress = new Map<string, ExporterState[]>();
  private templateCount = 0;

  constructor(options: TemplateStoreOptions = {}) {
    this.options = { ...DEFAULTS, ...stripUndefined(options) };
  }

  /** Templates held across all exporters. */
  get size(): number {
    return this.templateCount;
  }

  get pendingSets(): number {
    let n = 0;
    for (const e of this.exporters.values()) n += e.pending.length;
    return n;
  }

  exporter(key: string, now: number): ExporterState {
    let e = this.exporters.get(key);
    if (e === undefined) {
      if (this.exporters.size >= this.options.maxExporters) this.evictExporter();
      e = new ExporterState(key);
      this.exporters.set(key, e);
      const same = this.byAddress.get(e.address);
      if (same === undefined) this.byAddress.set(e.address, [e]);
      else same.push(e);
    }
    e.lastSeen = now;
    return e;
  }

  domain(e: ExporterState, protocol: DomainState['protocol'], id: number): DomainState {
    const key = protocol + id;
    let d = e.domains.get(key);
    if (d === undefined) {
      if (e.domains.size >= this.options.maxDomainsPerExporter) {
        const [oldKey, old] = e.domains.entries().next().value as [string, DomainState];
        this.templateCount -= old.templates.size;
        e.domains.delete(oldKey);
      }
      d = new DomainState(e, protocol, id);
      e.domains.set(key, d);
    }
    return d;
  }

  private evictExporter(): void {
    let oldest: ExporterState | undefined;
    for (const e of this.exporters.values()) if (oldest === undefined || e.lastSeen < oldest.lastSeen) oldest = e;
    if (oldest === undefined) return;
    for (const d of oldest.domains.values()) this.templateCount -= d.templates.size;
    this.exporters.delete(oldest.key);
    const same = this.byAddress.get(oldest.address);
    if (same !== undefined) {
      same.splice(same.indexOf(oldest), 1);
      if (same.length === 0) this.byAddress.delete(oldest.address);
    }
  }

  /**
   * The same domain on the other ports of this domain's address (empty in strict scope), most
   * recently heard first.
   */
  siblings(d: DomainState): DomainState[] {
    if (this.options.templateScope === 'strict') return [];
    const same = this.byAddress.get(d.exporter.address);
    if (same === undefined || same.length < 2) return [];
    const out: DomainState[] = [];
    const key = d.protocol + d.id;
    for (const e of same) {
      if (e === d.exporter) continue;
      const s = e.domains.get(key);
      if (s !== undefined) out.push(s);
    }
    return out.sort((a, b) => b.exporter.lastSeen - a.exporter.lastSeen);
  }

  /** A template for `id` learned on another port of the same address and domain, if the scope allows. */
  borrow(d: DomainState, id: number): { tpl: CompiledTemplate; from: DomainState } | undefined {
    for (const s of this.siblings(d)) {
      const tpl = s.lookup(id);
      if (tpl !== undefined) return { tpl, from: s };
    }
    return undefined;
  }

  /**
   * Learns (or refreshes) a template. Returns null, or why it was not stored. A refresh with the
   * same definition emits no event.
   */
  learn(d: DomainState, def: TemplateDef, now: number, events: TemplateEvent[]): string | null {
    const old = d.templates.get(def.id);
    if (old !== undefined && old.def.options === def.options && sameFields(old.def, def)) {
      old.lastSeen = now;
      return null;
    }
    if (def.fields.length > this.options.maxFieldsPerTemplate) {
      return `${def.fields.length} fields, more than maxFieldsPerTemplate (${this.options.maxFieldsPerTemplate})`;
    }
    if (old === undefined && d.templates.size >= this.options.maxTemplatesPerDomain) {
      return `domain already holds ${d.templates.size} templates (maxTemplatesPerDomain)`;
    }
    if (old === undefined) this.templateCount++;
    d.templates.set(def.id, { def, tpl: undefined, lastSeen: now });
    events.push({
      type: 'template-learned', protocol: def.protocol as TemplateEvent['protocol'], exporter: d.exporter.key,
      domain: d.id, templateId: def.id, options: def.options, redefined: old !== undefined,
      fields: fieldInfo(def),
    });
    return null;
  }

  /** IPFIX withdrawal of one template, or of all (options) templates of a domain. */
  withdraw(d: DomainState, id: number, options: boolean, all: boolean, events: TemplateEvent[]): void {
    const ids = all ? [...d.templates.entries()].filter(([, t]) => t.def.options === options).map(([i]) => i) : [id];
    for (const tid of ids) {
      const t = d.templates.get(tid);
      if (t === undefined) continue;
      d.templates.delete(tid);
      this.templateCount--;
      events.push({ type: 'template-withdrawn', protocol: 'ipfix', exporter: d.exporter.key, domain: d.id, templateId: tid, options: t.def.options });
    }
  }

  /** Keeps data for a template not yet known, evicting the oldest beyond the caps. */
  defer(p: PendingSet): void {
    const e = p.domain.exporter;
    e.pending.push(p);
    e.pendingBytes += p.data.length;
    const o = this.options;
    while (e.pending.length > o.maxPendingSets || e.pendingBytes > o.maxPendingBytes) this.drop(e, e.pending.shift()!);
  }

  /** Removes and returns the data waiting for (domain, template id), oldest first. */
  take(d: DomainState, templateId: number): PendingSet[] {
    const e = d.exporter;
    if (e.pending.length === 0) return [];
    const out: PendingSet[] = [];
    const keep: PendingSet[] = [];
    for (const p of e.pending) (p.domain === d && p.templateId === templateId ? out : keep).push(p);
    if (out.length > 0) {
      e.pending = keep;
      for (const p of out) e.pendingBytes -= p.data.length;
    }
    return out;
  }

  private drop(e: ExporterState, p: PendingSet): void {
    e.pendingBytes -= p.data.length;
    const m = p.domain.misses.get(p.templateId) ?? { sets: 0, bytes: 0 };
    m.sets++;
    m.bytes += p.data.length;
    p.domain.misses.set(p.templateId, m);
  }

  /**
   * Expires templates not refreshed in time and data that waited too long, and reports template
   * misses (one error per exporter/domain/template id, with counts). `all` drops every pending set
   * now (end of input).
   */
  sweep(now: number, events: TemplateEvent[], errors: DecodeError[], all = false): void {
    const o = this.options;
    for (const e of this.exporters.values()) {
      if (e.pending.length > 0) {
        const keep: PendingSet[] = [];
        for (const p of e.pending) {
          if (all || now - p.receivedAt > o.maxPendingAgeMs) this.drop(e, p);
          else keep.push(p);
        }
        e.pending = keep;
      }
      for (const d of e.domains.values()) {
        for (const [id, t] of d.templates) {
          if (now - t.lastSeen <= o.templateTimeoutMs) continue;
          d.templates.delete(id);
          this.templateCount--;
          events.push({ type: 'template-expired', protocol: t.def.protocol as TemplateEvent['protocol'], exporter: e.key, domain: d.id, templateId: id, options: t.def.options });
        }
        for (const [id, m] of d.misses) {
          errors.push({
            kind: 'template-miss', exporter: e.key, offset: -1, protocol: d.protocol, domain: d.id, templateId: id,
            reason: `template ${id} never arrived: ${m.sets} data set(s), ${m.bytes} bytes dropped`, dropped: { ...m },
          });
        }
        d.misses.clear();
      }
    }
  }

  /** Every template, for saving state. */
  *entries(): Generator<{ exporter: string; domain: DomainState; def: TemplateDef; lastSeen: number }> {
    for (const e of this.exporters.values()) {
      for (const d of e.domains.values()) for (const t of d.templates.values()) yield { exporter: e.key, domain: d, def: t.def, lastSeen: t.lastSeen };
    }
  }
}

function sameFields(a: TemplateDef, b: TemplateDef): boolean {
  if (a.fields.length !== b.fields.length) return false;
  for (let i = 0; i < a.fields.length; i++) {
    const x = a.fields[i]!, y = b.fields[i]!;
    if (x.id !== y.id || x.pen !== y.pen || x.length !== y.length || x.scope !== y.scope) return false;
  }
  return true;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
