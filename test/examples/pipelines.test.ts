// examples/pipelines/*.yaml, each run as shipped (only ${ENV} values point it at test servers and
// loopback ports) end to end: exports in, rows / messages / files out, counted against what
// flowpipe decode says about the same input.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { existsSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { createClient } from 'redis';
import { lines, run, stop } from '../helpers/cli.js';
import { BIN, ROOT } from '../helpers/paths.js';
import { clickhouseQuery, skipUnless, startClickHouse, startKafkaMock, startRedis, type TestServer } from '../helpers/servers.js';
import { makeTestMmdb } from '../helpers/geoip.js';
import { datagram, eth, flowSample, ipv4, sampledHeader, udp } from '../helpers/sflow-build.js';

const DIR = join(ROOT, 'examples/pipelines');
const IPFIX = join(ROOT, 'examples/samples/softflowd-ipfix.bin');
const V9 = join(ROOT, 'examples/samples/cisco-v9-template-and-data.bin');
const tmp = mkdtempSync(join(tmpdir(), 'flowpipe-example-pipelines-'));
const servers: TestServer[] = [];
after(async () => { for (const s of servers) await s.stop(); });

interface Running { child: ChildProcess; port: number; out: () => string; err: () => string }

/** `flowpipe run examples/pipelines/FILE` from that folder with `env`; resolves once it listens (udp). */
function start(file: string, env: Record<string, string>, listens = true): Promise<Running> {
  const child = spawn(process.execPath, [BIN, 'run', file], { cwd: DIR, env: { ...process.env, FLOWPIPE_LISTEN: '127.0.0.1:0', ...env } });
  let out = '', err = '';
  child.stdout!.on('data', (c: Buffer) => { out += c.toString(); });
  return new Promise((resolve, reject) => {
    const r: Running = { child, port: 0, out: () => out, err: () => err };
    if (!listens) resolve(r);
    child.stderr!.on('data', (c: Buffer) => {
      err += c.toString();
      const m = /listening on [^:]+:(\d+)/.exec(err);
      if (m && r.port === 0) { r.port = Number(m[1]); resolve(r); }
    });
    child.once('exit', (code) => { if (r.port === 0 && listens) reject(new Error(`${file} exited ${code}: ${err}`)); });
  });
}

const replay = (file: string, port: number): void => { assert.equal(run(['replay', file, '--to', `127.0.0.1:${port}`, '--rate', '2000']).status, 0); };
async function until(what: string, ok: () => Promise<boolean> | boolean, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await ok()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  assert.ok(await ok(), what);
}
const flowsOf = (...args: string[]): Record<string, unknown>[] => lines(run(['decode', ...args, '--normalize', '--flows-only']).stdout as Buffer);
const sum = (xs: Record<string, unknown>[], k: string): number => xs.reduce((a, x) => a + Number(x[k] ?? 0), 0);

test('flow-inspector.yaml: IPv4 flows in flow-inspector\'s queue shape on a Redis list', { skip: skipUnless('redis-server') }, async () => {
  const redis = await startRedis();
  servers.push(redis);
  const p = await start('flow-inspector.yaml', { REDIS: `127.0.0.1:${redis.port}` });
  const want = flowsOf(IPFIX).filter((f) => f['etype'] === 2048);
  assert.ok(want.length >= 10);
  replay(IPFIX, p.port);
  const client = createClient({ url: `redis://127.0.0.1:${redis.port}` });
  await client.connect();
  await until('every IPv4 flow queued', async () => (await client.lLen('entry:queue')) >= want.length);
  assert.equal(await stop(p.child), 0, p.err());
  const queued = (await client.lRange('entry:queue', 0, -1)).map((s) => JSON.parse(s) as Record<string, number>);
  await client.quit();
  assert.equal(queued.length, want.length);
  assert.deepEqual(Object.keys(queued[0]!), ['sourceIPv4Address', 'destinationIPv4Address', 'sourceTransportPort', 'destinationTransportPort', 'protocolIdentifier', 'octetDeltaCount', 'packetDeltaCount', 'flowStartSeconds', 'flowEndSeconds']);
  const asInt = (a: unknown): number => String(a).split('.').reduce((n, o) => n * 256 + Number(o), 0);
  assert.deepEqual(queued.map((q) => [q.sourceIPv4Address, q.destinationTransportPort, q.octetDeltaCount, q.flowEndSeconds]).sort(),
    want.map((f) => [asInt(f['srcAddr']), f['dstPort'], f['bytes'], Math.floor(Number(f['timeEnd']) / 1000)]).sort());
});

