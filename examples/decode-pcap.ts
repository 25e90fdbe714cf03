// Decode a capture (pcap, pcapng, gzip, or raw exports) to NDJSON on stdout, in ten lines.
// Run: node dist/examples/decode-pcap.js test/fixtures/corpus/tcpdump/sflow_expanded.pcap
import { pipeline } from 'node:stream/promises';
import { captureSource, decode, toNdjson } from 'flowpipe';

const dec = decode();
dec.on('flowpipe-error', (e) => console.error(`${e.exporter}: ${e.kind}: ${e.reason}`));
await pipeline(captureSource(process.argv[2] ?? '-'), dec, toNdjson(), process.stdout);
console.error(JSON.stringify(dec.stats.records));
