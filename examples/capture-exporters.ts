// Who exports what in a capture: datagrams, bytes and protocol per UDP source, read in chunks
// with the incremental capture parser (no decoding). Run:
//   node dist/examples/capture-exporters.js test/fixtures/corpus/tcpdump/sflow-print-v6.pcap
// A file stream's chunks are never changed once read, so the payloads can be views into them
// (`payloadViews`) instead of copies.
import { createReadStream } from 'node:fs';
import { CaptureParser } from 'flowpipe/capture';
import { detectProtocol } from 'flowpipe';

const file = process.argv[2];
if (file === undefined) {
  console.error('usage: capture-exporters.js CAPTURE.pcap');
  process.exit(2);
}
const parser = new CaptureParser({ payloadViews: true });
const bySource = new Map<string, { datagrams: number; bytes: number; protocol: string }>();
for await (const chunk of createReadStream(file)) {
  for (const d of parser.push(chunk as Buffer)) {
    const key = d.src.address.includes(':') ? `[${d.src.address}]:${d.src.port}` : `${d.src.address}:${d.src.port}`;
    const s = bySource.get(key) ?? { datagrams: 0, bytes: 0, protocol: detectProtocol(d.payload) ?? 'unknown' };
    s.datagrams++;
    s.bytes += d.payload.length;
    bySource.set(key, s);
  }
}
for (const [source, s] of bySource) console.log(JSON.stringify({ source, ...s }));
console.error(JSON.stringify({ ...parser.stats, leftoverBytes: parser.leftover }));
