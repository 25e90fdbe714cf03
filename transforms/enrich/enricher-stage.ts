// The stream form of an enricher: normalized flows are enriched, every other record (options
// data, counter samples) teaches it and passes through. Its data may load asynchronously: input
// waits until it is there, and a file that cannot be used fails the stage with a message naming it.
import { Transform, type TransformCallback } from 'node:stream';
import type { Enricher } from '../../lib/enrich/enricher.js';
import type { NormalizedFlow } from '../../lib/normalize/flow.js';
import type { FlowRecord } from '../../lib/types.js';

export class EnricherStage extends Transform {
  private enricher: Enricher | null = null;
  private readonly ready: Promise<void>;
  private readonly reloader: () => Promise<Enricher>;

  /** `load` builds the enricher (reading its files); reload() calls it again and swaps. */
  constructor(load: () => Promise<Enricher>) {
    super({ objectMode: true, highWaterMark: 1024 });
    this.reloader = load;
    this.ready = load().then((e) => { this.enricher = e; });
    this.ready.catch(() => undefined); // reported when the first record arrives
  }

  /** Resolves once the data is loaded (rejects when it cannot be). */
  whenReady(): Promise<void> {
    return this.ready;
  }

  /** Re-reads the data; the old data stays in use until the new is loaded (and if it fails). */
  async reload(): Promise<void> {
    this.enricher = await this.reloader();
  }

  override _transform(r: FlowRecord | NormalizedFlow, _e: BufferEncoding, done: TransformCallback): void {
    const e = this.enricher;
    if (e === null) {
      this.ready.then(() => this._transform(r, _e, done), (err: Error) => done(err));
      return;
    }
    if ('kind' in r && r.kind !== undefined) e.observe?.(r as FlowRecord);
    else e.enrich(r as NormalizedFlow, r as unknown as FlowRecord);
    done(null, r);
  }
}
