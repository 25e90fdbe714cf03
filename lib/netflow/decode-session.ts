// The SetSink behind FlowDecoder: applies what the walkers find to the template store and turns
// data sets into records with the compiled templates.
import { FIXED_TEMPLATES } from './fixed.js';
import { newContext } from './record-context.js';
import type { CompiledTemplate } from './template.js';
import type { TemplateItem } from './template-parse.js';
import type { DomainState, ExporterState, PendingSet, TemplateStore } from './template-store.js';
import type { DecodeError, DecodeErrorKind, DecodeResult } from '../types.js';
import { allZero } from '../codec/bytes.js';
import { SequenceTracker } from '../codec/sequence.js';
import { TieredTemplate } from './tiered.js';
import type { MessageHeader, SetSink } from './walk.js';

export class DecodeSession implements SetSink {
  readonly ctx = newContext();
  res: DecodeResult = { records: [], errors: [], events: [] };
  now = 0;
  exp: ExporterState | undefined;
  /** Records by `protocol/kind`. */
  readonly recordCounts: Record<string, number> = {};
  /** Data sets decoded with a template learned on another port of the same address and domain. */
  templateFallbacks = 0;
  private dom: DomainState | undefined;
  private head: MessageHeader | undefined;
  /** Flow data records in the current message, or -1 when some could not be counted. */
  private advance = 0;
  /** Options data records in the current message. */
  private optionRecords = 0;

  constructor(private readonly store: TemplateStore) {}

  /** Datagrams begun, so a template knows in how many datagrams it decoded data (its tier). */
  private serial = 0;

  /** Starts a datagram. */
  begin(res: DecodeResult, exp: ExporterState, now: number): void {
    this.serial++;
    this.res = res;
    this.exp = exp;
    this.now = now;
    this.head = undefined;
    this.ctx.exporter = exp.key;
    this.ctx.errors = res.errors;
  }

  header(h: MessageHeader): void {
    this.head = h;
    const dom = this.store.domain(this.exp!, h.protocol as DomainState['protocol'], h.domain);
    this.dom = dom;
    const c = this.ctx;
    c.protocol = h.protocol;
    c.domain = h.domain;
    c.exportTime = h.exportTime;
    c.sequence = h.sequence;
    c.uptimeMs = h.uptimeMs;
    c.initMs = dom.initMs;
    c.lookup = dom.lookup;
    c.engineType = h.engineType;
    c.engineId = h.engineId;
    c.samplingAlgorithm = h.samplingAlgorithm;
    c.samplingInterval = h.samplingInterval;
    this.advance = 0;
    this.optionRecords = 0;
  }

  templates(items: TemplateItem[]): void {
    const dom = this.dom!;
    for (const item of items) {
      if (item.type === 'error') {
        this.error('bad-template', item.reason, item.offset, item.templateId);
      } else if (item.type === 'withdraw') {
        this.store.withdraw(dom, item.id, item.options, item.all, this.res.events);
      } else {
        const refused = this.store.learn(dom, item.def, this.now, this.res.events);
        if (refused !== null) this.error('bad-template', `template ${item.def.id} not stored: ${refused}`, item.offset, item.def.id);
        else this.releasePending(dom, item.def.id);
      }
    }
  }

  /**
   * Decodes the data that waited for a template just learned: this port's, then the other ports'
   * of the address. The template's decoder is only made when there is such data.
   */
  private releasePending(dom: DomainState, id: number): void {
    const mine = this.store.take(dom, id);
    if (mine.length > 0) {
      const tpl = dom.lookup(id)!;
      for (const p of mine) this.decodePending(p, tpl);
    }
    for (const s of this.store.siblings(dom)) {
      if (s.templates.has(id)) continue; // that port has its own template for this id
      const theirs = this.store.take(s, id);
      if (theirs.length === 0) continue;
      const tpl = dom.lookup(id)!;
      for (const p of theirs) {
        this.templateFallbacks++;
        this.decodePending(p, tpl);
      }
    }
  }

  data(b: Uint8Array, start: number, end: number, setId: number, offset: number): void {
    const dom = this.dom!;
    let tpl = dom.lookup(setId);
    if (tpl === undefined) {
      const borrowed = this.store.borrow(dom, setId);
      if (borrowed !== undefined) {
        this.templateFallbacks++;
        tpl = borrowed.tpl;
        if (Number.isNaN(this.ctx.initMs)) this.ctx.initMs = borrowed.from.initMs;
      }
    }
    if (tpl === undefined) {
      // A copy (Buffer#slice would be a view): the set waits on its own bytes, not on the
      // datagram's memory (a capture's datagrams are views into 256 KiB reads).
      this.store.defer({
        domain: dom, templateId: setId, data: new Uint8Array(b.subarray(start, end)), offset,
        exportTime: this.ctx.exportTime, sequence: this.ctx.sequence, uptimeMs: this.ctx.uptimeMs, receivedAt: this.now,
      });
      this.advance = -1;
      return;
    }
    const n = this.decodeRecords(tpl, b, start, end, offset);
    if (tpl.def.options) this.optionRecords += n;
    else if (this.advance >= 0) this.advance += n;
  }

