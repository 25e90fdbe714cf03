// GeoIP and ASN from MaxMind-format databases (GeoLite2/GeoIP2 Country, City, ASN; DB-IP and
// IPinfo files in the same format): srcCountry/dstCountry, srcCity/dstCity, srcRegion/dstRegion,
// srcAsName/dstAsName, and srcAs/dstAs when the flow has none (absent or 0, the RFC 7607 "no AS").
// Pure: the stage opens the files with the `maxmind` package and hands the readers in.
import type { FlowRecord } from '../types.js';
import type { NormalizedFlow } from '../normalize/flow.js';
import type { Enricher } from './enricher.js';
import { LookupCache } from './networks.js';

/** What this needs of a database reader (the `maxmind` package's Reader is one). */
export interface MmdbReader {
  get(ip: string): unknown;
  readonly metadata: { readonly databaseType: string };
}

/** What one address resolves to across the databases. */
export interface GeoInfo {
  country?: string;
  city?: string;
  region?: string;
  as?: number;
  asName?: string;
}

/** What a database type holds, from its metadata (`GeoLite2-ASN`, `DBIP-City-Lite`, `ipinfo country_asn` …). */
export function databaseKind(databaseType: string): { location: boolean; asn: boolean } {
  const t = databaseType.toLowerCase();
  const asn = t.includes('asn') || t.includes('isp');
  const location = t.includes('country') || t.includes('city') || t.includes('location') || !asn;
  return { location, asn };
}

type Rec = Record<string, unknown>;
const obj = (v: unknown): Rec | undefined => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Rec) : undefined);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
const en = (v: unknown): string | undefined => str(obj(obj(v)?.['names'])?.['en']);

/** Reads one database record (GeoIP2 / DB-IP layout, or IPinfo's flat one) into `into`. */
export function readGeoRecord(rec: unknown, kind: { location: boolean; asn: boolean }, into: GeoInfo): void {
  const r = obj(rec);
  if (r === undefined) return;
  if (kind.location) {
    const country = obj(r['country']);
    const iso = str(country?.['iso_code']) ?? str(r['country']) ?? str(obj(r['registered_country'])?.['iso_code']);
    if (iso !== undefined) into.country ??= iso;
    const city = en(r['city']) ?? str(r['city']);
    if (city !== undefined) into.city ??= city;
    const sub = Array.isArray(r['subdivisions']) ? obj(r['subdivisions'][0]) : undefined;
    const region = str(sub?.['iso_code']) ?? en(sub) ?? str(r['region']);
    if (region !== undefined) into.region ??= region;
  }
  if (kind.asn) {
    const n = r['autonomous_system_number'];
    const ipinfo = str(r['asn']);
    const as = typeof n === 'number' ? n : ipinfo !== undefined && /^AS\d+$/i.test(ipinfo) ? Number(ipinfo.slice(2)) : undefined;
    if (as !== undefined) into.as ??= as;
    const name = str(r['autonomous_system_organization']) ?? str(r['as_name']);
    if (name !== undefined) into.asName ??= name;
  }
}

export class GeoIp implements Enricher {
  readonly name = 'geoip';
  private readonly dbs: { reader: MmdbReader; kind: { location: boolean; asn: boolean } }[];
  private readonly cache: LookupCache<GeoInfo>;

  /** `cacheSize`: addresses whose answer is kept (default 65,536; 0: look up every time). */
  constructor(readers: readonly MmdbReader[], cacheSize?: number) {
    this.dbs = readers.map((reader) => ({ reader, kind: databaseKind(reader.metadata.databaseType) }));
    this.cache = new LookupCache((a) => this.resolve(a), cacheSize);
  }

  /** Everything the databases know of an address (undefined: nothing). */
  resolve(address: string): GeoInfo | undefined {
    const info: GeoInfo = {};
    for (const db of this.dbs) {
      let rec: unknown;
      try {
        rec = db.reader.get(address);
      } catch {
        continue; // not an address this database can look up (IPv6 in an IPv4-only file)
      }
      readGeoRecord(rec, db.kind, info);
    }
    return Object.keys(info).length > 0 ? info : undefined;
  }

  enrich(n: NormalizedFlow, _r: FlowRecord): boolean {
    if (n.srcAddr !== undefined) srcGeo(n, this.cache.get(n.srcAddr));
    if (n.dstAddr !== undefined) dstGeo(n, this.cache.get(n.dstAddr));
    return true;
  }
}

// One function per side with literal property names: stores with computed names go megamorphic
// (they were half the enrichment time).
/** Adds srcCountry, srcCity, srcRegion, srcAsName, and srcAs when the flow has none. */
export function srcGeo(n: NormalizedFlow, g: GeoInfo | undefined): void {
  if (g === undefined) return;
  if (g.country !== undefined) n['srcCountry'] = g.country;
  if (g.city !== undefined) n['srcCity'] = g.city;
  if (g.region !== undefined) n['srcRegion'] = g.region;
  if (g.as !== undefined && (n.srcAs === undefined || n.srcAs === 0)) n.srcAs = g.as;
  if (g.asName !== undefined) n['srcAsName'] = g.asName;
}

/** Adds the dst* GeoIP fields. */
export function dstGeo(n: NormalizedFlow, g: GeoInfo | undefined): void {
  if (g === undefined) return;
  if (g.country !== undefined) n['dstCountry'] = g.country;
  if (g.city !== undefined) n['dstCity'] = g.city;
  if (g.region !== undefined) n['dstRegion'] = g.region;
  if (g.as !== undefined && (n.dstAs === undefined || n.dstAs === 0)) n.dstAs = g.as;
  if (g.asName !== undefined) n['dstAsName'] = g.asName;
}
