// flowpipe top [--listen PORT... | FILE...]: a live view like top/iftop, refreshed every second:
// rates (flows/s, bits/s, packets/s, datagrams/s, drops), top talkers by a key, exporters' health
// (template misses, sequence loss). On a terminal: k switches the key, m the measure, q quits.
// Not on a terminal: plain text, one view a second (listening) or one at the end (files).
import { pipeline } from 'node:stream/promises';
import { Writable, type Readable } from 'node:stream';
import { FlowDecoder } from '../../lib/decoder.js';
import { LiveView } from '../../lib/analysis/live.js';
import type { Measure } from '../../lib/analysis/top-n.js';
import { DecodeStream } from '../../transforms/core/decode.js';
import { udpSourceFrom } from './listen-options.js';
import { parse, UsageError } from './args.js';
import { enrichConfig, ENRICH_OPTIONS, loadEnrichment } from './enrich-options.js';
import { fileRecords } from './file-records.js';
import { tableCell } from '../../lib/ndjson/cells.js';

export const TOP_HELP = `usage: flowpipe top [--listen PORT[,PORT...]] [FILE...] [options]

A live view of flows: rates over the last 10 seconds, the top talkers by a key, and each
exporter's template misses and sequence loss, refreshed every second. On a terminal, keys:
k next key (dstAddr, srcAddr, dstPort, proto, exporter, srcAs, dstAs), m next measure (bytes,
packets, flows), q quit. Not on a terminal, plain text (files: once, at the end).

  --listen LIST       receive on UDP (as collect --listen)
  --key F             first key (default dstAddr)
  --by M              first measure: bytes (default), packets, flows
  --top N             rows (default 15)
  --seconds S         with --listen: stop after S seconds`;

const KEYS = ['dstAddr', 'srcAddr', 'dstPort', 'proto', 'exporter', 'srcAs', 'dstAs'];
const MEASURES: Measure[] = ['bytes', 'packets', 'flows'];

/** 1234567 -> "1.23 M". */
function si(v: number): string {
  const a = Math.abs(v);
  return a >= 1e9 ? `${(v / 1e9).toFixed(2)} G` : a >= 1e6 ? `${(v / 1e6).toFixed(2)} M` : a >= 1e3 ? `${(v / 1e3).toFixed(1)} k` : `${Math.round(v)}`;
}

/** Exporter-controlled text on the operator's terminal: control characters shown escaped. */

