// udpSource(): receives export datagrams on one or more UDP ports (IPv4 and IPv6). UDP cannot
// be paused, so when downstream is slow datagrams wait in a bounded queue, and beyond it they
// are dropped and counted, never buffered without bound. An allowlist of exporters (IP,
// IP:port, CIDR) drops and counts everything else.
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { readFileSync } from 'node:fs';
import { BlockList, isIPv6 } from 'node:net';
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

function parseListen(entry: string | number): { address: string | undefined; port: number } {
  if (typeof entry === 'number') return { address: undefined, port: entry };
  const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d+)$/.exec(entry) ?? /^()()(\d+)$/.exec(entry);
  if (!m) throw new Error(`cannot listen on '${entry}': use PORT, :PORT, ADDR:PORT or [V6]:PORT`);
  const address = m[1] ?? m[2];
  return { address: address === '' ? undefined : address, port: Number(m[3]) };
}

/** Compiles an allowlist into a predicate. */
export function allowlist(entries: readonly string[]): (address: string, port: number) => boolean {
  const nets = new BlockList();
  const withPort = new Set<string>();
  for (const e of entries) {
    const cidr = /^(.+)\/(\d+)$/.exec(e);
    const hostPort = /^\[([^\]]+)\]:(\d+)$/.exec(e) ?? /^([^:]+):(\d+)$/.exec(e);
    if (cidr) nets.addSubnet(cidr[1]!, Number(cidr[2]), isIPv6(cidr[1]!) ? 'ipv6' : 'ipv4');
    else if (hostPort) withPort.add(`${hostPort[1]}|${hostPort[2]}`);
    else nets.addAddress(e, isIPv6(e) ? 'ipv6' : 'ipv4');
  }
  return (address, port) => withPort.has(`${address}|${port}`) || nets.check(address, isIPv6(address) ? 'ipv6' : 'ipv4');
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
    this.maxQueue = options.maxQueue ?? 10_000;
    this.allowed = options.allow && options.allow.length > 0 ? allowlist(options.allow) : null;
  }

  /** Binds every socket; resolves with the bound addresses. */
  async listen(): Promise<{ address: string; port: number; family: string }[]> {
    const bound = [];
    for (const entry of this.options.listen) {
      const { address, port } = parseListen(entry);
      const socket = createSocket({ type: address !== undefined && isIPv6(address) ? 'udp6' : address === undefined ? 'udp6' : 'udp4', reuseAddr: false });
      let localPort = 0; // known once bound; looked up once (address() is a system call)
      socket.on('message', (msg, rinfo) => this.receive(msg, rinfo, localPort));
      socket.on('error', (err) => this.destroy(err));
      await new Promise<void>((resolve, reject) => {
        socket.once('error', reject);
        socket.bind({ port, address: address ?? '::' }, () => {
          socket.off('error', reject);
          resolve();
        });
      });
      localPort = socket.address().port;
      if (this.options.recvBufferSize) socket.setRecvBufferSize(this.options.recvBufferSize);
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
    for (const s of this.sockets) s.close();
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
