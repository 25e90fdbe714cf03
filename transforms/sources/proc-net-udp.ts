// Kernel-side UDP counters from Linux /proc/net/udp and /proc/net/udp6 text: the datagrams a
// socket's receive buffer refused (its `drops` column) are losses flowpipe itself never sees.

/** Kernel counters of the sockets bound to some ports. */
export interface KernelUdpCounters {
  /** Datagrams dropped because the socket receive buffer was full. */
  drops: number;
  /** Bytes waiting in the receive buffers now. */
  queuedBytes: number;
  sockets: number;
}

/**
 * Sums the rows of /proc/net/udp{,6} text whose local port is in `ports`.
 * Row: `sl local_address rem_address st tx_queue:rx_queue tr tm->when retrnsmt uid timeout inode ref pointer drops`.
 */
export function kernelUdpCounters(texts: readonly string[], ports: ReadonlySet<number>): KernelUdpCounters {
  const out: KernelUdpCounters = { drops: 0, queuedBytes: 0, sockets: 0 };
  for (const text of texts) {
    for (const line of text.split('\n')) {
      const cols = line.trim().split(/\s+/);
      if (cols.length < 13 || !/^\d+:$/.test(cols[0]!)) continue;
      const port = parseInt(cols[1]!.split(':')[1] ?? '', 16);
      if (!ports.has(port)) continue;
      out.sockets++;
      out.queuedBytes += parseInt(cols[4]!.split(':')[1] ?? '0', 16) || 0;
      out.drops += Number(cols[cols.length - 1]) || 0;
    }
  }
  return out;
}
