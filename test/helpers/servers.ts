// Real servers for the sink tests, from Debian's packages, on free 127.0.0.1 ports, in
// temporary folders: started, killed and restarted on the same port and data, stopped at the end.
// A test skips when a server is not installed, unless FLOWPIPE_REQUIRE_SERVERS=1 (CI sets it,
// so a missing install step fails instead of hiding).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chownSync, mkdtempSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

const has = (cmd: string): boolean => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
const PG_BIN = '/usr/lib/postgresql/15/bin';

/** `skip` option for node:test: a reason when `cmd` is missing (never when servers are required). */
export function skipUnless(...cmds: string[]): string | false {
  const missing = cmds.filter((c) => !(c.startsWith('/') ? spawnSync('test', ['-x', c]).status === 0 : has(c)));
  if (missing.length === 0) return false;
  if (process.env['FLOWPIPE_REQUIRE_SERVERS'] === '1') throw new Error(`required server missing: ${missing.join(', ')}`);
  return `${missing.join(', ')} not installed`;
}

/** Waits until `ready()` resolves true (polling), or throws after `ms`. */
export async function waitUntil(ready: () => Promise<boolean> | boolean, ms = 20_000, what = 'server'): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      if (await ready()) return;
    } catch { /* not yet */ }
    if (Date.now() > deadline) throw new Error(`${what} did not become ready in ${ms} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const tcpOpen = (port: number): Promise<boolean> => new Promise((resolve) => {
  const s = connect(port, '127.0.0.1');
  s.once('connect', () => { s.destroy(); resolve(true); });
  s.once('error', () => resolve(false));
});

/** A server process that can be killed and started again on the same port and data. */
export class TestServer {
  child: ChildProcess | null = null;
  /** Overrides how kill() takes the server down (when the child is a wrapper such as su). */
  crash: (() => Promise<void>) | null = null;
  /** Overrides how stop() shuts the server down cleanly. */
  halt: (() => Promise<void>) | null = null;
  constructor(readonly name: string, readonly port: number, private readonly command: () => { cmd: string; args: string[]; ready?: () => Promise<boolean> }, readonly dir: string) {}

  async start(): Promise<void> {
    const { cmd, args, ready } = this.command();
    const log = join(this.dir, `${this.name}.log`);
    writeFileSync(log, '', { flag: 'a' });
    this.child = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    this.child.stderr!.on('data', (c: Buffer) => writeFileSync(log, c, { flag: 'a' }));
    await waitUntil(ready ?? (() => tcpOpen(this.port)), 30_000, this.name);
  }

  /** SIGKILL (or the server's own crash) and wait for the exit. */
  async kill(): Promise<void> {
    if (this.crash !== null) {
      await this.crash();
      const c = this.child;
      if (c !== null && c.exitCode === null) await new Promise<void>((r) => { c.once('exit', () => r()); c.kill('SIGKILL'); });
      c?.stderr?.destroy();
      this.child = null;
      return;
    }
    const c = this.child;
    if (c === null || c.exitCode !== null) return;
    await new Promise<void>((r) => { c.once('exit', () => r()); c.kill('SIGKILL'); });
    this.child = null;
  }

  async stop(): Promise<void> {
    const c = this.child;
    if (c === null) return;
    if (this.halt !== null) await this.halt();
    if (c.exitCode === null) await new Promise<void>((r) => { c.once('exit', () => r()); c.kill('SIGTERM'); setTimeout(() => c.kill('SIGKILL'), 5000).unref(); });
    c.stderr?.destroy(); // a grandchild may still hold the pipe: do not let it keep the test alive
    this.child = null;
  }
}

const tempDir = (name: string): string => mkdtempSync(join(tmpdir(), `flowpipe-${name}-`));

/** redis-server, append-only with fsync always: what it acknowledged survives a SIGKILL. */
export async function startRedis(): Promise<TestServer> {
  const port = await freePort();
  const dir = tempDir('redis');
  const s = new TestServer('redis', port, () => ({ cmd: 'redis-server', args: ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--appendonly', 'yes', '--appendfsync', 'always', '--save', ''] }), dir);
  await s.start();
  return s;
}

/** nats-server with JetStream (file storage in a temp folder). */
export async function startNats(): Promise<TestServer> {
  const port = await freePort();
  const dir = tempDir('nats');
  const s = new TestServer('nats', port, () => ({ cmd: 'nats-server', args: ['-js', '-a', '127.0.0.1', '-p', String(port), '-sd', dir] }), dir);
  await s.start();
  return s;
}

/** clickhouse-server (HTTP interface) with its data in a temp folder. */
export async function startClickHouse(): Promise<TestServer> {
  const port = await freePort();
  const tcp = await freePort();
  const dir = tempDir('clickhouse');
  const config = join(dir, 'config.xml');
  writeFileSync(config, `<?xml version="1.0"?>
<yandex>
  <logger><level>warning</level><log>${dir}/server.log</log><errorlog>${dir}/server.err.log</errorlog><size>10M</size><count>1</count></logger>
  <http_port>${port}</http_port><tcp_port>${tcp}</tcp_port><listen_host>127.0.0.1</listen_host>
  <path>${dir}/data/</path><tmp_path>${dir}/tmp/</tmp_path>
  <users_config>/etc/clickhouse-server/users.xml</users_config>
  <default_profile>default</default_profile><default_database>default</default_database>
  <mark_cache_size>1073741824</mark_cache_size><max_concurrent_queries>100</max_concurrent_queries>
</yandex>
`);
  const s = new TestServer('clickhouse', port, () => ({
    cmd: 'clickhouse-server', args: [`--config-file=${config}`],
    ready: async () => (await fetch(`http://127.0.0.1:${port}/?query=SELECT%201`)).ok,
  }), dir);
  await s.start();
  return s;
}

