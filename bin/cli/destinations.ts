// --to URL (repeatable) on decode and collect: files, stdout and the server sinks, fanned out
// through tee; table sinks imply --normalize (unless --fields); the policy for a server outage;
// each sink's counters for --stats and SIGUSR1.
import type { Writable } from 'node:stream';
import { parseSinkUrl, SinkUrlError, type SinkUrl } from '../../lib/sinks/url.js';
import { BatchingSink, SinkError, type SinkErrorPolicy, type SinkStats } from '../../transforms/sinks/batching-sink.js';
import type { FileSinkOptions } from '../../transforms/sinks/file-sink.js';
import { isServerSink, openSink, TABLE_SCHEMES } from '../../transforms/sinks/open-sink.js';
import { tee } from '../../transforms/core/tee.js';
import { num, UsageError, type Parsed } from './args.js';

export const DESTINATION_OPTIONS = { to: 'list', 'on-sink-error': 'value', 'sink-timeout': 'value' } as const;

export const DESTINATION_HELP = `  --to URL            where records go (repeatable: several fan out): a file (.gz: gzip), - (stdout),
                      kafka://HOST:PORT[,HOST:PORT]/TOPIC?key=exporter&compression=lz4,
                      redis://HOST:PORT/KEY?mode=list|stream|hash, nats://HOST:PORT/SUBJECT?stream=NAME,
                      clickhouse://HOST:PORT/DB.TABLE, postgres://USER@HOST:PORT/DB?table=flows,
                      ipfix://HOST:PORT?domain=N&mtu=1400&template-refresh=60s (also netflow9://,
                      netflow5://: re-export over UDP)
                      (README "Sinks"; table sinks imply --normalize unless --fields is given)
  --on-sink-error P   block (wait for the server), buffer (hold up to ?buffer=N records, then drop
                      and count), or exit (stop with exit 1)
  --sink-timeout S    at the end, wait this long for servers to acknowledge (default 10)`;

export interface Destinations {
  /** Where the record stream goes (one destination or a tee). */
  writable: Writable;
  sinks: BatchingSink[];
  urls: SinkUrl[];
  /** Every destination is a table sink: NDJSON can be written with snake_case keys. */
  snake: boolean;
  /** A table sink wants the normalized shape (no --fields). */
  wantsNormalize: boolean;
  /** Every destination forwards raw datagrams (kafka://…?format=raw): nothing is decoded. */
  raw: boolean;
  /** Per-sink counters. */
  stats(): SinkStats[];
}

/** The URLs given with --to (none: stdout), checked. */
export function destinationUrls(p: Parsed): SinkUrl[] {
  const specs = p.lists.get('to') ?? [];
  try {
    return specs.map((s) => parseSinkUrl(s));
  } catch (err) {
    if (err instanceof SinkUrlError) throw new UsageError(`--to: ${err.message}`);
    throw err;
  }
}

/**
 * Opens every --to destination. `file` is the rotation of file destinations. `snakeOk`: the
 * records reach the sinks as the decode stage's own NDJSON, which can be written with
 * snake_case keys for table sinks (not when stages run between decoding and the output).
 */
export async function openDestinations(p: Parsed, defaultPolicy: SinkErrorPolicy, file: FileSinkOptions = {}, snakeOk = true): Promise<Destinations> {
  const urls = destinationUrls(p);
  const policy = String(p.opts.get('on-sink-error') ?? defaultPolicy);
  if (policy !== 'block' && policy !== 'buffer' && policy !== 'exit') throw new UsageError(`--on-sink-error must be block, buffer or exit, not '${policy}'`);
  const timeout = num(p.opts.get('sink-timeout'), '--sink-timeout');
  const fields = typeof p.opts.get('fields') === 'string' ? String(p.opts.get('fields')).split(',').map((s) => s.trim()).filter(Boolean) : undefined;
  const servers = urls.filter(isServerSink);
  const format = String(p.opts.get('format') ?? 'ndjson');
  if (servers.length > 0 && format !== 'ndjson') throw new UsageError(`--format ${format} is for files and stdout; server sinks take the records themselves`);
  const isTable = (u: SinkUrl): boolean => (TABLE_SCHEMES as readonly string[]).includes(u.scheme);
  const snake = snakeOk && urls.length > 0 && urls.every(isTable);
  const isRaw = (u: SinkUrl): boolean => u.scheme === 'kafka' && u.params.get('format') === 'raw';
  const raw = urls.some(isRaw);
  if (raw && !urls.every(isRaw)) throw new UsageError('--to kafka://…?format=raw forwards undecoded datagrams: every --to must then be raw');
  const sinks: BatchingSink[] = [];
  const writables: Writable[] = [];
  for (const u of urls) {
    let w: Writable;
    try {
      w = await openSink(u, {
        onError: policy, ...(timeout !== undefined ? { shutdownTimeoutMs: timeout * 1000 } : {}),
        ...(fields !== undefined ? { columns: fields } : {}), snakeInput: snake, file,
      });
    } catch (err) {
      if (err instanceof SinkUrlError) throw new UsageError(`--to: ${err.message}`);
      throw err;
    }
    if (w instanceof BatchingSink) sinks.push(w);
    writables.push(w);
  }
  if (writables.length === 0) writables.push(process.stdout);
  return {
    writable: writables.length === 1 ? writables[0]! : tee(...writables),
    sinks, urls, snake, raw,
    wantsNormalize: urls.some(isTable) && fields === undefined,
    stats: () => sinks.map((s) => ({ ...s.stats })),
  };
}

/** Connects every server sink once: a server that is not there is one line naming it (exit 1). */
export async function checkSinks(d: Destinations): Promise<void> {
  for (const s of d.sinks) {
    try {
      await s.check();
    } catch (err) {
      throw err instanceof SinkError ? err : new SinkError(`cannot use ${s.display}: ${(err as Error).message}`);
    }
  }
}

/** Records not delivered by the server sinks, as one line each (the end of a run). */
export function undeliveredLines(d: Destinations): string[] {
  return d.sinks.filter((s) => s.stats.undelivered > 0 || s.stats.dropped > 0 || s.stats.rejected > 0)
    .map((s) => `flowpipe: ${s.display}: ${s.stats.undelivered} records not delivered, ${s.stats.dropped} dropped, ${s.stats.rejected} refused by the server${s.stats.lastError ? ` (last error: ${s.stats.lastError})` : ''}`);
}
