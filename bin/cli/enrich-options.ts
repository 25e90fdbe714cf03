// Normalization and enrichment options shared by decode and collect: parsed into an EnrichConfig
// (plain data: the same config builds the enrichers in this thread or in each decode worker).
import { parseCidr } from '../../lib/codec/ip-prefix.js';
import type { Enrichment } from '../../transforms/enrich/load.js';
import { EnrichFileError, wantsNormalize, type EnrichConfig } from '../../transforms/enrich/config.js';
import { UsageError, type Parsed } from './args.js';

export const ENRICH_OPTIONS = {
  normalize: 'flag', 'flows-only': 'flag', 'template-scope': 'value', sampling: 'list', 'sampling-override': 'list',
  interfaces: 'value', networks: 'value', 'exporter-info': 'value', geoip: 'list', 'service-names': 'flag',
} as const;

export const ENRICH_HELP = `  --normalize         one flat flow shape for every vendor (srcAddr, dstPort, bytes, …; README "Normalized flows")
  --flows-only        leave options and counter records out (they still teach the enrichers)
  --template-scope S  address (default: the ports of one exporter address share templates and
                      options data, as IOS XR line cards need) or strict (one transport session)
  --sampling CIDR=N   sampling rate of exporters that never send one (repeatable, or a,b)
  --sampling-override CIDR=N  rate that wins over what the exporter sends
  --interfaces FILE   interface names/descriptions/speeds devices never send (YAML, JSON, CSV)
  --networks FILE     CIDR -> name, role, site, region, tenant: srcNet*/dstNet* fields
  --exporter-info FILE  exporter address/CIDR -> name, site, role, group, sampling and interface overrides
  --geoip FILE        MaxMind-format database (Country, City, ASN; repeatable): src/dstCountry, AS names
  --service-names     protoName, srcService, dstService
                      (every enricher implies --normalize; data files reload on SIGHUP and when changed)`;

/** `CIDR=RATE` pairs of a repeatable option (each value may hold several, comma-separated), checked. */
export function rates(p: Parsed, name: string): Record<string, number> | undefined {
  const values = (p.lists.get(name) ?? []).flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean);
  if (values.length === 0) return undefined;
  const out: Record<string, number> = {};
  for (const v of values) {
    const m = /^(.+)=(\d+(?:\.\d+)?)$/.exec(v);
    if (!m) throw new UsageError(`--${name} wants CIDR=RATE (e.g. 192.0.2.0/24=1000), got '${v}'`);
    try {
      parseCidr(m[1]!);
    } catch (err) {
      throw new UsageError(`--${name}: ${(err as Error).message}`);
    }
    const rate = Number(m[2]);
    if (!(rate >= 1)) throw new UsageError(`--${name}: the rate must be >= 1, got '${m[2]}'`);
    out[m[1]!] = rate;
  }
  return out;
}

/** The enrichment config of a command line, or undefined when it asks for none. */
export function enrichConfig(p: Parsed): EnrichConfig | undefined {
  const scope = p.opts.get('template-scope');
  if (scope !== undefined && scope !== 'address' && scope !== 'strict') throw new UsageError(`--template-scope must be address or strict, not '${String(scope)}'`);
  const text = (name: string): string | undefined => {
    const v = p.opts.get(name);
    return typeof v === 'string' ? v : undefined;
  };
  const c: EnrichConfig = {
    ...(p.opts.has('normalize') ? { normalize: true } : {}),
    ...(p.opts.has('flows-only') ? { flowsOnly: true } : {}),
    ...(scope !== undefined ? { templateScope: scope } : {}),
    ...(rates(p, 'sampling') ? { samplingDefaults: rates(p, 'sampling') } : {}),
    ...(rates(p, 'sampling-override') ? { samplingOverrides: rates(p, 'sampling-override') } : {}),
    ...(text('interfaces') !== undefined ? { interfaces: text('interfaces') } : {}),
    ...(text('networks') !== undefined ? { networks: text('networks') } : {}),
    ...(text('exporter-info') !== undefined ? { exporterInfo: text('exporter-info') } : {}),
    ...((p.lists.get('geoip')?.length ?? 0) > 0 ? { geoip: p.lists.get('geoip')!.flatMap((v) => v.split(',')) } : {}),
    ...(p.opts.has('service-names') ? { serviceNames: true } : {}),
  };
  return Object.keys(c).length > 0 ? c : undefined;
}

/** The template scope a command line asks for (decoder option). */
export function templateScope(p: Parsed): 'address' | 'strict' | undefined {
  return enrichConfig(p)?.templateScope;
}

/** Loads the enrichment of a config (normalization wanted), as an input error naming the file. */
export async function loadEnrichment(c: EnrichConfig | undefined, watch: boolean): Promise<Enrichment | null> {
  if (!wantsNormalize(c)) return null;
  try {
    const { Enrichment } = await import('../../transforms/enrich/load.js'); // the enrichers load only when asked for
    return await Enrichment.load({ ...c, watch });
  } catch (err) {
    if (err instanceof EnrichFileError) throw new InputError(err.message);
    throw err;
  }
}

/** An input that cannot be used (exit 1, one line). */
export class InputError extends Error {}
