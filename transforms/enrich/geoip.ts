// geoip({ files }): srcCountry/dstCountry, city, region, AS numbers and names from MaxMind-format
// databases (GeoLite2/GeoIP2 Country, City, ASN; DB-IP; IPinfo); the kind of each file is read
// from its metadata. reload() (SIGHUP) reopens them without stopping the flow of records.
import { EnricherStage } from './enricher-stage.js';
import { loadGeoip } from './load.js';

/** @example pipeline(source, decode(), normalize(), geoip({ files: ['GeoLite2-Country.mmdb', 'GeoLite2-ASN.mmdb'] }), toNdjson(), out) */
export function geoip(options: { files: readonly string[] }): EnricherStage {
  return new EnricherStage(() => loadGeoip(options.files));
}
