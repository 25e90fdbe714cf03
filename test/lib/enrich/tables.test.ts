// Operator tables (networks, exporter info), GeoIP lookups in generated MaxMind databases, and
// protocol/service names.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import maxmind from 'maxmind';
import { parseTable, TableError, tableFormat } from '../../../lib/enrich/table-file.js';
import { Networks, networksFromRows } from '../../../lib/enrich/networks.js';
import { Exporters, exportersFromRows } from '../../../lib/enrich/exporters.js';
import { databaseKind, GeoIp, type MmdbReader } from '../../../lib/enrich/geoip.js';
import { ServiceNames } from '../../../lib/enrich/services.js';
import type { NormalizedFlow } from '../../../lib/normalize/flow.js';
import type { FlowRecord } from '../../../lib/types.js';
import { makeTestMmdb } from '../../helpers/geoip.js';

const flow = (extra: Partial<NormalizedFlow>): NormalizedFlow => ({ timeReceived: 0, exporter: '192.0.2.1:2055', exporterAddress: '192.0.2.1', protocol: 'ipfix', domain: 0, sequence: 0, ...extra });
const NO_RECORD = {} as FlowRecord;

test('networks: YAML map, JSON list and CSV give the same table; the longest prefix wins; IPv6', () => {
  const yaml = `10.0.0.0/8: { name: corp, role: internal, site: hq, region: eu, tenant: acme }\n10.1.0.0/16: lab\n2001:db8::/32: { name: v6, role: internal }\n`;
  const json = JSON.stringify([{ cidr: '10.0.0.0/8', name: 'corp', role: 'internal', site: 'hq', region: 'eu', tenant: 'acme' }, { cidr: '10.1.0.0/16', name: 'lab' }, { cidr: '2001:db8::/32', name: 'v6', role: 'internal' }]);
  const csv = 'cidr,name,role,site,region,tenant\n10.0.0.0/8,corp,internal,hq,eu,acme\n10.1.0.0/16,lab,,,,\n2001:db8::/32,v6,internal,,,\n';
  for (const [text, format] of [[yaml, 'yaml'], [json, 'json'], [csv, 'csv']] as const) {
    const e = new Networks(networksFromRows(parseTable(text, format, 'cidr')));
    const n = flow({ srcAddr: '10.1.2.3', dstAddr: '10.200.0.1' });
    e.enrich(n, NO_RECORD);
    assert.deepEqual([n['srcNetName'], n['srcNetRole'], n['dstNetName'], n['dstNetRole'], n['dstNetSite'], n['dstNetRegion'], n['dstNetTenant']], ['lab', undefined, 'corp', 'internal', 'hq', 'eu', 'acme'], format);
    const six = flow({ srcAddr: '2001:db8::9', dstAddr: '192.0.2.1' });
    e.enrich(six, NO_RECORD);
    assert.deepEqual([six['srcNetName'], six['dstNetName']], ['v6', undefined]);
  }
  assert.equal(tableFormat('x.csv', ''), 'csv');
  assert.equal(tableFormat('x', '[{"cidr":"10.0.0.0/8"}]'), 'json');
});

test('tables: errors name the line and what is wrong', () => {
  assert.throws(() => networksFromRows(parseTable('10.0.0.0/8: corp\n10.0.0.0/33: bad\n', 'yaml', 'cidr')), (e: Error) => e instanceof TableError && /line 2/.test(e.message) && /0-32/.test(e.message));
  assert.throws(() => networksFromRows(parseTable('10.0.0.0/8: { name: corp, colour: red }\n', 'yaml', 'cidr')), /line 1.*unknown attribute 'colour'/);
  assert.throws(() => parseTable('a: [1, 2\n', 'yaml', 'cidr'), /line \d+, column \d+: Flow sequence in block collection must be sufficiently indented and end with a \]$/);
  assert.throws(() => parseTable('name\nx\n', 'csv', 'cidr'), /header row must name a 'cidr' column/);
  assert.throws(() => parseTable('10.0.0.0/8: 1\n10.0.0.0/8: 2\n', 'yaml', 'cidr'), TableError);
});

