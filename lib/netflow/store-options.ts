// The template store's caps and their defaults, and the eviction counters they produce.

export interface TemplateStoreOptions {
  /** A template not refreshed for this long is forgotten (default 30 min). */
  templateTimeoutMs?: number;
  /** Data sets kept per exporter while waiting for their template (default 1000). */
  maxPendingSets?: number;
  /** Bytes of such data kept per exporter (default 8 MiB). */
  maxPendingBytes?: number;
  /** How long such data waits (default 120 s). */
  maxPendingAgeMs?: number;
  /** Exporters (address:port) tracked at once; the least recently heard is dropped (default 10,000). */
  maxExporters?: number;
  /** Observation domains / source ids per exporter (default 1,024). */
  maxDomainsPerExporter?: number;
  /** Templates per domain (default 4,096). */
  maxTemplatesPerDomain?: number;
  /** Fields per template; longer templates are rejected as bad-template (default 1,024). */
  maxFieldsPerTemplate?: number;
  /** Domains over all exporters (default 50,000); beyond, the largest holder's oldest go. */
  maxDomains?: number;
  /** Templates over all exporters (default 100,000); beyond, the largest holder's oldest go. */
  maxTemplates?: number;
  /** Template fields over all templates (default 1,000,000; ~100 bytes each). */
  maxTemplateFields?: number;
  /** Data sets waiting for a template over all exporters (default 20,000). */
  maxPendingSetsTotal?: number;
  /** Bytes of such data over all exporters (default 64 MiB). */
  maxPendingBytesTotal?: number;
  /**
   * 'address' (default): when the exact (address, port, domain) has no template for a data set,
   * use one learned from another source port of the same address and domain (counted in
   * `templateFallbacks`). 'strict': templates belong to one transport session (RFC 7011 §8).
   * Another address or another domain never shares templates.
   */
  templateScope?: 'address' | 'strict';
}

/** State dropped to stay within the caps, by kind. Pending sets dropped are also template misses. */
export interface EvictionStats {
  exporters: number;
  domains: number;
  templates: number;
  pendingSets: number;
  pendingBytes: number;
}

export const DEFAULTS: Required<TemplateStoreOptions> = {
  templateTimeoutMs: 30 * 60_000,
  maxPendingSets: 1000,
  maxPendingBytes: 8 * 1024 * 1024,
  maxPendingAgeMs: 120_000,
  maxExporters: 10_000,
  maxDomainsPerExporter: 1024,
  maxTemplatesPerDomain: 4096,
  maxFieldsPerTemplate: 1024,
  maxDomains: 50_000,
  maxTemplates: 100_000,
  maxTemplateFields: 1_000_000,
  maxPendingSetsTotal: 20_000,
  maxPendingBytesTotal: 64 * 1024 * 1024,
  templateScope: 'address',
};
