// NetFlow v9 export packets (RFC 3954) from records: the IPFIX encoder's templates in v9
// numbering (no enterprise elements, no variable length: strings and bytes take their own length,
// so each length is its own template), options templates with v9 scope types, flowsets padded to
// 4 bytes, the sequence counting export packets, the header count counting all records.
import { v9ElementByName, type NamedElement } from '../registry/index.js';
import { TemplateEncoder, type EncoderOptions } from './ipfix.js';
import { ShapeTable, type Shape } from './shapes.js';

/** v9 options scope field types (RFC 3954 §6.1), by the names the decoder gives them. */
const SCOPES: ReadonlyMap<string, number> = new Map([['scopeSystem', 1], ['scopeInterface', 2], ['scopeLineCard', 3], ['scopeCache', 4], ['scopeTemplate', 5]]);

function v9Lookup(name: string): NamedElement | undefined {
  const scope = SCOPES.get(name);
  if (scope !== undefined) return { pen: 0, id: scope, type: 'unsigned32' };
  const m = /^scope(\d+)$/.exec(name);
  if (m !== null && Number(m[1]) <= 0xffff) return { pen: 0, id: Number(m[1]), type: 'octetArray' };
  return v9ElementByName(name);
}

export class Netflow9Encoder extends TemplateEncoder {
  protected readonly headerLength = 20;
  protected readonly templateSetId = 0;
  protected readonly optionsSetId = 1;
  protected readonly table = new ShapeTable(v9Lookup, false, 4096, (name) => SCOPES.has(name) || /^scope\d+$/.test(name));
  protected override padSets = true;
  /** Export packets sent before the current one. */
  private sequence = 0;
  private readonly bootMs: number | undefined;
  private boot = NaN;

  /** `bootMs`: the sysUptime origin (default: the first `now` encoded). */
  constructor(o: EncoderOptions & { bootMs?: number } = {}) {
    super(o);
    this.bootMs = o.bootMs;
  }

  protected templateSize(s: Shape): number {
    return (s.options ? 6 : 4) + 4 * s.fields.length;
  }

  protected writeTemplate(s: Shape, o: number): number {
    const b = this.buf;
    b.writeUInt16BE(s.id, o);
    if (s.options) {
      b.writeUInt16BE(4 * s.scopeCount, o + 2);
      b.writeUInt16BE(4 * (s.fields.length - s.scopeCount), o + 4);
      o += 6;
    } else {
      b.writeUInt16BE(s.fields.length, o + 2);
      o += 4;
    }
    for (const f of s.fields) {
      b.writeUInt16BE(f.id, o);
      b.writeUInt16BE(f.length, o + 2);
      o += 4;
    }
    return o;
  }

  protected writeHeader(now: number): void {
    if (Number.isNaN(this.boot)) this.boot = this.bootMs ?? now;
    const b = this.buf;
    b.writeUInt16BE(9, 0);
    b.writeUInt16BE(this.templateRecords + this.dataRecords, 2);
    b.writeUInt32BE(Math.max(0, now - this.boot) >>> 0, 4);
    b.writeUInt32BE(Math.floor(now / 1000) >>> 0, 8);
    b.writeUInt32BE(this.sequence >>> 0, 12);
    b.writeUInt32BE(this.domain >>> 0, 16);
    this.sequence = (this.sequence + 1) >>> 0;
  }
}
