// BufferPool: given-back memory of its size is handed out again (up to `max` spares); memory
// of any other size, and shared memory, is never kept.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BufferPool } from '../../../lib/runtime/buffer-pool.js';

test('a buffer given back (or a view of one) is the next one taken', () => {
  const pool = new BufferPool(1024);
  const a = pool.take();
  assert.equal(a.length, 1024);
  assert.equal(a.buffer.byteLength, 1024, 'its own memory, transferable');
  pool.give(a.subarray(0, 10)); // a chunk handed on is often a view of its first bytes
  assert.equal(pool.spareCount, 1);
  const b = pool.take();
  assert.equal(b.buffer, a.buffer);
  assert.equal(b.length, 1024);
  assert.notEqual(pool.take().buffer, a.buffer, 'no spare left: new memory');
});

test('other sizes, shared memory and spares beyond max are not kept', () => {
  const pool = new BufferPool(64, 2);
  pool.give(Buffer.allocUnsafeSlow(65));
  pool.give(Buffer.from('x')); // a slice of Node's shared 8 KiB pool
  pool.give(new Uint8Array(new SharedArrayBuffer(64)));
  assert.equal(pool.spareCount, 0);
  for (let i = 0; i < 3; i++) pool.give(Buffer.allocUnsafeSlow(64));
  assert.equal(pool.spareCount, 2);
  assert.throws(() => new BufferPool(0), RangeError);
});
