// A node-netflowv9-style facade for people migrating from it:
//   new Collector({ port: 2055 }).on('data', (flow) => …).on('template', …).on('error', …)
import { EventEmitter } from 'node:events';
import type { DecoderOptions } from '../../lib/decoder.js';
import type { DecodeError, FlowRecord, TemplateEvent } from '../../lib/types.js';
import { DecodeStream } from './decode.js';
import { UdpSource, type UdpSourceOptions } from '../sources/udp-source.js';

export interface CollectorOptions extends DecoderOptions, Omit<UdpSourceOptions, 'listen'> {
  /** A port (or several) to listen on, all addresses. */
  port?: number | number[];
  listen?: UdpSourceOptions['listen'];
}

/**
 * udpSource() piped into decode(), as events: each record as 'data', template events as
 * 'template', decode errors as 'flowpipe-error' and also as 'error' when something listens for
 * 'error' (socket failures are always 'error'). Starts listening at once; 'listening' fires when
 * bound.
 */
export class Collector extends EventEmitter {
  readonly source: UdpSource;
  readonly stream: DecodeStream;

  constructor(options: CollectorOptions = {}) {
    super();
    const ports = options.listen ?? (Array.isArray(options.port) ? options.port : [options.port ?? 2055]);
    this.source = new UdpSource({ ...options, listen: ports });
    this.stream = new DecodeStream(options);
    this.source.pipe(this.stream);
    this.stream.on('data', (r: FlowRecord) => this.emit('data', r));
    this.stream.on('template', (e: TemplateEvent) => this.emit('template', e));
    this.stream.on('flowpipe-error', (e: DecodeError) => {
      this.emit('flowpipe-error', e);
      // node-netflowv9 code listens for 'error'; without a listener it would throw, so only then.
      if (this.listenerCount('error') > 0) this.emit('error', e);
    });
    this.source.on('error', (err) => this.emit('error', err));
    this.source.listen().then((bound) => this.emit('listening', bound), (err: unknown) => this.emit('error', err));
  }

  /** The shared decoder (stats, templates, sequence counters). */
  get decoder(): DecodeStream['decoder'] {
    return this.stream.decoder;
  }

  close(): void {
    this.source.destroy();
    this.stream.destroy();
  }
}
