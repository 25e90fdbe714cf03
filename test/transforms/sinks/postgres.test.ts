// The PostgreSQL sink against Debian's PostgreSQL 15 (run as the postgres user): the corpus
// copied into a table it creates (inet, timestamptz, bigint), checked column by column; a server
// killed mid-stream and restarted.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { postgresSink } from '../../../transforms/sinks/postgres.js';
import { run } from '../../helpers/cli.js';
import { corpusCapture } from '../../helpers/sink-data.js';
import { outageTest } from '../../helpers/sink-fault.js';
import { psql, skipUnless, startPostgres, type TestServer } from '../../helpers/servers.js';

const skip = skipUnless('/usr/lib/postgresql/15/bin/postgres', 'psql');
let server: TestServer;

before(async () => {
  if (!skip) server = await startPostgres();
});
after(async () => {
  if (!skip) await server.stop();
});

test('postgres: the corpus copied into a table created from the normalized shape, equal to the NDJSON output (times to the microsecond)', { skip }, async () => {
  const { pcap, flows } = corpusCapture();
  const r = run(['decode', pcap, '--flows-only', '--to', `postgres://postgres@127.0.0.1:${server.port}/flows?table=corpus`]);
  assert.equal(r.status, 0, r.stderr.toString());
  const types = psql(server.port, "SELECT column_name || ' ' || data_type FROM information_schema.columns WHERE table_name = 'corpus'").split('\n');
  for (const t of ['src_addr inet', 'time_start timestamp with time zone', 'bytes bigint', 'mpls_labels ARRAY', 'src_mac macaddr', 'in_if_name text']) assert.ok(types.includes(t), t);
  const rows = psql(server.port, "SELECT exporter, sequence, round(extract(epoch from time_start) * 1000000), host(src_addr), host(dst_addr), src_port, dst_port, bytes, coalesce(array_to_string(mpls_labels, ' '), '') FROM corpus").split('\n');
  assert.equal(rows.length, flows.length);
  const none = (v: unknown): string => (v === undefined ? '' : String(v));
  const want = flows.map((f) => [f['exporter'], f['sequence'], f['timeStart'] === undefined ? '' : Math.round(Number(f['timeStart']) * 1000), none(f['srcAddr']), none(f['dstAddr']), none(f['srcPort']), none(f['dstPort']), none(f['bytes']), Array.isArray(f['mplsLabels']) ? f['mplsLabels'].join(' ') : ''].join('|')).sort();
  assert.deepEqual(rows.sort(), want);
});

test('postgres killed mid-stream and restarted: stored + dropped = in; a large enough buffer drops nothing', { skip }, async () => {
  await outageTest({
    sink: (buffer, name) => postgresSink(`postgres://postgres@127.0.0.1:${server.port}/flows?table=${name}&batch=1000&buffer=${buffer}`, { retryMaxMs: 300, shutdownTimeoutMs: 30_000 }),
    down: () => server.kill(),
    up: () => server.start(),
    stored: (name) => Promise.resolve(new Set(psql(server.port, `SELECT DISTINCT sequence FROM ${name}`).split('\n').filter(Boolean).map(Number))),
  });
});
