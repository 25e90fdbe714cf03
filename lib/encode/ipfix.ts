// IPFIX messages (RFC 7011) from records: templates derived from record shapes (the registry
// gives element ids and types, enterprise elements by PEN, variable-length strings and octet
// arrays), template and options template sets, template refresh by time and by message count
// (§8.4, for UDP), sequence numbers counting the data records sent before each message (§3.1),
// messages filled up to the MTU. Pure: buffers out, no I/O.
import { ipfixElementByName } from '../registry/index.js';
import { writeValue, type EncodedField } from './fields.js';
import { ShapeTable, type NotCarried, type Shape } from './shapes.js';

export interface EncoderOptions {
  /** Observation domain (IPFIX) or source id (v9). Default 0. */
  domain?: number;
  /** Largest datagram, headers included (default 1400); a single larger record gets its own. */
  mtu?: number;
  /** Templates are sent again after this long (default 60 s). */
  templateRefreshMs?: number;
  /** ...or after this many messages without them (default 100). */
  templateRefreshMessages?: number;
  /** Templates held; the least recently used id is reused beyond (default 4096). */
  maxTemplates?: number;
}

export interface EncoderStats {
  records: number;
  messages: number;
  templatesSent: number;
  /** Records with no field the protocol can carry. */
  skipped: number;
  /** Keys left out because the protocol cannot carry them, by key. */
  notCarried: NotCarried;
}

/** Message building shared by IPFIX and NetFlow v9: sets, MTU, template refresh. */
export abstract class TemplateEncoder {
  readonly stats: EncoderStats = { records: 0, messages: 0, templatesSent: 0, skipped: 0, notCarried: {} };
  /** A message being built (room for a largest message and a largest record written past it). */
  protected readonly buf = Buffer.alloc(65_535 * 4);
  protected off = 0;
  /** Data records and template records in the current message. */
  protected dataRecords = 0;
  protected templateRecords = 0;
  private setStart = -1;
  private setId = -1;
  protected readonly mtu: number;
  private readonly refreshMs: number;
  private readonly refreshMessages: number;
  protected readonly domain: number;
  private readonly out: Buffer[] = [];

  protected abstract readonly headerLength: number;
  protected abstract readonly templateSetId: number;
  protected abstract readonly optionsSetId: number;
  protected abstract readonly table: ShapeTable;
  /** Bytes of a template record of `s`. */
  protected abstract templateSize(s: Shape): number;
  protected abstract writeTemplate(s: Shape, o: number): number;
  /** Writes the header of the message in buf[0, off) and accounts for it. */
  protected abstract writeHeader(now: number): void;
  /** Padding after a set (v9 pads sets to 4 bytes). */
  protected padSets = false;

  constructor(o: EncoderOptions) {
    this.mtu = Math.max(256, Math.min(65535, o.mtu ?? 1400));
    this.refreshMs = o.templateRefreshMs ?? 60_000;
    this.refreshMessages = o.templateRefreshMessages ?? 100;
    this.domain = o.domain ?? 0;
  }

  /** Encodes records; returns the messages completed (a partial one waits for more or flush()). */
  encode(records: Iterable<Readonly<Record<string, unknown>>>, now: number = Date.now()): Buffer[] {
    for (const r of records) this.add(r, now);
    return this.out.splice(0);
  }

  /** Ends the current message (if any) and returns what is complete. */
  flush(now: number = Date.now()): Buffer[] {
    if (this.off > this.headerLength) this.finishMessage(now);
    return this.out.splice(0);
  }

  private add(r: Readonly<Record<string, unknown>>, now: number): void {
    // Fast path: a recent shape's compiled writer writes the record in place (where its set
    // will have it); a value that does not suit, or no recent shape, goes field by field.
    const recent = this.table.recentFor(r);
    if (recent !== null && this.addWritten(recent.shape, recent.writer, r, now)) {
      for (const k of recent.skipped) this.stats.notCarried[k] = (this.stats.notCarried[k] ?? 0) + 1;
      return;
    }
    const planned = this.table.plan(r, this.stats.notCarried);
    if (planned === null) { this.stats.skipped++; return; }
    const { shape, size } = planned;
    this.prepare(shape, size, now);
    this.off = this.writeRecord(shape.fields, r, this.off);
    this.dataRecords++;
    this.stats.records++;
  }

