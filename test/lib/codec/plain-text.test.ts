import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hex } from '../../../lib/codec/bytes.js';
import { isKnownPlain, notePlain } from '../../../lib/codec/plain-text.js';

test('long hex strings are known plain right after they are made, in the order made; others are not', () => {
  const b = Buffer.alloc(2048);
  for (let i = 0; i < b.length; i++) b[i] = (i * 37) & 255;
  const made = Array.from({ length: 10 }, (_, i) => hex(b, i * 100, 128));
  for (const s of made.slice(0, 5)) assert.equal(isKnownPlain(s), true); // the writer's usual order
  // Equal text made elsewhere is the same characters: known too.
  assert.equal(isKnownPlain(Buffer.from(made[5]!).toString('latin1')), true);
  assert.equal(isKnownPlain(made[8]!), true, 'a few skipped');
  assert.equal(isKnownPlain('ab"cd'.repeat(20)), false);
  assert.equal(isKnownPlain(made[0]!.slice(1)), false);
  // Pushed out of the ring by 64 newer strings: unknown, the writer checks it itself.
  for (let i = 0; i < 64; i++) notePlain(`x${i}`.repeat(30));
  assert.equal(isKnownPlain(made[0]!), false);
  assert.equal(hex(b, 0, 4), '00254a6f', 'short runs are made in JS and not noted');
});
