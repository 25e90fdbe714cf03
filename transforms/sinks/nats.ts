// nats://HOST:PORT/SUBJECT?stream=NAME — flows published into a JetStream stream (created if
// missing, file storage, for the subject with `{exporter}` as a wildcard). The subject may hold
// `{exporter}`: the record's exporter with dots as underscores (`flows.192_0_2_1:2055`), since
// dots separate subject tokens. A batch is published on one connection, its last message with a
// JetStream acknowledgement: the server handles a connection's messages in order, so that ack
// comes after the stream took the whole batch. Every message carries a Nats-Msg-Id, so a batch
// sent again after a failure is not stored twice (within the stream's duplicate window, 2 min).
import { randomBytes } from 'node:crypto';
import { fieldOfBytes, fieldOfLine } from '../../lib/sinks/lines.js';
import { checkParams, commonOptions, COMMON_PARAMS, parseSinkUrl, SinkUrlError, type SinkUrl } from '../../lib/sinks/url.js';
import { BatchingSink, type SinkItem, type SinkOptions } from './batching-sink.js';
import { importClient } from './client-package.js';

interface NatsConnection {
  publish(subject: string, data: string | Uint8Array, options?: { headers?: NatsHeaders }): void;
  flush(): Promise<void>;
  close(): Promise<void>;
  isClosed(): boolean;
}
interface NatsHeaders { set(k: string, v: string): void }
interface JetStream { publish(subject: string, data: string | Uint8Array, options?: { msgID?: string; timeout?: number }): Promise<{ seq: number }> }
interface StreamsApi {
  info(name: string): Promise<unknown>;
  add(config: { name: string; subjects: string[]; storage?: string; duplicate_window?: number }): Promise<unknown>;
}
interface NatsModules {
  transport: { connect(o: object): Promise<NatsConnection>; headers(): NatsHeaders };
  jetstream: { jetstream(nc: NatsConnection): JetStream; jetstreamManager(nc: NatsConnection): Promise<{ streams: StreamsApi }> };
}

/** Subject text of an exporter: dots separate NATS subject tokens. */
const subjectToken = (exporter: string): string => exporter.replace(/\./g, '_');

export class NatsSink extends BatchingSink {
  private nc: NatsConnection | null = null;
  private js: JetStream | null = null;
  private opening: Promise<void> | null = null;
  private mods: NatsModules | null = null;
  private readonly subject: string;
  private readonly stream: string;
  /** Message ids: a per-sink prefix, the batch number and the position in the batch. */
  private readonly idPrefix = randomBytes(6).toString('hex');

  constructor(readonly url: SinkUrl, options: SinkOptions = {}) {
    super(url.display, { batchRecords: 1000 }, { ...options, ...commonOptions(url) });
    checkParams(url, ['stream', ...COMMON_PARAMS]);
    if (url.path === '' || /[\s*>]/.test(url.path.replace('{exporter}', ''))) throw new SinkUrlError(`${url.display}: the path is the subject (no spaces or wildcards; {exporter} allowed)`);
    this.subject = url.path;
    this.stream = url.params.get('stream') ?? 'FLOWS';
    if (!/^[A-Za-z0-9_-]+$/.test(this.stream)) throw new SinkUrlError(`${url.display}: stream names are letters, digits, - and _`);
  }

  async connect(): Promise<void> {
    await this.open();
  }

  private async open(): Promise<void> {
    if (this.nc !== null && !this.nc.isClosed()) return;
    this.opening ??= (async () => {
      this.mods ??= {
        transport: await importClient<NatsModules['transport']>('@nats-io/transport-node', 'NATS'),
        jetstream: await importClient<NatsModules['jetstream']>('@nats-io/jetstream', 'NATS'),
      };
      const nc = await this.mods.transport.connect({
        servers: this.url.hosts.map((h) => `${h.host}:${h.port}`), timeout: 5000, reconnect: false,
        ...(this.url.username ? { user: this.url.username } : {}), ...(this.url.password ? { pass: this.url.password } : {}),
      });
      const jsm = await this.mods.jetstream.jetstreamManager(nc);
      try {
        await jsm.streams.info(this.stream);
      } catch {
        await jsm.streams.add({ name: this.stream, subjects: [this.subject.replace('{exporter}', '*')], storage: 'file' });
      }
      this.nc = nc;
      this.js = this.mods.jetstream.jetstream(nc);
    })().finally(() => { this.opening = null; });
    return this.opening;
  }

  private subjectOf(item: SinkItem): string {
    if (!this.subject.includes('{exporter}')) return this.subject;
    const exporter = Buffer.isBuffer(item) ? fieldOfBytes(item, 'exporter') : fieldOfLine(item, 'exporter');
    return this.subject.replace('{exporter}', subjectToken(exporter ?? 'unknown'));
  }

  protected async sendBatch(items: readonly SinkItem[], seq: number): Promise<void> {
    try {
      await this.open();
      const nc = this.nc!, headers = this.mods!.transport.headers;
      const id = `${this.idPrefix}-${seq}-`;
      for (let i = 0; i < items.length - 1; i++) {
        const item = items[i]!;
        const h = headers();
        h.set('Nats-Msg-Id', id + i);
        nc.publish(this.subjectOf(item), item, { headers: h });
      }
      const last = items[items.length - 1]!;
      await this.js!.publish(this.subjectOf(last), last, { msgID: id + (items.length - 1), timeout: 10_000 });
    } catch (err) {
      const nc = this.nc;
      this.nc = null;
      this.js = null;
      if (nc !== null && !nc.isClosed()) await nc.close().catch(() => undefined);
      throw err;
    }
  }

  protected async disconnect(): Promise<void> {
    const nc = this.nc;
    this.nc = null;
    if (nc !== null && !nc.isClosed()) await nc.close().catch(() => undefined);
  }
}

/** A NATS JetStream sink. @example pipeline(source, decode({ enrich }), natsSink('nats://127.0.0.1:4222/flows.{exporter}?stream=FLOWS')) */
export function natsSink(url: string | SinkUrl, options?: SinkOptions): NatsSink {
  return new NatsSink(typeof url === 'string' ? parseSinkUrl(url) : url, options);
}
