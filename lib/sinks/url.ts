// Sink URLs: `kafka://h1:9092,h2:9092/topic?key=exporter`, `redis://host:6379/key?mode=list`,
// `nats://host:4222/subject?stream=NAME`, `clickhouse://host:8123/db.table`,
// `postgres://user@host:5432/db?table=flows`, a file path, or `-` (stdout). Parsed here (WHATWG
// URL rejects a comma-separated host list); credentials come from the URL or the environment
// and never appear in `display`.

export type SinkScheme = 'kafka' | 'redis' | 'nats' | 'clickhouse' | 'postgres' | 'file' | 'stdout' | 'ipfix' | 'netflow9' | 'netflow5';

export interface HostPort {
  host: string;
  port: number;
}

export interface SinkUrl {
  scheme: SinkScheme;
  hosts: HostPort[];
  /** The path without its leading slash (topic, key, subject, db.table, db, file path). */
  path: string;
  params: Map<string, string>;
  username?: string;
  password?: string;
  /** The URL without the password, for messages and stats. */
  display: string;
}

export class SinkUrlError extends Error {}

const DEFAULT_PORTS: Partial<Record<SinkScheme, number>> = { kafka: 9092, redis: 6379, nats: 4222, clickhouse: 8123, postgres: 5432, ipfix: 4739, netflow9: 2055, netflow5: 2055 };
const ALIASES: Record<string, SinkScheme> = { postgresql: 'postgres', kafka: 'kafka', redis: 'redis', nats: 'nats', clickhouse: 'clickhouse', postgres: 'postgres', file: 'file', ipfix: 'ipfix', netflow9: 'netflow9', netflow5: 'netflow5' };

function hostPort(text: string, scheme: SinkScheme, whole: string): HostPort {
  const m = /^\[([^\]]+)\](?::(\d+))?$/.exec(text) ?? /^([^:[\]]+)(?::(\d+))?$/.exec(text);
  if (!m) throw new SinkUrlError(`${whole}: '${text}' is not HOST or HOST:PORT`);
  const port = m[2] === undefined ? DEFAULT_PORTS[scheme] : Number(m[2]);
  if (port === undefined || !(port > 0 && port <= 65535)) throw new SinkUrlError(`${whole}: '${text}' needs a port from 1 to 65535`);
  return { host: m[1]!, port };
}

/** Environment credentials: FLOWPIPE_<SCHEME>_USER / FLOWPIPE_<SCHEME>_PASSWORD. */
function fromEnv(scheme: SinkScheme, env: NodeJS.ProcessEnv): { username?: string; password?: string } {
  const p = `FLOWPIPE_${scheme.toUpperCase()}_`;
  const username = env[p + 'USER'];
  const password = env[p + 'PASSWORD'];
  return { ...(username ? { username } : {}), ...(password ? { password } : {}) };
}

/** Percent-decoding that names the URL part on a malformed escape (`%zz`), not a URIError. */
function unescape(part: string, what = `'${part}'`): string {
  try {
    return decodeURIComponent(part);
  } catch {
    throw new SinkUrlError(`malformed percent-escape in ${what}`);
  }
}

