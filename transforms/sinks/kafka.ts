// kafka://HOST:PORT[,HOST:PORT]/TOPIC?key=exporter|FIELD&compression=lz4|zstd|gzip|snappy|none&format=json|raw&timeout=MS
// — one record per message (JSON, no newline), keyed so one exporter's flows stay in one partition,
// with @confluentinc/kafka-javascript (librdkafka; its native producer API). `format=raw` takes
// datagrams instead (collect) and writes each in the envelope of lib/sinks/envelope.ts, keyed by
// exporter: many receivers, decoding elsewhere (`decode --from kafka://…`). A batch is
// acknowledged when librdkafka delivered every message of it (its delivery reports); the
// producer is idempotent, so its own retries neither duplicate nor reorder.
import { encodeEnvelope, type EnvelopedDatagram } from '../../lib/sinks/envelope.js';
import { fieldOfBytes, fieldOfLine } from '../../lib/sinks/lines.js';
import { checkParams, choiceParam, commonOptions, COMMON_PARAMS, numberParam, parseSinkUrl, SinkUrlError, type SinkUrl } from '../../lib/sinks/url.js';
import { BatchingSink, type SinkItem, type SinkOptions } from './batching-sink.js';
import { importClient } from './client-package.js';

/** What this sink uses of librdkafka's producer (node binding). */
interface RdProducer {
  connect(o: object, cb: (err: Error | null) => void): void;
  disconnect(cb: () => void): void;
  produce(topic: string, partition: null, value: Buffer, key: Buffer | null, timestamp: number, opaque: unknown): void;
  setPollInterval(ms: number): void;
  poll(): void;
  on(e: 'delivery-report', f: (err: { message: string } | null, report: { opaque: unknown }) => void): void;
  on(e: 'event.error', f: (err: Error) => void): void;
  isConnected(): boolean;
}
interface RdKafka { Producer: new (global: object, topic: object) => RdProducer }

/** One batch's delivery: how many reports are still out, and how it ends. */
interface Pending { left: number; failed: string | null; resolve: () => void; reject: (e: Error) => void }

const QUEUE_FULL = /queue full/i;

export class KafkaSink extends BatchingSink {
  private producer: RdProducer | null = null;
  private opening: Promise<RdProducer> | null = null;
  private readonly topic: string;
  private readonly keyField: string;
  private readonly compression: string;
  readonly format: 'json' | 'raw';
  /** How long librdkafka keeps trying to deliver a message before its batch fails (and is retried by us). */
  private readonly deliveryTimeoutMs: number;

  constructor(readonly url: SinkUrl, options: SinkOptions = {}) {
    super(url.display, { batchRecords: 5000 }, { ...options, ...commonOptions(url) });
    checkParams(url, ['key', 'compression', 'format', 'timeout', ...COMMON_PARAMS]);
    if (!/^[A-Za-z0-9._-]{1,249}$/.test(url.path)) throw new SinkUrlError(`${url.display}: the path is the topic (letters, digits, '.', '_', '-')`);
    this.topic = url.path;
    this.keyField = url.params.get('key') ?? 'exporter';
    this.compression = choiceParam(url, 'compression', ['lz4', 'zstd', 'gzip', 'snappy', 'none'] as const, 'lz4');
    this.format = choiceParam(url, 'format', ['json', 'raw'] as const, 'json');
    this.deliveryTimeoutMs = numberParam(url, 'timeout', 30_000, 100);
  }

  async connect(): Promise<void> {
    await this.open();
  }

