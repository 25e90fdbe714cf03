// Builds the normalizer and its enrichers from a plain config (file paths and options), so the
// same config builds them in this thread and in every decode worker. Reading the files is here;
// the logic is in lib/normalize and lib/enrich. reload() re-reads every file and swaps the data
// in between two datagrams: nothing is dropped or held while it reads.
import { readFile, stat } from 'node:fs/promises';
import { FlowNormalizer, type NormalizeStats } from '../../lib/normalize/normalizer.js';
import type { Enricher } from '../../lib/enrich/enricher.js';
import { Exporters, exportersFromRows } from '../../lib/enrich/exporters.js';
import { GeoIp, type MmdbReader } from '../../lib/enrich/geoip.js';
import { InterfaceNames, interfaceTableFromRows, type InterfaceInfo } from '../../lib/enrich/interfaces.js';
import { Networks, networksFromRows } from '../../lib/enrich/networks.js';
import { ServiceNames } from '../../lib/enrich/services.js';
import { AddressEnricher } from '../../lib/enrich/addresses.js';
import { parseTable, tableFormat, TableError } from '../../lib/enrich/table-file.js';
import { Swappable } from './swappable.js';
import { EnrichFileError, type EnrichConfig } from './config.js';

export { EnrichFileError, wantsNormalize, type EnrichConfig } from './config.js';

async function table(path: string, keyField: string): Promise<ReturnType<typeof parseTable>> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new EnrichFileError(`cannot read ${path}: ${(err as Error).message}`);
  }
  try {
    return parseTable(text, tableFormat(path, text), keyField);
  } catch (err) {
    throw new EnrichFileError(`${path}: ${err instanceof TableError ? err.message : (err as Error).message}`);
  }
}

/** The networks table of a YAML/JSON/CSV file (CIDR -> name, role, site, region, tenant). */
export async function loadNetworks(path: string): Promise<Networks> {
  return table(path, 'cidr').then(wrap(path, (rows) => new Networks(networksFromRows(rows))));
}

/** The exporter info of a YAML/JSON/CSV file (address or CIDR -> name, site, role, group, overrides). */
export async function loadExporters(path: string): Promise<Exporters> {
  return table(path, 'address').then(wrap(path, (rows) => new Exporters(exportersFromRows(rows))));
}

/** The static interface table of a YAML/JSON/CSV file (exporter -> ifIndex -> name, description, speed). */
export async function loadInterfaceTable(path: string): Promise<Map<string, Record<string, InterfaceInfo>>> {
  return table(path, 'exporter').then(wrap(path, interfaceTableFromRows));
}

/** GeoIP from MaxMind-format databases. */
export async function loadGeoip(paths: readonly string[]): Promise<GeoIp> {
  return new GeoIp(await openGeoip(paths));
}

/** Opens MaxMind-format databases (the `maxmind` package, imported when first needed). */
export async function openGeoip(paths: readonly string[]): Promise<MmdbReader[]> {
  let Reader: new (db: Buffer) => MmdbReader;
  try {
    ({ Reader } = (await import('maxmind')) as unknown as { Reader: new (db: Buffer) => MmdbReader });
  } catch {
    throw new EnrichFileError("--geoip needs the 'maxmind' package: npm install maxmind");
  }
  return Promise.all(paths.map(async (p) => {
    try {
      return new Reader(await readFile(p));
    } catch (err) {
      throw new EnrichFileError(`${p}: not a MaxMind database (${(err as Error).message})`);
    }
  }));
}

/** The normalizer with its enrichers, and what reloads their data. */
/** What identifies a file's content cheaply: a rename over it changes the inode, a write the time or size. */
type FileMark = string;
const markOf = async (path: string): Promise<FileMark> => {
  try {
    const s = await stat(path);
    return `${s.ino}:${s.mtimeMs}:${s.size}`;
  } catch {
    return 'missing';
  }
};

export class Enrichment {
  private poller: NodeJS.Timeout | null = null;
  /** The files' marks as they were just before they were last read. */
  private marks = new Map<string, FileMark>();
  private reloading: Promise<void> | null = null;

  private constructor(
    readonly config: EnrichConfig,
    readonly normalizer: FlowNormalizer,
    private readonly addresses: AddressEnricher,
    private readonly data: {
      interfaces: Swappable<Map<string, Record<string, InterfaceInfo>>>;
      networks: Swappable<Networks | null>;
      exporters: Swappable<Exporters | null>;
      geoip: Swappable<GeoIp | null>;
    },
  ) {}

