// What normalization and enrichment are asked for, as plain data, apart from what builds them
// (load.ts): a command reads its options into this without loading the enrichers' modules.

/** Everything normalization and enrichment need, as plain data (it crosses to worker threads). */
export interface EnrichConfig {
  /** Flows out in the normalized shape (implied by every enricher). */
  normalize?: boolean;
  /** Leave options and counter records out of the output. */
  flowsOnly?: boolean;
  templateScope?: 'address' | 'strict';
  /** CIDR -> rate when the device never says (`--sampling`). */
  samplingDefaults?: Record<string, number>;
  /** CIDR -> rate that wins (`--sampling-override`). */
  samplingOverrides?: Record<string, number>;
  /** `--interfaces FILE`: exporter -> ifIndex -> name, description, speed. */
  interfaces?: string;
  /** `--networks FILE`: CIDR -> name, role, site, region, tenant. */
  networks?: string;
  /** `--exporter-info FILE`: exporter address/CIDR -> name, site, role, group, overrides. */
  exporterInfo?: string;
  /** `--geoip FILE`, MaxMind-format databases. */
  geoip?: string[];
  /** protoName, srcService, dstService. */
  serviceNames?: boolean;
  /** Re-read a file when it changes (checked every `watchIntervalMs`, default 2000). */
  watch?: boolean;
  watchIntervalMs?: number;
}

/** Does this config ask for normalized output? Every enricher implies it. */
export function wantsNormalize(c: EnrichConfig | undefined): boolean {
  return c !== undefined && (c.normalize === true || c.interfaces !== undefined || c.networks !== undefined || c.exporterInfo !== undefined
    || (c.geoip?.length ?? 0) > 0 || c.serviceNames === true || c.samplingDefaults !== undefined || c.samplingOverrides !== undefined);
}

/** A data file that cannot be used: names the file (and line). */
export class EnrichFileError extends Error {}
