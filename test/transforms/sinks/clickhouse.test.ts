// The ClickHouse sink against Debian's clickhouse-server (18.16): the corpus inserted into a
// table it creates from the normalized shape, spot-checked column by column; a server killed
// mid-stream and restarted.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { clickhouseSink } from '../../../transforms/sinks/clickhouse.js';
import { run } from '../../helpers/cli.js';
import { corpusCapture } from '../../helpers/sink-data.js';
import { outageTest } from '../../helpers/sink-fault.js';
import { clickhouseQuery, skipUnless, startClickHouse, type TestServer } from '../../helpers/servers.js';

const skip = skipUnless('clickhouse-server');
let server: TestServer;

before(async () => {
  if (!skip) server = await startClickHouse();
});
after(async () => {
  if (!skip) await server.stop();
});

const COLUMNS = ['exporter', 'sequence', 'time_start', 'src_addr', 'dst_addr', 'src_port', 'dst_port', 'proto', 'bytes', 'packets', 'sampling_rate', 'in_if', 'mpls_labels'];
const FIELDS = ['exporter', 'sequence', 'timeStart', 'srcAddr', 'dstAddr', 'srcPort', 'dstPort', 'proto', 'bytes', 'packets', 'samplingRate', 'inIf', 'mplsLabels'];

test('clickhouse: the corpus into a table created from the normalized shape (snake_case columns), equal to the NDJSON output', { skip }, async () => {
  const { pcap, flows } = corpusCapture();
  const r = run(['decode', pcap, '--flows-only', '--to', `clickhouse://127.0.0.1:${server.port}/flows.corpus`]);
  assert.equal(r.status, 0, r.stderr.toString());
  const cols = (await clickhouseQuery(server.port, 'DESCRIBE TABLE flows.corpus')).trim().split('\n').map((l) => l.split('\t')[0]);
  assert.ok(['time_received', 'src_addr', 'dst_port', 'sampled_bytes', 'in_if_name', 'src_net_name', 'dst_as_name'].every((c) => cols.includes(c)), cols.join(','));
  const rows = (await clickhouseQuery(server.port, `SELECT ${COLUMNS.join(', ')} FROM flows.corpus FORMAT JSONEachRow`)).trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  assert.equal(rows.length, flows.length);
  // Absent fields are the column defaults (0, '', []); UInt64 comes back quoted.
  const want = flows.map((f) => JSON.stringify(COLUMNS.map((c, i) => {
    const v = f[FIELDS[i]!];
    return v === undefined ? (c === 'mpls_labels' ? [] : ['exporter', 'src_addr', 'dst_addr'].includes(c) ? '' : 0) : v;
  }))).sort();
  const got = rows.map((row) => JSON.stringify(COLUMNS.map((c) => (['time_start', 'bytes', 'packets'].includes(c) ? Number(row[c]) : row[c])))).sort();
  assert.deepEqual(got, want);
});

test('clickhouse killed mid-stream and restarted: stored + dropped = in; a large enough buffer drops nothing', { skip }, async () => {
  await outageTest({
    sink: (buffer, name) => clickhouseSink(`clickhouse://127.0.0.1:${server.port}/flows.${name}?batch=1000&buffer=${buffer}`, { retryMaxMs: 300, shutdownTimeoutMs: 30_000 }),
    down: () => server.kill(),
    up: () => server.start(),
    stored: async (name) => new Set((await clickhouseQuery(server.port, `SELECT DISTINCT sequence FROM flows.${name}`)).trim().split('\n').filter(Boolean).map(Number)),
  });
});
