// The stream form of an analysis that takes records one by one and emits rows when its windows
// close (aggregate, topN, pair): rows out as they are due, the rest at the end of input. With
// `tickMs`, wall-clock time also closes windows, so a live collector's idle periods end them.
import { Transform, type TransformCallback } from 'node:stream';

export interface Analysis<R> {
  add(r: Readonly<Record<string, unknown>>): R[];
  flush(): R[];
  /** Advances time with no record (wall clock). */
  tick?(now: number): R[];
}

export class AnalysisStage<R> extends Transform {
  private timer: NodeJS.Timeout | null = null;

  constructor(readonly analysis: Analysis<R>, tickMs?: number) {
    super({ objectMode: true, highWaterMark: 1024 });
    if (tickMs !== undefined && analysis.tick !== undefined) {
      this.timer = setInterval(() => { for (const row of analysis.tick!(Date.now())) this.push(row); }, tickMs);
      this.timer.unref();
    }
  }

  override _transform(r: Record<string, unknown>, _e: BufferEncoding, done: TransformCallback): void {
    for (const row of this.analysis.add(r)) this.push(row);
    done();
  }

  override _flush(done: TransformCallback): void {
    if (this.timer !== null) clearInterval(this.timer);
    for (const row of this.analysis.flush()) this.push(row);
    done();
  }

  override _destroy(err: Error | null, done: (err: Error | null) => void): void {
    if (this.timer !== null) clearInterval(this.timer);
    done(err);
  }
}
