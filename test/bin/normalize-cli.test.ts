// --normalize and the enrichers on the command line: decode and collect, one thread and workers
// giving the same records, SIGHUP reloading the data files, and clear errors for bad files.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pcapFile } from '../../lib/capture/pcap-writer.js';
import { lines, run, startCollect, stop } from '../helpers/cli.js';
import { makeTestMmdb } from '../helpers/geoip.js';
import { ROOT } from '../helpers/paths.js';

const tmp = mkdtempSync(join(tmpdir(), 'flowpipe-norm-'));
const V9 = ['test/fixtures/corpus/goflow2/nfv9_template_260.bin', 'test/fixtures/corpus/goflow2/nfv9_data_260_21records.bin'];
const NBAR = ['netflow9_test_cisco_nbar_opttpl260.dat', 'netflow9_test_cisco_nbar_tpl262.dat', 'netflow9_test_cisco_nbar_data262.dat'].map((f) => `test/fixtures/corpus/logstash-codec-netflow/${f}`);

test('decode --normalize: the flat shape; --fields, --filter and formats work on it', () => {
  const r = run(['decode', '--normalize', ...V9]);
  assert.equal(r.status, 0, r.stderr.toString());
  const recs = lines(r.stdout as Buffer);
  assert.equal(recs.length, 21);
  assert.ok(recs.every((x) => typeof x['srcAddr'] === 'string' && x['bytes'] === x['sampledBytes'] && x['kind'] === undefined));
  const csv = run(['decode', '--normalize', '--format', 'csv', '--fields', 'srcAddr,srcPort,bytes', '--filter', 'srcPort==443', ...V9]);
  const rows = csv.stdout.toString().trim().split('\n');
  assert.equal(rows[0], 'srcAddr,srcPort,bytes');
  assert.ok(rows.length > 1 && rows.slice(1).every((x) => x.split(',')[1] === '443'));
});

test('decode --flows-only: options records left out with or without --normalize, counted in --stats', () => {
  const raw = lines(run(['decode', ...NBAR]).stdout as Buffer);
  assert.ok(raw.some((x) => x['kind'] === 'options'));
  const flowsOnly = run(['decode', '--flows-only', '--stats', ...NBAR]);
  const f = lines(flowsOnly.stdout as Buffer);
  assert.ok(f.length > 0 && f.every((x) => x['kind'] === 'flow'));
  assert.equal(f.length, raw.filter((x) => x['kind'] === 'flow').length);
  const stats = JSON.parse(flowsOnly.stderr.toString().trim().split('\n').pop()!) as { flowsOnlyDropped: number };
  assert.equal(stats.flowsOnlyDropped, raw.length - f.length);
  const norm = run(['decode', '--normalize', '--flows-only', '--stats', ...NBAR]);
  const n = lines(norm.stdout as Buffer);
  assert.equal(n.length, f.length);
  assert.ok(n.some((x) => x['applicationName'] === 'icmp'), 'the options still name the applications');
  const ns = JSON.parse(norm.stderr.toString().trim().split('\n').pop()!) as { normalize: { flows: number; dropped: number; samplingUnknown: Record<string, number> } };
  assert.equal(ns.normalize.flows, n.length);
  assert.equal(ns.normalize.dropped, raw.length - f.length);
  assert.equal(ns.normalize.samplingUnknown['0.0.0.0:0'], n.length, 'NBAR sends no sampling rate: every flow counted');
});

test('decode with enrichers: --sampling, --networks, --exporter-info, --geoip, --service-names, --interfaces', () => {
  const db = makeTestMmdb(1, join(tmp, 'geo1'));
  const networks = join(tmp, 'networks.csv');
  writeFileSync(networks, 'cidr,name,role\n198.38.120.0/24,cdn,peer\n0.0.0.0/0,internet,\n');
  const exporters = join(tmp, 'exporters.yaml');
  writeFileSync(exporters, '0.0.0.0: { name: router-a, site: par1 }\n');
  const interfaces = join(tmp, 'interfaces.json');
  writeFileSync(interfaces, JSON.stringify({ '0.0.0.0': { 354: { name: 'Hu0/0/0/1', speed: 100e9 } } }));
  const r = run(['decode', '--sampling', '0.0.0.0/0=100', '--networks', networks, '--exporter-info', exporters, '--interfaces', interfaces, '--geoip', db.country, '--geoip', db.asn, '--service-names', ...V9]);
  assert.equal(r.status, 0, r.stderr.toString());
  const recs = lines(r.stdout as Buffer);
  const f = recs.find((x) => x['srcAddr'] === '198.38.120.222')!;
  assert.deepEqual([f['samplingRate'], f['bytes'], f['srcNetName'], f['srcNetRole'], f['dstNetName'], f['exporterName'], f['inIfName'], f['inIfSpeed'], f['srcService'], f['protoName']],
    [100, 150_000, 'cdn', 'peer', 'internet', 'router-a', 'Hu0/0/0/1', 100e9, 'https', 'TCP']);
});

