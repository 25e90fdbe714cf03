// The shared slot ring, driven from one thread playing both sides (the two-thread case is
// fdWriter's test): order, wrap-around, full and empty, close and failure.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SlotRing } from '../../../lib/runtime/slot-ring.js';

/** Takes everything ready, as the consumer does. */
function drain(ring: SlotRing): Buffer {
  const parts: Uint8Array[] = [];
  const n = ring.used;
  for (let i = 0; i < n; i++) parts.push(Buffer.from(ring.peek(i)));
  ring.taken(n);
  return Buffer.concat(parts);
}

test('bytes come out in order across many wrap-arounds; a put larger than a slot fills several', () => {
  const ring = SlotRing.create(3, 16);
  const sent: Buffer[] = [];
  const got: Buffer[] = [];
  for (let i = 0; i < 500; i++) {
    const chunk = Buffer.from(`${i}:${'x'.repeat(i % 40)}|`);
    sent.push(chunk);
    for (let o = 0; o < chunk.length;) {
      const n = ring.put(chunk, o);
      if (n === 0) got.push(drain(ring)); // full: the consumer's turn
      else assert.ok(n <= 16);
      o += n;
    }
    if (i % 7 === 0) got.push(drain(ring));
  }
  got.push(drain(ring));
  assert.equal(Buffer.concat(got).toString(), Buffer.concat(sent).toString());
});

test('a full ring takes nothing until a slot is taken; used counts slots', () => {
  const ring = SlotRing.create(2, 8);
  assert.equal(ring.put(Buffer.from('abcdefgh')), 8);
  assert.equal(ring.put(Buffer.from('ij')), 2);
  assert.equal(ring.used, 2);
  assert.equal(ring.put(Buffer.from('k')), 0);
  assert.equal(Buffer.from(ring.peek(1)).toString(), 'ij');
  ring.taken(1);
  assert.equal(ring.put(Buffer.from('k')), 1);
  assert.equal(drain(ring).toString(), 'ijk');
  assert.equal(ring.used, 0);
});

test('close: the consumer ends once empty; fail: the producer sees the errno; roomLater resolves', async () => {
  const ring = SlotRing.create(1, 8);
  ring.put(Buffer.from('a'));
  ring.close();
  assert.equal(ring.waitForSlots(1), true); // closed, but a slot is still there
  ring.taken(1);
  assert.equal(ring.waitForSlots(1), false);

  const other = SlotRing.create(1, 8);
  other.put(Buffer.from('a'));
  const waiting = other.roomLater(5000);
  other.fail(-32);
  await waiting; // woken by the failure, not after 5 s
  assert.equal(other.failure(), -32);
  assert.equal(SlotRing.create(1, 8).failure(), null);
});

test('a ring that cannot be made is a RangeError', () => {
  assert.throws(() => SlotRing.create(0, 8), RangeError);
  assert.throws(() => SlotRing.create(4, 12), RangeError);
});
