// A real sFlow agent samples a traffic capture with known totals (pmacctd's sfprobe plugin,
// 1-in-10, from Debian's pmacct); collect --normalize receives it over loopback, and the sum of
// the normalized `bytes` and `packets` (frame length × rate, 1 × rate) estimates the traffic.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pcapFile, type UdpPacket } from '../../lib/capture/pcap-writer.js';
import { have, lines, startCollect, stop } from '../helpers/cli.js';

const PACKETS = 30_000;
const RATE = 10;

test('sFlow from pmacctd sfprobe: normalized bytes and packets estimate a capture\'s known totals', { skip: !have('pmacctd') && 'pmacctd not installed (Debian pmacct)' }, async () => {
  const tmp = mkdtempSync(join(tmpdir(), 'flowpipe-sfprobe-'));
  let seed = 3;
  const rand = (n: number): number => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) % n);
  const packets: UdpPacket[] = [];
  for (let i = 0; i < PACKETS; i++) {
    packets.push({
      src: { address: `10.0.${rand(4)}.${1 + rand(50)}`, port: 1024 + rand(60000) }, dst: { address: `10.1.0.${1 + rand(9)}`, port: 443 },
      payload: Buffer.alloc(18 + rand(1400)), time: 1_700_000_000_000 + i,
    });
  }
  const traffic = pcapFile(packets);
  writeFileSync(join(tmp, 'traffic.pcap'), traffic);
  // The frames' own lengths: the pcap's bytes less its 24-byte file header and 16-byte record headers.
  const frameBytes = traffic.length - 24 - 16 * PACKETS;

  const c = await startCollect(['--normalize', '--flows-only', '--fields', 'bytes,packets,samplingRate,sampledBytes']);
  writeFileSync(join(tmp, 'pmacctd.conf'), [
    'daemonize: false', `pcap_savefile: ${join(tmp, 'traffic.pcap')}`, 'plugins: sfprobe',
    `sfprobe_receiver: 127.0.0.1:${c.port}`, 'sfprobe_agentip: 127.0.0.1', `sampling_rate: ${RATE}`,
  ].join('\n') + '\n');
  const pm = spawnSync('pmacctd', ['-f', join(tmp, 'pmacctd.conf')], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(pm.status, 0, pm.stderr);
  await new Promise((r) => setTimeout(r, 500));
  assert.equal(await stop(c.child), 0);
  const flows = lines(Buffer.concat(c.out));
  const bytes = flows.reduce((a, f) => a + Number(f['bytes']), 0);
  const packetsEstimate = flows.reduce((a, f) => a + Number(f['packets']), 0);
  assert.ok(flows.every((f) => f['samplingRate'] === RATE && f['bytes'] === Number(f['sampledBytes']) * RATE));
  const byteError = bytes / frameBytes - 1;
  const packetError = packetsEstimate / PACKETS - 1;
  console.log(`sfprobe 1-in-${RATE}: ${flows.length} samples; bytes estimated ${bytes} vs ${frameBytes} (${(byteError * 100).toFixed(2)} %), packets ${packetsEstimate} vs ${PACKETS} (${(packetError * 100).toFixed(2)} %)`);
  // ~3,000 random samples: one standard deviation is about 1.8 % for packets and 2 % for bytes; 5 σ here.
  assert.ok(Math.abs(packetError) < 0.09, `packets off by ${(packetError * 100).toFixed(2)} %`);
  assert.ok(Math.abs(byteError) < 0.1, `bytes off by ${(byteError * 100).toFixed(2)} %`);
});
