// The CLI end to end: formats and options, every input container giving the same records, and
// collect fed by replay and by Debian's softflowd over loopback.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { pcapFile } from '../../lib/capture/pcap-writer.js';
import { ip4, u16, cat } from '../helpers/build.js';
import { BIN, ROOT } from '../helpers/paths.js';
import { have, lines, run, startCollect, stop } from '../helpers/cli.js';

const root = ROOT;
const bin = BIN;
const tmp = mkdtempSync(join(tmpdir(), 'flowpipe-cli-'));

const V9 = ['test/fixtures/corpus/goflow2/nfv9_template_260.bin', 'test/fixtures/corpus/goflow2/nfv9_data_260_21records.bin'];

test('decode: --format csv / json / table, --fields, --filter', () => {
  const csv = run(['decode', '--format', 'csv', '--fields', 'sourceIPv4Address,destinationTransportPort', '--filter', 'sourceTransportPort<1024', ...V9]);
  assert.equal(csv.status, 0, csv.stderr.toString());
  const rows = csv.stdout.toString().trim().split('\n');
  assert.equal(rows[0], 'sourceIPv4Address,destinationTransportPort');
  assert.ok(rows.length > 1 && rows.slice(1).every((r) => Number(r.split(',')[1]) >= 1024), 'server-to-client flows');
  const json = run(['decode', '--format', 'json', '--filter', 'protocolIdentifier=6,sourceTransportPort=443', ...V9]);
  const arr = JSON.parse(json.stdout.toString()) as Record<string, unknown>[];
  assert.ok(arr.length > 0 && arr.every((r) => r['sourceTransportPort'] === 443));
  const table = run(['decode', '--format', 'table', '--fields', 'sourceIPv4Address,octetDeltaCount', ...V9]);
  assert.match(table.stdout.toString().split('\n')[0]!, /^sourceIPv4Address\s+octetDeltaCount$/);
  assert.equal(run(['decode', '--format', 'xml', ...V9]).status, 2);
  assert.equal(run(['decode', '--filter', 'a ~~ b', ...V9]).status, 2);
});

test('decode: --templates saves template state and a later run uses it', () => {
  const state = join(tmp, 'templates.json');
  assert.equal(run(['decode', '--templates', state, V9[0]!]).status, 0);
  assert.ok(existsSync(state));
  const later = run(['decode', '--templates', state, V9[1]!]);
  assert.equal(lines(later.stdout).length, 21, 'data decodes with the saved template');
  assert.equal(lines(run(['decode', V9[1]!]).stdout).length, 0, 'and not without it');
});

test('decode: the corpus as raw files, pcap, pcapng, gzip and stdin gives identical records', { skip: !have('editcap') && 'editcap not installed' }, () => {
  // Every well-formed raw file of the corpus, in manifest order (malformed ones are cut
  // differently by design: a raw stream is framed by message lengths, a pcap by datagrams).
  const manifest = JSON.parse(readFileSync(join(root, 'test/fixtures/corpus/MANIFEST.json'), 'utf8')) as { file: string; container: string; malformed?: boolean }[];
  const raws = manifest.filter((e) => e.container === 'raw' && !e.malformed).map((e) => 'test/fixtures/corpus/' + e.file);
  const ep = { address: '192.0.2.9', port: 2055 };
  const pcap = join(tmp, 'corpus.pcap');
  writeFileSync(pcap, pcapFile(raws.map((f, i) => ({ src: ep, dst: { address: '192.0.2.1', port: 2055 }, payload: readFileSync(join(root, f)), time: 1_700_000_000_000 + i }))));
  const pcapng = join(tmp, 'corpus.pcapng');
  assert.equal(spawnSync('editcap', ['-F', 'pcapng', pcap, pcapng]).status, 0);
  const gz = join(tmp, 'corpus.pcapng.gz');
  writeFileSync(gz, gzipSync(readFileSync(pcapng)));
  const norm = (b: Buffer): string => JSON.stringify(lines(b).map((r) => ({ ...r, exportTime: r['protocol'] === 'sflow-v5' ? 0 : r['exportTime'] })));
  const fromRaw = norm(run(['decode', '--exporter', '192.0.2.9:2055', ...raws]).stdout as Buffer);
  // One exporter for every file: vendors' template ids collide, the same way in every container.
  assert.ok(lines(run(['decode', ...raws]).stdout as Buffer).length > 700, 'the whole corpus');
  assert.equal(norm(run(['decode', pcap]).stdout as Buffer), fromRaw);
  assert.equal(norm(run(['decode', pcapng]).stdout as Buffer), fromRaw);
  assert.equal(norm(run(['decode', gz]).stdout as Buffer), fromRaw);
  assert.equal(norm(run(['decode', '-'], readFileSync(gz)).stdout as Buffer), fromRaw);
});

test('inspect: one JSON line per datagram with its structure', () => {
  const r = run(['inspect', V9[0]!]);
  const [d] = lines(r.stdout as Buffer);
  const msg = (d!['messages'] as { protocol: string; sets: { templates: { templateId: number }[] }[] }[])[0]!;
  assert.equal(msg.protocol, 'netflow-v9');
  assert.equal(msg.sets[0]!.templates[0]!.templateId, 260);
});


test('collect fed by replay over loopback: every record arrives, SIGTERM drains and exits 0', async () => {
  const { child, port, out } = await startCollect([]);
  const pcap = 'test/fixtures/corpus/tcpdump/sflow-print-v6.pcap';
  const sent = run(['replay', pcap, '--to', `127.0.0.1:${port}`, '--rate', '2000']);
  assert.equal(sent.status, 0, sent.stderr.toString());
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(await stop(child), 0);
  const recs = lines(Buffer.concat(out));
  assert.equal(recs.length, 61, 'all 61 samples of the 25 datagrams');
  assert.ok(recs.every((r) => r['exporter'] === `127.0.0.1:${String((recs[0]!['exporter'] as string).split(':')[1])}`));
});

