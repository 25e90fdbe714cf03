// Encoding speed (records/s on one core: IPFIX, NetFlow v9 and v5 from the decoded workloads,
// next to decoding the same records) and the relay's throughput as a whole process (datagrams/s
// offered by the sender, forwarded to a counting socket, loss).
import { spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FlowDecoder } from '../index.js';
import { IpfixEncoder } from '../lib/encode/ipfix.js';
import { Netflow9Encoder } from '../lib/encode/netflow9.js';
import { Netflow5Encoder } from '../lib/encode/netflow5.js';
import type { FlowRecord } from '../lib/types.js';
import { median, root, RUNS, SECONDS, type Row } from './common.js';
import { warmRecords, type Workload } from './workloads.js';

type Enc = { encode(r: Iterable<Readonly<Record<string, unknown>>>, now?: number): Buffer[]; flush(now?: number): Buffer[] };

const records = (w: Workload): FlowRecord[] => warmRecords(w, new FlowDecoder());

function rate(make: () => Enc, recs: FlowRecord[]): number {
  const xs: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    const e = make();
    let n = 0;
    const start = process.hrtime.bigint();
    const deadline = start + BigInt(Math.round(SECONDS * 1e9));
    while (process.hrtime.bigint() < deadline) {
      e.encode(recs, 1_700_000_000_000);
      n += recs.length;
    }
    e.flush(1_700_000_000_000);
    xs.push(n / (Number(process.hrtime.bigint() - start) / 1e9));
  }
  return median(xs);
}

export function encodeBench(ws: Workload[]): Row[] {
  const rows: Row[] = [];
  for (const w of ws.filter((x) => x.name !== 'sflow')) {
    const recs = records(w);
    for (const [name, make] of [['IPFIX', () => new IpfixEncoder()], ['NetFlow v9', () => new Netflow9Encoder()], ['NetFlow v5', () => new Netflow5Encoder()]] as [string, () => Enc][]) {
      rows.push({ name: `encode ${w.name} records as ${name}`, records_s: rate(make, recs), note: `${recs.length} decoded records encoded over and over, messages of 1400 bytes` });
    }
  }
  return rows;
}

/** The relay forwarding `offered` datagrams/s of the v9 workload to one counting socket. */
export async function relayBench(offered: number, seconds = 3): Promise<Row> {
  const counter = createSocket('udp4');
  let got = 0;
  counter.on('message', () => { got++; });
  await new Promise<void>((r) => counter.bind(0, '127.0.0.1', () => r()));
  counter.setRecvBufferSize(32 * 1024 * 1024);
  const relay = spawn(process.execPath, [join(root, 'dist/bin/flowpipe.js'), 'relay', '--listen', '127.0.0.1:0', '--recv-buffer', String(32 * 1024 * 1024), '--to', `127.0.0.1:${counter.address().port}`], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  relay.stderr!.on('data', (c: Buffer) => { err += c.toString(); });
  while (!/relaying [^:]+:(\d+)/.test(err)) await new Promise((r) => setTimeout(r, 20));
  const port = Number(/relaying [^:]+:(\d+)/.exec(err)![1]);
  const sender = spawn(process.execPath, [join(root, 'dist/bench/sender.js'), String(port), String(offered), String(offered * seconds), 'v9'], { stdio: ['ignore', 'pipe', 'ignore'] });
  let out = '';
  sender.stdout!.on('data', (c: Buffer) => { out += c.toString(); });
  await new Promise((r) => sender.once('close', r));
  await new Promise((r) => setTimeout(r, 500));
  const cpu = cpuSeconds(relay.pid!);
  await new Promise((r) => { relay.once('close', r); relay.kill('SIGTERM'); });
  counter.close();
  const sent = JSON.parse(out) as { sent: number; rate: number; seconds: number };
  const total = sent.sent + 1; // + the template datagram
  const last = JSON.parse(err.trim().split('\n').filter((l) => l.startsWith('{')).pop() ?? '{}') as { receiver?: { received: number; dropped: number }; relay?: { sent: number; failed: number }[] };
  const where = last.receiver === undefined ? '' : `; the relay received ${last.receiver.received} (queue drops ${last.receiver.dropped}), sent ${last.relay?.[0]?.sent ?? 0}, the counting socket got ${got}`;
  // CPU time per datagram, the process's start included: what one core of relay can carry.
  const perCore = cpu === null || got === 0 ? '' : `; relay CPU ${((cpu * 1e6) / got).toFixed(1)} µs per datagram (${Math.round(got / cpu / 1000)} k datagrams/s per core, start-up included)`;
  return { name: `relay ${offered / 1000}k datagrams/s (v9, one destination, whole process)`, datagrams_s: sent.rate, note: `forwarded ${got} of ${total} (loss ${(((total - got) / total) * 100).toFixed(2)} %; ${Math.round(got / sent.seconds / 1000)} k forwarded per second of sending)${where}${perCore}` };
}

/** User + system CPU seconds a process has used (Linux /proc), null elsewhere. */
function cpuSeconds(pid: number): number | null {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(f[11]) + Number(f[12])) / 100; // utime, stime in clock ticks (USER_HZ 100)
  } catch {
    return null;
  }
}
