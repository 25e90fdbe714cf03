// Exporter info: address or CIDR -> name, site, role, group, region, tenant (added as exporter*),
// plus per-exporter overrides of the sampling rate and of interface names for devices that send
// them wrong or not at all.
import type { FlowRecord } from '../types.js';
import type { NormalizedFlow } from '../normalize/flow.js';
import { PrefixTable } from '../codec/ip-prefix.js';
import type { Enricher } from './enricher.js';
import type { InterfaceInfo } from './interfaces.js';
import { LookupCache } from './networks.js';
import { numberAttr, stringAttr, TableError, type TableRow } from './table-file.js';

export interface ExporterInfo {
  name?: string;
  site?: string;
  role?: string;
  group?: string;
  region?: string;
  tenant?: string;
  /** Sampling rate that wins over what the exporter sends. */
  sampling?: number;
  /** ifIndex -> names that win over what the exporter sends. */
  interfaces?: Readonly<Record<string, InterfaceInfo>>;
}

const TEXT = ['name', 'site', 'role', 'group', 'region', 'tenant'] as const;
const KEYS = ['exporterName', 'exporterSite', 'exporterRole', 'exporterGroup', 'exporterRegion', 'exporterTenant'] as const;

function interfacesAttr(row: TableRow): Record<string, InterfaceInfo> | undefined {
  const v = row.attrs['interfaces'];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'object' || Array.isArray(v)) throw new TableError(`line ${row.line}: '${row.key}': interfaces must map ifIndex -> { name, description, speed }`);
  const out: Record<string, InterfaceInfo> = {};
  for (const [ifIndex, info] of Object.entries(v as Record<string, unknown>)) {
    if (!/^\d+$/.test(ifIndex)) throw new TableError(`line ${row.line}: '${row.key}': interface '${ifIndex}' is not an ifIndex`);
    const sub: TableRow = { key: `${row.key} ifIndex ${ifIndex}`, line: row.line, attrs: typeof info === 'string' ? { name: info } : (info as Record<string, unknown>) ?? {} };
    const name = stringAttr(sub, 'name'), description = stringAttr(sub, 'description'), speed = numberAttr(sub, 'speed');
    out[ifIndex] = { ...(name === undefined ? {} : { name }), ...(description === undefined ? {} : { description }), ...(speed === undefined ? {} : { speed }) };
  }
  return out;
}

/** The exporter table from parsed rows (key: an address or CIDR). Throws TableError naming the line. */
export function exportersFromRows(rows: readonly TableRow[]): PrefixTable<ExporterInfo> {
  const table = new PrefixTable<ExporterInfo>();
  const known = new Set<string>([...TEXT, 'sampling', 'interfaces', 'address', 'cidr']);
  for (const row of rows) {
    const unknown = Object.keys(row.attrs).filter((k) => !known.has(k));
    if (unknown.length > 0) throw new TableError(`line ${row.line}: '${row.key}': unknown attribute ${unknown.map((k) => `'${k}'`).join(', ')}`);
    const info: ExporterInfo = {};
    for (const a of TEXT) {
      const v = stringAttr(row, a);
      if (v !== undefined) info[a] = v;
    }
    const sampling = numberAttr(row, 'sampling', 1);
    if (sampling !== undefined) info.sampling = sampling;
    const interfaces = interfacesAttr(row);
    if (interfaces !== undefined) info.interfaces = interfaces;
    try {
      table.add(row.key, info);
    } catch (err) {
      throw new TableError(`line ${row.line}: ${(err as Error).message}`);
    }
  }
  return table;
}

export class Exporters implements Enricher {
  readonly name = 'exporters';
  private readonly cache: LookupCache<ExporterInfo>;

  constructor(table: PrefixTable<ExporterInfo>) {
    this.cache = new LookupCache((a) => table.lookup(a), 10_000);
  }

  /** The entry of an exporter address (for the sampling and interface overrides). */
  info(address: string): ExporterInfo | undefined {
    return this.cache.get(address);
  }

  enrich(n: NormalizedFlow, _r: FlowRecord): boolean {
    const info = this.cache.get(n.exporterAddress);
    if (info === undefined) return true;
    for (let i = 0; i < TEXT.length; i++) {
      const v = info[TEXT[i]!];
      if (v !== undefined) n[KEYS[i]!] = v;
    }
    return true;
  }
}
