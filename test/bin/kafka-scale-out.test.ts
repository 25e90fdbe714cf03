// Scale-out on Kafka (librdkafka's mock cluster): collect forwards raw datagrams, consumers in a
// group decode them; every record exactly once between two consumers; a consumer killed
// mid-stream, the other takes its partition over and decodes with the templates it shared
// through Redis; nothing lost.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { readCapture } from '../../lib/capture/reader.js';
import { kafkaSink } from '../../transforms/sinks/kafka.js';
import { cat, ip4, set, u32, v9, v9Template } from '../helpers/build.js';
import { lines, run, startCollect, stop } from '../helpers/cli.js';
import { BIN } from '../helpers/paths.js';
import { corpusCapture } from '../helpers/sink-data.js';
import { skipUnless, startKafkaMock, startRedis, type TestServer } from '../helpers/servers.js';

let skip = skipUnless('kcat', 'redis-server');
try {
  const kafkaClient = '@confluentinc/kafka-javascript'; // not a literal: the build must not need the optional package
  await import(kafkaClient);
} catch {
  if (process.env['FLOWPIPE_REQUIRE_SERVERS'] === '1') throw new Error('@confluentinc/kafka-javascript is not installed');
  skip ||= '@confluentinc/kafka-javascript not installed';
}
let mock: Awaited<ReturnType<typeof startKafkaMock>>;
let redis: TestServer;

before(async () => {
  if (skip) return;
  mock = await startKafkaMock();
  redis = await startRedis();
});
after(async () => {
  if (skip) return;
  await mock.stop();
  await redis.stop();
});

/** Datagrams straight into a raw topic (the envelope collect --to …?format=raw writes), exporters kept. */
async function produceRaw(topic: string, datagrams: { data: Buffer; exporter: { address: string; port: number }; receivedAt: number }[]): Promise<void> {
  await pipeline(Readable.from(datagrams), kafkaSink(`kafka://${mock.brokers}/${topic}?format=raw`));
}

/** `flowpipe decode --from …` as a child: its stdout and last stats line when it ends. */
function consumer(args: string[]): { child: ChildProcess; done: Promise<{ code: number | null; out: string; stats: Record<string, unknown> | null; err: string }>; out: () => string } {
  // NODE_DEBUG: the source's checkpoints, rebalances and close steps, shown should the test fail.
  const child = spawn(process.execPath, [BIN, 'decode', '--stats', ...args], { env: { ...process.env, NODE_DEBUG: 'flowpipe-kafka' } });
  // A consumer that never ends fails the test instead of hanging the run.
  const guard = setTimeout(() => child.kill('SIGKILL'), 120_000);
  guard.unref();
  child.once('close', () => clearTimeout(guard));
  let out = '', err = '';
  child.stdout!.on('data', (d: Buffer) => { out += d.toString(); });
  child.stderr!.on('data', (d: Buffer) => { err += d.toString(); });
  const done = new Promise<{ code: number | null; out: string; stats: Record<string, unknown> | null; err: string }>((resolve) => child.on('close', (code) => { // 'close': after stdout and stderr are drained ('exit' can come first)
    const last = err.trim().split('\n').filter((l) => l.startsWith('{')).pop();
    resolve({ code, out, stats: last === undefined ? null : JSON.parse(last) as Record<string, unknown>, err });
  }));
  return { child, done, out: () => out };
}

/** A record without what differs between two replays: the sender's port, sFlow's receive time. */
const same = (r: Record<string, unknown>): string => JSON.stringify({ ...r, exporter: '', ...(r['protocol'] === 'sflow-v5' ? { exportTime: 0 } : {}) });

test('collect --to kafka://…?format=raw forwards datagrams; decode --from gives what collect decodes itself', { skip }, async () => {
  const { pcap } = corpusCapture();
  const records = async (args: string[]): Promise<string[]> => {
    const c = await startCollect(args);
    assert.equal(run(['replay', pcap, '--to', `127.0.0.1:${c.port}`, '--rate', '3000']).status, 0);
    // Until collect has written (or forwarded) everything: its stdout, or with --to its
    // forwarded count, unchanged for 500 ms (a loaded machine can hold it back for longer).
    let last = -1;
    for (const until = Date.now() + 15_000; Date.now() < until;) {
      const now = c.out.reduce((n, b) => n + b.length, 0) + c.err().length;
      if (now === last) break;
      last = now;
      await new Promise((r) => setTimeout(r, 500));
    }
    assert.equal(await stop(c.child), 0);
    return lines(Buffer.concat(c.out)).map(same);
  };
  const direct = await records([]);
  await records(['--to', `kafka://${mock.brokers}/forwarded?format=raw`]);
  const r = run(['decode', '--from', `kafka://${mock.brokers}/forwarded?group=one`, '--until-end']);
  assert.equal(r.status, 0, r.stderr.toString());
  const viaKafka = lines(r.stdout as Buffer).map(same);
  assert.ok(direct.length > 700);
  assert.deepEqual(viaKafka, direct, 'the same records in the same order (one exporter: the replay socket)');
});

