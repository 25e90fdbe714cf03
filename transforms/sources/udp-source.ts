// udpSource(): receives export datagrams on one or more UDP ports (IPv4 and IPv6). UDP cannot
// be paused, so when downstream is slow datagrams wait in a bounded queue, and beyond it they
// are dropped and counted, never buffered without bound. An allowlist of exporters (IP,
// IP:port, CIDR) drops and counts everything else.
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { readFileSync } from 'node:fs';
import { BlockList, isIP, isIPv6 } from 'node:net';
import { Readable } from 'node:stream';
import { kernelUdpCounters, type KernelUdpCounters } from './proc-net-udp.js';
import type { Datagram } from '../core/datagram.js';

export interface UdpSourceOptions {
  /** `2055`, `':2055'`, `'127.0.0.1:2055'`, `'[::1]:4739'` (port 0 picks a free port). */
  listen: readonly (string | number)[];
  /** SO_RCVBUF in bytes (the kernel may cap it: see net.core.rmem_max). */
  recvBufferSize?: number;
  /** Exporters allowed: `192.0.2.1`, `192.0.2.1:2055`, `192.0.2.0/24`, `2001:db8::/32`, `[2001:db8::1]:2055`. */
  allow?: readonly string[];
  /** Datagrams held while downstream is slow (default 10,000). */
  maxQueue?: number;
}

export interface UdpSourceStats {
  received: number;
  /** Dropped because the queue was full (downstream too slow). */
  dropped: number;
  /** Dropped by the allowlist. */
  denied: number;
  queued: number;
}

/** An option udpSource() cannot use (bad address, port, CIDR, size): thrown before anything binds. */
export class UdpSourceOptionError extends Error {}

/** A port or address that cannot be bound (in use, not ours, no permission). */
export class ListenError extends Error {
  constructor(readonly entry: string, readonly code: string | undefined, message: string) {
    super(message);
  }
}

function checkPort(text: string, entry: string): number {
  const port = Number(text);
  if (!/^\d+$/.test(text) || port > 65535) throw new UdpSourceOptionError(`cannot listen on '${entry}': port must be 0..65535`);
  return port;
}

/** `2055`, `:2055`, `ADDR:2055`, `[V6]:2055` as an address (undefined: every address) and port. */
export function parseListenAddress(entry: string | number): { address: string | undefined; port: number } {
  if (typeof entry === 'number') return { address: undefined, port: checkPort(String(entry), String(entry)) };
  const m = /^(?:\[([^\]]+)\]|([^:]*)):([^:]*)$/.exec(entry) ?? /^()()(\d+)$/.exec(entry);
  if (!m) throw new UdpSourceOptionError(`cannot listen on '${entry}': use PORT, :PORT, ADDR:PORT or [V6]:PORT`);
  const address = m[1] ?? m[2];
  if (address !== undefined && address !== '' && isIP(address) === 0) throw new UdpSourceOptionError(`cannot listen on '${entry}': '${address}' is not an IP address`);
  return { address: address === '' ? undefined : address, port: checkPort(m[3]!, entry) };
}

function allowEntry(e: string, nets: BlockList, withPort: Set<string>): void {
  const bad = (why: string): UdpSourceOptionError => new UdpSourceOptionError(`allowlist entry '${e}': ${why}`);
  const cidr = /^(.+)\/(\d+)$/.exec(e);
  if (cidr) {
    const family = isIP(cidr[1]!);
    if (family === 0) throw bad(`'${cidr[1]}' is not an IP address`);
    const bits = Number(cidr[2]);
    if (bits > (family === 4 ? 32 : 128)) throw bad(`prefix length ${bits} is more than ${family === 4 ? 32 : 128}`);
    nets.addSubnet(cidr[1]!, bits, family === 4 ? 'ipv4' : 'ipv6');
    return;
  }
  const hostPort = /^\[([^\]]+)\]:(\d+)$/.exec(e) ?? /^([^:]+):(\d+)$/.exec(e);
  if (hostPort) {
    if (isIP(hostPort[1]!) === 0) throw bad(`'${hostPort[1]}' is not an IP address`);
    if (Number(hostPort[2]) > 65535) throw bad('port must be 0..65535');
    withPort.add(`${hostPort[1]}|${Number(hostPort[2])}`);
    return;
  }
  const family = isIP(e);
  if (family === 0) throw bad('not an IP, IP:PORT, [V6]:PORT or CIDR');
  nets.addAddress(e, family === 4 ? 'ipv4' : 'ipv6');
}

/** Compiles an allowlist into a predicate; throws UdpSourceOptionError naming a bad entry. */
export function allowlist(entries: readonly string[]): (address: string, port: number) => boolean {
  const nets = new BlockList();
  const withPort = new Set<string>();
  for (const e of entries) allowEntry(e.trim(), nets, withPort);
  return (address, port) => withPort.has(`${address}|${port}`) || nets.check(address, isIPv6(address) ? 'ipv6' : 'ipv4');
}

/** The largest SO_RCVBUF request accepted (the kernel caps it further at net.core.rmem_max). */
const MAX_RECV_BUFFER = 2 ** 31 - 1;

