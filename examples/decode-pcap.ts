// Decode a capture (pcap, pcapng, gzip, or raw exports) to NDJSON on stdout, in ten lines.
// Run: node dist/examples/decode-pcap.js test/fixtures/corpus/tcpdump/sflow_expanded.pcap
// (In your own code: import { captureSource, decode, toNdjson } from 'flowpipe'.)
import { pipeline } from 'node:stream/promises';
import { captureSource, decode, toNdjson } from '../index.js';

const dec = decode();
dec.on('flowpipe-error', (e) => console.error(`${e.exporter}: ${e.kind}: ${e.reason}`));
await pipeline(captureSource(process.argv[2] ?? '-'), dec, toNdjson(), process.stdout);
console.error(JSON.stringify(dec.stats.records));
