// Template state keyed by (exporter address, exporter port, domain, template id), data waiting
// for its template, template expiry, and the caps that keep all of it bounded: per exporter,
// domain and template, and global ones (exporters, domains, templates, template fields, pending
// data) so that no flood of valid traffic can exhaust memory. Every eviction is counted; data
// evicted while waiting for its template is reported as a template miss.
//
// With the default template scope, data from one port of an address may use a template learned
// on another port of that address for the same domain (exporters such as Cisco IOS XR line cards
// send templates and data from different source ports); `templateScope: 'strict'` keeps RFC
// 7011's transport-session scope.
import { decoderOf } from './decoder-cache.js';
import { HeldMisses, missErrors } from './template-misses.js';
import { fieldInfo, type CompiledTemplate, type TemplateDef } from './template.js';
import { DEFAULTS, type EvictionStats, type TemplateStoreOptions } from './store-options.js';
import { DomainState, ExporterState, type NetflowProtocol, type PendingSet } from './exporter-state.js';
import type { DecodeError, TemplateEvent } from '../types.js';

export { DomainState, ExporterState, type PendingSet } from './exporter-state.js';
export type { EvictionStats, TemplateStoreOptions } from './store-options.js';

/** An exporter moves to the recent end of the eviction order at most this often (its clock). */
const TOUCH_MS = 1000;
/** Ports of one address searched for a template learned on a sibling port. */
const MAX_SIBLINGS = 64;

export class TemplateStore {
  readonly options: Required<TemplateStoreOptions>;
  /** Exporters, least recently heard first (approximately: re-ordered at most once per TOUCH_MS). */
  readonly exporters = new Map<string, ExporterState>();
  readonly evicted: EvictionStats = { exporters: 0, domains: 0, templates: 0, pendingSets: 0, pendingBytes: 0 };
  /** Exporters by address, for the 'address' template scope (ports of one address share templates). */
  private readonly byAddress = new Map<string, Set<ExporterState>>();
  private templateCount = 0;
  private fieldCount = 0;
  private domainCount = 0;
  private pendingSetCount = 0;
  private pendingByteCount = 0;
  /** Template misses of evicted domains, reported at the next sweep. */
  private readonly held = new HeldMisses();

  constructor(options: TemplateStoreOptions = {}) {
    this.options = { ...DEFAULTS, ...stripUndefined(options) };
  }

  /** Templates held across all exporters. */
  get size(): number {
    return this.templateCount;
  }

  get pendingSets(): number {
    return this.pendingSetCount;
  }

  /** Totals held, for stateSize(). */
  totals(): { domains: number; templates: number; fields: number; pendingSets: number; pendingBytes: number } {
    return { domains: this.domainCount, templates: this.templateCount, fields: this.fieldCount, pendingSets: this.pendingSetCount, pendingBytes: this.pendingByteCount };
  }

  exporter(key: string, now: number): ExporterState {
    let e = this.exporters.get(key);
    if (e === undefined) {
      if (this.exporters.size >= this.options.maxExporters) this.evictExporter(this.exporters.values().next().value as ExporterState);
      e = new ExporterState(key);
      this.exporters.set(key, e);
      e.touchedAt = now;
      const same = this.byAddress.get(e.address);
      if (same === undefined) this.byAddress.set(e.address, new Set([e]));
      else same.add(e);
    } else {
      const t = e.touchedAt;
      if (now - t >= TOUCH_MS || now < t) {
        // O(1) LRU: a Map keeps insertion order, so re-inserting moves it to the recent end.
        this.exporters.delete(key);
        this.exporters.set(key, e);
        e.touchedAt = now;
      }
    }
    e.lastSeen = now;
    return e;
  }

  domain(e: ExporterState, protocol: NetflowProtocol, id: number): DomainState {
    const key = protocol + id;
    let d = e.domains.get(key);
    if (d === undefined) {
      if (e.domains.size >= this.options.maxDomainsPerExporter) this.evictDomain(e.domains.values().next().value as DomainState);
      if (this.domainCount >= this.options.maxDomains) this.evictDomains(e);
      d = new DomainState(e, protocol, id, decoderOf);
      e.domains.set(key, d);
      this.domainCount++;
    }
    return d;
  }

  /** Drops an exporter with everything it holds; its waiting data becomes template misses. */
  private evictExporter(e: ExporterState): void {
    this.evicted.exporters++;
    this.dropPending(e, e.pending);
    for (const d of [...e.domains.values()]) this.removeDomain(d);
    this.exporters.delete(e.key);
    const same = this.byAddress.get(e.address);
    if (same !== undefined) {
      same.delete(e);
      if (same.size === 0) this.byAddress.delete(e.address);
    }
  }