function checkOptions(o: UdpSourceOptions): void {
  if (o.listen.length === 0) throw new UdpSourceOptionError('nothing to listen on');
  for (const entry of o.listen) parseListenAddress(entry);
  const r = o.recvBufferSize;
  if (r !== undefined && !(Number.isInteger(r) && r >= 1 && r <= MAX_RECV_BUFFER)) throw new UdpSourceOptionError(`receive buffer ${r} must be an integer 1..${MAX_RECV_BUFFER} bytes`);
  const q = o.maxQueue;
  if (q !== undefined && !(Number.isInteger(q) && q >= 1)) throw new UdpSourceOptionError(`queue length ${q} must be a positive integer`);
}

export class UdpSource extends Readable {
  readonly stats: UdpSourceStats = { received: 0, dropped: 0, denied: 0, queued: 0 };
  private readonly sockets: Socket[] = [];
  private readonly queue: Datagram[] = [];
  private readonly maxQueue: number;
  private flowing = true;
  private readonly allowed: ((address: string, port: number) => boolean) | null;

  constructor(private readonly options: UdpSourceOptions) {
    super({ objectMode: true, highWaterMark: 256 });
    checkOptions(options);
    this.maxQueue = options.maxQueue ?? 10_000;
    this.allowed = options.allow && options.allow.length > 0 ? allowlist(options.allow) : null;
  }

  /**
   * Binds every socket; resolves with the bound addresses. A port that cannot be bound rejects
   * with a ListenError (one line: which address, why), after closing what was already bound.
   */
  async listen(): Promise<{ address: string; port: number; family: string }[]> {
    const bound = [];
    for (const entry of this.options.listen) {
      const { address, port } = parseListenAddress(entry);
      const socket = createSocket({ type: address !== undefined && isIPv6(address) ? 'udp6' : address === undefined ? 'udp6' : 'udp4', reuseAddr: false });
      let localPort = 0; // known once bound; looked up once (address() is a system call)
      socket.on('message', (msg, rinfo) => this.receive(msg, rinfo, localPort));
      try {
        await new Promise<void>((resolve, reject) => {
          socket.once('error', reject);
          socket.bind({ port, address: address ?? '::' }, () => {
            socket.off('error', reject);
            resolve();
          });
        });
      } catch (err) {
        socket.close();
        for (const s of this.sockets.splice(0)) s.close();
        const e = err as NodeJS.ErrnoException;
        const why = e.code === 'EADDRINUSE' ? 'the port is in use' : e.code === 'EACCES' ? 'permission denied (ports below 1024 need CAP_NET_BIND_SERVICE)' : e.code === 'EADDRNOTAVAIL' ? 'no such local address' : e.message;
        throw new ListenError(String(entry), e.code, `cannot listen on ${address ?? '*'}:${port}: ${why}`);
      }
      socket.on('error', (err) => this.destroy(err));
      localPort = socket.address().port;
      if (this.options.recvBufferSize) {
        try {
          socket.setRecvBufferSize(this.options.recvBufferSize);
        } catch (err) {
          this.emit('warning', new Error(`receive buffer not set: ${(err as Error).message}`));
        }
      }
      this.sockets.push(socket);
      bound.push(socket.address());
    }
    this.emit('listening', bound);
    return bound;
  }

  private receive(msg: Buffer, rinfo: RemoteInfo, localPort: number): void {
    this.stats.received++;
    const address = rinfo.address.startsWith('::ffff:') ? rinfo.address.slice(7) : rinfo.address;
    if (this.allowed !== null && !this.allowed(address, rinfo.port)) {
      this.stats.denied++;
      return;
    }
    const d: Datagram = { data: msg, exporter: { address, port: rinfo.port }, receivedAt: Date.now(), localPort };
    if (this.flowing && this.queue.length === 0) {
      this.flowing = this.push(d);
      return;
    }
    if (this.queue.length >= this.maxQueue) {
      this.stats.dropped++;
      return;
    }
    this.queue.push(d);
    this.stats.queued = this.queue.length;
  }

  override _read(): void {
    this.flowing = true;
    while (this.queue.length > 0 && this.flowing) this.flowing = this.push(this.queue.shift()!);
    this.stats.queued = this.queue.length;
  }

  override _destroy(err: Error | null, done: (err?: Error | null) => void): void {
    for (const s of this.sockets.splice(0)) s.close();
    done(err);
  }

  /**
   * The kernel's counters for our sockets (Linux): datagrams dropped because the receive buffer
   * was full never reach `stats`, so loss under load shows here. Null where /proc is missing.
   */
  kernelStats(): KernelUdpCounters | null {
    const ports = new Set(this.sockets.map((s) => s.address().port));
    const texts: string[] = [];
    for (const f of ['/proc/net/udp', '/proc/net/udp6']) {
      try {
        texts.push(readFileSync(f, 'latin1'));
      } catch { /* not Linux, or no IPv6 */ }
    }
    return texts.length === 0 ? null : kernelUdpCounters(texts, ports);
  }

  /** Stops receiving; what is queued is still delivered, then the stream ends. */
  close(): void {
    for (const s of this.sockets.splice(0)) s.close();
    this.queue.push(null as unknown as Datagram);
    this._read();
  }
}

/** Creates a UDP source; call `await source.listen()` before sending to it. */
export function udpSource(options: UdpSourceOptions): UdpSource {
  return new UdpSource(options);
}
