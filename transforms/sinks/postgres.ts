// postgres://USER[:PASS]@HOST:PORT/DB?table=flows — batches of flows with `COPY … FROM STDIN`
// (pg + pg-copy-streams, CSV): one COPY per batch on a pooled connection, acknowledged when the
// COPY completed (committed). The table is created if missing from the normalized flow shape (or
// `columns`, for --fields): snake_case columns, inet addresses, timestamptz times, bigint counters.
// The password comes from the URL, FLOWPIPE_POSTGRES_PASSWORD or PGPASSWORD.
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { columnsFor, postgresType, quoteIdent, type Column } from '../../lib/sinks/schema.js';
import { checkParams, commonOptions, COMMON_PARAMS, parseSinkUrl, SinkUrlError, type SinkUrl } from '../../lib/sinks/url.js';
import { BatchingSink, RejectedBatch, type SinkItem, type SinkOptions } from './batching-sink.js';
import { importClient } from './client-package.js';

export interface PostgresSinkOptions extends SinkOptions {
  /** Record fields to store (--fields); default the normalized shape with every enriched field. */
  columns?: readonly string[];
  /** NDJSON bytes that come in have snake_case keys (decode({ select: { keyCase: 'snake' } })). */
  snakeInput?: boolean;
}

interface PgClient { query(sql: string): Promise<unknown>; query(stream: NodeJS.WritableStream): NodeJS.WritableStream; release(err?: Error | boolean): void; on(e: 'error', f: (err: Error) => void): void }
interface PgPool { connect(): Promise<PgClient>; end(): Promise<void>; on(e: 'error', f: (err: Error) => void): void }

/** Epoch ms (with a sub-ms fraction) as ISO 8601 text to the microsecond, timestamptz's precision. */
function isoMicro(ms: number): string {
  const us = Math.round(ms * 1000);
  const whole = Math.floor(us / 1000);
  return new Date(whole).toISOString().slice(0, -1) + String(us - whole * 1000).padStart(3, '0') + 'Z';
}

