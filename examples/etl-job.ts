// A custom ETL job: collect (or read a capture), keep HTTPS flows, reshape them into a compact
// schema, and write gzip NDJSON files rotated every 10 MB.
// Run: node dist/examples/etl-job.js capture.pcap out/https.ndjson.gz     (from a file)
//      node dist/examples/etl-job.js :2055 out/https.ndjson.gz            (live, UDP 2055)
import { pipeline } from 'node:stream/promises';
import type { Readable } from 'node:stream';
import { captureSource, decode, fileSink, filter, map, toNdjson, udpSource, type FlowRecord } from 'flowpipe';

const [input = '-', output = 'https.ndjson.gz'] = process.argv.slice(2);

async function source(): Promise<Readable> {
  if (!input.startsWith(':')) return captureSource(input);
  const udp = udpSource({ listen: [Number(input.slice(1))] });
  await udp.listen();
  process.once('SIGINT', () => udp.close()); // drain and finish the last file
  return udp;
}

const isHttps = (r: FlowRecord): boolean => r.kind === 'flow' && r['protocolIdentifier'] === 6 && (r['destinationTransportPort'] === 443 || r['sourceTransportPort'] === 443);

const compact = (r: FlowRecord): Record<string, unknown> => ({
  time: r['flowStartMilliseconds'] ?? r.exportTime,
  exporter: r.exporter,
  src: r['sourceIPv4Address'] ?? r['sourceIPv6Address'],
  dst: r['destinationIPv4Address'] ?? r['destinationIPv6Address'],
  sport: r['sourceTransportPort'],
  dport: r['destinationTransportPort'],
  // sFlow samples stand for samplingRate packets; flows carry their own counters.
  bytes: r['octetDeltaCount'] ?? (typeof r['frameLength'] === 'number' ? r['frameLength'] * Number(r['samplingRate'] ?? 1) : undefined),
  packets: r['packetDeltaCount'] ?? r['samplingRate'],
});

await pipeline(await source(), decode(), filter(isHttps), map(compact), toNdjson(), fileSink(output, { maxBytes: 10 * 1024 * 1024 }));