  private open(): Promise<RdProducer> {
    if (this.producer?.isConnected()) return Promise.resolve(this.producer);
    this.opening ??= (async () => {
      const kafka = await importClient<{ default: RdKafka } & RdKafka>('@confluentinc/kafka-javascript', 'Kafka');
      const Producer = (kafka.default ?? kafka).Producer;
      const p = new Producer({
        'metadata.broker.list': this.url.hosts.map((h) => `${h.host}:${h.port}`).join(','),
        'compression.codec': this.compression, 'enable.idempotence': true, 'linger.ms': 5,
        'batch.num.messages': 10_000, 'queue.buffering.max.messages': 500_000,
        'socket.connection.setup.timeout.ms': 5000, dr_cb: true,
        ...(this.url.username ? { 'security.protocol': 'sasl_plaintext', 'sasl.mechanisms': 'PLAIN', 'sasl.username': this.url.username, 'sasl.password': this.url.password ?? '' } : {}),
      }, { 'message.timeout.ms': this.deliveryTimeoutMs, 'request.timeout.ms': Math.min(30_000, this.deliveryTimeoutMs) }); // topic-level settings
      p.on('delivery-report', (err, report) => {
        const b = report.opaque as Pending;
        if (err !== null) b.failed ??= err.message;
        if (--b.left === 0) {
          if (b.failed === null) b.resolve();
          else b.reject(new Error(b.failed));
        }
      });
      p.on('event.error', () => undefined); // librdkafka reconnects; batches fail by their reports
      await new Promise<void>((resolve, reject) => p.connect({ timeout: 5000 }, (err) => (err ? reject(err) : resolve())));
      p.setPollInterval(10);
      this.producer = p;
      return p;
    })().finally(() => { this.opening = null; });
    return this.opening;
  }

  /** format=raw takes datagrams ({ data, exporter, receivedAt }); json takes records. */
  protected override accepts(r: Record<string, unknown>): boolean {
    return this.format === 'raw' ? Buffer.isBuffer(r['data']) : super.accepts(r);
  }

  protected override serialize(r: Record<string, unknown>): SinkItem {
    return this.format === 'raw' ? encodeEnvelope(r as unknown as EnvelopedDatagram) : super.serialize(r);
  }

  /** The message key: the exporter (the envelope's address and port), or a field of the record. */
  private keyOf(item: SinkItem): Buffer | null {
    if (this.format === 'raw' && Buffer.isBuffer(item)) {
      const alen = item[3] === 4 ? 4 : 16;
      return Buffer.concat([item.subarray(3, 6), item.subarray(14, 14 + alen)]); // family, port, address
    }
    const k = Buffer.isBuffer(item) ? fieldOfBytes(item, this.keyField) : fieldOfLine(item, this.keyField);
    return k === undefined ? null : Buffer.from(k);
  }

  protected async sendBatch(items: readonly SinkItem[]): Promise<void> {
    const p = await this.open();
    await new Promise<void>((resolve, reject) => {
      const batch: Pending = { left: items.length, failed: null, resolve, reject };
      const now = Date.now();
      let i = 0;
      const produceSome = (): void => {
        for (; i < items.length; i++) {
          const item = items[i]!;
          try {
            p.produce(this.topic, null, Buffer.isBuffer(item) ? item : Buffer.from(item), this.keyOf(item), now, batch);
          } catch (err) {
            if (QUEUE_FULL.test((err as Error).message)) { setTimeout(produceSome, 5); return; } // librdkafka's queue is full: wait for deliveries
            batch.failed ??= (err as Error).message;
            batch.left -= items.length - i;
            if (batch.left === 0) reject(new Error(batch.failed));
            return;
          }
        }
      };
      produceSome();
    });
  }

  protected async disconnect(): Promise<void> {
    const p = this.producer;
    this.producer = null;
    if (p === null) return;
    // Everything was acknowledged (or given up) before this: do not wait on librdkafka for long.
    await new Promise<void>((r) => {
      const t = setTimeout(r, 5000);
      p.disconnect(() => { clearTimeout(t); r(); });
    });
  }
}

/** A Kafka sink. @example pipeline(source, decode({ enrich }), kafkaSink('kafka://127.0.0.1:9092/flows')) */
export function kafkaSink(url: string | SinkUrl, options?: SinkOptions): KafkaSink {
  return new KafkaSink(typeof url === 'string' ? parseSinkUrl(url) : url, options);
}