test('exporter info: address and CIDR entries, attributes, sampling and interface overrides', () => {
  const rows = parseTable(`192.0.2.0/24: { name: edge, site: par1, role: border, group: transit, region: eu }\n192.0.2.7:\n  name: core7\n  sampling: 2048\n  interfaces: { 10: { name: uplink, speed: 100000000000 } }\n`, 'yaml', 'address');
  const e = new Exporters(exportersFromRows(rows));
  const n = flow({ exporterAddress: '192.0.2.1' });
  e.enrich(n, NO_RECORD);
  assert.deepEqual([n['exporterName'], n['exporterSite'], n['exporterRole'], n['exporterGroup'], n['exporterRegion']], ['edge', 'par1', 'border', 'transit', 'eu']);
  assert.equal(e.info('192.0.2.7')?.sampling, 2048);
  assert.deepEqual(e.info('192.0.2.7')?.interfaces, { 10: { name: 'uplink', speed: 100_000_000_000 } });
  assert.equal(e.info('198.51.100.1'), undefined);
  assert.throws(() => exportersFromRows(parseTable('192.0.2.1: { sampling: 0 }\n', 'yaml', 'address')), /sampling must be a number >= 1/);
});

test('geoip: country, city, region, AS number and name from generated MaxMind databases; the kind from the metadata', () => {
  const db = makeTestMmdb();
  const readers = [db.city, db.asn].map((f) => new maxmind.Reader(readFileSync(f)) as unknown as MmdbReader);
  assert.deepEqual(readers.map((r) => databaseKind(r.metadata.databaseType)), [{ location: true, asn: false }, { location: false, asn: true }]);
  const g = new GeoIp(readers);
  const n = flow({ srcAddr: '192.0.2.10', dstAddr: '2001:db8::1', srcAs: 0, dstAs: 65000 });
  g.enrich(n, NO_RECORD);
  assert.deepEqual([n['srcCountry'], n['srcCity'], n['srcRegion'], n.srcAs, n['srcAsName']], ['AU', 'Sydney', 'NSW', 64496, 'Example Documentation AS']);
  assert.deepEqual([n['dstCountry'], n['dstCity'], n.dstAs, n['dstAsName']], ['FR', 'Paris', 65000, 'IPv6 Documentation AS'], 'a flow\'s own AS is kept');
  const outside = flow({ srcAddr: '10.0.0.1' });
  g.enrich(outside, NO_RECORD);
  assert.equal(outside['srcCountry'], undefined);
  const country = new GeoIp([new maxmind.Reader(readFileSync(db.country)) as unknown as MmdbReader]);
  const c = flow({ srcAddr: '198.51.100.20' });
  country.enrich(c, NO_RECORD);
  assert.deepEqual([c['srcCountry'], c['srcCity'], c.srcAs], ['DE', undefined, undefined]);
});

test('geoip: IPinfo-style flat records (country code, "AS123" numbers) are read too', () => {
  const ipinfo: MmdbReader = { metadata: { databaseType: 'ipinfo country_asn.mmdb' }, get: (ip) => (ip === '203.0.113.1' ? { country: 'NL', asn: 'AS64511', as_name: 'Example BV' } : null) };
  const n = flow({ srcAddr: '203.0.113.1' });
  new GeoIp([ipinfo]).enrich(n, NO_RECORD);
  assert.deepEqual([n['srcCountry'], n.srcAs, n['srcAsName']], ['NL', 64511, 'Example BV']);
});

test('services: protocol keywords and service names by the flow\'s protocol', () => {
  const s = new ServiceNames();
  const tcp = flow({ proto: 6, srcPort: 51000, dstPort: 443 });
  s.enrich(tcp, NO_RECORD);
  assert.deepEqual([tcp['protoName'], tcp['srcService'], tcp['dstService']], ['TCP', undefined, 'https']);
  const udp = flow({ proto: 17, srcPort: 53, dstPort: 123 });
  s.enrich(udp, NO_RECORD);
  assert.deepEqual([udp['protoName'], udp['srcService'], udp['dstService']], ['UDP', 'domain', 'ntp']);
  const icmp = flow({ proto: 58, dstPort: 0 });
  s.enrich(icmp, NO_RECORD);
  assert.deepEqual([icmp['protoName'], icmp['dstService']], ['IPv6-ICMP', undefined]);
  const zero = flow({ proto: 0 });
  s.enrich(zero, NO_RECORD);
  assert.equal(zero['protoName'], 'HOPOPT');
});
