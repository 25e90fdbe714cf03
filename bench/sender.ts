// Sends a workload's datagrams to 127.0.0.1:PORT at a fixed rate from its own process:
// node dist/bench/sender.js PORT RATE TOTAL WORKLOAD
import { createSocket } from 'node:dgram';
import { workloads } from './workloads.js';

const [port, rate, total, name] = process.argv.slice(2);
const w = workloads().find((x) => x.name === name)!;
const socket = createSocket('udp4');
const send = (b: Buffer): Promise<void> => new Promise((r) => socket.send(b, Number(port), '127.0.0.1', () => r()));
for (const t of w.setup) await send(t);
const start = Date.now();
const n = Number(total);
const perMs = Number(rate) / 1000;
for (let i = 0; i < n; i++) {
  // Pace in 1 ms steps: send what is due, then wait for the next millisecond.
  const due = start + i / perMs;
  if (due > Date.now() + 1) await new Promise((r) => setTimeout(r, due - Date.now()));
  void send(w.datagrams[i % w.datagrams.length]!);
}
await new Promise((r) => setTimeout(r, 200));
socket.close();