/** Parses a sink URL or path. Throws SinkUrlError with a message naming the URL (without password). */
export function parseSinkUrl(text: string, env: NodeJS.ProcessEnv = process.env): SinkUrl {
  if (text === '-') return { scheme: 'stdout', hosts: [], path: '-', params: new Map(), display: '-' };
  const m = /^([a-z][a-z0-9]*):\/\/(.*)$/i.exec(text);
  if (!m) return { scheme: 'file', hosts: [], path: text, params: new Map(), display: text };
  const scheme = ALIASES[m[1]!.toLowerCase()];
  if (scheme === undefined) throw new SinkUrlError(`unknown sink '${m[1]}://' (kafka, redis, nats, clickhouse, postgres, file, or a path)`);
  let rest = m[2]!;
  const q = rest.indexOf('?');
  const query = q >= 0 ? rest.slice(q + 1) : '';
  if (q >= 0) rest = rest.slice(0, q);
  const params = new Map<string, string>();
  for (const pair of query.split('&').filter(Boolean)) {
    const eq = pair.indexOf('=');
    const k = unescape(eq >= 0 ? pair.slice(0, eq) : pair);
    params.set(k, unescape(eq >= 0 ? pair.slice(eq + 1) : ''));
  }
  if (scheme === 'file') return { scheme, hosts: [], path: unescape(rest), params, display: `file://${rest}` };
  const slash = rest.indexOf('/');
  let authority = slash >= 0 ? rest.slice(0, slash) : rest;
  const path = unescape(slash >= 0 ? rest.slice(slash + 1) : '');
  let username: string | undefined, password: string | undefined;
  const at = authority.lastIndexOf('@');
  if (at >= 0) {
    const cred = authority.slice(0, at);
    authority = authority.slice(at + 1);
    const colon = cred.indexOf(':');
    username = unescape(colon >= 0 ? cred.slice(0, colon) : cred, 'the user name') || undefined;
    password = colon >= 0 ? unescape(cred.slice(colon + 1), 'the password') : undefined;
  }
  const env2 = fromEnv(scheme, env);
  username ??= env2.username;
  password ??= env2.password;
  const shown = `${scheme}://${username ? `${encodeURIComponent(username)}${password ? ':***' : ''}@` : ''}${authority}/${slash >= 0 ? rest.slice(slash + 1) : ''}${query ? `?${query}` : ''}`;
  if (authority === '') throw new SinkUrlError(`${shown}: no host`);
  const hosts = authority.split(',').map((h) => hostPort(h.trim(), scheme, shown));
  return { scheme, hosts, path, params, ...(username ? { username } : {}), ...(password ? { password } : {}), display: shown };
}

/** A numeric URL parameter (>= min), or the default. */
export function numberParam(u: SinkUrl, name: string, fallback: number, min = 0): number {
  const v = u.params.get(name);
  if (v === undefined) return fallback;
  const n = Number(v);
  if (v === '' || !Number.isFinite(n) || n < min) throw new SinkUrlError(`${u.display}: ${name} must be a number >= ${min}, got '${v}'`);
  return n;
}

/** A URL parameter from a closed list, or the default. */
export function choiceParam<T extends string>(u: SinkUrl, name: string, choices: readonly T[], fallback: T): T {
  const v = u.params.get(name);
  if (v === undefined) return fallback;
  if (!(choices as readonly string[]).includes(v)) throw new SinkUrlError(`${u.display}: ${name} must be ${choices.join(', ')}, got '${v}'`);
  return v as T;
}

/** Rejects parameters a sink does not know (a typo must not be ignored). */
export function checkParams(u: SinkUrl, known: readonly string[]): void {
  for (const k of u.params.keys()) {
    if (!known.includes(k)) throw new SinkUrlError(`${u.display}: unknown parameter '${k}' (${known.join(', ')})`);
  }
}

/** Parameters every server sink takes: records=all|flows, batch, linger (ms), buffer (records), inflight. */
export const COMMON_PARAMS = ['records', 'batch', 'linger', 'buffer', 'inflight'] as const;

/** The common parameters as sink options (only those given). */
export function commonOptions(u: SinkUrl): { records?: 'flows' | 'all'; batchRecords?: number; lingerMs?: number; bufferRecords?: number; maxInFlight?: number } {
  return {
    ...(u.params.has('records') ? { records: choiceParam(u, 'records', ['flows', 'all'] as const, 'flows') } : {}),
    ...(u.params.has('batch') ? { batchRecords: numberParam(u, 'batch', 1, 1) } : {}),
    ...(u.params.has('linger') ? { lingerMs: numberParam(u, 'linger', 0, 0) } : {}),
    ...(u.params.has('buffer') ? { bufferRecords: numberParam(u, 'buffer', 0, 1) } : {}),
    ...(u.params.has('inflight') ? { maxInFlight: numberParam(u, 'inflight', 1, 1) } : {}),
  };
}
