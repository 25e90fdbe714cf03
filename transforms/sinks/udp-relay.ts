// The relay stage (samplicator, pmacct's tee plugin): every received datagram sent on unchanged
// to each destination, optionally only those of some exporters, optionally 1 in N of them (per
// exporter, so each exporter's stream is thinned evenly). Counters per destination: sent, failed,
// filtered, sampled out.
//
// The UDP source address cannot be the exporter's without raw sockets. With `preserveExporter`,
// each exporter gets its own source port on the relay (a socket per exporter, the least recently
// heard closed beyond `maxExporters`), so a collector that keys template state by transport
// session (address and port, as RFC 7011 and flowpipe --template-scope strict do) keeps the
// exporters apart; the relay prints which port stands for which exporter. Without it, every
// datagram leaves from one socket: fine for NetFlow v5 and sFlow (no templates; sFlow carries its
// agent address), but template ids of different exporters then collide at the collector.
import { createSocket, type Socket } from 'node:dgram';
import { isIP } from 'node:net';
import { Writable } from 'node:stream';
import { PrefixTable } from '../../lib/codec/ip-prefix.js';
import type { Datagram } from '../core/datagram.js';

export interface RelayDestination {
  host: string;
  port: number;
  /** Only datagrams from exporters in these CIDRs (default: all). */
  from?: readonly string[];
  /** Send 1 in `sample` datagrams of each exporter (default 1: all). */
  sample?: number;
}

export interface RelayOptions {
  destinations: readonly RelayDestination[];
  /** One source port per exporter (see above). */
  preserveExporter?: boolean;
  /** Exporters with their own socket at once (default 1024). */
  maxExporters?: number;
  /** Called when an exporter gets its own source port. */
  onExporterPort?: (exporter: string, port: number) => void;
}

export interface RelayDestinationStats {
  destination: string;
  sent: number;
  failed: number;
  /** Not from an exporter in `from`. */
  filtered: number;
  /** Left out by the 1-in-N sampling. */
  sampledOut: number;
  lastError: string | null;
}

interface Dest {
  readonly host: string;
  readonly port: number;
  readonly allow: PrefixTable<true> | null;
  readonly sample: number;
  readonly seen: Map<string, number>;
  readonly stats: RelayDestinationStats;
  /** Counts a send's outcome: one function per destination, not a closure per datagram. */
  readonly sent: (err: Error | null) => void;
  /** Without preserveExporter: this destination's socket, connected to it (no address lookup per send). */
  socket: Socket | null;
}

export class UdpRelay extends Writable {
  readonly destinations: Dest[];
  private readonly shared = new Set<Socket>();
  private readonly perExporter = new Map<string, Map<string, Socket>>();
  private readonly maxExporters: number;
  private inFlight = 0;
  private idle: (() => void) | null = null;

  constructor(private readonly options: RelayOptions) {
    super({ objectMode: true, highWaterMark: 1024 });
    this.maxExporters = options.maxExporters ?? 1024;
    this.destinations = options.destinations.map((d) => {
      let allow: PrefixTable<true> | null = null;
      if (d.from !== undefined && d.from.length > 0) {
        allow = new PrefixTable<true>();
        for (const c of d.from) allow.add(c.includes('/') ? c : `${c}/${c.includes(':') ? 128 : 32}`, true);
      }
      const sample = d.sample ?? 1;
      if (!(Number.isInteger(sample) && sample >= 1)) throw new RangeError(`sample must be an integer >= 1, got ${String(sample)}`);
      const stats: RelayDestinationStats = { destination: `${d.host.includes(':') ? `[${d.host}]` : d.host}:${d.port}`, sent: 0, failed: 0, filtered: 0, sampledOut: 0, lastError: null };
      const sent = (err: Error | null): void => {
        if (err) { stats.failed++; stats.lastError = err.message; } else stats.sent++;
        if (--this.inFlight === 0 && this.idle !== null) this.idle();
      };
      return { host: d.host, port: d.port, allow, sample, seen: new Map(), stats, sent, socket: null };
    });
  }