  /** Drops one domain, its templates and the data waiting for them. */
  private evictDomain(d: DomainState): void {
    this.evicted.domains++;
    const e = d.exporter;
    const mine = e.pending.filter((p) => p.domain === d);
    if (mine.length > 0) {
      e.pending = e.pending.filter((p) => p.domain !== d);
      this.dropPending(e, mine);
    }
    this.removeDomain(d);
  }

  private removeDomain(d: DomainState): void {
    const e = d.exporter;
    this.evicted.templates += d.templates.size;
    this.templateCount -= d.templates.size;
    e.templateCount -= d.templates.size;
    this.fieldCount -= d.fieldCount;
    this.domainCount--;
    this.held.hold(d);
    e.domains.delete(d.protocol + d.id);
  }

  /** The global domain cap: the oldest domains of the exporter holding most, 1% at a time. */
  private evictDomains(current: ExporterState): void {
    const target = Math.floor(this.options.maxDomains * 0.99);
    while (this.domainCount > target) {
      const victim = this.largest((x) => x.domains.size);
      if (victim === undefined) return;
      if (victim.domains.size <= 1 && victim !== current) this.evictExporter(victim);
      else if (victim.domains.size === 0) return;
      else this.evictDomain(victim.domains.values().next().value as DomainState);
    }
  }

  /** The exporter with the largest `size` (a scan; callers evict in batches). */
  private largest(size: (e: ExporterState) => number): ExporterState | undefined {
    let best: ExporterState | undefined;
    let most = -1;
    for (const e of this.exporters.values()) {
      const n = size(e);
      if (n > most) { most = n; best = e; }
    }
    return best;
  }

  /**
   * The same domain on the other ports of this domain's address (empty in strict scope), most
   * recently heard first; at most MAX_SIBLINGS ports are looked at.
   */
  siblings(d: DomainState): DomainState[] {
    if (this.options.templateScope === 'strict') return [];
    const same = this.byAddress.get(d.exporter.address);
    if (same === undefined || same.size < 2) return [];
    const out: DomainState[] = [];
    const key = d.protocol + d.id;
    let looked = 0;
    for (const e of same) {
      if (e === d.exporter) continue;
      if (++looked > MAX_SIBLINGS) break;
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
    if (old !== undefined) this.forget(d, def.id, old.def.fields.length);
    const entry = { def, tpl: undefined, lastSeen: now };
    d.templates.set(def.id, entry);
    this.count(d, 1, def.fields.length);
    if (this.templateCount > this.options.maxTemplates || this.fieldCount > this.options.maxTemplateFields) this.evictTemplates(entry);
    events.push({
      type: 'template-learned', protocol: def.protocol as TemplateEvent['protocol'], exporter: d.exporter.key,
      domain: d.id, templateId: def.id, options: def.options, redefined: old !== undefined,
      fields: fieldInfo(def),
    });
    return null;
  }

  private count(d: DomainState, templates: number, fields: number): void {
    this.templateCount += templates;
    d.exporter.templateCount += templates;
    this.fieldCount += fields;
    d.fieldCount += fields;
  }

  private forget(d: DomainState, id: number, fields: number): void {
    d.templates.delete(id);
    this.count(d, -1, -fields);
  }

  /** The global template and field caps: the oldest templates of the exporter holding most, 1% at a time. */
  private evictTemplates(keep: object): void {
    const o = this.options;
    const templates = Math.floor(o.maxTemplates * 0.99);
    const fields = Math.floor(o.maxTemplateFields * 0.99);
    while (this.templateCount > templates || this.fieldCount > fields) {
      const victim = this.largest((x) => x.templateCount);
      if (victim === undefined || !this.evictOldestTemplates(victim, keep, templates, fields)) return;
    }
  }

  /** Evicts templates of one exporter, oldest domain and oldest definition first; false if none could go. */
  private evictOldestTemplates(e: ExporterState, keep: object, templates: number, fields: number): boolean {
    let any = false;
    for (const d of e.domains.values()) {
      for (const [id, t] of d.templates) {
        if (t === keep) continue;
        this.forget(d, id, t.def.fields.length);
        this.evicted.templates++;
        any = true;
        if (this.templateCount <= templates && this.fieldCount <= fields) return true;
      }
    }
    return any;
  }

  /** IPFIX withdrawal of one template, or of all (options) templates of a domain. */
  withdraw(d: DomainState, id: number, options: boolean, all: boolean, events: TemplateEvent[]): void {
    const ids = all ? [...d.templates.entries()].filter(([, t]) => t.def.options === options).map(([i]) => i) : [id];
    for (const tid of ids) {
      const t = d.templates.get(tid);
      if (t === undefined) continue;
      this.forget(d, tid, t.def.fields.length);
      events.push({ type: 'template-withdrawn', protocol: 'ipfix', exporter: d.exporter.key, domain: d.id, templateId: tid, options: t.def.options });
    }
  }

  /** Keeps data for a template not yet known, evicting the oldest beyond the caps. */
  defer(p: PendingSet): void {
    const e = p.domain.exporter;
    e.pending.push(p);
    e.pendingBytes += p.data.length;
    this.pendingSetCount++;
    this.pendingByteCount += p.data.length;
    const o = this.options;
    let n = 0;
    while (n < e.pending.length - 1 && (e.pending.length - n > o.maxPendingSets || e.pendingBytes > o.maxPendingBytes)) this.dropOne(e, e.pending[n++]!, true);
    if (n > 0) e.pending = e.pending.slice(n);
    if (this.pendingSetCount > o.maxPendingSetsTotal || this.pendingByteCount > o.maxPendingBytesTotal) this.evictPending();
  }

  /** The global pending caps: the oldest data of the exporter holding most, 1% at a time. */
  private evictPending(): void {
    const o = this.options;
    const sets = Math.floor(o.maxPendingSetsTotal * 0.99);
    const bytes = Math.floor(o.maxPendingBytesTotal * 0.99);
    while (this.pendingSetCount > sets || this.pendingByteCount > bytes) {
      const victim = this.largest((x) => x.pendingBytes);
      if (victim === undefined || victim.pending.length === 0) return;
      let n = 0;
      while (n < victim.pending.length && (this.pendingSetCount > sets || this.pendingByteCount > bytes)) this.dropOne(victim, victim.pending[n++]!, true);
      victim.pending = victim.pending.slice(n);
    }
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
      for (const p of out) this.unpend(e, p);
    }
    return out;
  }