test('collect --workers 2: the same records as in one thread; --format count writes only the totals', async () => {
  const pcap = 'test/fixtures/corpus/tcpdump/sflow-print-v6.pcap';
  const { child, port, out } = await startCollect(['--workers', '2', '--filter', 'kind==flow || kind==counters']);
  let err = '';
  child.stderr!.on('data', (c: Buffer) => { err += c.toString(); });
  assert.equal(run(['replay', pcap, '--to', `127.0.0.1:${port}`, '--rate', '2000']).status, 0);
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(await stop(child), 0);
  const recs = lines(Buffer.concat(out));
  assert.equal(recs.length, 61, 'all 61 samples of the 25 datagrams');
  const stats = JSON.parse(err.trim().split('\n').filter((l) => l.startsWith('{')).pop()!) as { workers: number; written: number; decoder: { datagrams: number }; receiver: { received: number; kernel: { drops: number } | null } };
  assert.equal(stats.workers, 2);
  assert.equal(stats.written, 61);
  assert.equal(stats.decoder.datagrams, 25);
  assert.equal(stats.receiver.received, 25);
  if (stats.receiver.kernel !== null) assert.equal(stats.receiver.kernel.drops, 0);

  const counted = await startCollect(['--format', 'count']);
  let err2 = '';
  counted.child.stderr!.on('data', (c: Buffer) => { err2 += c.toString(); });
  assert.equal(run(['replay', pcap, '--to', `127.0.0.1:${counted.port}`, '--rate', '2000']).status, 0);
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(await stop(counted.child), 0);
  assert.deepEqual(lines(Buffer.concat(counted.out)).map((l) => l['records']), [61], 'only the totals, at the end');
  const s2 = JSON.parse(err2.trim().split('\n').filter((l) => l.startsWith('{')).pop()!) as { decoder: { records: Record<string, number> } };
  assert.equal(Object.values(s2.decoder.records).reduce((a, b) => a + b, 0), 61);
  assert.equal(run(['collect', '--listen', '0', '--workers', '2', '--format', 'csv']).status, 2, 'csv is not a worker format');
});

test('collect fed by softflowd reading a pcap: its NetFlow v9 flows decode', { skip: !have('softflowd') && 'softflowd not installed' }, async () => {
  // A capture of plain traffic for softflowd to turn into flows: 3 UDP conversations.
  const pkt = (src: string, dst: string, sport: number, i: number): { src: { address: string; port: number }; dst: { address: string; port: number }; payload: Buffer; time: number } =>
    ({ src: { address: src, port: sport }, dst: { address: dst, port: 53 }, payload: cat(ip4('0.0.0.0'), u16(i)), time: 1_700_000_000_000 + i * 10 });
  const traffic = join(tmp, 'traffic.pcap');
  writeFileSync(traffic, pcapFile([pkt('10.0.0.1', '10.0.0.53', 40001, 1), pkt('10.0.0.2', '10.0.0.53', 40002, 2), pkt('10.0.0.3', '10.0.0.53', 40003, 3), pkt('10.0.0.1', '10.0.0.53', 40001, 4)]));
  const { child, port, out } = await startCollect([]);
  const sf = spawnSync('softflowd', ['-r', traffic, '-n', `127.0.0.1:${port}`, '-v', '9'], { encoding: 'utf8', timeout: 20_000 });
  assert.equal(sf.status, 0, sf.stderr);
  await new Promise((r) => setTimeout(r, 300));
  await stop(child);
  const recs = lines(Buffer.concat(out)).filter((r) => r['kind'] === 'flow');
  assert.equal(recs.length, 3);
  assert.deepEqual(recs.map((r) => r['sourceIPv4Address']).sort(), ['10.0.0.1', '10.0.0.2', '10.0.0.3']);
  assert.ok(recs.every((r) => r['protocol'] === 'netflow-v9' && r['destinationTransportPort'] === 53 && r['protocolIdentifier'] === 17));
  assert.equal(recs.find((r) => r['sourceIPv4Address'] === '10.0.0.1')!['packetDeltaCount'], 2);
});

test('record saves what it receives (exporter addresses kept) as a pcap that decode reads back', async () => {
  const out = join(tmp, 'recorded.pcap');
  const child = spawn(process.execPath, [bin, 'record', '--listen', '127.0.0.1:0', '--out', out, '--count', '2'], { cwd: root });
  let err = '';
  const port = await new Promise<number>((resolve) => child.stderr!.on('data', (c: Buffer) => {
    err += c.toString();
    const m = /recording [^:]+:(\d+)/.exec(err);
    if (m) resolve(Number(m[1]));
  }));
  const exited = new Promise<number | null>((r) => child.once('exit', r));
  // One sender for template and data: templates are keyed by the exporter's port too.
  assert.equal(run(['replay', 'examples/samples/cisco-v9-template-and-data.bin', '--to', `127.0.0.1:${port}`]).status, 0);
  assert.equal(await exited, 0, err);
  const recs = lines(run(['decode', out]).stdout as Buffer);
  assert.equal(recs.length, 21);
  assert.match(recs[0]!['exporter'] as string, /^127\.0\.0\.1:\d+$/);
  assert.equal(spawnSync('tshark', ['-r', out]).status ?? 0, 0, 'the pcap opens in tshark');
});
