// Decode a capture (pcap, pcapng, gzip, or raw exports) to NDJSON on stdout, in ten lines.
// Run: node dist/examples/decode-pcap.js test/fixtures/corpus/tcpdump/sflow_expanded.pcap
// fdWriter(1) writes stdout from a thread of its own (process.stdout would do too, on this one)
// and gives the decode stage's chunks back to it for reuse.
import { pipeline } from 'node:stream/promises';
import { captureSource, decode, fdWriter } from 'flowpipe';

const dec = decode({ output: 'ndjson' }); // records straight to NDJSON bytes, as toNdjson() writes them
dec.on('flowpipe-error', (e) => console.error(`${e.exporter}: ${e.kind}: ${e.reason}`));
await pipeline(captureSource(process.argv[2] ?? '-'), dec, fdWriter(1, { recycle: dec.chunkPool }));
console.error(JSON.stringify(dec.stats.records));
