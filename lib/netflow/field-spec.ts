// Template fields, interned: a field spec is immutable and determined by (numbering, enterprise,
// id, length, scope), and templates repeat the same few hundred of them. Sharing one object per
// combination keeps a million held template fields at a pointer each, not an object and its
// strings each (a template flood is bounded by field count; this makes that bound cheap).
import { ipfixElement, v9Element, v9ScopeElement } from '../registry/index.js';
import type { FieldSpec } from './template.js';

/** Distinct specs kept; beyond (random enterprise numbers), new ones are not interned. */
const MAX_INTERNED = 65_536;
const ipfix = new Map<number, Map<number, FieldSpec>>();
const v9 = new Map<number, FieldSpec>();
let interned = 0;

/** id (15 or 16 bits), length (16) and scope (1) as one integer key. */
const key = (id: number, length: number, scope: boolean): number => (id * 65536 + length) * 2 + (scope ? 1 : 0);

/** An IPFIX field (`pen` 0 for IANA elements). */
export function ipfixField(pen: number, id: number, length: number, scope: boolean): FieldSpec {
  let byPen = ipfix.get(pen);
  const k = key(id, length, scope);
  const hit = byPen?.get(k);
  if (hit !== undefined) return hit;
  const info = ipfixElement(pen, id);
  const f: FieldSpec = Object.freeze({ id, pen, length, name: info.name, type: info.type, known: info.known, scope });
  if (interned < MAX_INTERNED) {
    if (byPen === undefined) ipfix.set(pen, (byPen = new Map()));
    byPen.set(k, f);
    interned++;
  }
  return f;
}

/** A NetFlow v9 field type (a scope field type when `scope`). */
export function v9Field(type: number, length: number, scope: boolean): FieldSpec {
  const k = key(type, length, scope);
  const hit = v9.get(k);
  if (hit !== undefined) return hit;
  const info = scope ? v9ScopeElement(type) : v9Element(type);
  const f: FieldSpec = Object.freeze({ id: type, pen: 0, length, name: info.name, type: info.type, known: info.known, scope });
  if (interned < MAX_INTERNED) {
    v9.set(k, f);
    interned++;
  }
  return f;
}
