// networks({ file }): adds srcNetName/Role/Site/Region/Tenant and the dst* ones to normalized
// flows from a YAML, JSON or CSV file of CIDR -> name, role, site, region, tenant.
import { EnricherStage } from './enricher-stage.js';
import { loadNetworks } from './load.js';

/** @example pipeline(source, decode(), normalize(), networks({ file: 'networks.yaml' }), toNdjson(), out) */
export function networks(options: { file: string }): EnricherStage {
  return new EnricherStage(() => loadNetworks(options.file));
}
