// The pure parts of the sinks: URL parsing (host lists, credentials never shown, typos refused),
// reading fields out of JSON lines, snake_case keys, the raw datagram envelope, table columns.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseSinkUrl, checkParams, numberParam, SinkUrlError } from '../../../lib/sinks/url.js';
import { fieldOfBytes, fieldOfLine, isFlowBytes, isFlowLine, snakeCase, snakeLine } from '../../../lib/sinks/lines.js';
import { decodeEnvelope, encodeEnvelope } from '../../../lib/sinks/envelope.js';
import { clickhouseType, columnsFor, postgresType, quoteIdent } from '../../../lib/sinks/schema.js';
import { toJson } from '../../../lib/ndjson/json.js';

test('sink URLs: comma-separated brokers, default ports, credentials from the URL or the environment, never displayed', () => {
  const k = parseSinkUrl('kafka://k1:9092,k2,[::1]:9093/flows?key=exporter&compression=zstd');
  assert.equal(k.scheme, 'kafka');
  assert.deepEqual(k.hosts, [{ host: 'k1', port: 9092 }, { host: 'k2', port: 9092 }, { host: '::1', port: 9093 }]);
  assert.equal(k.path, 'flows');
  assert.equal(k.params.get('compression'), 'zstd');
  const p = parseSinkUrl('postgres://flow%40user:s3cret@db:5433/flows?table=t');
  assert.deepEqual([p.scheme, p.username, p.password, p.path, p.hosts[0]!.port], ['postgres', 'flow@user', 's3cret', 'flows', 5433]);
  assert.ok(!p.display.includes('s3cret') && p.display.includes('***'));
  const e = parseSinkUrl('clickhouse://ch:8123/db.t', { FLOWPIPE_CLICKHOUSE_USER: 'u', FLOWPIPE_CLICKHOUSE_PASSWORD: 'pw' });
  assert.deepEqual([e.username, e.password], ['u', 'pw']);
  assert.ok(!e.display.includes('pw'));
  assert.deepEqual([parseSinkUrl('-').scheme, parseSinkUrl('out.ndjson.gz').scheme, parseSinkUrl('postgresql://h/db').scheme], ['stdout', 'file', 'postgres']);
  assert.throws(() => parseSinkUrl('mqtt://h/x'), /unknown sink 'mqtt:\/\/'/);
  assert.throws(() => parseSinkUrl('redis://h:99999/k'), /port from 1 to 65535/);
  assert.throws(() => parseSinkUrl('kafka:///t'), /no host/);
  assert.throws(() => checkParams(parseSinkUrl('redis://h/k?mdoe=list'), ['mode']), (err: Error) => err instanceof SinkUrlError && /unknown parameter 'mdoe'/.test(err.message));
  assert.throws(() => numberParam(parseSinkUrl('redis://h/k?maxlen=-3'), 'maxlen', 0, 0), /maxlen must be a number >= 0/);
});

test('JSON lines: flows told from other records, top-level fields read without parsing, as text and as bytes', () => {
  const raw = toJson({ kind: 'flow', exporter: '192.0.2.1:2055', sourceIPv4Address: '10.0.0.1', n: 42, nested: { exporter: 'no' } });
  const opts = toJson({ kind: 'options', exporter: 'x' });
  const norm = toJson({ timeReceived: 1, exporter: '[2001:db8::1]:2055', srcAddr: 'a"b\\c' });
  assert.deepEqual([isFlowLine(raw), isFlowLine(opts), isFlowLine(norm)], [true, false, true]);
  assert.deepEqual([isFlowBytes(Buffer.from(raw)), isFlowBytes(Buffer.from(opts)), isFlowBytes(Buffer.from(norm))], [true, false, true]);
  assert.equal(fieldOfLine(raw, 'exporter'), '192.0.2.1:2055');
  assert.equal(fieldOfLine(raw, 'n'), '42');
  assert.equal(fieldOfLine(norm, 'srcAddr'), 'a"b\\c');
  assert.equal(fieldOfLine(raw, 'missing'), undefined);
  assert.equal(fieldOfBytes(Buffer.from(norm), 'exporter'), '[2001:db8::1]:2055');
  assert.equal(fieldOfBytes(Buffer.from(norm), 'srcAddr'), 'a"b\\c');
  assert.equal(fieldOfBytes(Buffer.from(raw), 'n'), '42');
});

test('snake_case keys: names, nested keys, and quotes inside strings left alone', () => {
  assert.deepEqual(['srcAddr', 'inIfName', 'sampledBytes', 'timeReceived', 'exporterAddress', 'mplsLabels', 'proto'].map(snakeCase),
    ['src_addr', 'in_if_name', 'sampled_bytes', 'time_received', 'exporter_address', 'mpls_labels', 'proto']);
  const line = toJson({ srcAddr: 'x":y', inIfName: '\\":', nested: { fooBar: 1 }, list: [{ aB: 2 }] });
  assert.deepEqual(JSON.parse(snakeLine(line)), { src_addr: 'x":y', in_if_name: '\\":', nested: { foo_bar: 1 }, list: [{ a_b: 2 }] });
});

test('the raw datagram envelope round-trips IPv4 and IPv6 exporters and refuses what is not one', () => {
  for (const exporter of [{ address: '192.0.2.9', port: 2055 }, { address: '2001:db8::7', port: 6343 }]) {
    const d = { data: Buffer.from([0, 9, 1, 2, 3]), exporter, receivedAt: 1_700_000_000_123 };
    const back = decodeEnvelope(encodeEnvelope(d));
    assert.deepEqual(back, d);
  }
  assert.match(String(decodeEnvelope(Buffer.from('{"kind":"flow"}'))), /not a flowpipe envelope/);
  const v2 = encodeEnvelope({ data: Buffer.alloc(4), exporter: { address: '192.0.2.1', port: 1 }, receivedAt: 0 });
  v2[2] = 2;
  assert.match(String(decodeEnvelope(v2)), /envelope version 2/);
  assert.throws(() => encodeEnvelope({ data: Buffer.alloc(1), exporter: { address: 'host.example', port: 1 }, receivedAt: 0 }), /not an IP address/);
});

test('table columns: snake_case names of the normalized shape (or --fields) and their types', () => {
  const cols = columnsFor();
  const by = new Map(cols.map((c) => [c.name, c]));
  assert.deepEqual(['time_received', 'src_addr', 'dst_port', 'sampled_bytes', 'mpls_labels', 'in_if_name', 'src_country'].map((n) => by.has(n)), [true, true, true, true, true, true, true]);
  assert.equal(clickhouseType(by.get('time_start')!.kind, false), 'Float64');
  assert.equal(clickhouseType(by.get('exporter')!.kind, true), 'LowCardinality(String)');
  assert.equal(clickhouseType(by.get('exporter')!.kind, false), 'String');
  assert.deepEqual(['time_start', 'src_addr', 'bytes', 'src_mac', 'mpls_labels'].map((n) => postgresType(by.get(n)!.kind)), ['timestamptz', 'inet', 'bigint', 'macaddr', 'bigint[]']);
  assert.deepEqual(columnsFor(['srcAddr', 'customThing']).map((c) => [c.name, c.kind]), [['src_addr', 'addr'], ['custom_thing', 'text']]);
  assert.throws(() => quoteIdent('bad name; drop', true), /not a usable/);
});