  private unpend(e: ExporterState, p: PendingSet): void {
    e.pendingBytes -= p.data.length;
    this.pendingSetCount--;
    this.pendingByteCount -= p.data.length;
  }

  /**
   * Drops one waiting data set (the caller removes it from the list): a template miss, counted;
   * `evicted` (dropped for a cap, not for its age or the end of input) counts it as an eviction too.
   */
  private dropOne(e: ExporterState, p: PendingSet, evicted: boolean): void {
    this.unpend(e, p);
    if (evicted) {
      this.evicted.pendingSets++;
      this.evicted.pendingBytes += p.data.length;
    }
    const m = p.domain.misses.get(p.templateId) ?? { sets: 0, bytes: 0 };
    m.sets++;
    m.bytes += p.data.length;
    p.domain.misses.set(p.templateId, m);
  }

  /** Drops waiting data sets of state being evicted (taken off the exporter's list, or its whole list). */
  private dropPending(e: ExporterState, list: readonly PendingSet[]): void {
    for (const p of list) this.dropOne(e, p, true);
    if (list === e.pending) e.pending = [];
  }

  /**
   * Expires templates not refreshed in time and data that waited too long, and reports template
   * misses (one error per exporter/domain/template id, with counts; those of evicted state too).
   * `all` drops every pending set now (end of input).
   */
  sweep(now: number, events: TemplateEvent[], errors: DecodeError[], all = false): void {
    const o = this.options;
    this.held.drain(errors);
    for (const e of this.exporters.values()) {
      if (e.pending.length > 0) {
        const keep: PendingSet[] = [];
        for (const p of e.pending) {
          if (all || now - p.receivedAt > o.maxPendingAgeMs) this.dropOne(e, p, false);
          else keep.push(p);
        }
        e.pending = keep;
      }
      for (const d of e.domains.values()) {
        for (const [id, t] of d.templates) {
          if (now - t.lastSeen <= o.templateTimeoutMs) continue;
          this.forget(d, id, t.def.fields.length);
          events.push({ type: 'template-expired', protocol: t.def.protocol as TemplateEvent['protocol'], exporter: e.key, domain: d.id, templateId: id, options: t.def.options });
        }
        if (d.misses.size > 0) missErrors(d, errors);
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
