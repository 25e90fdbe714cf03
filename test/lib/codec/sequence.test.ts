import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RecordSequenceTracker, SequenceTracker } from '../../../lib/codec/sequence.js';

const feed = (t: SequenceTracker, seqs: number[]): SequenceTracker => {
  for (const s of seqs) t.observe(s >>> 0, 1);
  return t;
};

test('sequence: one spoofed far number is an outlier, not loss, and the real stream stays in order', () => {
  const t = feed(new SequenceTracker(), [1, 2, 3, 3 + 1_073_741_812, 4, 5, 6]);
  assert.deepEqual(t.snapshot(), { lost: 0, duplicate: 0, outOfOrder: 0, resets: 0, outliers: 1 });
});

test('sequence: a restart (far jump the stream then follows) is a reset, not loss', () => {
  const t = feed(new SequenceTracker(), [5_000_000, 5_000_001, 5_000_002, 0, 1, 2, 4]);
  assert.deepEqual(t.snapshot(), { lost: 1, duplicate: 0, outOfOrder: 0, resets: 1, outliers: 0 });
  const pending = feed(new SequenceTracker(), [10, 11, 900_000_000]);
  assert.equal(pending.snapshot().outliers, 1, 'a far jump not yet confirmed is reported as an outlier');
  assert.equal(pending.snapshot().lost, 0);
});

test('sequence: loss, duplicates and reordering within the window; wrap-around is not a jump', () => {
  const t = feed(new SequenceTracker(), [0xfffffffe, 0xffffffff, 0, 3, 3, 2, 4]);
  assert.deepEqual(t.snapshot(), { lost: 1, duplicate: 1, outOfOrder: 1, resets: 0, outliers: 0 });
  const big = feed(new SequenceTracker(), [1, 1 + 70_000, 2 + 70_000]);
  assert.equal(big.snapshot().lost, 0, 'a jump beyond the message window (65,536) is not loss');
  assert.equal(big.snapshot().resets, 1);
});

/** Messages of `flows` flow records and `options` options records numbered by `number`. */
function stream(number: (before: { all: number; flows: number }, m: { flows: number; options: number }) => number, skip = -1): RecordSequenceTracker {
  const t = new RecordSequenceTracker();
  let all = 0, flows = 0;
  for (let i = 0; i < 100; i++) {
    const m = { flows: 1 + ((i * 7) % 30), options: i % 10 === 0 ? 2 : 0 };
    if (i !== skip) t.observe(number({ all, flows }, m) >>> 0, m.flows, m.options);
    all += m.flows + m.options;
    flows += m.flows;
  }
  return t;
}

test('record sequence: each exporter convention is learned, a lossless stream reports 0, a lost message its records', () => {
  const conventions = {
    'rfc': (b: { all: number }) => b.all,
    'rfc-flows': (b: { flows: number }) => b.flows,
    'after-flows': (b: { flows: number }, m: { flows: number }) => b.flows + m.flows, // softflowd
    'after-all': (b: { all: number }, m: { flows: number; options: number }) => b.all + m.flows + m.options,
  } as const;
  for (const [name, number] of Object.entries(conventions)) {
    const s = stream(number).snapshot();
    assert.deepEqual(s, { lost: 0, duplicate: 0, outOfOrder: 0, resets: 0, outliers: 0, convention: name }, name);
    const lossy = stream(number, 50).snapshot(); // message 50: 1 + 350 % 30 = 21 flow records, 2 options records
    assert.equal(lossy.convention, name);
    assert.equal(lossy.lost, name.includes('flows') ? 21 : 23, `${name}: the lost message's records`);
  }
});
