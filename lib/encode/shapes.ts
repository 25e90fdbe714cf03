// Templates derived from record shapes: the fields a record's keys and values make, one template
// per distinct shape, ids from 256, the least recently used id reused beyond `maxTemplates`.
import type { NamedElement } from '../registry/index.js';
import { fieldCode, fieldFor, META_KEYS, valueSize, type EncodedField } from './fields.js';
import { compileWriter, type RecordWriter } from './compiled-writer.js';

export interface Shape {
  readonly id: number;
  readonly fields: readonly EncodedField[];
  readonly options: boolean;
  /** Leading fields that are scope fields (options templates). */
  readonly scopeCount: number;
  /** When the template was last sent (-1: never), and in which message. */
  lastSent: number;
  sentInMessage: number;
  /** The compiled writer, made when the shape is reused. */
  writer?: RecordWriter;
}



/** Keys a record had that no field of the target protocol can carry, by key. */
export type NotCarried = Record<string, number>;

/** Does `r` have exactly `keys`, in that order? */
function sameKeys(keys: readonly string[], r: Readonly<Record<string, unknown>>): boolean {
  // Object.keys reads V8's enum cache for objects of one shape: cheaper than for-in here.
  const own = Object.keys(r);
  if (own.length !== keys.length) return false;
  for (let i = 0; i < own.length; i++) if (own[i] !== keys[i]) return false;
  return true;
}

export class ShapeTable {
  private readonly shapes = new Map<string, Shape>();
  private readonly elements = new Map<string, NamedElement | null>();
  private nextId = 256;
  private readonly freeIds: number[] = [];

  constructor(
    private readonly lookup: (name: string) => NamedElement | undefined,
    private readonly varlen: boolean,
    private readonly maxTemplates = 4096,
    /** Scope names an options template can carry as scope fields (all, when undefined). */
    private readonly scopeOk: (name: string) => boolean = () => true,
  ) {}

  private element(key: string): NamedElement | null {
    let e = this.elements.get(key);
    if (e === undefined) {
      // A repeated element is decoded as name_2, name_3…: the same element again.
      const repeat = /^(.+)_\d+$/.exec(key);
      e = this.lookup(key) ?? (repeat === null ? undefined : this.lookup(repeat[1]!)) ?? null;
      if (this.elements.size < 65_536) this.elements.set(key, e);
    }
    return e;
  }

  /**
   * Keys never written: sysUpTime-relative times mean something only against the original
   * exporter's uptime (a receiver would read them against ours); the absolute times the decoder
   * derived from them are written instead.
   */
  private static readonly RELATIVE = new Set(['flowStartSysUpTime', 'flowEndSysUpTime']);

  /** The last shapes planned, with the record keys (in order) that made them: the fast path. */
  private recent: { keys: string[]; shape: Shape; skipped: string[] }[] = [];

  /**
   * A recent shape whose record keys `r` has, in the same order (records of one source template
   * come so), with its compiled writer; the caller writes with it and falls back to plan() when
   * a value does not suit. Counts the keys that shape leaves out.
   */
  recentFor(r: Readonly<Record<string, unknown>>): { shape: Shape; writer: RecordWriter; skipped: readonly string[] } | null {
    for (const c of this.recent) {
      if (!sameKeys(c.keys, r)) continue;
      return { shape: c.shape, writer: (c.shape.writer ??= compileWriter(c.shape.fields)), skipped: c.skipped };
    }
    return null;
  }

  /** The shape of `r` field by field (null when no field can be carried), counting what cannot be. */
  plan(r: Readonly<Record<string, unknown>>, notCarried: NotCarried): { shape: Shape; size: number } | null {
    const before = { ...notCarried };
    const options = r['kind'] === 'options';
    const scopes = options && Array.isArray(r['scopes']) ? (r['scopes'] as string[]).filter((s) => this.scopeOk(s)) : [];
    const fields: EncodedField[] = [];
    let size = 0;
    const add = (key: string): void => {
      const v = r[key];
      if (v === undefined || v === null) return;
      if (ShapeTable.RELATIVE.has(key)) { notCarried[key] = (notCarried[key] ?? 0) + 1; return; }
      const e = this.element(key);
      const f = e === null ? null : fieldFor(key, e, v, this.varlen);
      if (f === null) { notCarried[key] = (notCarried[key] ?? 0) + 1; return; }
      fields.push(f);
      size += valueSize(f, v);
    };
    for (const key of scopes) add(key);
    const scopeCount = fields.length;
    if (options && scopeCount === 0) { // an options record needs a scope: none this protocol can carry
      notCarried['scopes'] = (notCarried['scopes'] ?? 0) + 1;
      return null;
    }
    for (const key in r) if (!META_KEYS.has(key) && !scopes.includes(key)) add(key);
    if (fields.length === scopeCount) return null;
    let sig = options ? `o${scopeCount}|` : 'd|';
    for (const f of fields) sig += `${f.key}:${fieldCode(f)},`;
    let shape = this.shapes.get(sig);
    if (shape !== undefined) {
      this.shapes.delete(sig); // most recently used last
      this.shapes.set(sig, shape);
    } else {
      shape = { id: this.allocate(), fields, options, scopeCount, lastSent: -1, sentInMessage: -1 };
      this.shapes.set(sig, shape);
    }
    const keys: string[] = [];
    for (const k in r) keys.push(k);
    const skipped = Object.keys(notCarried).flatMap((k) => Array<string>(notCarried[k]! - (before[k] ?? 0)).fill(k));
    this.recent.unshift({ keys, shape, skipped });
    if (this.recent.length > 4) this.recent.pop();
    return { shape, size };
  }

  private allocate(): number {
    if (this.shapes.size >= this.maxTemplates) {
      const [oldest, s] = this.shapes.entries().next().value as [string, Shape];
      this.shapes.delete(oldest);
      this.recent = this.recent.filter((c) => c.shape !== s);
      return s.id; // redefined: its template is sent again before any data of the new shape
    }
    return this.freeIds.pop() ?? this.nextId++;
  }
}