test('bad data files and flags: one line naming the file (exit 1), usage errors exit 2', () => {
  const bad = join(tmp, 'bad-networks.yaml');
  writeFileSync(bad, '10.0.0.0/8: corp\n10.0.0.0/99: nope\n');
  const r = run(['decode', '--networks', bad, ...V9]);
  assert.equal(r.status, 1);
  assert.equal(r.stderr.toString().trim().split('\n').length, 1);
  assert.match(r.stderr.toString(), new RegExp(`${bad}: line 2: .*0-32`));
  assert.equal(run(['decode', '--networks', join(tmp, 'missing.yaml'), ...V9]).status, 1);
  const notDb = run(['decode', '--geoip', bad, ...V9]);
  assert.equal(notDb.status, 1);
  assert.match(notDb.stderr.toString(), /not a MaxMind database/);
  assert.equal(run(['decode', '--sampling', '10.0.0.0/8', ...V9]).status, 2);
  assert.equal(run(['decode', '--sampling', '10.0.0.0/40=5', ...V9]).status, 2);
  assert.equal(run(['decode', '--template-scope', 'loose', ...V9]).status, 2);
});

/** Polls until `done()` holds (at most 10 s: the machine may be busy with other tests). */
async function waitFor(done: () => boolean): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!done() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
}

test('collect --workers 2 with enrichment gives the records of one thread; SIGHUP reloads the data', async () => {
  const db = makeTestMmdb(1, join(tmp, 'geo2'));
  const networks = join(tmp, 'reload-networks.yaml');
  writeFileSync(networks, '192.0.2.0/24: { name: before }\n');
  // Flows from and to documentation addresses: rewrite the corpus v9 data's first address bytes.
  const tpl = readFileSync(join(ROOT, V9[0]!));
  const data = Buffer.from(readFileSync(join(ROOT, V9[1]!)));
  for (let i = 0; i < 21; i++) data.set([192, 0, 2, i], 20 + 4 + i * 65 + 8); // sourceIPv4Address of record i (65-byte records after packets and bytes)
  const pcap = join(tmp, 'doc.pcap');
  const ep = { address: '127.0.0.1', port: 40000 };
  writeFileSync(pcap, pcapFile([tpl, data].map((payload, i) => ({ src: ep, dst: { address: '127.0.0.1', port: 2055 }, payload, time: 1_700_000_000_000 + i }))));
  const args = ['--normalize', '--networks', networks, '--geoip', db.city, '--flows-only'];
  const collect = async (extra: string[], reload?: () => void): Promise<Record<string, unknown>[][]> => {
    const c = await startCollect([...args, ...extra]);
    const batches: Record<string, unknown>[][] = [];
    for (const step of [0, 1]) {
      const before = Buffer.concat(c.out).length;
      assert.equal(run(['replay', pcap, '--to', `127.0.0.1:${c.port}`]).status, 0);
      await waitFor(() => lines(Buffer.concat(c.out).subarray(before)).length >= 21);
      batches.push(lines(Buffer.concat(c.out).subarray(before)));
      if (step === 0 && reload) {
        reload();
        c.child.kill('SIGHUP');
        await waitFor(() => /reloaded the enrichment data/.test(c.err()));
      }
    }
    assert.equal(await stop(c.child), 0);
    return batches;
  };
  const swap = (): void => {
    writeFileSync(networks + '.new', '192.0.2.0/24: { name: after }\n');
    renameSync(networks + '.new', networks);
  };
  const one = await collect([], swap);
  writeFileSync(networks, '192.0.2.0/24: { name: before }\n');
  const two = await collect(['--workers', '2'], swap);
  const strip = (rs: Record<string, unknown>[]): string[] => rs.map((r) => JSON.stringify({ ...r, timeReceived: 0, exporter: '', exporterAddress: '' })).sort();
  assert.equal(one[0]!.length, 21);
  assert.ok(one[0]!.every((r) => r['srcNetName'] === 'before' && r['srcCountry'] === 'AU' && r['srcCity'] === 'Sydney'));
  assert.ok(one[1]!.every((r) => r['srcNetName'] === 'after'), 'after SIGHUP');
  assert.deepEqual(strip(two[0]!), strip(one[0]!), 'workers: the same records as one thread');
  assert.deepEqual(strip(two[1]!), strip(one[1]!), 'and the workers reload too');
});