export async function topCommand(argv: string[]): Promise<number> {
  const p = parse(argv, { ...ENRICH_OPTIONS, listen: 'value', key: 'value', by: 'value', top: 'value', seconds: 'value', help: 'flag' });
  if (p.opts.has('help')) {
    process.stdout.write(TOP_HELP + '\n');
    return 0;
  }
  let key = KEYS.indexOf(String(p.opts.get('key') ?? 'dstAddr'));
  if (key < 0) throw new UsageError(`--key must be one of ${KEYS.join(', ')}`);
  let measure = MEASURES.indexOf(String(p.opts.get('by') ?? 'bytes') as Measure);
  if (measure < 0) throw new UsageError('--by must be bytes, packets or flows');
  const rows = Number(p.opts.get('top') ?? 15);
  if (!(rows >= 1)) throw new UsageError('--top wants a number >= 1');
  const listen = p.opts.get('listen');
  const live = typeof listen === 'string';
  if (!live && p.positional.length === 0) throw new UsageError('top needs --listen PORT or FILE...');
  const view = new LiveView(KEYS, live ? 10 : 1_000_000);
  const tty = process.stdout.isTTY === true;
  let lastDatagrams = 0, drops = 0;
  let decoder: FlowDecoder;
  let chain: (NodeJS.ReadableStream | NodeJS.WritableStream | NodeJS.ReadWriteStream)[];
  let stop = (): void => undefined;
  let clock = (): number => Date.now();
  if (live) {
    const config = { ...enrichConfig(p), normalize: true, flowsOnly: true };
    const enrich = await loadEnrichment(config, false);
    decoder = new FlowDecoder({ templateScope: config.templateScope });
    const source = udpSourceFrom(p);
    const bound = await source.listen();
    process.stderr.write(`flowpipe: listening on ${bound.map((b) => `${b.address}:${b.port}`).join(', ')}\n`);
    const dec = new DecodeStream({ decoder, ...(enrich !== null ? { enrich } : {}) });
    chain = [source, dec];
    stop = (): void => source.close();
    setInterval(() => { drops = source.stats.dropped + (source.kernelStats()?.drops ?? 0); }, 1000).unref();
    const seconds = Number(p.opts.get('seconds') ?? 0);
    if (seconds > 0) setTimeout(stop, seconds * 1000).unref();
  } else {
    const src = await fileRecords(p, p.positional);
    decoder = src.decoder;
    chain = [src.datagrams, src.decode];
    clock = () => 0; // files: one bucket, the whole input
  }
  const render = (): string => {
    const now = clock();
    const r = view.rates(now);
    const dg = decoder.stats.datagrams;
    const lines = [
      `flowpipe top — ${live ? `last ${r.seconds} s` : 'whole input'}   key: ${KEYS[key]} (k)   by: ${MEASURES[measure]} (m)   q: quit`,
      live ? `flows/s ${si(r.flows)}   bits/s ${si(r.bytes * 8)}   packets/s ${si(r.packets)}   datagrams/s ${si(dg - lastDatagrams)}   drops ${drops}`
        : `flows ${si(Object.entries(decoder.stats.records).filter(([k]) => k.endsWith('/flow')).reduce((a, [, v]) => a + v, 0))}   datagrams ${dg}`,
      '',
      `${KEYS[key]!.padEnd(40)} ${'bytes'.padStart(10)} ${'packets'.padStart(10)} ${'flows'.padStart(8)}`,
      ...view.top(KEYS[key]!, MEASURES[measure]!, rows).map((t) => `${tableCell(t.key).slice(0, 40).padEnd(40)} ${si(t.bytes).padStart(10)} ${si(t.packets).padStart(10)} ${si(t.flows).padStart(8)}`),
      '',
      'exporter                                 template misses  sequence lost',
      ...health(decoder).slice(0, 10).map(([e, m, l]) => `${tableCell(e).slice(0, 40).padEnd(40)} ${String(m).padStart(15)}  ${String(l).padStart(13)}`),
    ];
    lastDatagrams = dg;
    return lines.join('\n') + '\n';
  };
  const sink = new Writable({ objectMode: true, highWaterMark: 1024, write: (r: Record<string, unknown>, _e, done) => { view.add(r, clock()); done(); } });
  let timer: NodeJS.Timeout | null = null;
  if (live) {
    timer = setInterval(() => process.stdout.write(tty ? `\x1b[H\x1b[2J${render()}` : `${render()}\n`), 1000);
    if (tty && process.stdin.isTTY) {
      process.stdin.setRawMode(true);
      process.stdin.resume();
      process.stdin.on('data', (b: Buffer) => {
        const c = b.toString();
        if (c === 'q' || c === '\u0003') stop();
        else if (c === 'k') key = (key + 1) % KEYS.length;
        else if (c === 'm') measure = (measure + 1) % MEASURES.length;
        else return;
        process.stdout.write(`\x1b[H\x1b[2J${render()}`);
      });
    }
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  }
  await pipeline([...chain, sink]);
  if (timer !== null) clearInterval(timer);
  if (tty && process.stdin.isTTY) { process.stdin.setRawMode(false); process.stdin.pause(); }
  if (!live || !tty) process.stdout.write(render());
  return 0;
}

/** Exporters with their template misses and sequence loss, worst first. */
function health(d: FlowDecoder): [string, number, number][] {
  const m = new Map<string, [number, number]>();
  for (const [k, v] of Object.entries(d.stats.templateMisses)) {
    const e = k.split(' ')[0]!;
    const x = m.get(e) ?? [0, 0];
    x[0] += v;
    m.set(e, x);
  }
  for (const s of d.sequenceStats()) {
    if (s.source !== undefined) continue;
    const x = m.get(s.exporter) ?? [0, 0];
    x[1] += s.lost;
    m.set(s.exporter, x);
  }
  return [...m.entries()].map(([e, [a, b]]) => [e, a, b] as [string, number, number]).sort((x, y) => y[1] + y[2] - (x[1] + x[2]));
}

export type { Readable };