  fixed(b: Uint8Array, start: number, count: number): void {
    const tpl = FIXED_TEMPLATES[this.head!.version as 1 | 5 | 7];
    const out = this.res.records;
    const c = this.ctx;
    let o = start;
    let n = 0;
    for (; n < count; n++) {
      const r = tpl.decodeRecord(b, o, b.length, c);
      if (r === null) break;
      out.push(r);
      o = c.next;
    }
    this.countRecords(tpl, n);
    this.endRun(tpl, n);
    this.advance = n;
  }

  /** Notes that the records pushed since the last run were built by `tpl`. */
  private endRun(tpl: CompiledTemplate, n: number): void {
    if (n === 0) return;
    const res = this.res;
    (res.runs ??= []).push({ end: res.records.length, keys: tpl.recordKeys });
  }

  error(kind: DecodeErrorKind, reason: string, offset: number, templateId?: number): void {
    const h = this.head;
    const e: DecodeError = h === undefined
      ? { kind, reason, exporter: this.ctx.exporter, offset }
      : { kind, reason, exporter: this.ctx.exporter, offset, protocol: h.protocol, domain: h.domain, ...(templateId === undefined ? {} : { templateId }) };
    this.res.errors.push(e);
  }

  endMessage(): void {
    const h = this.head!;
    const s = this.dom!.sequence;
    if (s === null) return; // v1 has no sequence number
    if (s instanceof SequenceTracker) s.observe(h.sequence, 1);
    else s.observe(h.sequence, this.advance, this.optionRecords);
  }

  private decodeRecords(tpl: CompiledTemplate, b: Uint8Array, start: number, end: number, setOffset: number): number {
    const id = tpl.def.id;
    if (tpl.minLength === 0) {
      this.error('bad-template', `template ${id} has only zero-length fields; its data set cannot be cut into records`, setOffset, id);
      return 0;
    }
    if (tpl instanceof TieredTemplate) tpl.used(this.serial);
    const out = this.res.records;
    const c = this.ctx;
    let o = start;
    let n = 0;
    while (o + tpl.minLength <= end) {
      // A few zero bytes after variable-length records are set padding, not an empty record.
      if (tpl.hasVarlen && end - o < 4 && allZero(b, o, end)) break;
      const r = tpl.decodeRecord(b, o, end, c);
      if (r === null) {
        this.error('record-overflow', `record ${n} of template ${id} runs past the end of its set`, o, id);
        break;
      }
      out.push(r);
      n++;
      o = c.next;
      if (tpl.initTimeField !== null) this.learnInitTime(r[tpl.initTimeField]);
    }
    this.countRecords(tpl, n);
    this.endRun(tpl, n);
    return n;
  }

  private learnInitTime(v: unknown): void {
    if (typeof v !== 'number') return;
    this.dom!.initMs = v;
    this.ctx.initMs = v;
  }

  private countRecords(tpl: CompiledTemplate, n: number): void {
    if (n === 0) return;
    const k = `${this.ctx.protocol}/${tpl.def.options ? 'options' : 'flow'}`;
    this.recordCounts[k] = (this.recordCounts[k] ?? 0) + n;
  }

  /**
   * Decodes data that waited for its template, with the header values it arrived with. Its
   * errors are marked `held` and point into the datagram the data came in.
   */
  private decodePending(p: PendingSet, tpl: CompiledTemplate): void {
    const c = this.ctx;
    const saved = [c.exportTime, c.sequence, c.uptimeMs, c.exporter, c.initMs] as const;
    c.exportTime = p.exportTime;
    c.sequence = p.sequence;
    c.uptimeMs = p.uptimeMs;
    c.exporter = p.domain.exporter.key; // data held for another port of the address keeps its own exporter
    if (Number.isNaN(p.domain.initMs)) c.initMs = this.dom?.initMs ?? NaN;
    else c.initMs = p.domain.initMs;
    const errors = this.res.errors;
    const before = errors.length;
    this.decodeRecords(tpl, p.data, 0, p.data.length, -4); // the set header preceded the data
    for (let i = before; i < errors.length; i++) errors[i] = { ...errors[i]!, offset: errors[i]!.offset + p.offset + 4, held: true };
    [c.exportTime, c.sequence, c.uptimeMs, c.exporter, c.initMs] = saved;
  }
}
