// flowpipe collect --listen [ADDR:]PORT[,PORT] [--to FILE]: receive, decode, write; stats on
// SIGUSR1 and every --stats-interval seconds; SIGINT/SIGTERM stop receiving and drain.
import { pipeline } from 'node:stream/promises';
import type { Writable } from 'node:stream';
import { FlowDecoder } from '../../lib/decoder.js';
import { toJson } from '../../lib/json.js';
import type { DecodeError } from '../../lib/types.js';
import { DecodeStream } from '../../transforms/decode.js';
import { fileSink } from '../../transforms/file-sink.js';
import { udpSource } from '../../transforms/udp-source.js';
import { num, parse, UsageError } from './args.js';
import { OUTPUT_HELP, OUTPUT_OPTIONS, outputStages } from './output.js';
import { loadTemplates, saveTemplates } from './templates-file.js';

export const COLLECT_HELP = `usage: flowpipe collect --listen [ADDR:]PORT[,PORT...] [options]

Receives NetFlow/IPFIX/sFlow on UDP (IPv4 and IPv6), decodes, and writes records to stdout or
--to FILE. SIGUSR1 prints stats on stderr; SIGINT/SIGTERM stop receiving, drain what is in
flight, save templates and exit 0.

  --listen LIST         ports or addresses: 2055,4739,6343 or 127.0.0.1:2055,[::1]:2055
  --to FILE             write to FILE (.gz: gzip) instead of stdout
  --rotate-bytes N      start a new --to file every N bytes (FILE.1, FILE.2, ...)
  --rotate-seconds N    start a new --to file every N seconds
${OUTPUT_HELP}
  --allow LIST          only these exporters (IP, IP:PORT, CIDR), others dropped and counted
  --templates FILE      load template state at start, save it every minute and at exit
  --stats-interval S    print stats on stderr every S seconds
  --recv-buffer BYTES   socket receive buffer (default 8 MiB; the kernel may cap it)
  --queue N             datagrams held while the output is slow (default 10000), beyond: dropped and counted

exit status: 0 stopped by a signal after draining, 1 socket or output failure, 2 usage error`;

export async function collectCommand(argv: string[]): Promise<number> {
  const p = parse(argv, {
    ...OUTPUT_OPTIONS, listen: 'value', to: 'value', 'rotate-bytes': 'value', 'rotate-seconds': 'value', allow: 'value',
    templates: 'value', 'stats-interval': 'value', 'recv-buffer': 'value', queue: 'value', help: 'flag',
  });
  if (p.opts.has('help')) {
    process.stdout.write(COLLECT_HELP + '\n');
    return 0;
  }
  const listen = p.opts.get('listen');
  if (typeof listen !== 'string') throw new UsageError('collect needs --listen PORT');
  const stages = outputStages(p);
  const templates = p.opts.get('templates') as string | undefined;
  const allow = p.opts.get('allow');
  const source = udpSource({
    listen: listen.split(',').map((s) => (/^\d+$/.test(s) ? Number(s) : s)),
    allow: typeof allow === 'string' ? allow.split(',') : undefined,
    recvBufferSize: num(p.opts.get('recv-buffer'), '--recv-buffer') ?? 8 * 1024 * 1024,
    maxQueue: num(p.opts.get('queue'), '--queue'),
  });
  const decoder = new FlowDecoder();
  loadTemplates(decoder, templates);
  const dec = new DecodeStream({ decoder });
  dec.on('flowpipe-error', (e: DecodeError) => {
    if (e.kind !== 'template-miss') return; // counted in stats; template misses are worth a line
    process.stderr.write(`flowpipe: ${e.exporter}: ${e.reason}\n`);
  });
  const to = p.opts.get('to');
  const out: Writable = typeof to === 'string'
    ? fileSink(to, { maxBytes: num(p.opts.get('rotate-bytes'), '--rotate-bytes'), maxAgeMs: (num(p.opts.get('rotate-seconds'), '--rotate-seconds') ?? 0) * 1000 || undefined })
    : process.stdout;
  const bound = await source.listen();
  process.stderr.write(`flowpipe: listening on ${bound.map((b) => `${b.address}:${b.port}`).join(', ')}\n`);
  const stats = (): void => {
    process.stderr.write(toJson({ receiver: source.stats, decoder: decoder.stats, state: decoder.stateSize(), sequence: decoder.sequenceStats() }) + '\n');
  };
  process.on('SIGUSR1', stats);
  const interval = num(p.opts.get('stats-interval'), '--stats-interval');
  const timer = interval ? setInterval(stats, interval * 1000) : undefined;
  // Save template state every minute too, so a crash does not lose it (written atomically).
  const saver = templates !== undefined ? setInterval(() => saveTemplates(decoder, templates), 60_000) : undefined;
  const stop = (): void => {
    process.stderr.write('flowpipe: stopping, draining what is in flight\n');
    source.close();
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    const chain: (NodeJS.ReadableStream | NodeJS.WritableStream | NodeJS.ReadWriteStream)[] = [source, dec, ...stages, out];
    await pipeline(chain);
  } finally {
    if (timer) clearInterval(timer);
    if (saver) clearInterval(saver);
    process.off('SIGUSR1', stats);
    saveTemplates(decoder, templates);
  }
  stats();
  return 0;
}
