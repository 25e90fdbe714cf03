// The enrich stages as streams: normalize() alone equals decode({ enrich }), each enricher stage
// alone, reload() and file watching swap data with no record lost, and parallelDecode with an
// enrichment config gives the records of one thread on the whole corpus.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, renameSync, writeFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { decode } from '../../../transforms/core/decode.js';
import { parallelDecode } from '../../../transforms/core/parallel-decode.js';
import { normalize } from '../../../transforms/enrich/normalize.js';
import { networks } from '../../../transforms/enrich/networks.js';
import { geoip } from '../../../transforms/enrich/geoip.js';
import { serviceNames } from '../../../transforms/enrich/services.js';
import { exporterInfo } from '../../../transforms/enrich/exporters.js';
import { interfaceNames } from '../../../transforms/enrich/interfaces.js';
import { Enrichment } from '../../../transforms/enrich/load.js';
import type { Datagram } from '../../../transforms/core/datagram.js';
import { loadManifest, readCorpus } from '../../helpers/corpus.js';
import { makeTestMmdb } from '../../helpers/geoip.js';
import { EXPORTER, cat, ip4, set, u32, u8, v9, v9OptionsTemplate, v9Template, varlen } from '../../helpers/build.js';

const tmp = mkdtempSync(join(tmpdir(), 'flowpipe-enrich-'));
const T = 1_700_000_000_000;

/** Every raw corpus file as datagrams from one exporter per file, in manifest order. */
function corpusDatagrams(): Datagram[] {
  return loadManifest().filter((e) => e.container === 'raw' && e.protocol !== 'invalid').flatMap((e, i) =>
    [...e.needs_templates_from, e.file].map((f) => ({ data: readCorpus(f), exporter: { address: `192.0.2.${1 + (i % 200)}`, port: 2055 }, receivedAt: T })));
}

async function collect(stages: NodeJS.ReadWriteStream[], input: Datagram[] | Record<string, unknown>[]): Promise<Record<string, unknown>[]> {
  const out: Record<string, unknown>[] = [];
  await pipeline([Readable.from(input), ...stages, new Writable({ objectMode: true, write: (r: Record<string, unknown>, _e, done) => { out.push(r); done(); } })]);
  return out;
}

test('normalize() after decode() gives what decode({ enrich }) gives, options and counters passed through', async () => {
  const input = corpusDatagrams();
  const fused = await collect([decode({ enrich: await Enrichment.load({ normalize: true }) })], input);
  const staged = await collect([decode(), normalize()], input);
  assert.equal(staged.length, fused.length);
  const strip = (r: Record<string, unknown>): Record<string, unknown> => ({ ...r, timeReceived: 0 });
  assert.deepEqual(staged.map(strip), fused.map(strip));
  assert.ok(staged.some((r) => r['kind'] === 'options') && staged.some((r) => r['srcAddr'] !== undefined));
});

test('normalize() stage: options after their flows in one datagram still apply (records of one message together)', async () => {
  const flowTpl = set(0, v9Template(300, [[8, 4], [1, 4], [48, 1]]));
  const optTpl = set(1, v9OptionsTemplate(257, [[1, 4]], [[48, 1], [50, 4]]));
  const d = v9({}, flowTpl, optTpl, set(300, cat(ip4('10.0.0.1'), u32(10), u8(1))), set(257, cat(u32(1), u8(1), u32(100))));
  const out = await collect([decode(), normalize({ flowsOnly: true })], [{ data: d, exporter: EXPORTER, receivedAt: T }]);
  assert.equal(out.length, 1);
  assert.equal(out[0]!['samplingRate'], 100);
  assert.equal(out[0]!['bytes'], 1000);
});

test('each enricher stage alone on normalized flows; networks reload() swaps the data with no record lost', async () => {
  const file = join(tmp, 'nets.yaml');
  writeFileSync(file, '10.0.0.0/8: { name: old }\n');
  const stage = networks({ file });
  await stage.whenReady();
  const exp = join(tmp, 'exp.csv');
  writeFileSync(exp, 'address,name\n192.0.2.1,edge-1\n');
  const flows = Array.from({ length: 2000 }, (_, i) => ({ timeReceived: T, exporter: '192.0.2.1:2055', exporterAddress: '192.0.2.1', protocol: 'ipfix', domain: 0, sequence: i, srcAddr: '10.1.1.1', proto: 6, dstPort: 443, inIf: 7 }));
  const out: Record<string, unknown>[] = [];
  const source = Readable.from((async function* () {
    for (let i = 0; i < flows.length; i++) {
      if (i === 1000) {
        writeFileSync(file, '10.0.0.0/8: { name: new }\n');
        await stage.reload();
      }
      yield flows[i]!;
    }
  })());
  await pipeline(source, stage, exporterInfo({ file: exp }), serviceNames(), interfaceNames(), new Writable({ objectMode: true, write: (r: Record<string, unknown>, _e, done) => { out.push(r); done(); } }));
  assert.equal(out.length, 2000);
  // Records still buffered in the pipeline at the reload may get the new data; none gets neither,
  // the old ones come first, and everything read after the reload has the new data.
  const names = out.map((r) => r['srcNetName']).join(',');
  assert.match(names, /^(old,)+(new,)*new$/);
  assert.ok(out.slice(1000).every((r) => r['srcNetName'] === 'new'));
  assert.ok(out.every((r) => r['exporterName'] === 'edge-1' && r['dstService'] === 'https' && r['protoName'] === 'TCP'));
});