  /** Writes `r` with its shape's writer; false (nothing written) when a value does not suit. */
  private addWritten(shape: Shape, writer: (r: Readonly<Record<string, unknown>>, b: Buffer, o: number) => number, r: Readonly<Record<string, unknown>>, now: number): boolean {
    if (this.off === 0) this.off = this.headerLength;
    const due = this.due(shape, now);
    const at = this.off + (due ? 4 + this.templateSize(shape) : 0) + (due || this.setId !== shape.id ? 4 : 0);
    const end = writer(r, this.buf, at);
    if (end < 0) return false;
    const size = end - at;
    if (at === this.off && end <= this.mtu) {
      this.off = end; // the common case: same set, it fits
    } else {
      // Room for the template and the set header was left; if it does not all fit, or the set
      // changes, lay the record out again at its final place.
      const bytes = Buffer.from(this.buf.subarray(at, end));
      this.prepare(shape, size, now);
      bytes.copy(this.buf, this.off);
      this.off += size;
    }
    this.dataRecords++;
    this.stats.records++;
    return true;
  }

  private due(shape: Shape, now: number): boolean {
    // Also when the clock went back (records of another time): the receiver may have expired it since.
    return shape.lastSent < 0 || now < shape.lastSent || now - shape.lastSent >= this.refreshMs || this.stats.messages - shape.sentInMessage >= this.refreshMessages;
  }

  /** Makes room for a record of `shape` and `size` bytes: the template if due, a message and set to put it in. */
  private prepare(shape: Shape, size: number, now: number): void {
    if (this.off === 0) this.off = this.headerLength;
    if (this.due(shape, now)) {
      const t = 4 + this.templateSize(shape);
      if (this.off + t + 4 + size > this.mtu && this.off > this.headerLength) this.finishMessage(now);
      if (this.off === 0) this.off = this.headerLength;
      this.closeSet();
      const start = this.off;
      this.off = this.writeTemplate(shape, start + 4);
      this.buf.writeUInt16BE(shape.options ? this.optionsSetId : this.templateSetId, start);
      this.buf.writeUInt16BE(this.off - start, start + 2);
      this.templateRecords++;
      this.stats.templatesSent++;
      shape.lastSent = now;
      shape.sentInMessage = this.stats.messages;
    }
    const newSet = this.setId !== shape.id;
    if (this.off + (newSet ? 4 : 0) + size > this.mtu && this.dataRecords > 0) {
      this.finishMessage(now);
      this.off = this.headerLength;
    }
    if (this.setId !== shape.id) {
      this.closeSet();
      this.setStart = this.off;
      this.setId = shape.id;
      this.off += 4;
    }
  }

  private writeRecord(fields: readonly EncodedField[], r: Readonly<Record<string, unknown>>, o: number): number {
    for (const f of fields) o = writeValue(this.buf, o, f, r[f.key]);
    return o;
  }

  private closeSet(): void {
    if (this.setStart < 0) return;
    if (this.padSets) while ((this.off - this.setStart) % 4 !== 0) this.buf[this.off++] = 0;
    this.buf.writeUInt16BE(this.setId, this.setStart);
    this.buf.writeUInt16BE(this.off - this.setStart, this.setStart + 2);
    this.setStart = -1;
    this.setId = -1;
  }

  private finishMessage(now: number): void {
    this.closeSet();
    this.writeHeader(now);
    this.out.push(Buffer.from(this.buf.subarray(0, this.off)));
    this.stats.messages++;
    this.off = 0;
    this.dataRecords = 0;
    this.templateRecords = 0;
  }
}

/** IPFIX (RFC 7011) encoder for one observation domain. */
export class IpfixEncoder extends TemplateEncoder {
  protected readonly headerLength = 16;
  protected readonly templateSetId = 2;
  protected readonly optionsSetId = 3;
  protected readonly table = new ShapeTable(ipfixElementByName, true, 4096);
  /** Data records sent before the current message. */
  private sequence = 0;

  constructor(o: EncoderOptions = {}) {
    super(o);
  }

  protected templateSize(s: Shape): number {
    let n = s.options ? 6 : 4;
    for (const f of s.fields) n += f.pen === 0 ? 4 : 8;
    return n;
  }

  protected writeTemplate(s: Shape, o: number): number {
    const b = this.buf;
    b.writeUInt16BE(s.id, o);
    b.writeUInt16BE(s.fields.length, o + 2);
    o += 4;
    if (s.options) { b.writeUInt16BE(s.scopeCount, o); o += 2; }
    for (const f of s.fields) {
      b.writeUInt16BE(f.pen === 0 ? f.id : f.id | 0x8000, o);
      b.writeUInt16BE(f.length, o + 2);
      o += 4;
      if (f.pen !== 0) { b.writeUInt32BE(f.pen, o); o += 4; }
    }
    return o;
  }

  protected writeHeader(now: number): void {
    const b = this.buf;
    b.writeUInt16BE(10, 0);
    b.writeUInt16BE(this.off, 2);
    b.writeUInt32BE(Math.floor(now / 1000) >>> 0, 4);
    b.writeUInt32BE(this.sequence >>> 0, 8);
    b.writeUInt32BE(this.domain >>> 0, 12);
    this.sequence = (this.sequence + this.dataRecords) >>> 0;
  }
}
