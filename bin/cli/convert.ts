// flowpipe convert FILE… --to out.pcap --as ipfix|netflow9|netflow5: the records of captures or
// raw exports re-encoded and written as a pcap (each exporter keeps its own address and port as
// the source, one UDP destination port for the file, templates before their data) — test
// captures for other tools, or legacy formats for legacy collectors.
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { FlowDecoder } from '../../lib/decoder.js';
import { exporterAddressOf } from '../../lib/codec/bytes.js';
import { pcapHeader, pcapRecord } from '../../lib/capture/pcap-writer.js';
import { ReExporter, type ExportFormat } from '../../lib/encode/reexport.js';
import { toJson } from '../../lib/ndjson/json.js';
import { captureSource } from '../../transforms/sources/capture-source.js';
import type { Datagram } from '../../transforms/core/datagram.js';
import { hostPort, int, parse, UsageError } from './args.js';

export const CONVERT_HELP = `usage: flowpipe convert FILE... --to OUT.pcap --as ipfix|netflow9|netflow5 [options]

Decodes captures or raw exports (NetFlow v1/v5/v7/v9, IPFIX, sFlow v5) and writes their records
re-encoded as IPFIX, NetFlow v9 or NetFlow v5 into a pcap: each exporter's datagrams keep its
address and port as the source, at the time they were received; templates come before their data.
sFlow flow samples go through the normalized shape (sampled counters, the sampling rate as
options data); what the target format cannot carry is counted (--stats), never silently dropped.

  --to FILE          the pcap to write
  --as FORMAT        ipfix, netflow9 or netflow5
  --port N           UDP destination port in the pcap (default 4739 for ipfix, 2055 otherwise)
  --domain N         observation domain (IPFIX) / source id (v9) (default 0)
  --mtu BYTES        largest datagram (default 1400)
  --exporter IP:PORT exporter raw input is attributed to (default 0.0.0.0:0)
  --merge-exporters  one exporter stream for every input (one template space and sequence), to
                     replay to a collector from one socket; the inputs' options data (each about
                     its own exporter) is left out, counted, and a flow whose sampling rate came
                     from it carries the rate itself
  --stats            records in and out, messages, what was not carried, on stderr

exit status: 0 done, 1 an input could not be read or the output written, 2 usage error`;

const FORMATS: readonly ExportFormat[] = ['ipfix', 'netflow9', 'netflow5'];

export async function convertCommand(argv: string[]): Promise<number> {
  const p = parse(argv, { to: 'value', as: 'value', port: 'value', domain: 'value', mtu: 'value', exporter: 'value', 'merge-exporters': 'flag', stats: 'flag', help: 'flag' });
  if (p.opts.has('help')) {
    process.stdout.write(CONVERT_HELP + '\n');
    return 0;
  }
  const format = p.opts.get('as');
  if (typeof format !== 'string' || !FORMATS.includes(format as ExportFormat)) throw new UsageError(`--as must be ${FORMATS.join(', ')}`);
  const to = p.opts.get('to');
  if (typeof to !== 'string') throw new UsageError('--to OUT.pcap is required');
  if (p.positional.length === 0) throw new UsageError('no input FILE');
  const port = int(p.opts.get('port'), '--port', 1, 65535) ?? (format === 'ipfix' ? 4739 : 2055);
  const domain = int(p.opts.get('domain'), '--domain', 0, 2 ** 32 - 1) ?? 0;
  const mtu = int(p.opts.get('mtu'), '--mtu', 256, 65535) ?? 1400;
  const ex = p.opts.get('exporter');
  const exporter = typeof ex === 'string' ? hostPort(ex, '--exporter') : { address: '0.0.0.0', port: 0 };

  const out = createWriteStream(to);
  await once(out, 'open'); // a path that cannot be written fails here, before any input is read
  const write = async (b: Buffer): Promise<void> => { if (!out.write(b)) await once(out, 'drain'); };
  await write(pcapHeader());
  const dst = { address: '127.0.0.1', port };
  const emit = async (source: string, message: Buffer, time: number): Promise<void> => {
    const at = source.lastIndexOf(':');
    await write(pcapRecord({ src: { address: exporterAddressOf(source), port: Number(source.slice(at + 1)) }, dst: exporterAddressOf(source).includes(':') ? { address: '::1', port } : dst, payload: message, time }));
  };

  const merge = p.opts.has('merge-exporters');
  const decoder = new FlowDecoder();
  const re = new ReExporter(format as ExportFormat, { domain, mtu, merged: merge });
  let unreadable = false;
  let last = 0;
  for (const f of p.positional) {
    try {
      for await (const d of captureSource(f, { exporter }) as AsyncIterable<Datagram>) {
        last = d.receivedAt;
        const source = merge ? '192.0.2.1:2055' : d.exporter.address.includes(':') ? `[${d.exporter.address}]:${d.exporter.port}` : `${d.exporter.address}:${d.exporter.port}`;
        const { records } = decoder.decode(d.data, d.exporter, d.receivedAt);
        for (const [s, m] of re.add(source, records, d.receivedAt)) await emit(s, m, d.receivedAt);
      }
    } catch (err) {
      process.stderr.write(`flowpipe: cannot read ${f}: ${(err as Error).message}\n`);
      unreadable = true;
    }
  }
  for (const [s, messages] of re.flush(last)) for (const m of messages) await emit(s, m, last);
  out.end();
  await once(out, 'finish');
  if (p.opts.has('stats')) process.stderr.write(toJson({ decoder: decoder.stats, convert: re.stats }) + '\n');
  return unreadable ? 1 : 0;
}
