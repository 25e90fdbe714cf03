import { test } from 'node:test';
import assert from 'node:assert/strict';
import { toJson } from '../../../lib/ndjson/json.js';

test('NDJSON keeps integers above 2^53 exact as bare digits', () => {
  assert.equal(toJson({ a: 2n ** 64n - 1n, b: 'x', c: [1n, 2] }), '{"a":18446744073709551615,"b":"x","c":[1,2]}');
  assert.equal(toJson({ a: 1, s: 'bigint:3' }), '{"a":1,"s":"bigint:3"}');
});
