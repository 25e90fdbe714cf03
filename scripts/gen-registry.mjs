#!/usr/bin/env node
// Generates lib/registry/elements.generated.ts from the IPFIX / NetFlow element tables in
// ../shared/registry. Usage: node scripts/gen-registry.mjs [registryDir] [outFile]
//
// Naming rule (also in the README):
//   - PEN 0: the IANA name.
//   - Enterprise elements: the vendor's name from ipfix-elements.tsv, then vendor-elements-extra.tsv.
//     A vendor name that collides with a name already used by another scope (IANA, NetFlow v9 or
//     another vendor) gets its scope as a camelCase prefix (netscaler + connectionId ->
//     netscalerConnectionId).
//   - NetFlow v9 types < 32768: IANA name, then the `netflow` scope, then netflow-v9-names.tsv
//     (the Cisco name, camelCased). Types >= 32768: the `netflowExtra` scope (id = type - 32768),
//     then netflow-v9-names.tsv.
//   - Unknown elements are named at decode time (ie<id> or ie<pen>_<id>) and keep hex values.
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const src = resolve(process.argv[2] ?? join(here, '..', '..', 'shared', 'registry'));
const out = resolve(process.argv[3] ?? join(here, '..', 'lib', 'registry', 'elements.generated.ts'));

const DATA_TYPES = new Set([
  'octetArray', 'unsigned8', 'unsigned16', 'unsigned32', 'unsigned64', 'signed8', 'signed16',
  'signed32', 'signed64', 'float32', 'float64', 'boolean', 'macAddress', 'string',
  'dateTimeSeconds', 'dateTimeMilliseconds', 'dateTimeMicroseconds', 'dateTimeNanoseconds',
  'ipv4Address', 'ipv6Address', 'basicList', 'subTemplateList', 'subTemplateMultiList',
]);

// Scope prefixes for PENs that only appear in vendor-elements-extra.tsv (which has no scope column).
const EXTRA_SCOPES = {
  637: 'nokia', 3054: 'ixia', 5951: 'netscaler', 6871: 'cert', 9789: 'pen9789', 10704: 'barracuda',
  12326: 'barracuda12326', 15397: 'procera', 21373: 'pen21373', 26866: 'pen26866', 41916: 'viptela',
};

/** RFC 5103 §6.1: elements that have no reverse counterpart. */
const NOT_REVERSIBLE = [
  10, 14, 137, 138, 141, 142, 143, 144, 145, 148, 149, 160, 173, 210, 211, 212, 213, 214, 215, 216,
  217, 239, 252, 253, 262, 263, 264, 265, 266, 267, 268, 269, 270, 271, 272, 273, 274, 275, 276,
  277, 301, 302, 303, 304, 305, 306, 307, 308, 309, 310, 311, 318, 319, 320, 321, 336, 337, 338,
  339, 340, 341, 342, 343, 344, 345, 346,
];

function readTsv(file) {
  const lines = readFileSync(join(src, file), 'utf8').split('\n').filter((l) => l.trim() !== '');
  const head = lines[0].split('\t');
  return lines.slice(1).map((l) => {
    const cells = l.split('\t');
    return Object.fromEntries(head.map((h, i) => [h, (cells[i] ?? '').trim()]));
  });
}

function normType(t, sourceType) {
  // logstash's YAML keeps floats as octetArray with a float/double source type.
  if (sourceType === 'float') return 'float32';
  if (sourceType === 'double') return 'float64';
  if (t === 'ipv6address') return 'ipv6Address';
  if (DATA_TYPES.has(t)) return t;
  return 'octetArray';
}

function camel(name) {
  if (!name.includes('_')) return name;
  return name.toLowerCase().replace(/_+([a-z0-9])/g, (_, c) => c.toUpperCase());
}

const PEN_NETFLOW = '4294967294';
const PEN_NETFLOW_EXTRA = '4294967295';

const elements = readTsv('ipfix-elements.tsv');
const extras = readTsv('vendor-elements-extra.tsv');
const v9names = readTsv('netflow-v9-names.tsv');

const iana = new Map(); // id -> [name, type]
const netflow = new Map(); // v9 type -> [name, type]
const netflowExtra = new Map(); // v9 type - 32768 -> [name, type]
const vendorRows = []; // { pen, scope, id, name, type }

