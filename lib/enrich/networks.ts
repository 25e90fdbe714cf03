// Networks: CIDR -> name, role, site, region, tenant (IPv4 and IPv6; the longest prefix wins),
// added to flows as srcNet* and dstNet*. Lookups go through a prefix trie and a bounded cache of
// recent addresses (flows repeat their addresses).
import type { FlowRecord } from '../types.js';
import type { NormalizedFlow } from '../normalize/flow.js';
import { PrefixTable } from '../codec/ip-prefix.js';
import type { Enricher } from './enricher.js';
import { stringAttr, TableError, type TableRow } from './table-file.js';

export interface NetworkInfo {
  name?: string;
  role?: string;
  site?: string;
  region?: string;
  tenant?: string;
}

const ATTRS = ['name', 'role', 'site', 'region', 'tenant'] as const;
const CACHE_MAX = 65_536;

/** The networks table from parsed rows (key: the CIDR). Throws TableError naming the line. */
export function networksFromRows(rows: readonly TableRow[]): PrefixTable<NetworkInfo> {
  const table = new PrefixTable<NetworkInfo>();
  for (const row of rows) {
    const info: NetworkInfo = {};
    for (const a of ATTRS) {
      const v = stringAttr(row, a);
      if (v !== undefined) info[a] = v;
    }
    const unknown = Object.keys(row.attrs).filter((k) => !(ATTRS as readonly string[]).includes(k) && k !== 'cidr' && k !== 'prefix');
    if (unknown.length > 0) throw new TableError(`line ${row.line}: '${row.key}': unknown attribute ${unknown.map((k) => `'${k}'`).join(', ')} (name, role, site, region, tenant)`);
    try {
      table.add(row.key, info);
    } catch (err) {
      throw new TableError(`line ${row.line}: ${(err as Error).message}`);
    }
  }
  return table;
}

/** A small cache of lookups by address text, cleared when full (max 0: no cache). */
export class LookupCache<T> {
  private readonly map = new Map<string, T | null>();
  constructor(private readonly lookup: (address: string) => T | undefined, private readonly max = CACHE_MAX) {}

  get(address: string): T | undefined {
    if (this.max === 0) return this.lookup(address);
    let v = this.map.get(address);
    if (v === undefined) {
      if (this.map.size >= this.max) this.map.clear();
      v = this.lookup(address) ?? null;
      this.map.set(address, v);
    }
    return v ?? undefined;
  }
}

export class Networks implements Enricher {
  readonly name = 'networks';
  private readonly cache: LookupCache<NetworkInfo>;

  /** `cacheSize`: addresses whose answer is kept (default 65,536; 0: look up every time). */
  constructor(private readonly table: PrefixTable<NetworkInfo>, cacheSize = CACHE_MAX) {
    this.cache = new LookupCache((a) => table.lookup(a), cacheSize);
  }

  /** The network of an address, uncached. */
  lookup(address: string): NetworkInfo | undefined {
    return this.table.lookup(address);
  }

  enrich(n: NormalizedFlow, _r: FlowRecord): boolean {
    if (n.srcAddr !== undefined) srcNetwork(n, this.cache.get(n.srcAddr));
    if (n.dstAddr !== undefined) dstNetwork(n, this.cache.get(n.dstAddr));
    return true;
  }
}

// Literal property names (computed ones make the stores megamorphic).
/** Adds srcNet* fields. */
export function srcNetwork(n: NormalizedFlow, info: NetworkInfo | undefined): void {
  if (info === undefined) return;
  if (info.name !== undefined) n['srcNetName'] = info.name;
  if (info.role !== undefined) n['srcNetRole'] = info.role;
  if (info.site !== undefined) n['srcNetSite'] = info.site;
  if (info.region !== undefined) n['srcNetRegion'] = info.region;
  if (info.tenant !== undefined) n['srcNetTenant'] = info.tenant;
}

/** Adds dstNet* fields. */
export function dstNetwork(n: NormalizedFlow, info: NetworkInfo | undefined): void {
  if (info === undefined) return;
  if (info.name !== undefined) n['dstNetName'] = info.name;
  if (info.role !== undefined) n['dstNetRole'] = info.role;
  if (info.site !== undefined) n['dstNetSite'] = info.site;
  if (info.region !== undefined) n['dstNetRegion'] = info.region;
  if (info.tenant !== undefined) n['dstNetTenant'] = info.tenant;
}
