// The Redis sink against a real redis-server: the corpus into a list, a stream and hash counters,
// checked against the NDJSON output; a server killed mid-stream and restarted.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { pipeline } from 'node:stream/promises';
import { createClient } from 'redis';
import { redisSink } from '../../../transforms/sinks/redis.js';
import { run } from '../../helpers/cli.js';
import { corpusCapture } from '../../helpers/sink-data.js';
import { outageTest } from '../../helpers/sink-fault.js';
import { skipUnless, startRedis, type TestServer } from '../../helpers/servers.js';

const skip = skipUnless('redis-server');
let server: TestServer;

before(async () => {
  if (!skip) server = await startRedis();
});
after(async () => {
  if (!skip) await server.stop();
});

/** A short-lived client (one that outlives a killed server would keep reconnecting). */
type Client = ReturnType<typeof createClient>;
async function redis<T>(f: (c: Client) => Promise<T>): Promise<T> {
  const c: Client = createClient({ socket: { host: '127.0.0.1', port: server.port, reconnectStrategy: false } });
  c.on('error', () => undefined);
  await c.connect();
  try {
    return await f(c);
  } finally {
    await c.quit();
  }
}

test('redis list, stream and hash: the corpus decoded into Redis equals the NDJSON output', { skip }, async () => {
  const { pcap, text, flows } = corpusCapture();
  const base = `redis://127.0.0.1:${server.port}`;
  const r = run(['decode', '--normalize', '--flows-only', pcap, '--to', `${base}/q?mode=list`, '--to', `${base}/s?mode=stream&maxlen=100000`, '--to', `${base}/h?mode=hash&by=dstPort`, '--stats']);
  assert.equal(r.status, 0, r.stderr.toString());
  const [list, stream, hash] = await redis((c) => Promise.all([c.lRange('q', 0, -1), c.xRange('s', '-', '+'), c.hGetAll('h')]));
  assert.deepEqual(list, text, 'a FIFO of the JSON objects, in order (flow-inspector pops them with BLPOP)');
  assert.deepEqual(stream!.map((e) => e.message['flow']), text);
  const sums = new Map<string, number>();
  for (const f of flows) sums.set(String(f['dstPort'] ?? 'unknown'), (sums.get(String(f['dstPort'] ?? 'unknown')) ?? 0) + Number(f['bytes'] ?? 0));
  for (const [port, bytes] of sums) assert.equal(Number(hash[`${port}:bytes`]), bytes, `bytes to port ${port}`);
  assert.equal(Object.keys(hash).filter((k) => k.endsWith(':flows')).reduce((a, k) => a + Number(hash[k]), 0), flows.length);
  const stats = JSON.parse(r.stderr.toString().trim().split('\n').pop()!) as { sinks: { acked: number; filtered: number }[] };
  assert.deepEqual(stats.sinks.map((s) => s.acked), [flows.length, flows.length, flows.length]);
});

test('redis: options records are left out and counted unless records=all', { skip }, async () => {
  const recs = [{ kind: 'options', exporter: 'x', samplingInterval: 10 }, { kind: 'flow', exporter: 'x', octetDeltaCount: 5 }, { kind: 'counters', exporter: 'x' }];
  const flowsOnly = redisSink(`redis://127.0.0.1:${server.port}/only`);
  await pipeline((async function* () { yield* recs; })(), flowsOnly);
  assert.equal(await redis((c) => c.lLen('only')), 1);
  assert.equal(flowsOnly.stats.filtered, 2);
  const all = redisSink(`redis://127.0.0.1:${server.port}/all?records=all`);
  await pipeline((async function* () { yield* recs; })(), all);
  assert.equal(await redis((c) => c.lLen('all')), 3);
});

test('redis killed mid-stream and restarted: stored + dropped = in; a large enough buffer drops nothing', { skip }, async () => {
  await outageTest({
    sink: (buffer, name) => redisSink(`redis://127.0.0.1:${server.port}/${name}?mode=list&batch=500&buffer=${buffer}`, { retryMaxMs: 200, shutdownTimeoutMs: 20_000 }),
    down: () => server.kill(),
    up: () => server.start(),
    stored: async (name) => new Set((await redis((c) => c.lRange(name, 0, -1))).map((t) => (JSON.parse(t) as { sequence: number }).sequence)),
  });
});