/** A ClickHouse query over HTTP (the answer as text). */
export async function clickhouseQuery(port: number, sql: string): Promise<string> {
  const r = await fetch(`http://127.0.0.1:${port}/`, { method: 'POST', body: sql });
  const text = await r.text();
  if (!r.ok) throw new Error(text);
  return text;
}

/** PostgreSQL 15 as the postgres user (it refuses root), trust authentication, a `flows` database. */
export async function startPostgres(): Promise<TestServer> {
  const port = await freePort();
  const dir = tempDir('postgres');
  const uid = Number(spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).stdout.trim());
  const gid = Number(spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).stdout.trim());
  chownSync(dir, uid, gid);
  const data = join(dir, 'data');
  const asPostgres = (args: string[]): { cmd: string; args: string[] } => (process.getuid?.() === 0 ? { cmd: 'su', args: ['postgres', '-s', '/bin/sh', '-c', args.map((a) => `'${a}'`).join(' ')] } : { cmd: args[0]!, args: args.slice(1) });
  const init = asPostgres([`${PG_BIN}/initdb`, '-D', data, '-A', 'trust', '-U', 'postgres']);
  const r = spawnSync(init.cmd, init.args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`initdb failed: ${r.stderr}`);
  const s = new TestServer('postgres', port, () => asPostgres([`${PG_BIN}/postgres`, '-D', data, '-p', String(port), '-k', dir, '-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=on']), dir);
  // The child is su: a crash is PostgreSQL's own immediate shutdown (no checkpoint; recovery on start).
  const pgctl = (mode: string) => async (): Promise<void> => {
    const c = asPostgres([`${PG_BIN}/pg_ctl`, '-D', data, '-m', mode, '-w', 'stop']);
    spawnSync(c.cmd, c.args);
    await waitUntil(async () => !(await tcpOpen(port)), 10_000, 'postgres stop');
  };
  s.crash = pgctl('immediate');
  s.halt = pgctl('fast');
  await s.start();
  const psql = spawnSync('psql', ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', '-c', 'CREATE DATABASE flows'], { encoding: 'utf8' });
  if (psql.status !== 0) throw new Error(`createdb failed: ${psql.stderr}`);
  return s;
}

/** psql -At on the flows database. */
export function psql(port: number, sql: string): string {
  const r = spawnSync('psql', ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', '-d', 'flows', '-At', '-c', sql], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  return r.stdout.trim();
}

/**
 * librdkafka's mock cluster (the real Kafka protocol) in kcat: `brokers` is its bootstrap list.
 * It lives as long as the kcat process; pause() / resume() stop it answering (SIGSTOP/SIGCONT).
 */
export async function startKafkaMock(brokers = 3): Promise<{ brokers: string; stop(): Promise<void>; pause(): void; resume(): void }> {
  const dir = tempDir('kafka');
  const err = join(dir, 'kcat.err');
  const child = spawn('kcat', ['-b', '127.0.0.1:1', '-X', `test.mock.num.brokers=${brokers}`, '-C', '-t', '_flowpipe_keepalive', '-q'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let text = '';
  child.stderr!.on('data', (c: Buffer) => { text += c.toString(); writeFileSync(err, c, { flag: 'a' }); });
  let list = '';
  await waitUntil(() => {
    const m = /replaced with ([0-9.:,]+)/.exec(text);
    if (m) list = m[1]!;
    return m !== null;
  }, 20_000, 'kafka mock cluster');
  return {
    brokers: list,
    pause: () => { child.kill('SIGSTOP'); },
    resume: () => { child.kill('SIGCONT'); },
    stop: () => new Promise<void>((r) => { if (child.exitCode !== null) return r(); child.once('exit', () => r()); child.kill('SIGCONT'); child.kill('SIGKILL'); }),
  };
}

/** kcat -C: every message of a topic (key and value), read until the end of every partition. */
export function kafkaMessages(brokers: string, topic: string): { key: string; value: string; partition: number }[] {
  const r = spawnSync('kcat', ['-b', brokers, '-C', '-t', topic, '-e', '-q', '-f', '%p\t%k\t%s\n'], { encoding: 'utf8', maxBuffer: 512 * 1024 * 1024, timeout: 60_000 });
  return r.stdout.split('\n').filter(Boolean).map((l) => {
    const [p, key, ...v] = l.split('\t');
    return { partition: Number(p), key: key!, value: v.join('\t') };
  });
}