for (const r of elements) {
  const entry = [r.name, normType(r.dataType)];
  if (r.pen === '0') iana.set(Number(r.id), entry);
  else if (r.pen === PEN_NETFLOW) netflow.set(Number(r.id), entry);
  else if (r.pen === PEN_NETFLOW_EXTRA) netflowExtra.set(Number(r.id), entry);
  else vendorRows.push({ pen: Number(r.pen), scope: r.scope, id: Number(r.id), name: r.name, type: entry[1] });
}
for (const r of extras) {
  const pen = Number(r.pen);
  const id = Number(r.id);
  if (vendorRows.some((v) => v.pen === pen && v.id === id)) continue; // libfds wins
  vendorRows.push({ pen, scope: EXTRA_SCOPES[pen] ?? `pen${pen}`, id, name: r.name, type: normType(r.dataType, r.sourceType) });
}

// Names of the common namespace (IANA, and NetFlow v9 which shares it): a vendor name equal to
// one of these is prefixed with its scope. netflowExtra holds Cisco's PEN 9 elements as seen
// through v9 types >= 32768, so it collides with every vendor but Cisco.
const common = new Set([...iana.values(), ...netflow.values()].map(([name]) => name));
const extraNames = new Set([...netflowExtra.values()].map(([name]) => name));

const vendor = new Map(); // pen -> [[id, name, type], ...]
for (const v of vendorRows) {
  const collides = common.has(v.name) || (v.pen !== 9 && extraNames.has(v.name));
  const name = collides ? v.scope + v.name.charAt(0).toUpperCase() + v.name.slice(1) : v.name;
  if (!vendor.has(v.pen)) vendor.set(v.pen, []);
  vendor.get(v.pen).push([v.id, name, v.type]);
}

// NetFlow v9 types: one table, already resolved by the rule above.
const v9 = new Map();
for (const r of v9names) {
  const type = Number(r.id);
  const fallback = [camel(r.ciscoName), normType(r.dataType, r.sourceType)];
  let entry;
  if (type < 32768) entry = iana.get(type) ?? netflow.get(type) ?? fallback;
  else entry = netflowExtra.get(type - 32768) ?? fallback;
  v9.set(type, entry);
}
for (const [id, entry] of netflow) if (!v9.has(id) && !iana.has(id)) v9.set(id, entry);
for (const [id, entry] of netflowExtra) if (!v9.has(id + 32768)) v9.set(id + 32768, entry);

const ciscoNames = v9names.map((r) => [Number(r.id), r.ciscoName]);

const sortById = (m) => [...m.entries()].sort((a, b) => a[0] - b[0]).map(([id, [n, t]]) => [id, n, t]);
const vendorOut = [...vendor.entries()].sort((a, b) => a[0] - b[0]).map(([pen, rows]) => [pen, rows.sort((a, b) => a[0] - b[0])]);

const body = `// GENERATED by scripts/gen-registry.mjs from shared/registry (libfds element files, LGPL/BSD:
// see shared/registry/LICENSE.libfds; logstash-codec-netflow YAML, Apache-2.0). Do not edit.
import type { DataType } from './data-types.js';

export type ElementRow = readonly [id: number, name: string, type: DataType];

/** IANA IPFIX Information Elements (PEN 0). */
export const IANA_ELEMENTS: readonly ElementRow[] = ${JSON.stringify(sortById(iana))};

/** NetFlow v9 field types that are not IANA elements (or that IANA has not assigned), resolved. */
export const NETFLOW_V9_ELEMENTS: readonly ElementRow[] = ${JSON.stringify(sortById(v9).filter(([id]) => !iana.has(id)))};

/** Enterprise elements by PEN. */
export const VENDOR_ELEMENTS: readonly (readonly [pen: number, rows: readonly ElementRow[]])[] = ${JSON.stringify(vendorOut)};

/** RFC 5103 §6.1: IANA elements with no reverse counterpart. */
export const NOT_REVERSIBLE: readonly number[] = ${JSON.stringify(NOT_REVERSIBLE)};

/** NetFlow v9 type -> the Cisco-style name used by logstash-codec-netflow (for mapping only). */
export const CISCO_V9_NAMES: readonly (readonly [type: number, name: string])[] = ${JSON.stringify(ciscoNames)};
`;

mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, body.replace(/\],\[/g, '],\n  ['));
console.log(`wrote ${out}: ${iana.size} IANA, ${v9.size} v9, ${vendorRows.length} vendor elements`);
