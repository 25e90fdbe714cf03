import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ipv4, ipv6, mac } from '../../../lib/codec/bytes.js';

test('IPv6 text is RFC 5952 canonical: the WHATWG URL serializer agrees on 20,000 addresses full of zero runs', () => {
  let seed = 12345;
  const rand = (): number => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
  const b = Buffer.alloc(16);
  for (let n = 0; n < 20000; n++) {
    for (let i = 0; i < 8; i++) b.writeUInt16BE(rand() < 0.5 ? 0 : rand() < 0.5 ? Math.floor(rand() * 16) : Math.floor(rand() * 65536), i * 2);
    if (b.subarray(0, 10).every((x) => x === 0) && b.readUInt16BE(10) === 0xffff) continue; // IPv4-mapped: dotted in RFC 5952, hex in URL
    const groups = Array.from({ length: 8 }, (_, i) => b.readUInt16BE(i * 2).toString(16)).join(':');
    assert.equal(`[${ipv6(b, 0)}]`, new URL(`http://[${groups}]/`).hostname, groups);
  }
  b.fill(0);
  b.writeUInt16BE(0xffff, 10);
  b.set([192, 0, 2, 1], 12);
  assert.equal(ipv6(b, 0), '::ffff:192.0.2.1');
});

test('IPv4 text from the cached halves matches plain formatting for every octet value in every position', () => {
  const b = Buffer.alloc(4);
  for (let v = 0; v < 256; v++) {
    for (let pos = 0; pos < 4; pos++) {
      b.fill(pos === 0 ? 10 : 0);
      b[pos] = v;
      b[(pos + 1) % 4] = 255 - v;
      assert.equal(ipv4(b, 0), [...b].join('.'));
    }
  }
});

test('IPv4 and MAC text stay right through the address caches: 200,000 random addresses, each read twice', () => {
  let seed = 99;
  const rand = (): number => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
  const b = Buffer.alloc(6);
  const seen: Buffer[] = [];
  for (let n = 0; n < 200_000; n++) {
    // Mostly random, some from a small pool so the cache hits and evicts.
    const bytes = rand() < 0.3 && seen.length > 0 ? seen[Math.floor(rand() * seen.length)]! : Buffer.from(Array.from({ length: 6 }, () => Math.floor(rand() * 256)));
    if (seen.length < 64) seen.push(bytes);
    bytes.copy(b);
    const macText = [...b].map((x) => x.toString(16).padStart(2, '0')).join(':');
    const v4 = [...b.subarray(0, 4)].join('.');
    assert.equal(mac(b, 0), macText);
    assert.equal(ipv4(b, 0), v4);
    assert.equal(mac(b, 0), macText);
    assert.equal(ipv4(b, 0), v4);
  }
});
