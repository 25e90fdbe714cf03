// Test GeoIP databases: built by scripts/make-test-mmdb.pl (MaxMind's writer, Debian's
// libmaxmind-db-writer-perl) from documentation prefixes, into a temporary folder.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from './paths.js';

/** Writes test-country.mmdb, test-city.mmdb, test-asn.mmdb into `dir` (a new temp dir by default). */
export function makeTestMmdb(variant: 1 | 2 = 1, dir = mkdtempSync(join(tmpdir(), 'flowpipe-geoip-'))): { dir: string; country: string; city: string; asn: string } {
  mkdirSync(dir, { recursive: true });
  execFileSync('perl', [join(ROOT, 'scripts/make-test-mmdb.pl'), dir, String(variant)], { stdio: ['ignore', 'ignore', 'inherit'] });
  return { dir, country: join(dir, 'test-country.mmdb'), city: join(dir, 'test-city.mmdb'), asn: join(dir, 'test-asn.mmdb') };
}
