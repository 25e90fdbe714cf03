// The fault test every server sink goes through: generated flows at a steady rate, the server
// taken away a quarter of the way in and brought back later, then what the server stored
// counted against what went in and what the sink says it dropped.
import assert from 'node:assert/strict';
import { pipeline } from 'node:stream/promises';
import type { BatchingSink } from '../../transforms/sinks/batching-sink.js';
import { generatedFlows, paced } from './sink-data.js';

export interface OutageCase {
  /** A sink whose buffer holds `buffer` records (a different destination for each call). */
  sink(buffer: number, name: string): BatchingSink;
  /** Takes the server away (SIGKILL, or SIGSTOP for Kafka's mock cluster) and brings it back. */
  down(): Promise<void> | void;
  up(): Promise<void> | void;
  /** The distinct `sequence` values the server stored under `name`. */
  stored(name: string): Promise<Set<number>>;
}

/** Runs the outage twice: a buffer larger than the outage (nothing dropped) and a small one (drops, counted). */
export async function outageTest(c: OutageCase, records = 20_000, rate = 10_000): Promise<void> {
  for (const [name, buffer] of [['big', 200_000], ['small', 1_500]] as const) {
    const flows = generatedFlows(records);
    const sink = c.sink(buffer, `fault_${name}`);
    await pipeline(paced(flows, rate, async (i) => {
      if (i === Math.floor(records / 4)) await c.down();
      if (i === Math.floor(records * 0.6)) await c.up();
    }), sink);
    const stored = await c.stored(`fault_${name}`);
    const s = sink.stats;
    assert.ok(s.failures > 0 && s.retried > 0, `${name}: the outage was met (${JSON.stringify(s)})`);
    assert.equal(s.undelivered, 0, `${name}: everything held was delivered after the server came back`);
    assert.equal(s.rejected, 0);
    assert.equal(stored.size + s.dropped, records, `${name}: stored ${stored.size} + dropped ${s.dropped} = in ${records}`);
    if (name === 'big') assert.equal(s.dropped, 0, 'a buffer larger than the outage drops nothing');
    else assert.ok(s.dropped > 0, 'a buffer smaller than the outage drops, and counts it');
  }
}
