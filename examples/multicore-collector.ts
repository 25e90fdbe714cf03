// A collector that decodes on every core: one thread receives, worker threads decode (each
// exporter always on the same worker, so its records stay in order), NDJSON to rotated files.
// Prints the merged counters every 10 s, including the kernel's drops for our socket.
// Run: node dist/examples/multicore-collector.js 2055 flows.ndjson [workers]
import { availableParallelism } from 'node:os';
import { pipeline } from 'node:stream/promises';
import { fileSink, parallelDecode, udpSource } from 'flowpipe';

const [port = '2055', output = 'flows.ndjson', workers = String(Math.max(1, availableParallelism() - 1))] = process.argv.slice(2);

const source = udpSource({ listen: [Number(port)], recvBufferSize: 8 * 1024 * 1024 });
const decoders = parallelDecode({ workers: Number(workers) });
decoders.on('flowpipe-error', (e) => { if (e.kind === 'template-miss') console.error(`${e.exporter}: ${e.reason}`); });
const bound = await source.listen();
console.error(`listening on ${bound.map((b) => `${b.address}:${b.port}`).join(', ')} with ${workers} decode workers`);

const timer = setInterval(() => {
  void decoders.report().then((r) => {
    console.error(JSON.stringify({ received: source.stats.received, queueDrops: source.stats.dropped, kernel: source.kernelStats(), written: r.written, datagrams: r.stats.datagrams, errors: r.stats.errors }));
  });
}, 10_000);
process.once('SIGINT', () => source.close()); // stop receiving; what is in flight is decoded and written

await pipeline(source, decoders, fileSink(output, { maxBytes: 1 << 30 }));
clearInterval(timer);
