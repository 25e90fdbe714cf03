import type { DataType } from './data-types.js';
import {
  IANA_ELEMENTS, NETFLOW_V9_ELEMENTS, VENDOR_ELEMENTS, NOT_REVERSIBLE, CISCO_V9_NAMES,
} from './elements.generated.js';

export type { DataType } from './data-types.js';

/** What the registry knows about one Information Element. */
export interface ElementInfo {
  readonly name: string;
  readonly type: DataType;
  /** false when the element is not in any table: named ie<id> / ie<pen>_<id>, value as hex. */
  readonly known: boolean;
}

/** RFC 5103 reverse-direction PEN. */
export const REVERSE_PEN = 29305;

// Keys are pen * 65536 + id: exact in a double for every 32-bit PEN and 15-bit id.
const KEY = (pen: number, id: number): number => pen * 65536 + id;

const ipfix = new Map<number, ElementInfo>();
const v9 = new Map<number, ElementInfo>();
const notReversible = new Set(NOT_REVERSIBLE);

for (const [id, name, type] of IANA_ELEMENTS) {
  const info = { name, type, known: true };
  ipfix.set(KEY(0, id), info);
  v9.set(id, info);
  if (!notReversible.has(id)) {
    ipfix.set(KEY(REVERSE_PEN, id), { name: 'reverse' + name[0]!.toUpperCase() + name.slice(1), type, known: true });
  }
}
for (const [id, name, type] of NETFLOW_V9_ELEMENTS) v9.set(id, { name, type, known: true });
for (const [pen, rows] of VENDOR_ELEMENTS) {
  for (const [id, name, type] of rows) ipfix.set(KEY(pen, id), { name, type, known: true });
}

/** v9 options scope field types (RFC 3954 §6.1). */
const V9_SCOPES: readonly string[] = ['', 'scopeSystem', 'scopeInterface', 'scopeLineCard', 'scopeCache', 'scopeTemplate'];

function unknown(pen: number, id: number): ElementInfo {
  return { name: pen === 0 ? `ie${id}` : `ie${pen}_${id}`, type: 'octetArray', known: false };
}

/** Looks up an IPFIX Information Element by enterprise number and id. */
export function ipfixElement(pen: number, id: number): ElementInfo {
  return ipfix.get(KEY(pen, id)) ?? unknown(pen, id);
}

/** Looks up a NetFlow v9 field type (IANA numbers below 128 and wherever IANA shares them). */
export function v9Element(type: number): ElementInfo {
  return v9.get(type) ?? unknown(0, type);
}

/** Looks up a NetFlow v9 options scope field type (1 System … 5 Template). */
export function v9ScopeElement(type: number): ElementInfo {
  const name = V9_SCOPES[type];
  return name ? { name, type: 'unsigned32', known: true } : { name: `scope${type}`, type: 'octetArray', known: false };
}

/** NetFlow v9 type -> Cisco-style name (logstash-codec-netflow's), for mapping tables and tools. */
export const ciscoV9Names: ReadonlyMap<number, string> = new Map(CISCO_V9_NAMES);

/** An element found by its output name, for encoders. */
export interface NamedElement {
  readonly pen: number;
  readonly id: number;
  readonly type: DataType;
}

let byName: Map<string, NamedElement> | undefined;
let v9ByName: Map<string, NamedElement> | undefined;

/**
 * The IPFIX element a record key names (IANA, reverse and vendor names, and `ie<id>` /
 * `ie<pen>_<id>` for elements no table knows, typed octetArray), or undefined.
 */
export function ipfixElementByName(name: string): NamedElement | undefined {
  if (byName === undefined) {
    byName = new Map();
    for (const [key, info] of ipfix) if (!byName.has(info.name)) byName.set(info.name, { pen: Math.floor(key / 65536), id: key % 65536, type: info.type });
  }
  return byName.get(name) ?? unknownByName(name);
}

/** The NetFlow v9 field type a record key names (v9 names first, then IANA ids below 32768), or undefined. */
export function v9ElementByName(name: string): NamedElement | undefined {
  if (v9ByName === undefined) {
    v9ByName = new Map();
    for (const [id, info] of v9) if (!v9ByName.has(info.name)) v9ByName.set(info.name, { pen: 0, id, type: info.type });
  }
  const e = v9ByName.get(name) ?? unknownByName(name, 0xffff);
  return e !== undefined && e.pen === 0 ? e : undefined;
}

function unknownByName(name: string, maxId = 0x7fff): NamedElement | undefined {
  const m = /^ie(?:(\d+)_)?(\d+)$/.exec(name);
  if (m === null) return undefined;
  const pen = m[1] === undefined ? 0 : Number(m[1]);
  const id = Number(m[2]);
  return id <= maxId && pen <= 0xffffffff ? { pen, id, type: 'octetArray' } : undefined;
}