  get stats(): RelayDestinationStats[] {
    return this.destinations.map((d) => ({ ...d.stats }));
  }

  override _write(d: Datagram, _e: BufferEncoding, done: (err?: Error | null) => void): void {
    const exporter = `${d.exporter.address}|${d.exporter.port}`;
    for (const dest of this.destinations) {
      if (dest.allow !== null && dest.allow.lookup(d.exporter.address) === undefined) { dest.stats.filtered++; continue; }
      if (dest.sample > 1) {
        const n = (dest.seen.get(exporter) ?? 0) + 1;
        if (dest.seen.size > 100_000) dest.seen.clear();
        dest.seen.set(exporter, n % dest.sample);
        if (n % dest.sample !== 1 % dest.sample) { dest.stats.sampledOut++; continue; }
      }
      this.inFlight++;
      try {
        if (dest.socket !== null) dest.socket.send(d.data, dest.sent);
        else this.exporterSocket(dest, exporter).send(d.data, dest.port, dest.host, dest.sent);
      } catch (err) { // e.g. a datagram too large for the destination's family: counted, never thrown
        dest.sent(err as Error);
      }
    }
    done(); // UDP: handed to the kernel; a send error is counted, never a stream error
  }

  private family(host: string): 'udp4' | 'udp6' {
    return isIP(host) === 6 ? 'udp6' : 'udp4';
  }

  /**
   * Without preserveExporter, each destination gets a socket connected to it before the first
   * write: sends skip the address lookup, and a destination whose port is closed shows as failed
   * sends (ECONNREFUSED from the kernel) instead of silence.
   */
  override _construct(done: (err?: Error | null) => void): void {
    if (this.options.preserveExporter === true) return done();
    let waiting = this.destinations.length;
    let failed = false;
    if (waiting === 0) return done();
    for (const dest of this.destinations) {
      const s = createSocket(this.family(dest.host));
      this.shared.add(s);
      const onError = (err: Error): void => { if (!failed) { failed = true; done(new Error(`relay: cannot connect a socket to ${dest.stats.destination}: ${err.message}`)); } };
      s.once('error', onError);
      s.connect(dest.port, dest.host, () => {
        s.off('error', onError);
        s.on('error', () => undefined); // send errors reach each send's callback
        dest.socket = s;
        if (--waiting === 0 && !failed) done();
      });
    }
  }

  private exporterSocket(dest: Dest, exporter: string): Socket {
    const family = this.family(dest.host);
    let byFamily = this.perExporter.get(exporter);
    if (byFamily === undefined) {
      if (this.perExporter.size >= this.maxExporters) this.closeExporter(this.perExporter.keys().next().value as string);
      byFamily = new Map();
      this.perExporter.set(exporter, byFamily);
    } else {
      this.perExporter.delete(exporter); // most recently heard last
      this.perExporter.set(exporter, byFamily);
    }
    let s = byFamily.get(family);
    if (s === undefined) {
      const sock = createSocket(family);
      sock.on('error', () => undefined);
      sock.bind(0, () => this.options.onExporterPort?.(exporter.replace('|', ':'), sock.address().port));
      byFamily.set(family, sock);
      s = sock;
    }
    return s;
  }

  private closeExporter(key: string): void {
    for (const s of this.perExporter.get(key)?.values() ?? []) s.close();
    this.perExporter.delete(key);
  }

  override _final(done: (err?: Error | null) => void): void {
    // Sends already handed to libuv complete (and are counted) before the sockets close.
    const close = (): void => {
      for (const s of this.shared) s.close();
      for (const key of [...this.perExporter.keys()]) this.closeExporter(key);
      done();
    };
    if (this.inFlight === 0) close();
    else this.idle = close;
  }
}
