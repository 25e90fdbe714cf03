// A sink from its URL (the CLI's --to, the pipeline runner's sinks): the server sinks' modules
// and client libraries are loaded only when their scheme is used.
import type { Writable } from 'node:stream';
import { parseSinkUrl, SinkUrlError, type SinkUrl } from '../../lib/sinks/url.js';
import type { BatchingSink, SinkOptions } from './batching-sink.js';
import { fileSink, type FileSinkOptions } from './file-sink.js';

export interface OpenSinkOptions extends SinkOptions {
  /** Table sinks: the record fields to store (--fields). */
  columns?: readonly string[];
  /** Table sinks: NDJSON input already has snake_case keys. */
  snakeInput?: boolean;
  /** File sinks: rotation and gzip. */
  file?: FileSinkOptions;
}

/** The server sinks (a BatchingSink each; the re-export sinks send UDP to a collector). */
export const SERVER_SCHEMES = ['kafka', 'redis', 'nats', 'clickhouse', 'postgres', 'ipfix', 'netflow9', 'netflow5'] as const;
/** Sinks that store rows in tables (normalized records, snake_case columns). */
export const TABLE_SCHEMES = ['clickhouse', 'postgres'] as const;

export function isServerSink(u: SinkUrl): boolean {
  return (SERVER_SCHEMES as readonly string[]).includes(u.scheme);
}

/** Opens the sink of a URL (a file path, `-` is stdout). */
export async function openSink(spec: string | SinkUrl, options: OpenSinkOptions = {}): Promise<Writable | BatchingSink> {
  const u = typeof spec === 'string' ? parseSinkUrl(spec) : spec;
  switch (u.scheme) {
    case 'stdout': return process.stdout;
    case 'file': return fileSink(u.path, options.file);
    case 'kafka': return new (await import('./kafka.js')).KafkaSink(u, options);
    case 'redis': return new (await import('./redis.js')).RedisSink(u, options);
    case 'nats': return new (await import('./nats.js')).NatsSink(u, options);
    case 'clickhouse': return new (await import('./clickhouse.js')).ClickHouseSink(u, options);
    case 'postgres': return new (await import('./postgres.js')).PostgresSink(u, options);
    case 'ipfix': case 'netflow9': case 'netflow5': return new (await import('./udp-export.js')).UdpExportSink(u, options);
    default: throw new SinkUrlError(`${u.display}: unknown sink`);
  }
}