test('netflow-io.yaml: only allowed exporters, bytes/packets/flows per destination network in a Redis hash', { skip: skipUnless('redis-server') }, async () => {
  const redis = await startRedis();
  servers.push(redis);
  const p = await start('netflow-io.yaml', { REDIS: `127.0.0.1:${redis.port}`, EXPORTERS: '127.0.0.1' });
  // An exporter not on the list (127.0.0.2 is loopback too): dropped and counted.
  const stranger = createSocket('udp4');
  await new Promise<void>((r) => stranger.bind(0, '127.0.0.2', () => r()));
  await new Promise<void>((r) => stranger.send(readFileSync(IPFIX).subarray(0, 200), p.port, '127.0.0.1', () => r()));
  stranger.close();
  replay(V9, p.port);
  replay(IPFIX, p.port);
  const flows = [...flowsOf(V9, '--networks', join(DIR, 'netflow-io-networks.yaml')), ...flowsOf(IPFIX, '--networks', join(DIR, 'netflow-io-networks.yaml'))];
  const client = createClient({ url: `redis://127.0.0.1:${redis.port}` });
  await client.connect();
  const counted = async (): Promise<Record<string, string>> => client.hGetAll('flows:per-network');
  await until('every flow counted', async () => sum(Object.entries(await counted()).filter(([k]) => k.endsWith(':flows')).map(([, v]) => ({ v })), 'v') >= flows.length);
  assert.equal(await stop(p.child), 0, p.err());
  const got = await counted();
  await client.quit();
  const nets = [...new Set(flows.map((f) => String(f['dstNetName'])))];
  assert.ok(nets.length >= 2, nets.join());
  for (const n of nets) {
    const mine = flows.filter((f) => f['dstNetName'] === n);
    assert.deepEqual([Number(got[`${n}:bytes`]), Number(got[`${n}:packets`]), Number(got[`${n}:flows`])], [sum(mine, 'bytes'), sum(mine, 'packets'), mine.length], n);
  }
  const stats = JSON.parse(p.err().trim().split('\n').filter((l) => l.startsWith('{')).pop()!) as { receiver: { denied: number } };
  assert.equal(stats.receiver.denied, 1, 'the stranger\'s datagram denied and counted');
});

test('python-netflow.yaml: every flow in gzipped NDJSON, connections paired in a branch, templates kept', async () => {
  const out = mkdtempSync(join(tmp, 'pynf-'));
  const p = await start('python-netflow.yaml', { OUT_DIR: out, STATE_DIR: out });
  replay(IPFIX, p.port);
  const want = flowsOf(IPFIX, '--service-names');
  await new Promise((r) => setTimeout(r, 800));
  assert.equal(await stop(p.child), 0, p.err());
  const files = readdirSync(out).filter((f) => f.startsWith('flows.ndjson'));
  const got = lines(Buffer.concat(files.map((f) => gunzipSync(readFileSync(join(out, f)))))).filter((r) => r['kind'] === undefined);
  assert.equal(got.length, want.length);
  assert.deepEqual(got.map((f) => `${String(f['srcAddr'])}>${String(f['dstAddr'])}:${String(f['dstService'] ?? f['dstPort'])}`).sort(), want.map((f) => `${String(f['srcAddr'])}>${String(f['dstAddr'])}:${String(f['dstService'] ?? f['dstPort'])}`).sort());
  const conns = lines(readFileSync(join(out, 'connections.ndjson')));
  assert.ok(conns.length > 0 && conns.length < want.length, 'directions paired');
  assert.equal(sum(conns, 'bytesOut') + sum(conns, 'bytesIn'), sum(want, 'bytes'), 'every byte in a connection');
  assert.ok(existsSync(join(out, 'templates.json')), 'template state saved');
});

