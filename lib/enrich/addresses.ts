// Networks and GeoIP together, as the CLI and the workers run them: one cache entry per address
// holds both answers, so a flow costs one cache lookup per address instead of one per enricher
// (hashing the address text was a quarter of the enrichment time).
import type { FlowRecord } from '../types.js';
import type { NormalizedFlow } from '../normalize/flow.js';
import type { Enricher } from './enricher.js';
import { dstGeo, srcGeo, type GeoInfo, type GeoIp } from './geoip.js';
import { dstNetwork, srcNetwork, type NetworkInfo, type Networks } from './networks.js';

interface Entry { net: NetworkInfo | undefined; geo: GeoInfo | undefined }

/** The current data (it changes on reload). */
export interface AddressSources {
  networks: Networks | null;
  geoip: GeoIp | null;
}

export class AddressEnricher implements Enricher {
  readonly name = 'addresses';
  private cache = new Map<string, Entry>();

  /** `max`: addresses kept (cleared when full; 0: no cache). */
  constructor(private readonly sources: () => AddressSources, private readonly max = 65_536) {}

  /** Forget every answer (the data was reloaded). */
  clear(): void {
    this.cache = new Map();
  }

  enrich(n: NormalizedFlow, _r: FlowRecord): boolean {
    const s = this.sources();
    if (s.networks === null && s.geoip === null) return true;
    if (n.srcAddr !== undefined) {
      const e = this.entry(n.srcAddr, s);
      srcNetwork(n, e.net);
      srcGeo(n, e.geo);
    }
    if (n.dstAddr !== undefined) {
      const e = this.entry(n.dstAddr, s);
      dstNetwork(n, e.net);
      dstGeo(n, e.geo);
    }
    return true;
  }

  private entry(address: string, s: AddressSources): Entry {
    let e = this.cache.get(address);
    if (e === undefined) {
      e = { net: s.networks?.lookup(address), geo: s.geoip?.resolve(address) };
      if (this.max > 0) {
        if (this.cache.size >= this.max) this.cache.clear();
        this.cache.set(address, e);
      }
    }
    return e;
  }
}
