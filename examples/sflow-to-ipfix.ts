// sFlow (or any capture) re-encoded as IPFIX datagrams: decode, re-export per exporter (sFlow
// flow samples through the normalized shape, the sampling rate as options data), send over UDP.
// Run: node dist/examples/sflow-to-ipfix.js test/fixtures/corpus/tcpdump/sflow_expanded.pcap 127.0.0.1 4739
import { createSocket } from 'node:dgram';
import { captureSource, FlowDecoder, ReExporter } from 'flowpipe';
import type { Datagram } from 'flowpipe';

const [file = '-', host = '127.0.0.1', port = '4739'] = process.argv.slice(2);
const decoder = new FlowDecoder();
const reexport = new ReExporter('ipfix', { mtu: 1400, merged: true }); // one stream from one socket
const socket = createSocket(host.includes(':') ? 'udp6' : 'udp4');
const send = (m: Buffer): Promise<void> => new Promise((r) => socket.send(m, Number(port), host, () => r()));
let now = Date.now();
for await (const d of captureSource(file) as AsyncIterable<Datagram>) {
  now = d.receivedAt;
  for (const [, m] of reexport.add('all', decoder.decode(d.data, d.exporter, now).records, now)) await send(m);
}
for (const [, ms] of reexport.flush(now)) for (const m of ms) await send(m);
socket.close();
console.error(JSON.stringify(reexport.stats));
