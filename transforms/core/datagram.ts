import type { Exporter } from '../../lib/types.js';

/** What sources emit and the decoder consumes: one UDP payload and where it came from. */
export interface Datagram {
  data: Buffer;
  exporter: Exporter;
  /** Receive (or capture) time, epoch ms. */
  receivedAt: number;
  /** Local port it arrived on (UDP sources). */
  localPort?: number;
}
