// flowpipe record --listen ... --out FILE.pcap: save received datagrams, with their exporter
// addresses, as a pcap that Wireshark opens and tcpreplay / flowpipe replay can send again.
import { createWriteStream } from 'node:fs';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { pcapHeader, pcapRecord } from '../../lib/capture/pcap-writer.js';
import type { Datagram } from '../../transforms/core/datagram.js';
import { udpSourceFrom } from './listen-options.js';
import { int, num, parse, UsageError } from './args.js';

export const RECORD_HELP = `usage: flowpipe record --listen [ADDR:]PORT[,PORT...] --out FILE.pcap [--count N] [--seconds S]

Saves received datagrams (source address and port kept) to a pcap file. Stops after --count
datagrams, after --seconds, or on SIGINT/SIGTERM.`;

export async function recordCommand(argv: string[]): Promise<number> {
  const p = parse(argv, { listen: 'value', out: 'value', count: 'value', seconds: 'value', help: 'flag' });
  if (p.opts.has('help')) {
    process.stdout.write(RECORD_HELP + '\n');
    return 0;
  }
  const listen = p.opts.get('listen');
  const outPath = p.opts.get('out');
  if (typeof listen !== 'string' || typeof outPath !== 'string') throw new UsageError('record needs --listen PORT and --out FILE.pcap');
  const count = int(p.opts.get('count'), '--count', 1, Number.MAX_SAFE_INTEGER);
  const seconds = num(p.opts.get('seconds'), '--seconds');
  if (seconds !== undefined && (seconds <= 0 || seconds > 2_000_000)) throw new UsageError(`--seconds wants 0 < seconds <= 2000000, got ${seconds}`);
  const source = udpSourceFrom(p);
  const bound = await source.listen();
  process.stderr.write(`flowpipe: recording ${bound.map((b) => `${b.address}:${b.port}`).join(', ')} to ${outPath}\n`);
  const file = createWriteStream(outPath);
  file.write(pcapHeader());
  let n = 0;
  const writer = new Writable({
    objectMode: true,
    write(d: Datagram, _e, done): void {
      const dst = { address: bound[0]!.family === 'IPv6' && d.exporter.address.includes(':') ? '::1' : '127.0.0.1', port: d.localPort ?? bound[0]!.port };
      if (!file.write(pcapRecord({ src: d.exporter, dst, payload: d.data, time: d.receivedAt }))) file.once('drain', () => done());
      else done();
      if (count !== undefined && ++n >= count) source.close();
    },
    final(done): void {
      file.end(done);
    },
  });
  const stop = (): void => source.close();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  const timer = seconds !== undefined ? setTimeout(stop, seconds * 1000) : undefined;
  await pipeline(source, writer);
  if (timer) clearTimeout(timer);
  process.stderr.write(`flowpipe: ${source.stats.received} datagrams received, ${source.stats.dropped} dropped\n`);
  return 0;
}