test('sflow-flood.yaml: a flood seen through sFlow sampling runs the block command once; normal traffic nothing', async () => {
  const out = mkdtempSync(join(tmp, 'flood-'));
  const log = join(out, 'actions.log');
  const p = await start('sflow-flood.yaml', { OUT_DIR: out, FLOOD_ACTION_LOG: log });
  const sample = (dst: string, seq: number): Buffer => flowSample({ seq, rate: 1000, pool: seq * 1000 }, [sampledHeader(eth(0x0800, ipv4(17, '198.51.100.7', dst, udp(5000, 53))))]);
  const s = createSocket('udp4');
  const send = (b: Buffer): Promise<void> => new Promise((r) => s.send(b, p.port, '127.0.0.1', () => r()));
  await send(datagram([sample('10.66.1.1', 1)], { agent: '192.0.2.50', seq: 1 }));                               // ~1,000 pps: normal
  await send(datagram(Array.from({ length: 20 }, (_, i) => sample('10.66.2.2', 2 + i)), { agent: '192.0.2.50', seq: 2 })); // ~20,000 pps: a flood
  s.close();
  await until('the block command ran', () => existsSync(log) && readFileSync(log, 'utf8').includes('block'));
  await new Promise((r) => setTimeout(r, 1200));
  assert.equal(await stop(p.child), 0, p.err());
  assert.match(readFileSync(log, 'utf8'), /^block 10\.66\.2\.2 flood \d+\n$/);
  const alerts = lines(readFileSync(join(out, 'alerts.ndjson')));
  assert.deepEqual(alerts.map((a) => [a['type'], a['rule'], a['key']]), [['alert', 'flood', '10.66.2.2']]);
  assert.ok(Number(alerts[0]!['value']) >= 10_000);
});

test('akvorado-inlet.yaml + akvorado-outlet.yaml: raw datagrams to Kafka, an outlet decodes, enriches and fills ClickHouse', { skip: skipUnless('kcat', 'redis-server', 'clickhouse-server', 'perl') }, async () => {
  const kafka = await startKafkaMock(3);
  const redis = await startRedis();
  const ch = await startClickHouse();
  servers.push(redis, ch);
  try {
    const inlet = await start('akvorado-inlet.yaml', { KAFKA: kafka.brokers });
    replay(V9, inlet.port);
    replay(IPFIX, inlet.port);
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(await stop(inlet.child), 0, inlet.err());
    const datagramsOf = (f: string): number => (JSON.parse(run(['decode', f, '--stats', '--format', 'count']).stderr.toString().trim().split('\n').pop()!) as { datagrams: number }).datagrams;
    const datagrams = datagramsOf(V9) + datagramsOf(IPFIX);
    // (binary values: counted by partition and offset, one line each)
    const forwarded = spawnSync('kcat', ['-b', kafka.brokers, '-C', '-t', 'flows-raw', '-e', '-q', '-f', '%p %o\n'], { encoding: 'utf8', timeout: 60_000 }).stdout.trim().split('\n').filter(Boolean);
    assert.equal(forwarded.length, datagrams, 'every datagram forwarded raw');
    const geo = makeTestMmdb(1, join(tmp, 'geo'));
    const outlet = await start('akvorado-outlet.yaml', { KAFKA: kafka.brokers, REDIS: `127.0.0.1:${redis.port}`, CLICKHOUSE: `127.0.0.1:${ch.port}`, GEOIP_CITY: geo.city }, false);
    const want = [...flowsOf(V9), ...flowsOf(IPFIX)];
    const rows = async (): Promise<number> => Number((await clickhouseQuery(ch.port, 'SELECT count() FROM default.flows').catch(() => '0')).trim());
    await until('every flow in ClickHouse', async () => (await rows()) >= want.length, 60_000);
    assert.equal(await stop(outlet.child), 0, outlet.err());
    assert.equal(await rows(), want.length);
    assert.equal(Number((await clickhouseQuery(ch.port, 'SELECT sum(bytes) FROM default.flows')).trim()), sum(want, 'bytes'));
    assert.equal(Number((await clickhouseQuery(ch.port, "SELECT count() FROM default.flows WHERE dst_net_name != ''")).trim()), want.length, 'networks enrichment in every row');
  } finally {
    await kafka.stop();
  }
});
