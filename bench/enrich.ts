// Normalization and enrichment on top of decoding, in this process: plain decode and decode +
// normalize + sampling + interface names + networks + GeoIP (country, city and ASN databases
// with 20,000 prefixes, built by scripts/make-test-mmdb.pl) in interleaved rounds, with the
// enrichers' address caches on (the default) and off.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FlowDecoder } from '../lib/decoder.js';
import { FlowNormalizer } from '../lib/normalize/normalizer.js';
import { InterfaceNames } from '../lib/enrich/interfaces.js';
import { Networks } from '../lib/enrich/networks.js';
import { GeoIp, type MmdbReader } from '../lib/enrich/geoip.js';
import { AddressEnricher } from '../lib/enrich/addresses.js';
import { PrefixTable } from '../lib/codec/ip-prefix.js';
import type { NetworkInfo } from '../lib/enrich/networks.js';
import { benchDir, median, root, type Row } from './common.js';
import type { Workload } from './workloads.js';

const ROUNDS = 10;
const ROUND_SECONDS = 0.6;
const NOW = 1_700_000_000_000;

async function readers(): Promise<MmdbReader[] | string> {
  const dir = join(benchDir, 'results', 'mmdb');
  mkdirSync(dir, { recursive: true });
  try {
    execFileSync('perl', [join(root, 'scripts/make-test-mmdb.pl'), dir, 'bench'], { stdio: 'ignore' });
  } catch {
    return 'GeoIP left out: perl with MaxMind::DB::Writer (libmaxmind-db-writer-perl) is not installed';
  }
  const { Reader } = (await import('maxmind')) as unknown as { Reader: new (b: Buffer) => MmdbReader };
  return ['test-city.mmdb', 'test-asn.mmdb'].map((f) => new Reader(readFileSync(join(dir, f))));
}

/** 2,000 networks: the workloads' 10/8 split into /16s and /24s, plus random /12-/24s elsewhere. */
function networkTable(): PrefixTable<NetworkInfo> {
  const t = new PrefixTable<NetworkInfo>();
  let seed = 1;
  const rand = (n: number): number => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) % n);
  for (let i = 0; i < 256; i++) t.add(`10.${i}.0.0/16`, { name: `site-${i}`, role: 'internal', site: `s${i % 8}` });
  for (let i = 0; i < 744; i++) t.add(`10.${rand(256)}.${rand(256)}.0/24`, { name: `lan-${i}`, tenant: `t${i % 5}` });
  for (let i = 0; i < 1000; i++) t.add(`${1 + rand(222)}.${rand(256)}.${rand(16) * 16}.0/${12 + rand(13)}`, { name: `peer-${i}`, role: 'external' });
  t.add('2001:db8::/32', { name: 'doc6', role: 'internal' });
  return t;
}

function enrichedNormalizer(geo: MmdbReader[] | string, cacheSize: number | undefined, exporter: string): FlowNormalizer {
  const ifTable: Record<string, { name: string; description: string }> = {};
  for (let i = 0; i < 1024; i++) ifTable[String(i)] = { name: `ge-0/0/${i}`, description: `port ${i}` };
  const networks = new Networks(networkTable(), 0);
  const geoip = typeof geo === 'string' ? null : new GeoIp(geo, 0);
  return new FlowNormalizer({
    sampling: { defaults: { '0.0.0.0/0': 1000 } },
    enrichers: [
      new InterfaceNames({ table: (a) => (a === exporter ? ifTable : undefined) }),
      // As the CLI runs them: networks and GeoIP behind one address cache.
      new AddressEnricher(() => ({ networks, geoip }), cacheSize),
    ],
  });
}

function round(w: Workload, normalizer: FlowNormalizer | null): number {
  const dec = new FlowDecoder();
  for (const t of w.setup) dec.decode(t, w.exporter, NOW);
  let records = 0, n = 0;
  const start = process.hrtime.bigint();
  const deadline = start + BigInt(Math.round(ROUND_SECONDS * 1e9));
  const out: unknown[] = [];
  while (process.hrtime.bigint() < deadline) {
    for (let i = 0; i < 100; i++, n++) {
      const res = dec.decode(w.datagrams[n % w.datagrams.length]!, w.exporter, NOW);
      if (normalizer !== null) {
        out.length = 0;
        normalizer.process(res.records, NOW, res.runs, out as never[]);
      }
      records += res.records.length;
    }
  }
  return records / (Number(process.hrtime.bigint() - start) / 1e9);
}

/** Decode alone vs decode + normalize + enrich, records/s, medians of interleaved rounds. */
export async function enrichBench(ws: Workload[]): Promise<Row[]> {
  const geo = await readers();
  const rows: Row[] = [];
  for (const w of ws.filter((x) => x.name === 'v9' || x.name === 'ipfix')) {
    const key = `${w.exporter.address}`;
    const plain: number[] = [], cached: number[] = [], uncached: number[] = [];
    const withCache = enrichedNormalizer(geo, undefined, key);
    const noCache = enrichedNormalizer(geo, 0, key);
    for (let r = 0; r < ROUNDS; r++) {
      plain.push(round(w, null));
      cached.push(round(w, withCache));
      uncached.push(round(w, noCache));
    }
    const note = typeof geo === 'string' ? geo : 'sampling default, 1,024 interface names, 2,000 networks, GeoIP city + ASN (20,000 prefixes)';
    rows.push({ name: `decode only ${w.name} (same rounds)`, records_s: median(plain) });
    rows.push({ name: `decode + normalize + enrich ${w.name}, address caches on`, records_s: median(cached), note });
    rows.push({ name: `decode + normalize + enrich ${w.name}, no address cache`, records_s: median(uncached), note: 'every networks and GeoIP lookup walks the trie / database' });
  }
  return rows;
}
