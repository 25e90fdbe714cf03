// flowpipe report against the traffic's own truth and against nfdump -s on the same export
// (softflowd exporting a generated capture; nfcapd fed by flowpipe replay), flowpipe pair on a
// capture with both directions, and collect --alert firing a command once, with the undo after
// the hold (a shell-hostile value reaching a command as one argument: test/transforms/analysis).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync, chmodSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pcapFile, type UdpPacket } from '../../lib/capture/pcap-writer.js';
import { v5, v5Record } from '../helpers/build.js';
import { have, lines, run, startCollect, stop } from '../helpers/cli.js';
import { BIN } from '../helpers/paths.js';
import { freePort } from '../helpers/servers.js';

const tmp = mkdtempSync(join(tmpdir(), 'flowpipe-analysis-'));

/** 12 destinations, each sent a known number of UDP packets of known sizes from a few sources. */
function traffic(): { packets: UdpPacket[]; bytesTo: Map<string, number> } {
  const packets: UdpPacket[] = [];
  const bytesTo = new Map<string, number>();
  let t = 1_700_000_000_000;
  for (let d = 1; d <= 12; d++) {
    const dst = `10.9.0.${d}`;
    for (let i = 0; i < 5 + d * 3; i++) {
      const size = 100 + ((d * 37 + i * 11) % 900);
      packets.push({ src: { address: `10.8.0.${1 + (i % 3)}`, port: 40000 + (i % 3) }, dst: { address: dst, port: 5000 + d }, payload: Buffer.alloc(size), time: (t += 3) });
      bytesTo.set(dst, (bytesTo.get(dst) ?? 0) + 20 + 8 + size); // IP length: what flow exporters count
    }
  }
  return { packets, bytesTo };
}

test('report: top destinations by bytes from softflowd\'s export equal the traffic\'s truth and nfdump -s', { skip: !(have('softflowd') && have('nfcapd') && have('nfdump')) && 'softflowd or nfdump not installed' }, async () => {
  const { packets, bytesTo } = traffic();
  const pcap = join(tmp, 'traffic.pcap');
  writeFileSync(pcap, pcapFile(packets));
  // softflowd's export, recorded as a capture.
  const recPort = await freePort();
  const exported = join(tmp, 'export.pcap');
  const rec = spawn(process.execPath, [BIN, 'record', '--listen', `127.0.0.1:${recPort}`, '--out', exported, '--seconds', '6']);
  await new Promise((r) => setTimeout(r, 600));
  const sf = spawnSync('softflowd', ['-r', pcap, '-n', `127.0.0.1:${recPort}`, '-v', '10'], { encoding: 'utf8', timeout: 20_000 });
  assert.equal(sf.status, 0, sf.stderr);
  await new Promise<void>((r) => rec.on('exit', () => r()));
  const r = run(['report', exported, '--key', 'dstAddr', '--by', 'bytes', '--top', '5', '--format', 'ndjson']);
  assert.equal(r.status, 0, r.stderr.toString());
  const top = lines(r.stdout as Buffer);
  assert.equal(top.length, 5);
  assert.deepEqual(Object.keys(top[0]!), ['dstAddr', 'bytes', 'packets', 'flows'], 'exactly the key and the sums');
  const truth = [...bytesTo.entries()].sort((a, b) => b[1] - a[1]).slice(0, 5);
  assert.deepEqual(top.map((x) => [x['dstAddr'], x['bytes']]), truth, 'the traffic\'s own top 5');
  // nfdump on the same export, fed through nfcapd by flowpipe replay.
  const nfPort = await freePort();
  const dir = mkdtempSync(join(tmp, 'nfcapd-'));
  const nfcapd = spawn('nfcapd', ['-w', dir, '-p', String(nfPort), '-b', '127.0.0.1']);
  await new Promise((res) => setTimeout(res, 700));
  assert.equal(run(['replay', exported, '--to', `127.0.0.1:${nfPort}`]).status, 0);
  await new Promise((res) => setTimeout(res, 700));
  await new Promise<void>((res) => { nfcapd.on('exit', () => res()); nfcapd.kill('SIGTERM'); });
  const files = readdirSync(dir).filter((f) => f.startsWith('nfcapd.'));
  const nf = spawnSync('nfdump', ['-R', join(dir, files[0]!), '-s', 'dstip/bytes', '-n', '5', '-q', '-N', '-o', 'csv'], { encoding: 'utf8' });
  const rows = nf.stdout.trim().split('\n').filter((l) => /^\d{4}-/.test(l)).map((l) => l.split(','));
  assert.deepEqual(rows.map((c) => [c[4], Number(c[9])]), truth, 'nfdump -s dstip/bytes agrees');
  assert.deepEqual(rows.map((c) => Number(c[5])), top.map((x) => x['flows']), 'and on the flow counts');
});