test('two consumers in one group decode every record between them, twice only what a refused commit left uncommitted', { skip }, async () => {
  const { pcap } = corpusCapture();
  await produceRaw('corpus', readCapture(readFileSync(pcap)).map((d) => ({ data: d.payload, exporter: d.src, receivedAt: d.time })));
  const want = lines(run(['decode', pcap]).stdout as Buffer).map((x) => JSON.stringify(x)).sort();
  const a = consumer(['--from', `kafka://${mock.brokers}/corpus?group=pair&commit=0.2`, '--until-end']);
  await new Promise((r) => setTimeout(r, 300));
  const b = consumer(['--from', `kafka://${mock.brokers}/corpus?group=pair&commit=0.2`, '--until-end']);
  const [ra, rb] = await Promise.all([a.done, b.done]);
  // (A consumer killed by the guard shows what it printed: its records so far and stderr.)
  const why = (r: { out: string; err: string }): string => `${r.out.split('\n').length - 1} lines written; stderr: ${r.err.slice(-4000)}`;
  assert.equal(ra.code, 0, why(ra));
  assert.equal(rb.code, 0, why(rb));
  const got = [...lines(ra.out), ...lines(rb.out)].map((x) => JSON.stringify(x)).sort();
  assert.deepEqual([...new Set(got)], [...new Set(want)], 'the union is the records of the capture');
  // A commit the coordinator refuses during a rebalance (librdkafka's mock cluster does so under
  // load) leaves what was read since for the next owner: at least once. Otherwise exactly once.
  const failures = (s: Record<string, unknown> | null): number => (s?.['kafka'] as { commitFailures: number } | undefined)?.commitFailures ?? -1;
  if (failures(ra.stats) + failures(rb.stats) === 0) assert.deepEqual(got, want, 'every commit went through: none twice');
  else assert.ok(got.length >= want.length);
  assert.ok(lines(ra.out).length > 0 && lines(rb.out).length > 0, 'both consumers had partitions');
});

test('a consumer killed mid-stream: the other takes its partition over, decodes with the shared templates, loses nothing', { skip }, async () => {
  const exporter = { address: '192.0.2.77', port: 2055 };
  const tpl = v9({ sequence: 0 }, set(0, v9Template(300, [[8, 4], [1, 4]])));
  const data = (i: number): Buffer => v9({ sequence: i }, set(300, cat(ip4(`10.${(i >> 8) & 255}.${i & 255}.1`), u32(i))));
  const dg = (d: Buffer, i: number): { data: Buffer; exporter: typeof exporter; receivedAt: number } => ({ data: d, exporter, receivedAt: 1_700_000_000_000 + i });
  await produceRaw('takeover', [dg(tpl, 0), ...Array.from({ length: 1000 }, (_, i) => dg(data(i + 1), i + 1))]);
  const store = `redis://127.0.0.1:${redis.port}/flowpipe-templates`;
  const a = consumer(['--from', `kafka://${mock.brokers}/takeover?group=kill&commit=0.2`, '--template-store', store]);
  const deadline = Date.now() + 20_000;
  while (lines(a.out() || '\n').length < 1000 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  await new Promise((r) => setTimeout(r, 800)); // a checkpoint or more
  a.child.kill('SIGKILL');
  const fromA = lines((await a.done).out || '\n');
  assert.equal(fromA.length, 1000, 'A decoded the first half');
  await produceRaw('takeover', Array.from({ length: 1000 }, (_, i) => dg(data(i + 1001), i + 1001)));
  const b = await consumer(['--from', `kafka://${mock.brokers}/takeover?group=kill&commit=0.2`, '--template-store', store, '--until-end']).done;
  assert.equal(b.code, 0);
  const fromB = lines(b.out || '\n');
  const seen = new Set([...fromA, ...fromB].map((r) => r['octetDeltaCount']));
  const missing = Array.from({ length: 2000 }, (_, i) => i + 1).filter((v) => !seen.has(v));
  assert.deepEqual(missing, [], `every record decoded by one consumer or the other; A wrote ${fromA.length} lines, B ${fromB.length}; A's stderr: ${(await a.done).err.slice(-3000)}\nB's stderr: ${b.err.slice(-3000)}`);
  assert.ok(fromB.some((r) => r['octetDeltaCount'] === 2000), 'B decoded the second half');
  const kafka = (b.stats!['kafka'] as { templatesLoaded: number });
  assert.ok(kafka.templatesLoaded >= 1, 'with the template A learned, loaded from Redis');
  assert.equal((b.stats!['errors'] as Record<string, number>)['template-miss'] ?? 0, 0, 'no data waited for a template');
});
