// No false alarms on a real exporter: softflowd's export of a generated capture, recorded over
// loopback, reports no loss in any of its formats (its IPFIX numbering includes the message's own
// flow records); the same export with one datagram taken out reports exactly that loss.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readCapture } from '../../lib/capture/reader.js';
import { pcapFile, type UdpPacket } from '../../lib/capture/pcap-writer.js';
import { FlowDecoder } from '../../lib/decoder.js';
import { have, run } from '../helpers/cli.js';
import { BIN } from '../helpers/paths.js';
import { freePort } from '../helpers/servers.js';

const tmp = mkdtempSync(join(tmpdir(), 'flowpipe-sequence-'));
const FLOWS = 3000;

function traffic(): UdpPacket[] {
  const packets: UdpPacket[] = [];
  let t = 1_700_000_000_000;
  for (let f = 0; f < FLOWS; f++) {
    for (let i = 0; i < 2; i++) {
      packets.push({ src: { address: `10.1.${f >> 8}.${f & 255}`, port: 40000 + (f % 1000) }, dst: { address: `10.2.0.${1 + (f % 200)}`, port: 53 }, payload: Buffer.alloc(60 + (f % 50)), time: (t += 1) });
    }
  }
  return packets;
}

/** softflowd's export (NetFlow `version`) of the traffic, as flowpipe record captured it. */
async function softflowdExport(version: number): Promise<string> {
  const pcap = join(tmp, 'traffic.pcap');
  writeFileSync(pcap, pcapFile(traffic()));
  const out = join(tmp, `export-v${version}.pcap`);
  const port = await freePort();
  const rec = spawn(process.execPath, [BIN, 'record', '--listen', `127.0.0.1:${port}`, '--out', out, '--seconds', '4']);
  let err = '';
  rec.stderr.on('data', (d: Buffer) => { err += d.toString(); });
  await new Promise((r) => setTimeout(r, 700));
  const sf = spawnSync('softflowd', ['-r', pcap, '-n', `127.0.0.1:${port}`, '-v', String(version)], { encoding: 'utf8', timeout: 20_000 });
  assert.equal(sf.status, 0, sf.stderr);
  await new Promise<void>((r) => rec.on('close', () => r()));
  assert.match(err, / 0 dropped/, 'the recorder lost nothing');
  return out;
}

const sequenceOf = (file: string): Record<string, unknown>[] => {
  const r = run(['decode', file, '--format', 'count', '--stats']);
  assert.equal(r.status, 0, r.stderr.toString());
  const stats = JSON.parse(r.stderr.toString().trim().split('\n').filter((l) => l.startsWith('{')).pop()!) as { sequence: Record<string, unknown>[] };
  return stats.sequence;
};

for (const [version, convention] of [[10, 'after-flows'], [9, undefined], [5, 'rfc']] as const) {
  test(`softflowd -v ${version}: a lossless export reports 0 lost, 0 out of order; one datagram taken out, exactly its records`, { skip: !have('softflowd') && 'softflowd not installed' }, async () => {
    const file = await softflowdExport(version);
    const [s, ...more] = sequenceOf(file);
    assert.equal(more.length, 0);
    assert.deepEqual({ ...s, exporter: '' }, {
      exporter: '', protocol: version === 10 ? 'ipfix' : version === 9 ? 'netflow-v9' : 'netflow-v5', domain: 0,
      lost: 0, duplicate: 0, outOfOrder: 0, resets: 0, outliers: 0, ...(convention === undefined ? {} : { convention }),
    });
    // Take out a datagram of flow records from the middle: the loss is its records (v9: one message).
    const datagrams = readCapture(readFileSync(file));
    const i = Math.floor(datagrams.length / 2);
    const dec = new FlowDecoder();
    for (const d of datagrams.slice(0, i)) dec.decode(d.payload, d.src, d.time);
    const flows = dec.decode(datagrams[i]!.payload, datagrams[i]!.src, datagrams[i]!.time).records.filter((r) => r['kind'] === 'flow').length; // softflowd leaves options records out of its numbering
    assert.ok(flows > 0);
    const lossy = join(tmp, `lossy-v${version}.pcap`);
    writeFileSync(lossy, pcapFile(datagrams.filter((_, j) => j !== i)));
    const [l] = sequenceOf(lossy);
    assert.equal(l!['lost'], version === 9 ? 1 : flows);
    assert.equal(l!['outOfOrder'], 0);
  });
}
