// Error lines on stderr, bounded: a hostile or broken exporter can produce an error per
// datagram, and one line each (1.6 M lines, 1.5 GB buffered behind a slow reader) helps nobody.
// The first few errors of each kind and exporter in an interval are written as they come; the
// rest are counted and summarized in one line per kind and exporter when the interval ends (or at
// exit). While stderr is not draining, lines are counted rather than queued. Every error is
// still counted in --stats.
import type { Writable } from 'node:stream';
import type { DecodeError } from '../../lib/types.js';

export interface ErrorLinesOptions {
  /** Length of an interval (default 1 s). */
  intervalMs?: number;
  /** Lines written per kind and exporter in an interval (default 5). */
  perKey?: number;
  /** Lines written in an interval over all keys (default 100). */
  total?: number;
  /** Summary lines per interval before the rest are summed into one (default 20). */
  summaries?: number;
}

interface Held { kind: string; exporter: string; count: number }

export class ErrorLines {
  private readonly intervalMs: number;
  private readonly perKey: number;
  private readonly total: number;
  private readonly summaries: number;
  private written = 0;
  private readonly perKeyWritten = new Map<string, number>();
  private readonly held = new Map<string, Held>();
  private blocked = false;
  private intervalStart = Date.now();
  /** Started by the first error, so an unused instance holds no timer. */
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly out: Pick<Writable, 'write' | 'once'> = process.stderr, options: ErrorLinesOptions = {}) {
    this.intervalMs = options.intervalMs ?? 1000;
    this.perKey = options.perKey ?? 5;
    this.total = options.total ?? 100;
    this.summaries = options.summaries ?? 20;
  }

  /** One error: its line (`line` formats it) now, or counted for the interval's summary. */
  add(e: Pick<DecodeError, 'kind' | 'exporter'>, line: string): void {
    if (this.timer === undefined) {
      this.intervalStart = Date.now();
      this.timer = setInterval(() => this.endInterval(), this.intervalMs);
      this.timer.unref();
    }
    const key = `${e.kind} ${e.exporter}`;
    const n = this.perKeyWritten.get(key) ?? 0;
    if (!this.blocked && n < this.perKey && this.written < this.total) {
      this.perKeyWritten.set(key, n + 1);
      this.written++;
      this.write(line);
      return;
    }
    const h = this.held.get(key);
    if (h !== undefined) h.count++;
    else this.held.set(key, { kind: e.kind, exporter: e.exporter, count: 1 });
  }

  /** Ends the interval: one summary line per kind and exporter held back (the rest in one line). */
  endInterval(): void {
    const secs = ((Date.now() - this.intervalStart) / 1000).toFixed(1);
    const held = [...this.held.values()].sort((a, b) => b.count - a.count);
    held.slice(0, this.summaries).forEach((h) => this.write(`flowpipe: ${h.count} more ${h.kind} error(s) from ${h.exporter} in the last ${secs} s (counted in --stats)\n`, true));
    const rest = held.slice(this.summaries);
    if (rest.length > 0) {
      const n = rest.reduce((a, h) => a + h.count, 0);
      this.write(`flowpipe: ${n} more error(s) of ${new Set(rest.map((h) => h.kind)).size} kind(s) from ${new Set(rest.map((h) => h.exporter)).size} more exporter(s) in the last ${secs} s\n`, true);
    }
    this.held.clear();
    this.perKeyWritten.clear();
    this.written = 0;
    this.intervalStart = Date.now();
  }

  /** Writes the last summaries and stops the timer. */
  close(): void {
    if (this.timer === undefined) return;
    clearInterval(this.timer);
    this.timer = undefined;
    this.endInterval();
  }

  private write(line: string, summary = false): void {
    if (this.blocked && !summary) return;
    if (!this.out.write(line) && !this.blocked) {
      this.blocked = true;
      this.out.once('drain', () => { this.blocked = false; });
    }
  }
}
