// demux(): routes datagrams by version word (1, 5, 7, 9, 10, sFlow 5) to one destination per
// protocol, with backpressure from each; anything else is a typed 'unknown-version' error.
import { Writable } from 'node:stream';
import { exporterKey } from '../../lib/codec/bytes.js';
import type { DecodeError, FlowProtocol } from '../../lib/types.js';
import { detectProtocol } from '../../lib/codec/version.js';
import type { Datagram } from './datagram.js';

export type Routes = Partial<Record<FlowProtocol | 'default', Writable>>;

/**
 * A Writable of datagrams that forwards each to `routes[protocol]` (or `routes.default`).
 * Unroutable datagrams emit 'flowpipe-error' and are counted in `stats`.
 */
export function demux(routes: Routes): Writable & { stats: Record<string, number> } {
  const stats: Record<string, number> = {};
  const targets = [...new Set(Object.values(routes))];
  const sink = new Writable({
    objectMode: true,
    highWaterMark: 64,
    write(d: Datagram, _e, done): void {
      const protocol = detectProtocol(d.data);
      const to = protocol === null ? undefined : routes[protocol] ?? routes.default;
      const key = protocol ?? 'unknown';
      stats[key] = (stats[key] ?? 0) + 1;
      if (to === undefined) {
        const word = d.data.length >= 2 ? `0x${d.data.readUInt16BE(0).toString(16).padStart(4, '0')}` : 'missing';
        const err: DecodeError = { kind: 'unknown-version', reason: protocol === null ? `unknown export version ${word}` : `no route for ${protocol}`, exporter: exporterKey(d.exporter.address, d.exporter.port), offset: 0 };
        sink.emit('flowpipe-error', err);
        return done();
      }
      if (to.write(d)) done();
      else to.once('drain', () => done());
    },
    final(done): void {
      for (const t of targets) t?.end();
      done();
    },
  });
  return Object.assign(sink, { stats });
}
