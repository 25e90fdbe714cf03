// The Kafka sink against librdkafka's mock cluster (3 brokers, the real Kafka protocol, in
// Debian's kcat): the corpus as one message per record keyed by exporter (one exporter's flows in
// one partition); the cluster stopped mid-stream (SIGSTOP: a mock cluster that restarts loses its
// topics and ports) and resumed.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { kafkaSink } from '../../../transforms/sinks/kafka.js';
import { run } from '../../helpers/cli.js';
import { corpusCapture } from '../../helpers/sink-data.js';
import { outageTest } from '../../helpers/sink-fault.js';
import { kafkaMessages, skipUnless, startKafkaMock } from '../../helpers/servers.js';

let skip = skipUnless('kcat');
try {
  const kafkaClient = '@confluentinc/kafka-javascript'; // not a literal: the build must not need the optional package
  await import(kafkaClient);
} catch {
  if (process.env['FLOWPIPE_REQUIRE_SERVERS'] === '1') throw new Error('@confluentinc/kafka-javascript is not installed');
  skip ||= '@confluentinc/kafka-javascript not installed';
}
let mock: Awaited<ReturnType<typeof startKafkaMock>>;

before(async () => {
  if (!skip) mock = await startKafkaMock();
});
after(async () => {
  if (!skip) await mock.stop();
});

test('kafka: the corpus, one JSON message per record keyed by exporter, each exporter in one partition', { skip }, async () => {
  const { pcap, text, flows } = corpusCapture();
  const r = run(['decode', '--normalize', '--flows-only', pcap, '--to', `kafka://${mock.brokers}/flows?compression=lz4`]);
  assert.equal(r.status, 0, r.stderr.toString());
  const msgs = kafkaMessages(mock.brokers, 'flows');
  assert.deepEqual(msgs.map((m) => m.value).sort(), [...text].sort());
  const partitions = new Map<string, Set<number>>();
  for (const m of msgs) partitions.set(m.key, (partitions.get(m.key) ?? new Set()).add(m.partition));
  assert.ok([...partitions.values()].every((p) => p.size === 1), 'one partition per exporter');
  assert.deepEqual([...partitions.keys()].sort(), [...new Set(flows.map((f) => String(f['exporter'])))].sort());
  assert.ok(new Set(msgs.map((m) => m.partition)).size > 1, 'exporters spread over partitions');
});

test('kafka cluster stopped mid-stream and resumed: stored + dropped = in; a large enough buffer drops nothing', { skip }, async () => {
  // librdkafka rides out a short outage by itself: deliveries time out after 1 s here, so the
  // sink's own retry and buffer are what is tested (2 s of outage at 2,000 records/s).
  await outageTest({
    sink: (buffer, name) => kafkaSink(`kafka://${mock.brokers}/${name}?batch=200&timeout=1000&buffer=${buffer}`, { retryMaxMs: 300, shutdownTimeoutMs: 60_000 }),
    down: () => mock.pause(),
    up: () => mock.resume(),
    stored: (name) => Promise.resolve(new Set(kafkaMessages(mock.brokers, name).map((m) => (JSON.parse(m.value) as { sequence: number }).sequence))),
  }, 12_000, 2_000);
});
