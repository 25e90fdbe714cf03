// Template state shared by the consumers of a Kafka group through Redis: every template a decoder
// learns is written to a hash (`HSET KEY exporter|protocol|domain|id JSON`, withdrawn and expired
// ones deleted), and a consumer that is given partitions loads the hash first, so the data of an
// exporter whose templates another consumer saw still decodes. (A compacted Kafka topic would do
// too, but librdkafka's mock cluster, which the tests use, cannot create one.)
import type { FlowDecoder, SavedTemplate } from '../../lib/decoder.js';
import type { TemplateEvent } from '../../lib/types.js';
import { parseSinkUrl, SinkUrlError, type SinkUrl } from '../../lib/sinks/url.js';
import { importClient } from '../sinks/client-package.js';

interface Client {
  connect(): Promise<unknown>;
  quit(): Promise<unknown>;
  hSet(key: string, field: string, value: string): Promise<unknown>;
  hDel(key: string, field: string): Promise<unknown>;
  hGetAll(key: string): Promise<Record<string, string>>;
  on(e: 'error', f: (err: Error) => void): unknown;
}

export class SharedTemplates {
  private client: Client | null = null;
  /** Writes not yet acknowledged (awaited before a checkpoint). */
  private pending = new Set<Promise<unknown>>();
  loaded = 0;
  saved = 0;
  lastError: string | null = null;

  constructor(readonly url: SinkUrl) {
    if (url.scheme !== 'redis' || url.path === '') throw new SinkUrlError(`${url.display}: the template store is redis://HOST:PORT/KEY`);
  }

  async connect(): Promise<void> {
    const { createClient } = await importClient<{ createClient(o: object): Client }>('redis', 'template store');
    const h = this.url.hosts[0]!;
    const c = createClient({ socket: { host: h.host, port: h.port, connectTimeout: 5000 }, ...(this.url.password ? { password: this.url.password } : {}) });
    c.on('error', (err) => { this.lastError = err.message; });
    await c.connect();
    this.client = c;
  }

  /** Loads every shared template into the decoder. */
  async load(decoder: FlowDecoder): Promise<number> {
    const all = await this.client!.hGetAll(this.url.path);
    const saved = Object.values(all).map((v) => JSON.parse(v) as SavedTemplate);
    this.loaded += decoder.importTemplates(saved);
    return saved.length;
  }

  /** Records a template event of the decoder. */
  observe(e: TemplateEvent): void {
    const field = `${e.exporter}|${e.protocol}|${e.domain}|${e.templateId}`;
    const c = this.client;
    if (c === null) return;
    let p: Promise<unknown>;
    if (e.type === 'template-learned' && e.fields !== undefined) {
      const t: SavedTemplate = { exporter: e.exporter, protocol: e.protocol, domain: e.domain, templateId: e.templateId, options: e.options, fields: e.fields.map((f) => ({ id: f.id, pen: f.pen, length: f.length, scope: f.scope })) };
      p = c.hSet(this.url.path, field, JSON.stringify(t));
      this.saved++;
    } else p = c.hDel(this.url.path, field);
    const tracked = p.catch((err: Error) => { this.lastError = err.message; }).finally(() => this.pending.delete(tracked));
    this.pending.add(tracked);
  }

  /** Every write so far acknowledged. */
  async flushed(): Promise<void> {
    await Promise.all([...this.pending]);
  }

  async close(): Promise<void> {
    await this.flushed();
    await this.client?.quit().catch(() => undefined);
    this.client = null;
  }
}

export function sharedTemplates(url: string): SharedTemplates {
  return new SharedTemplates(parseSinkUrl(url));
}
