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
const SRC_KEYS = ['srcNetName', 'srcNetRole', 'srcNetSite', 'srcNetRegion', 'srcNetTenant'] as const;
const DST_KEYS = ['dstNetName', 'dstNetRole', 'dstNetSite', 'dstNetRegion', 'dstNetTenant'] as const;
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

/** A small cache of lookups by address text, cleared when full. */
export class LookupCache<T> {
  private readonly map = new Map<string, T | null>();
  constructor(private readonly lookup: (address: string) => T | undefined, private readonly max = CACHE_MAX) {}

  get(address: string): T | undefined {
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

  constructor(table: PrefixTable<NetworkInfo>) {
    this.cache = new LookupCache((a) => table.lookup(a));
  }

  enrich(n: NormalizedFlow, _r: FlowRecord): boolean {
    if (n.srcAddr !== undefined) put(n, this.cache.get(n.srcAddr), SRC_KEYS);
    if (n.dstAddr !== undefined) put(n, this.cache.get(n.dstAddr), DST_KEYS);
    return true;
  }
}

function put(n: NormalizedFlow, info: NetworkInfo | undefined, keys: typeof SRC_KEYS | typeof DST_KEYS): void {
  if (info === undefined) return;
  for (let i = 0; i < ATTRS.length; i++) {
    const v = info[ATTRS[i]!];
    if (v !== undefined) n[keys[i]!] = v;
  }
}