test('interfaceNames() stage learns from the options records passing by', async () => {
  const opt = set(1, v9OptionsTemplate(257, [[1, 4]], [[10, 4], [82, 65535]]));
  const flowTpl = set(0, v9Template(300, [[8, 4], [10, 4]]));
  const d = v9({}, opt, set(257, cat(u32(1), u32(7), varlen('ge-0/0/7'))), flowTpl, set(300, cat(ip4('10.0.0.1'), u32(7))));
  const out = await collect([decode(), normalize(), interfaceNames()], [{ data: d, exporter: EXPORTER, receivedAt: T }]);
  assert.equal(out.find((r) => r['srcAddr'] === '10.0.0.1')!['inIfName'], 'ge-0/0/7');
});

test('a file that cannot be used fails the stage with its name', async () => {
  const bad = join(tmp, 'bad.csv');
  writeFileSync(bad, 'cidr,name\nnot-a-cidr,x\n');
  await assert.rejects(collect([networks({ file: bad })], [{ timeReceived: 0 }]), new RegExp(`${bad}: line 2: 'not-a-cidr' is not an IP address`));
});

test('geoip: a database replaced on disk is picked up by the watcher, and reload() reopens it', async () => {
  const v1 = makeTestMmdb(1, join(tmp, 'g1'));
  const v2 = makeTestMmdb(2, join(tmp, 'g2'));
  const live = join(tmp, 'live-city.mmdb');
  copyFileSync(v1.city, live);
  const e = await Enrichment.load({ geoip: [live], watch: true, watchIntervalMs: 50 });
  const flow = (): Record<string, unknown> => {
    const [n] = e.normalizer.process([{ kind: 'flow', protocol: 'ipfix', exporter: '192.0.2.1:1', domain: 0, templateId: 256, exportTime: T, sequence: 0, sourceIPv4Address: '192.0.2.5' }], T);
    return n as Record<string, unknown>;
  };
  assert.equal(flow()['srcCountry'], 'AU');
  copyFileSync(v2.city, live + '.tmp');
  renameSync(live + '.tmp', live);
  const deadline = Date.now() + 5000;
  while (flow()['srcCountry'] !== 'NZ' && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  assert.equal(flow()['srcCountry'], 'NZ', 'the watcher reloaded the replaced file');
  e.unwatch();
  const stage = geoip({ files: [v1.asn] });
  const out = await collect([stage], [{ timeReceived: 0, exporter: 'x', exporterAddress: 'x', srcAddr: '198.51.100.1' }]);
  assert.equal(out[0]!['srcAsName'], 'Other Documentation AS');
  assert.ok(readFileSync(live).length > 0);
});

test('parallelDecode({ enrich }) on the whole corpus gives exactly the NDJSON of one thread', async () => {
  const input = corpusDatagrams();
  const config = { normalize: true, serviceNames: true };
  const text = async (stage: NodeJS.ReadWriteStream): Promise<string[]> => {
    const chunks: Buffer[] = [];
    await pipeline(Readable.from(input), stage, new Writable({ write: (c: Buffer, _e, done) => { chunks.push(c); done(); } }));
    return Buffer.concat(chunks).toString().trim().split('\n');
  };
  const one = await text(decode({ output: 'ndjson', enrich: await Enrichment.load(config) }));
  const par = await text(parallelDecode({ workers: 3, enrich: config, batchDelayMs: 0 }));
  assert.ok(one.length > 700);
  // Exporters are placed on workers whole, so each exporter's lines keep their order.
  const byExporter = (ls: string[]): Map<string, string[]> => {
    const m = new Map<string, string[]>();
    for (const l of ls) {
      const e = (JSON.parse(l) as { exporter: string }).exporter;
      m.set(e, [...(m.get(e) ?? []), l]);
    }
    return m;
  };
  assert.deepEqual(byExporter(par), byExporter(one));
});
