// flowpipe relay --listen PORT --to HOST:PORT[,HOST:PORT…]: every received datagram replicated
// unchanged to several collectors (samplicator), per destination optionally only some exporters
// and 1 in N datagrams; --preserve-exporter gives each exporter its own source port.
import { pipeline } from 'node:stream/promises';
import { isIP } from 'node:net';
import { toJson } from '../../lib/ndjson/json.js';
import { UdpRelay, type RelayDestination } from '../../transforms/sinks/udp-relay.js';
import { udpSourceFrom } from './listen-options.js';
import { int, parse, UsageError } from './args.js';

export const RELAY_HELP = `usage: flowpipe relay --listen [ADDR:]PORT[,PORT...] --to DEST[,DEST...] [options]

Replicates every datagram received (NetFlow, IPFIX, sFlow, anything) unchanged to each
destination. A destination is HOST:PORT ([V6]:PORT), optionally with
  ?from=CIDR+CIDR   only datagrams from exporters in these networks
  &sample=N         1 in N datagrams of each exporter
e.g. --to 10.0.0.5:2055,10.0.0.6:9995?from=192.0.2.0/24&sample=10

  --preserve-exporter  one source port per exporter on the relay, so a collector keeping
                       template state per transport session (address and port) keeps exporters
                       apart; the port of each exporter is printed. (The source address is the
                       relay's: rewriting it needs raw sockets.) Without it, all datagrams leave
                       from one port: template ids of different exporters then share one space
                       at the collector (fine for v5 and sFlow, which carry no templates).
  --allow LIST         accept datagrams only from these exporters (IP, IP:PORT, CIDR)
  --recv-buffer BYTES  socket receive buffer (default 32 MiB; the kernel caps it at rmem_max)
  --max-exporters N    exporters with their own port at once (default 1024)
  --stats-interval S   print counters on stderr every S seconds (also on SIGUSR1 and at exit)

Counters per destination: sent, failed (e.g. ECONNREFUSED: nothing listens at that port, as the
kernel learns from the destination's ICMP reply), filtered (--from), sampledOut, lastError.
SIGINT/SIGTERM stop.
exit status: 0 stopped, 1 the socket failed, 2 usage error`;

/** `HOST:PORT[?from=…&sample=N]`. */
export function parseRelayDestination(spec: string): RelayDestination {
  const q = spec.indexOf('?');
  const where = q >= 0 ? spec.slice(0, q) : spec;
  const m = /^\[([^\]]+)\]:(\d+)$/.exec(where) ?? /^([^:[\]]+):(\d+)$/.exec(where);
  if (m === null || isIP(m[1]!) === 0 || Number(m[2]) < 1 || Number(m[2]) > 65535) throw new UsageError(`--to wants IP:PORT or [IPv6]:PORT, got '${where}'`);
  const d: RelayDestination = { host: m[1]!, port: Number(m[2]) };
  for (const pair of (q >= 0 ? spec.slice(q + 1) : '').split('&').filter(Boolean)) {
    const [k, v = ''] = pair.split('=', 2) as [string, string?];
    if (k === 'from') {
      const nets = v.split('+').filter(Boolean);
      for (const n of nets) {
        const [ip, bits] = n.split('/');
        const family = isIP(ip ?? '');
        if (family === 0 || (bits !== undefined && !(/^\d+$/.test(bits) && Number(bits) <= (family === 4 ? 32 : 128)))) throw new UsageError(`--to ${where}: from: '${n}' is not an IP or CIDR`);
      }
      (d as { from?: string[] }).from = nets;
    } else if (k === 'sample') (d as { sample?: number }).sample = int(v, `--to ${where}: sample`, 1, 1_000_000);
    else throw new UsageError(`--to ${where}: unknown parameter '${k}' (from, sample)`);
  }
  return d;
}

export async function relayCommand(argv: string[]): Promise<number> {
  const p = parse(argv, { listen: 'value', to: 'value', allow: 'value', 'recv-buffer': 'value', 'preserve-exporter': 'flag', 'max-exporters': 'value', 'stats-interval': 'value', help: 'flag' });
  if (p.opts.has('help')) {
    process.stdout.write(RELAY_HELP + '\n');
    return 0;
  }
  const to = p.opts.get('to');
  if (typeof to !== 'string') throw new UsageError('needs --to HOST:PORT[,HOST:PORT...]');
  const destinations = to.split(',').map((s) => parseRelayDestination(s.trim()));
  const interval = int(p.opts.get('stats-interval'), '--stats-interval', 0, 86_400);
  const maxExporters = int(p.opts.get('max-exporters'), '--max-exporters', 1, 65_536);
  const source = udpSourceFrom(p);
  const relay = new UdpRelay({
    destinations, preserveExporter: p.opts.has('preserve-exporter'), ...(maxExporters !== undefined ? { maxExporters } : {}),
    onExporterPort: (exporter, port) => process.stderr.write(`flowpipe: exporter ${exporter} relayed from port ${port}\n`),
  });
  const bound = await source.listen();
  process.stderr.write(`flowpipe: relaying ${bound.map((b) => `${b.address}:${b.port}`).join(', ')} to ${destinations.map((d) => `${d.host}:${d.port}`).join(', ')}\n`);
  const stats = (): void => { process.stderr.write(toJson({ receiver: source.stats, relay: relay.stats }) + '\n'); };
  const stop = (): void => source.close();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  process.on('SIGUSR1', stats);
  const timer = interval ? setInterval(stats, interval * 1000) : undefined;
  try {
    await pipeline(source, relay);
  } finally {
    if (timer) clearInterval(timer);
    process.off('SIGUSR1', stats);
  }
  stats();
  return 0;
}