/** A CSV field: NULL when absent (unquoted empty), text quoted when it needs to be. */
function csvValue(v: unknown, c: Column): string {
  if (v === undefined || v === null) return '';
  switch (c.kind) {
    case 'time': return typeof v === 'number' ? isoMicro(v) : '';
    case 'labels': return Array.isArray(v) ? `{${v.join(',')}}` : '';
    case 'u8': case 'u16': case 'u32': case 'u64': case 'float':
      return typeof v === 'number' || typeof v === 'bigint' ? String(v) : '';
    default: {
      // PostgreSQL text cannot hold NUL: it is left out (exporters pad strings with it).
      const raw = typeof v === 'string' ? v : JSON.stringify(v);
      const s = raw.includes('\u0000') ? raw.replace(/\u0000/g, '') : raw;
      return s === '' || /[",\n\r]/.test(s) || s !== s.trim() ? `"${s.replace(/"/g, '""')}"` : s;
    }
  }
}

export class PostgresSink extends BatchingSink {
  private pool: PgPool | null = null;
  private copyFrom: ((sql: string) => NodeJS.WritableStream) | null = null;
  private ready: Promise<void> | null = null;
  private readonly table: string;
  private readonly columns: Column[];
  private readonly parts: string[];
  private readonly snakeInput: boolean;
  private readonly watched = new WeakSet<PgClient>();

  constructor(readonly url: SinkUrl, options: PostgresSinkOptions = {}) {
    super(url.display, { batchRecords: 10_000 }, { ...options, ...commonOptions(url) });
    checkParams(url, ['table', ...COMMON_PARAMS]);
    if (url.path === '') throw new SinkUrlError(`${url.display}: the path is the database: postgres://USER@HOST:PORT/DB?table=flows`);
    this.table = url.params.get('table') ?? 'flows';
    quoteIdent(this.table, false);
    this.columns = columnsFor(options.columns);
    this.parts = new Array<string>(this.columns.length).fill('');
    this.snakeInput = options.snakeInput === true;
  }

  async connect(): Promise<void> {
    this.ready ??= (async () => {
      const pg = await importClient<{ default: { Pool: new (o: object) => PgPool } }>('pg', 'PostgreSQL');
      const copy = await importClient<{ from: (sql: string) => NodeJS.WritableStream }>('pg-copy-streams', 'PostgreSQL');
      const h = this.url.hosts[0]!;
      const pool = new pg.default.Pool({
        host: h.host, port: h.port, database: this.url.path, user: this.url.username ?? process.env['PGUSER'] ?? 'postgres',
        ...(this.url.password !== undefined ? { password: this.url.password } : {}),
        max: this.options.maxInFlight, connectionTimeoutMillis: 5000,
      });
      pool.on('error', () => undefined); // an idle connection that broke: the next batch meets it
      const client = await pool.connect();
      try {
        const cols = this.columns.map((c) => `${quoteIdent(c.name, false)} ${postgresType(c.kind)}`);
        await client.query(`CREATE TABLE IF NOT EXISTS ${quoteIdent(this.table, false)} (${cols.join(', ')})`);
      } finally {
        client.release();
      }
      this.pool = pool;
      this.copyFrom = copy.from;
    })().catch((err: Error) => {
      this.ready = null;
      throw err;
    });
    return this.ready;
  }

  /**
   * A record as one CSV row in column order: what this sink ships. Built with join, not +=, so
   * a row is one flat string: rows wait in batches, and a tree of ~50 concatenated pieces per
   * row kept the garbage collector busy half the time.
   */
  protected override serialize(r: Record<string, unknown>): SinkItem {
    return this.row(r, false);
  }

  /** A JSON line (from NDJSON bytes) parsed once into its CSV row. */
  protected override fromLine(line: Buffer): SinkItem {
    return this.row(JSON.parse(line.toString()) as Record<string, unknown>, this.snakeInput);
  }

  private row(r: Record<string, unknown>, snake: boolean): string {
    const cols = this.columns;
    const parts = this.parts;
    for (let i = 0; i < cols.length; i++) parts[i] = csvValue(r[snake ? cols[i]!.name : cols[i]!.field], cols[i]!);
    return parts.join(',') + '\n';
  }

  protected async sendBatch(items: readonly SinkItem[]): Promise<void> {
    await this.connect();
    const client = await this.pool!.connect();
    if (!this.watched.has(client)) {
      this.watched.add(client);
      client.on('error', () => undefined); // a connection that breaks mid-COPY fails its batch below
    }
    try {
      const sql = `COPY ${quoteIdent(this.table, false)} (${this.columns.map((c) => quoteIdent(c.name, false)).join(', ')}) FROM STDIN WITH (FORMAT csv)`;
      const stream = client.query(this.copyFrom!(sql));
      await pipeline(Readable.from([Buffer.from(items.join(''))]), stream);
      client.release();
    } catch (err) {
      client.release(err as Error); // a broken connection is not reused
      // SQLSTATE classes 22 (data exception), 23 (constraint), 42 (a column the table lacks): the data, not the server.
      const state = (err as { code?: unknown }).code;
      if (typeof state === 'string' && /^(22|23|42)/.test(state)) throw new RejectedBatch(`PostgreSQL ${state}: ${(err as Error).message}`);
      throw err;
    }
  }

  protected async disconnect(): Promise<void> {
    const p = this.pool;
    this.pool = null;
    this.ready = null;
    if (p !== null) await p.end().catch(() => undefined);
  }
}

/** A PostgreSQL sink. @example pipeline(source, decode({ enrich }), postgresSink('postgres://flowpipe@127.0.0.1:5432/flows?table=flows')) */
export function postgresSink(url: string | SinkUrl, options?: PostgresSinkOptions): PostgresSink {
  return new PostgresSink(typeof url === 'string' ? parseSinkUrl(url) : url, options);
}
