// clickhouse://[USER[:PASS]@]HOST:PORT/DB.TABLE — batched `INSERT … FORMAT JSONEachRow` over the
// HTTP interface (node:http with keep-alive; @clickhouse/client supports servers from 24.8 only
// and Debian ships 18.16). The table is created if missing from the normalized flow shape (or
// `columns`, for --fields) with snake_case columns; the server's version picks the types
// (LowCardinality from 22.3). A batch is acknowledged when ClickHouse answered 200 to its INSERT.
import { Agent, request } from 'node:http';
import { snakeLine } from '../../lib/sinks/lines.js';
import { clickhouseType, columnsFor, quoteIdent, type Column } from '../../lib/sinks/schema.js';
import { checkParams, commonOptions, COMMON_PARAMS, parseSinkUrl, SinkUrlError, type SinkUrl } from '../../lib/sinks/url.js';
import { BatchingSink, RejectedBatch, type SinkItem, type SinkOptions } from './batching-sink.js';

// ClickHouse exception codes worth a retry (timeouts, overload, too many parts, memory, network,
// read-only replica); any other answer to an INSERT is about the data and is not retried.
const TRANSIENT = new Set([159, 164, 202, 209, 210, 241, 242, 252, 425]);

export interface ClickHouseSinkOptions extends SinkOptions {
  /** Record fields to store (--fields); default the normalized shape with every enriched field. */
  columns?: readonly string[];
  /** NDJSON bytes that come in already have snake_case keys (decode({ select: { keyCase: 'snake' } })). */
  snakeInput?: boolean;
}

/** Items as one body of newline-terminated lines. */
export function joinLines(items: readonly SinkItem[]): Buffer {
  let n = 0;
  for (const it of items) n += (Buffer.isBuffer(it) ? it.length : Buffer.byteLength(it)) + 1;
  const out = Buffer.allocUnsafe(n);
  let p = 0;
  for (const it of items) {
    p += Buffer.isBuffer(it) ? it.copy(out, p) : out.write(it, p);
    out[p++] = 10;
  }
  return out;
}

/** `major.minor` of a version text as a comparable number (18.16 -> 18016). */
function versionNumber(v: string): number {
  const [major = 0, minor = 0] = v.split('.').map(Number);
  return major * 1000 + minor;
}

export class ClickHouseSink extends BatchingSink {
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 8 });
  private readonly db: string;
  private readonly table: string;
  private readonly columns: Column[];
  private ready: Promise<void> | null = null;
  private readonly snakeInput: boolean;
  /** The server version, once known. */
  version = '';

  constructor(readonly url: SinkUrl, options: ClickHouseSinkOptions = {}) {
    super(url.display, { batchRecords: 20_000 }, { ...options, ...commonOptions(url) });
    checkParams(url, [...COMMON_PARAMS]);
    const m = /^([A-Za-z_][A-Za-z0-9_]*)\.([A-Za-z_][A-Za-z0-9_]*)$/.exec(url.path);
    if (!m) throw new SinkUrlError(`${url.display}: the path is DB.TABLE`);
    this.db = m[1]!;
    this.table = m[2]!;
    this.columns = columnsFor(options.columns);
    this.snakeInput = options.snakeInput === true;
  }

  /** Runs a query over HTTP; resolves with the response body, rejects with ClickHouse's message. */
  private query(sql: string, body?: string | Buffer): Promise<string> {
    const h = this.url.hosts[0]!;
    const auth = this.url.username ? { Authorization: 'Basic ' + Buffer.from(`${this.url.username}:${this.url.password ?? ''}`).toString('base64') } : {};
    return new Promise((resolve, reject) => {
      const req = request({
        host: h.host, port: h.port, agent: this.agent, method: 'POST', timeout: 30_000,
        // A statement goes in the body; an INSERT puts its statement in the URL and its rows in the body.
        path: body === undefined ? '/' : '/?input_format_skip_unknown_fields=1&query=' + encodeURIComponent(sql),
        headers: { 'Content-Type': 'text/plain', ...auth },
      }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString();
          if (res.statusCode === 200) return resolve(text);
          const message = `ClickHouse ${res.statusCode}: ${text.trim().split('\n')[0]!.slice(0, 300)}`;
          const code = Number(/Code: (\d+)/.exec(text)?.[1] ?? NaN);
          const permanent = body !== undefined && res.statusCode !== 503 && !TRANSIENT.has(code);
          reject(permanent ? new RejectedBatch(message) : new Error(message));
        });
        res.on('error', reject);
      });
      req.on('timeout', () => req.destroy(new Error('ClickHouse did not answer in 30 s')));
      req.on('error', reject);
      req.end(body ?? sql);
    });
  }

  async connect(): Promise<void> {
    this.ready ??= (async () => {
      this.version = (await this.query('SELECT version()')).trim();
      const rich = versionNumber(this.version) >= 22003;
      const cols = this.columns.map((c) => `${quoteIdent(c.name, true)} ${clickhouseType(c.kind, rich)}`);
      const order = this.columns.some((c) => c.name === 'time_received') ? 'time_received' : 'tuple()';
      const partition = order === 'time_received' ? 'PARTITION BY toYYYYMMDD(toDateTime(toUInt32(time_received / 1000))) ' : '';
      await this.query(`CREATE DATABASE IF NOT EXISTS ${quoteIdent(this.db, true)}`);
      await this.query(`CREATE TABLE IF NOT EXISTS ${quoteIdent(this.db, true)}.${quoteIdent(this.table, true)} (${cols.join(', ')}) ENGINE = MergeTree() ${partition}ORDER BY ${order}`);
    })().catch((err: Error) => {
      this.ready = null;
      throw err;
    });
    return this.ready;
  }

  /** Records are written with snake_case keys by the compiled line writers. */
  protected override keyCase(): 'snake' {
    return 'snake';
  }

  protected override fromLine(line: Buffer): SinkItem {
    return this.snakeInput ? line : snakeLine(line.toString());
  }

  protected async sendBatch(items: readonly SinkItem[]): Promise<void> {
    await this.connect();
    await this.query(`INSERT INTO ${quoteIdent(this.db, true)}.${quoteIdent(this.table, true)} FORMAT JSONEachRow`, joinLines(items));
  }

  protected disconnect(): Promise<void> {
    this.agent.destroy();
    return Promise.resolve();
  }
}

/** A ClickHouse sink. @example pipeline(source, decode({ enrich }), clickhouseSink('clickhouse://127.0.0.1:8123/flows.raw')) */
export function clickhouseSink(url: string | SinkUrl, options?: ClickHouseSinkOptions): ClickHouseSink {
  return new ClickHouseSink(typeof url === 'string' ? parseSinkUrl(url) : url, options);
}