test('report --window: one ranking per window, windowStart/windowEnd on each line; table and csv formats', () => {
  const recs = (base: number): Buffer => v5({ uptime: 100_000, secs: 1_700_000_000 + base }, [
    v5Record({ src: '10.0.0.1', dst: '10.1.0.1', bytes: 900, first: 99_000, last: 99_500 }),
    v5Record({ src: '10.0.0.2', dst: '10.1.0.2', bytes: 300, first: 99_000, last: 99_500 }),
  ]);
  const file = join(tmp, 'windows.pcap');
  const ep = { address: '192.0.2.5', port: 2055 };
  writeFileSync(file, pcapFile([0, 120].map((base, i) => ({ src: ep, dst: { address: '192.0.2.1', port: 2055 }, payload: recs(base), time: 1_700_000_000_000 + i }))));
  const w = lines(run(['report', file, '--window', '1m', '--top', '1', '--format', 'ndjson']).stdout as Buffer);
  assert.equal(w.length, 2);
  assert.deepEqual(w.map((x) => [x['dstAddr'], x['bytes'], Number(x['windowEnd']) - Number(x['windowStart'])]), [['10.1.0.1', 900, 60_000], ['10.1.0.1', 900, 60_000]]);
  assert.match(run(['report', file, '--key', 'srcAddr']).stdout.toString(), /^srcAddr\s+bytes\s+packets\s+flows\n10\.0\.0\.1\s+1800/);
  assert.match(run(['report', file, '--format', 'csv']).stdout.toString(), /^dstAddr,bytes,packets,flows\n10\.1\.0\.1,1800,2,2\n/);
  assert.equal(run(['report', file, '--by', 'octets']).status, 2);
});

test('pair: both directions of a connection become one record with bytes each way and the service', () => {
  const ep = { address: '192.0.2.9', port: 2055 };
  const d = v5({}, [
    v5Record({ src: '10.0.0.5', dst: '10.0.0.80', sport: 51000, dport: 443, bytes: 700, pkts: 7, first: 90_000, last: 95_000 }),
    v5Record({ src: '10.0.0.80', dst: '10.0.0.5', sport: 443, dport: 51000, bytes: 9000, pkts: 9, first: 90_100, last: 95_100 }),
    v5Record({ src: '10.0.0.6', dst: '10.0.0.53', sport: 53000, dport: 53, proto: 17, bytes: 60, first: 91_000, last: 91_000 }),
  ]);
  const file = join(tmp, 'pairs.pcap');
  writeFileSync(file, pcapFile([{ src: ep, dst: { address: '192.0.2.1', port: 2055 }, payload: d, time: 1_700_000_000_000 }]));
  const out = lines(run(['pair', file]).stdout as Buffer);
  assert.equal(out.length, 2);
  const c = out.find((x) => x['service'] === 'https')!;
  assert.deepEqual([c['srcAddr'], c['dstAddr'], c['bytesOut'], c['bytesIn'], c['packetsOut'], c['packetsIn'], c['durationMs']], ['10.0.0.5', '10.0.0.80', 700, 9000, 7, 9, 5100]);
  const lone = out.find((x) => x['unpaired'] === true)!;
  assert.deepEqual([lone['service'], lone['bytesOut']], ['domain', 60]);
});

test('collect --alert: a flood fires the command once, the undo after the hold; normal traffic nothing', async () => {
  const log = join(tmp, 'actions.log');
  const script = join(tmp, 'act.sh');
  writeFileSync(script, `#!/bin/sh\nfor a in "$@"; do printf '%s|' "$a" >> ${log}; done\necho >> ${log}\n`);
  chmodSync(script, 0o755);
  const rules = join(tmp, 'rules.yaml');
  writeFileSync(rules, `rules:
  - name: flood
    match: { dst: 10.66.0.0/16 }
    measure: pps
    threshold: 5000
    window: 1s
    hold: 5s
    action: { run: ["${script}", "block", "{dstAddr}", "{rule}"] }
    undo: { run: ["${script}", "unblock", "{dstAddr}"] }
`);
  const c = await startCollect(['--alert', rules, '--format', 'count']);
  const send = (dst: string, pkts: number): void => {
    const d = v5({ sampling: 0, secs: Math.floor(Date.now() / 1000), uptime: 100_000 }, [v5Record({ src: '10.1.1.1', dst, pkts, bytes: pkts * 100, first: 99_900, last: 100_000 })]);
    spawnSync(process.execPath, ['-e', `const s=require('dgram').createSocket('udp4');s.send(Buffer.from('${d.toString('hex')}','hex'),${c.port},'127.0.0.1',()=>s.close())`]);
  };
  send('10.66.1.1', 10);                                   // normal traffic: nothing
  for (let i = 0; i < 3; i++) send('10.66.2.2', 4000);      // a flood: fires once (not three times)
  await new Promise((r) => setTimeout(r, 1500));
  assert.equal(readFileSync(log, 'utf8'), 'block|10.66.2.2|flood|\n');
  const deadline = Date.now() + 12_000;
  while (!readFileSync(log, 'utf8').includes('unblock') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  assert.equal(readFileSync(log, 'utf8'), 'block|10.66.2.2|flood|\nunblock|10.66.2.2|\n', 'the undo after the hold, once');
  assert.equal(await stop(c.child), 0);
  assert.match(c.err(), /alert flood: 10\.66\.2\.2 pps \d+ >= 5000/);
  assert.ok(existsSync(log));
});
