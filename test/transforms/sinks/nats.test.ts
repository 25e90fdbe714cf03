// The NATS sink against a real nats-server with JetStream: the corpus published with acks into a
// stream it creates, per-exporter subjects; a server killed mid-stream and restarted.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from '@nats-io/transport-node';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { natsSink } from '../../../transforms/sinks/nats.js';
import { run } from '../../helpers/cli.js';
import { corpusCapture } from '../../helpers/sink-data.js';
import { outageTest } from '../../helpers/sink-fault.js';
import { skipUnless, startNats, type TestServer } from '../../helpers/servers.js';

const skip = skipUnless('nats-server');
let server: TestServer;

before(async () => {
  if (!skip) server = await startNats();
});
after(async () => {
  if (!skip) await server.stop();
});

/** Every message of a stream: subject and text (an ordered consumer from the start). */
async function messages(stream: string): Promise<{ subject: string; text: string }[]> {
  const nc = await connect({ servers: `127.0.0.1:${server.port}` });
  try {
    const jsm = await jetstreamManager(nc);
    const total = (await jsm.streams.info(stream)).state.messages;
    const consumer = await jetstream(nc).consumers.get(stream);
    const out: { subject: string; text: string }[] = [];
    while (out.length < total) {
      const batch = await consumer.fetch({ max_messages: 5000, expires: 2000 });
      for await (const m of batch) out.push({ subject: m.subject, text: m.string() });
    }
    return out;
  } finally {
    await nc.close();
  }
}

test('nats: the corpus into a JetStream stream it creates, one subject per exporter, equal to the NDJSON output', { skip }, async () => {
  const { pcap, text, flows } = corpusCapture();
  const r = run(['decode', '--normalize', '--flows-only', pcap, '--to', `nats://127.0.0.1:${server.port}/flows.{exporter}?stream=FLOWS`]);
  assert.equal(r.status, 0, r.stderr.toString());
  const got = await messages('FLOWS');
  assert.deepEqual(got.map((m) => m.text), text);
  got.forEach((m, i) => assert.equal(m.subject, `flows.${String(flows[i]!['exporter']).replace(/\./g, '_')}`));
});

test('nats killed mid-stream and restarted: stored + dropped = in; a large enough buffer drops nothing', { skip }, async () => {
  await outageTest({
    sink: (buffer, name) => natsSink(`nats://127.0.0.1:${server.port}/${name}.flows?stream=${name}&batch=500&buffer=${buffer}`, { retryMaxMs: 200, shutdownTimeoutMs: 20_000 }),
    down: () => server.kill(),
    up: () => server.start(),
    stored: async (name) => new Set((await messages(name)).map((m) => (JSON.parse(m.text) as { sequence: number }).sequence)),
  });
});
