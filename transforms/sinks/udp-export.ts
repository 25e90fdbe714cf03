// ipfix://HOST:PORT, netflow9://HOST:PORT, netflow5://HOST:PORT — records (raw, normalized or
// enriched) re-exported over UDP to a collector that speaks the protocol: one exporter stream
// (one template space, one sequence) from one socket, datagrams up to `mtu`, templates refreshed
// by time and message count (RFC 7011 §8.4). Options records of the inputs describe their own
// exporters: learned from and left out (a flow whose rate came from them carries it itself);
// sFlow's sampling rates go out as options data.
// A batch is "acknowledged" when the kernel took every datagram of it (UDP has no receipts).
import { createSocket, type Socket } from 'node:dgram';
import { isIP } from 'node:net';
import { ReExporter, type ExportFormat, type ReExportStats } from '../../lib/encode/reexport.js';
import { parseDuration } from '../../lib/analysis/windows.js';
import { checkParams, commonOptions, COMMON_PARAMS, numberParam, SinkUrlError, type SinkUrl } from '../../lib/sinks/url.js';
import { parseNdjsonLine } from '../format/ndjson.js';
import { BatchingSink, type SinkItem, type SinkOptions } from './batching-sink.js';

const PARAMS = [...COMMON_PARAMS, 'domain', 'mtu', 'template-refresh', 'template-refresh-messages'] as const;

export class UdpExportSink extends BatchingSink {
  private socket: Socket | null = null;
  private readonly re: ReExporter;
  private readonly host: string;
  private readonly port: number;
  /** Datagrams handed to the kernel. */
  datagrams = 0;

  constructor(u: SinkUrl, options: SinkOptions = {}) {
    checkParams(u, PARAMS);
    super(u.display, { batchRecords: 1000 }, { lingerMs: 20, records: 'all', ...options, ...commonOptions(u) });
    if (u.hosts.length !== 1) throw new SinkUrlError(`${u.display}: one HOST:PORT`);
    this.host = u.hosts[0]!.host;
    this.port = u.hosts[0]!.port;
    let refreshMs = 60_000;
    const refresh = u.params.get('template-refresh');
    if (refresh !== undefined) {
      try { refreshMs = parseDuration(refresh); } catch (err) { throw new SinkUrlError(`${u.display}: template-refresh: ${(err as Error).message}`); }
    }
    this.re = new ReExporter(u.scheme as ExportFormat, {
      domain: numberParam(u, 'domain', 0, 0), mtu: numberParam(u, 'mtu', 1400, 256),
      templateRefreshMs: refreshMs, templateRefreshMessages: numberParam(u, 'template-refresh-messages', 100, 1), merged: true,
    });
  }

  /** Encoder counters: records in and out, messages, what could not be carried. */
  get exportStats(): ReExportStats {
    return this.re.stats;
  }

  async connect(): Promise<void> {
    if (this.socket !== null) return;
    const socket = createSocket(isIP(this.host) === 6 ? 'udp6' : 'udp4');
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.connect(this.port, this.host, () => { socket.off('error', reject); resolve(); });
    });
    socket.on('error', () => undefined); // ICMP port unreachable etc. show up as send errors
    this.socket = socket;
  }

  protected override fromLine(line: Buffer): SinkItem {
    return line;
  }

  protected async sendBatch(items: readonly SinkItem[]): Promise<void> {
    await this.connect();
    const records = items.map((i) => parseNdjsonLine(typeof i === 'string' ? i : i.toString('utf8')) as Record<string, unknown>);
    const now = Date.now();
    const out = [...this.re.add('sink', records, now).map(([, m]) => m), ...this.re.flush(now).flatMap(([, m]) => m)];
    await Promise.all(out.map((m) => new Promise<void>((resolve, reject) => {
      this.socket!.send(m, (err) => (err ? reject(err) : resolve()));
    })));
    this.datagrams += out.length;
  }

  protected async disconnect(): Promise<void> {
    const s = this.socket;
    this.socket = null;
    if (s !== null) await new Promise<void>((r) => s.close(() => r()));
  }
}
