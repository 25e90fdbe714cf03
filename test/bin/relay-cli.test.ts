// flowpipe relay: every datagram replicated to flowpipe collect and to nfcapd (both get all of
// them), per-destination exporter filter and 1-in-N sampling counted, and --preserve-exporter
// keeping two exporters' clashing template ids apart at the collector (without it they collide).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pcapFile } from '../../lib/capture/pcap-writer.js';
import { CORPUS_DIR, loadManifest } from '../helpers/corpus.js';
import { cat, ip4, set, u16, v9, v9Template } from '../helpers/build.js';
import { have, lines, run, startCollect, stop } from '../helpers/cli.js';
import { BIN } from '../helpers/paths.js';
import { freePort } from '../helpers/servers.js';

const tmp = mkdtempSync(join(tmpdir(), 'flowpipe-relay-'));

/** Starts the relay; resolves with its port once it listens. */
async function startRelay(args: string[]): Promise<{ child: ChildProcess; port: number; err: () => string }> {
  const child = spawn(process.execPath, [BIN, 'relay', '--listen', '127.0.0.1:0', ...args]);
  let err = '';
  child.stderr.on('data', (d: Buffer) => { err += d.toString(); });
  const deadline = Date.now() + 10_000;
  while (!/relaying 127\.0\.0\.1:(\d+)/.test(err) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  return { child, port: Number(/relaying 127\.0\.0\.1:(\d+)/.exec(err)![1]), err: () => err };
}

const lastJson = (text: string): Record<string, unknown> => JSON.parse(text.trim().split('\n').filter((l) => l.startsWith('{')).pop()!) as Record<string, unknown>;

test('relay: collect and nfcapd both get every datagram; filter and sampling are counted per destination', { skip: !have('nfcapd') && 'nfdump not installed' }, async () => {
  const v5 = loadManifest().filter((e) => e.container === 'raw' && !e.malformed && e.protocol === 'netflow-v5');
  const packets = v5.map((e, i) => ({ src: { address: '192.0.2.1', port: 2055 }, dst: { address: '127.0.0.1', port: 2055 }, payload: readFileSync(CORPUS_DIR + e.file), time: 1_700_000_000_000 + i }));
  const pcap = join(tmp, 'v5.pcap');
  writeFileSync(pcap, pcapFile(packets));
  const want = lines(run(['decode', pcap]).stdout as Buffer).length;
  const c = await startCollect(['--format', 'count']);
  const nfPort = await freePort();
  const dir = mkdtempSync(join(tmp, 'nfcapd-'));
  const nfcapd = spawn('nfcapd', ['-w', dir, '-p', String(nfPort), '-b', '127.0.0.1']);
  let nflog = '';
  nfcapd.stdout.on('data', (d: Buffer) => { nflog += d.toString(); });
  nfcapd.stderr.on('data', (d: Buffer) => { nflog += d.toString(); });
  await new Promise((r) => setTimeout(r, 700));
  const sink = await freePort(); // nobody listens: the kernel's port-unreachable turns sends into counted failures
  const relay = await startRelay(['--to', `127.0.0.1:${c.port},127.0.0.1:${nfPort},127.0.0.1:${sink}?sample=2,127.0.0.1:${sink}?from=10.0.0.0/8`]);
  assert.equal(run(['replay', pcap, '--to', `127.0.0.1:${relay.port}`, '--rate', '500']).status, 0);
  await new Promise((r) => setTimeout(r, 700));
  const code = await new Promise<number | null>((r) => { relay.child.once('close', r); relay.child.kill('SIGTERM'); });
  assert.equal(code, 0, relay.err());
  const stats = lastJson(relay.err()) as { receiver: { received: number }; relay: { destination: string; sent: number; failed: number; filtered: number; sampledOut: number; lastError: string | null }[] };
  assert.equal(stats.receiver.received, packets.length);
  // Each destination's socket is connected: a closed port shows as failures (which of the sends
  // fail depends on when the ICMP error arrives), every datagram counted once.
  assert.deepEqual(stats.relay.map((d) => [d.sent + d.failed, d.filtered, d.sampledOut]), [
    [packets.length, 0, 0], [packets.length, 0, 0], [Math.ceil(packets.length / 2), 0, Math.floor(packets.length / 2)], [0, packets.length, 0],
  ]);
  assert.deepEqual(stats.relay.slice(0, 2).map((d) => d.failed), [0, 0], 'the listening collectors got every send');
  assert.ok(stats.relay[2]!.failed >= 1, 'the closed port shows as failed sends');
  assert.match(stats.relay[2]!.lastError ?? '', /ECONNREFUSED/);
  assert.equal(await stop(c.child), 0);
  assert.equal((lastJson(Buffer.concat(c.out).toString()) as { records: number }).records, want, 'collect decoded every record');
  await new Promise<void>((r) => { nfcapd.once('close', () => r()); nfcapd.kill('SIGTERM'); });
  assert.match(nflog, new RegExp(`Flows: ${want},`), 'nfcapd stored every flow');
  assert.ok(readdirSync(dir).some((f) => f.startsWith('nfcapd.')));
  assert.equal(spawnSync('nfdump', ['-R', dir, '-q', '-o', 'csv'], { encoding: 'utf8' }).stdout.trim().split('\n').filter((l) => /^\d{4}-/.test(l)).length, want);
});

/** Two exporters (two local sockets) defining template 300 differently, then data for it. */
async function twoExporters(port: number): Promise<void> {
  const a = createSocket('udp4'), b = createSocket('udp4');
  const send = (s: ReturnType<typeof createSocket>, m: Buffer): Promise<void> => new Promise((r) => s.send(m, port, '127.0.0.1', () => r()));
  await send(a, v9({ sequence: 0 }, set(0, v9Template(300, [[8, 4], [7, 2]]))));
  await send(b, v9({ sequence: 0 }, set(0, v9Template(300, [[7, 2], [8, 4]]))));
  await new Promise((r) => setTimeout(r, 100));
  await send(a, v9({ sequence: 1 }, set(300, cat(ip4('10.0.0.1'), u16(80)))));
  await send(b, v9({ sequence: 1 }, set(300, cat(u16(443), ip4('10.0.0.2')))));
  a.close();
  b.close();
}

for (const preserve of [true, false]) {
  test(`relay ${preserve ? '--preserve-exporter keeps' : 'without --preserve-exporter lets'} two exporters' template ids ${preserve ? 'apart' : 'collide'}`, async () => {
    const c = await startCollect(['--template-scope', 'strict']);
    const relay = await startRelay(['--to', `127.0.0.1:${c.port}`, ...(preserve ? ['--preserve-exporter'] : [])]);
    await twoExporters(relay.port);
    await new Promise((r) => setTimeout(r, 500));
    await new Promise<number | null>((r) => { relay.child.once('close', r); relay.child.kill('SIGTERM'); });
    assert.equal(await stop(c.child), 0);
    const got = lines(Buffer.concat(c.out)).map((r) => `${String(r['sourceIPv4Address'])}:${String(r['sourceTransportPort'])}`).sort();
    if (preserve) {
      assert.deepEqual(got, ['10.0.0.1:80', '10.0.0.2:443']);
      assert.equal((relay.err().match(/relayed from port \d+/g) ?? []).length, 2, 'each exporter named with its port');
    } else assert.notDeepEqual(got, ['10.0.0.1:80', '10.0.0.2:443'], 'one template space: the second definition replaced the first');
  });
}
