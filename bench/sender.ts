// Sends a workload's datagrams to 127.0.0.1:PORT at a fixed rate from its own process:
// node dist/bench/sender.js PORT RATE TOTAL WORKLOAD [EXPORTERS]
// Several exporters (one socket each, each sending its templates first) take turns.
// Paced in ~1 ms steps. When the sender itself falls behind (it shares the 2 cores with the
// collector), it catches up at no more than twice the rate, so the offered load stays smooth
// instead of arriving as one burst larger than any socket buffer. Prints the achieved rate.
import { createSocket } from 'node:dgram';
import { workloads } from './workloads.js';

const [port, rate, total, name, exporters] = process.argv.slice(2);
const w = workloads().find((x) => x.name === name)!;
const sockets = Array.from({ length: Number(exporters ?? 1) }, () => createSocket('udp4'));
const send = (b: Buffer, i = 0): Promise<void> => new Promise((r) => sockets[i % sockets.length]!.send(b, Number(port), '127.0.0.1', () => r()));
for (let i = 0; i < sockets.length; i++) for (const t of w.setup) await send(t, i);
await new Promise((r) => setTimeout(r, 50)); // templates first
const n = Number(total);
const perMs = Number(rate) / 1000;
const maxStep = Math.max(1, Math.ceil(2 * perMs));
const start = Date.now();
let sent = 0;
while (sent < n) {
  const due = Math.min(n, Math.floor((Date.now() - start + 1) * perMs));
  for (let step = 0; sent < due && step < maxStep; step++, sent++) void send(w.datagrams[sent % w.datagrams.length]!, sent);
  await new Promise((r) => setTimeout(r, 1));
}
const seconds = (Date.now() - start) / 1000;
await new Promise((r) => setTimeout(r, 200));
for (const s of sockets) s.close();
process.stdout.write(JSON.stringify({ sent: n, seconds, rate: Math.round(n / seconds) }) + '\n');
