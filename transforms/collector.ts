// A node-netflowv9-style facade for people migrating from it:
//   new Collector({ port: 2055 }).on('data', (flow) => …).on('template', …).on('error', …)
import { EventEmitter } from 'node:events';
import { FlowDecoder, type DecoderOptions } from '../lib/decoder.js';
import { UdpSource, type UdpSourceOptions } from './udp-source.js';
import type { Datagram } from './datagram.js';

export interface CollectorOptions extends DecoderOptions, Omit<UdpSourceOptions, 'listen'> {
  /** A port (or several) to listen on, all addresses. */
  port?: number | number[];
  listen?: UdpSourceOptions['listen'];
}

/**
 * Listens, decodes and emits each record as 'data'; template events as 'template'; decode
 * errors as 'flowpipe-error', and also as 'error' when something listens for 'error' (socket
 * failures are always 'error'). Starts listening at once; 'listening' fires when bound.
 */
export class Collector extends EventEmitter {
  readonly decoder: FlowDecoder;
  readonly source: UdpSource;

  constructor(options: CollectorOptions = {}) {
    super();
    const ports = options.listen ?? (Array.isArray(options.port) ? options.port : [options.port ?? 2055]);
    this.decoder = new FlowDecoder(options);
    this.source = new UdpSource({ ...options, listen: ports });
    this.source.on('data', (d: Datagram) => {
      const res = this.decoder.decode(d.data, d.exporter, d.receivedAt);
      for (const e of res.events) this.emit('template', e);
      for (const e of res.errors) {
        this.emit('flowpipe-error', e);
        // node-netflowv9 code listens for 'error'; without a listener it would throw, so only then.
        if (this.listenerCount('error') > 0) this.emit('error', e);
      }
      for (const r of res.records) this.emit('data', r);
    });
    this.source.on('error', (err) => this.emit('error', err));
    this.source.listen().then((bound) => this.emit('listening', bound), (err: unknown) => this.emit('error', err));
  }

  close(): void {
    this.source.destroy();
  }
}
