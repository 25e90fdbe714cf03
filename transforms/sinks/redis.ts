// redis://HOST:PORT/KEY?mode=list|stream|hash&maxlen=N&db=N&by=FIELD — flows into Redis with
// node-redis: `list` RPUSHes JSON objects (a queue its consumers BLPOP, as flow-inspector's does),
// `stream` XADDs them (`MAXLEN ~ N`, field `flow`), `hash` adds bytes, packets and flows per value
// of a chosen field with HINCRBY (netflow.io's counters: `KEY` field `VALUE:bytes`). Each batch is
// one pipelined round trip; a batch is acknowledged when Redis answered every command of it.
import { fieldOfLine } from '../../lib/sinks/lines.js';
import { checkParams, choiceParam, commonOptions, COMMON_PARAMS, numberParam, parseSinkUrl, SinkUrlError, type SinkUrl } from '../../lib/sinks/url.js';
import { BatchingSink, type SinkItem, type SinkOptions } from './batching-sink.js';
import { importClient } from './client-package.js';

type Mode = 'list' | 'stream' | 'hash';

/** What this sink uses of a node-redis client. */
interface RedisClient {
  connect(): Promise<unknown>;
  quit(): Promise<unknown>;
  destroy?(): void;
  isOpen: boolean;
  on(event: 'error', f: (err: Error) => void): unknown;
  multi(): RedisMulti;
}
interface RedisMulti {
  rPush(key: string, values: (string | Buffer)[]): RedisMulti;
  xAdd(key: string, id: string, fields: Record<string, string | Buffer>, options?: object): RedisMulti;
  hIncrBy(key: string, field: string, n: number): RedisMulti;
  execAsPipeline(): Promise<unknown[]>;
}

export class RedisSink extends BatchingSink {
  private client: RedisClient | null = null;
  private connecting: Promise<RedisClient> | null = null;
  private readonly key: string;
  private readonly mode: Mode;
  private readonly maxlen: number;
  private readonly by: string;

  constructor(readonly url: SinkUrl, options: SinkOptions = {}) {
    super(url.display, { batchRecords: 2000 }, { ...options, ...commonOptions(url) });
    checkParams(url, ['mode', 'maxlen', 'db', 'by', ...COMMON_PARAMS]);
    if (url.path === '') throw new SinkUrlError(`${url.display}: the path is the key: redis://HOST:PORT/KEY`);
    this.key = url.path;
    this.mode = choiceParam(url, 'mode', ['list', 'stream', 'hash'] as const, 'list');
    this.maxlen = numberParam(url, 'maxlen', 0, 0);
    this.by = url.params.get('by') ?? 'dstAddr';
    numberParam(url, 'db', 0, 0);
  }

  async connect(): Promise<void> {
    await this.open();
  }

  private open(): Promise<RedisClient> {
    if (this.client?.isOpen) return Promise.resolve(this.client);
    this.connecting ??= (async () => {
      const { createClient } = await importClient<{ createClient(o: object): RedisClient }>('redis', 'Redis');
      const h = this.url.hosts[0]!;
      const client = createClient({
        socket: { host: h.host, port: h.port, connectTimeout: 5000, reconnectStrategy: false },
        database: numberParam(this.url, 'db', 0, 0),
        ...(this.url.username ? { username: this.url.username } : {}),
        ...(this.url.password ? { password: this.url.password } : {}),
        disableOfflineQueue: true,
      });
      client.on('error', () => undefined); // failures reach the batch that meets them
      await client.connect();
      this.client = client;
      return client;
    })().finally(() => { this.connecting = null; });
    return this.connecting;
  }

  protected async sendBatch(items: readonly SinkItem[]): Promise<void> {
    let client: RedisClient;
    try {
      client = await this.open();
    } catch (err) {
      this.drop();
      throw err;
    }
    const m = client.multi();
    if (this.mode === 'list') m.rPush(this.key, items as (string | Buffer)[]);
    else if (this.mode === 'stream') {
      const options = this.maxlen > 0 ? { TRIM: { strategy: 'MAXLEN', strategyModifier: '~', threshold: this.maxlen } } : undefined;
      for (const t of items) m.xAdd(this.key, '*', { flow: t }, options);
    } else this.counters(m, items.map(String));
    try {
      await m.execAsPipeline();
    } catch (err) {
      this.drop();
      throw err;
    }
  }

  /** mode=hash: bytes, packets and flows summed per value of the `by` field, one HINCRBY each. */
  private counters(m: RedisMulti, texts: readonly string[]): void {
    const sums = new Map<string, [number, number, number]>();
    for (const t of texts) {
      const value = fieldOfLine(t, this.by) ?? 'unknown';
      const s = sums.get(value) ?? [0, 0, 0];
      s[0] += Number(fieldOfLine(t, 'bytes') ?? fieldOfLine(t, 'octetDeltaCount') ?? 0);
      s[1] += Number(fieldOfLine(t, 'packets') ?? fieldOfLine(t, 'packetDeltaCount') ?? 0);
      s[2] += 1;
      sums.set(value, s);
    }
    for (const [value, [bytes, packets, flows]] of sums) {
      m.hIncrBy(this.key, `${value}:bytes`, bytes);
      m.hIncrBy(this.key, `${value}:packets`, packets);
      m.hIncrBy(this.key, `${value}:flows`, flows);
    }
  }

  /** A failed connection is dropped; the next batch connects again. */
  private drop(): void {
    const c = this.client;
    this.client = null;
    if (c?.isOpen) c.destroy?.();
  }

  protected async disconnect(): Promise<void> {
    const c = this.client;
    this.client = null;
    if (c?.isOpen) await c.quit().catch(() => c.destroy?.());
  }
}

/**
 * A Redis sink. @example pipeline(source, decode({ enrich }), redisSink('redis://127.0.0.1:6379/flows?mode=list'))
 */
export function redisSink(url: string | SinkUrl, options?: SinkOptions): RedisSink {
  return new RedisSink(typeof url === 'string' ? parseSinkUrl(url) : url, options);
}