  /** Loads every file of the config (errors name the file and line). */
  static async load(config: EnrichConfig): Promise<Enrichment> {
    const data = {
      interfaces: new Swappable(new Map<string, Record<string, InterfaceInfo>>()),
      networks: new Swappable<Networks | null>(null),
      exporters: new Swappable<Exporters | null>(null),
      geoip: new Swappable<GeoIp | null>(null),
    };
    const addresses = new AddressEnricher(() => ({ networks: data.networks.value, geoip: data.geoip.value }));
    const enrichers: Enricher[] = [
      new InterfaceNames({
        templateScope: config.templateScope,
        table: (a) => data.interfaces.value.get(a),
        overrides: (a) => data.exporters.value?.info(a)?.interfaces,
      }),
      data.exporters.asEnricher('exporters'),
      addresses,
      ...(config.serviceNames ? [new ServiceNames()] : []),
    ];
    const normalizer = new FlowNormalizer({
      templateScope: config.templateScope,
      flowsOnly: config.flowsOnly,
      sampling: { defaults: config.samplingDefaults, overrides: config.samplingOverrides, overrideLookup: (a) => data.exporters.value?.info(a)?.sampling },
      enrichers,
    });
    const e = new Enrichment(config, normalizer, addresses, data);
    await e.reload();
    if (config.watch) e.watch();
    return e;
  }

  /** Re-reads every file; on an error the old data stays and the error is thrown. */
  async reload(): Promise<void> {
    const c = this.config;
    // Marked before reading: a change during the read is seen by the next poll.
    const marks = new Map(await Promise.all(this.files().map(async (f) => [f, await markOf(f)] as const)));
    const [interfaces, networks, exporters, geoip] = await Promise.all([
      c.interfaces === undefined ? undefined : loadInterfaceTable(c.interfaces),
      c.networks === undefined ? undefined : loadNetworks(c.networks),
      c.exporterInfo === undefined ? undefined : loadExporters(c.exporterInfo),
      (c.geoip?.length ?? 0) === 0 ? undefined : loadGeoip(c.geoip!),
    ]);
    // Swapped together, after everything loaded: a flow sees all old or all new data.
    if (interfaces !== undefined) this.data.interfaces.value = interfaces;
    if (networks !== undefined) this.data.networks.value = networks;
    if (exporters !== undefined) this.data.exporters.value = exporters;
    if (geoip !== undefined) this.data.geoip.value = geoip;
    this.addresses.clear();
    this.marks = marks;
  }

  /** Counters of the normalizer (flows, passed and dropped records, sampling). */
  get stats(): NormalizeStats {
    return this.normalizer.stats;
  }

  /** The data files of the config. */
  files(): string[] {
    const c = this.config;
    return [c.interfaces, c.networks, c.exporterInfo, ...(c.geoip ?? [])].filter((f): f is string => f !== undefined);
  }

  /**
   * Reloads when a file changes: polled (a replacement by rename is seen, which fs.watch misses),
   * against the file as it was when last read. Errors go to `onError`; the old data stays.
   */
  watch(onError: (err: Error) => void = () => undefined): void {
    this.unwatch();
    const files = this.files();
    if (files.length === 0) return;
    this.poller = setInterval(() => {
      if (this.reloading !== null) return;
      this.reloading = (async () => {
        const now = await Promise.all(files.map(markOf));
        if (!now.some((m, i) => m !== this.marks.get(files[i]!))) return;
        try {
          await this.reload();
        } catch (err) {
          this.marks = new Map(files.map((f, i) => [f, now[i]!])); // said once; tried again when the file changes again
          onError(err as Error);
        }
      })().finally(() => { this.reloading = null; });
    }, this.config.watchIntervalMs ?? 2000);
    this.poller.unref();
  }

  unwatch(): void {
    if (this.poller !== null) clearInterval(this.poller);
    this.poller = null;
  }
}

/** Parses rows into data, naming the file in any error. */
function wrap<R, T>(path: string, build: (rows: R) => T): (rows: R) => T {
  return (rows) => {
    try {
      return build(rows);
    } catch (err) {
      throw new EnrichFileError(`${path}: ${(err as Error).message}`);
    }
  };
}
