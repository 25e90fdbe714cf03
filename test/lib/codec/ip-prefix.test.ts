import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isIP } from 'node:net';
import { parseCidr, parseIp, PrefixTable } from '../../../lib/codec/ip-prefix.js';

test('parseIp: IPv4 and IPv6 text (compressed, IPv4 tail, zone), rejects what node:net rejects', () => {
  const b = new Uint8Array(16);
  assert.equal(parseIp('192.0.2.1', b), 4);
  assert.deepEqual([...b.subarray(0, 4)], [192, 0, 2, 1]);
  assert.equal(parseIp('2001:db8::ff00:42:8329', b), 6);
  assert.equal(Buffer.from(b).toString('hex'), '20010db8000000000000ff0000428329');
  assert.equal(parseIp('::ffff:192.0.2.9', b), 6);
  assert.equal(Buffer.from(b).toString('hex'), '00000000000000000000ffffc0000209');
  assert.equal(parseIp('fe80::1%eth0', b), 6);
  for (const bad of ['', '1.2.3', '1.2.3.4.5', '256.1.1.1', '01.2.3.4', 'a.b.c.d', '1::2::3', '12345::', ':::', '1:2:3:4:5:6:7:8:9', 'g::1', '1.2.3.4/8']) {
    assert.equal(parseIp(bad, b), 0, bad);
    assert.equal(isIP(bad), 0, `node:net agrees about ${bad}`);
  }
});

test('parseIp: random IPv6 words in every textual form parse back to the same bytes; mangled text is rejected as node:net rejects it', () => {
  let seed = 7;
  const rnd = (n: number): number => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed % n; };
  const b = new Uint8Array(16);
  for (let n = 0; n < 3000; n++) {
    // zero runs are common in real addresses: a third of the words are zero
    const words = Array.from({ length: 8 }, () => (rnd(3) === 0 ? 0 : rnd(65536)));
    const hex = words.map((w) => w.toString(16));
    const forms = [hex.join(':'), hex.map((h) => h.toUpperCase().padStart(4, '0')).join(':')];
    const start = rnd(8), len = 1 + rnd(8 - start);
    if (words.slice(start, start + len).every((w) => w === 0)) forms.push(`${hex.slice(0, start).join(':')}::${hex.slice(start + len).join(':')}`);
    forms.push(`${hex.slice(0, 6).join(':')}:${words[6]! >> 8}.${words[6]! & 255}.${words[7]! >> 8}.${words[7]! & 255}`);
    const want = Buffer.from(Uint16Array.from(words, (w) => ((w & 255) << 8) | (w >> 8)).buffer).toString('hex');
    for (const f of forms) {
      assert.equal(isIP(f), 6, f);
      assert.equal(parseIp(f, b), 6, f);
      assert.equal(Buffer.from(b).toString('hex'), want, f);
      // one character dropped, doubled or changed: we accept exactly what node:net accepts
      const at = rnd(f.length);
      for (const m of [f.slice(0, at) + f.slice(at + 1), f.slice(0, at) + f[at]! + f.slice(at), f.slice(0, at) + ':' + f.slice(at + 1), f.slice(0, at) + 'g' + f.slice(at + 1)]) {
        assert.equal(parseIp(m, b) === 0 ? 0 : 1, isIP(m) === 0 ? 0 : 1, m);
      }
    }
  }
});

test('parseCidr: prefix lengths in range, bare addresses are host prefixes', () => {
  assert.equal(parseCidr('10.0.0.0/8').length, 8);
  assert.equal(parseCidr('2001:db8::/32').length, 32);
  assert.equal(parseCidr('192.0.2.1').length, 32);
  assert.throws(() => parseCidr('10.0.0.0/40'), /0-32/);
  assert.throws(() => parseCidr('10.0.0.0/'), /prefix length/);
  assert.throws(() => parseCidr('nonsense/8'), /not an IP/);
});

test('PrefixTable: the longest prefix wins, IPv4-mapped IPv6 finds IPv4 prefixes, /0 catches the rest', () => {
  const t = new PrefixTable<string>();
  t.add('10.0.0.0/8', 'ten');
  t.add('10.1.0.0/16', 'ten-one');
  t.add('10.1.2.0/24', 'ten-one-two');
  t.add('2001:db8::/32', 'doc6');
  t.add('2001:db8:1::/48', 'doc6-1');
  assert.equal(t.lookup('10.1.2.3'), 'ten-one-two');
  assert.equal(t.lookup('10.1.3.3'), 'ten-one');
  assert.equal(t.lookup('10.9.9.9'), 'ten');
  assert.equal(t.lookup('11.0.0.1'), undefined);
  assert.equal(t.lookup('2001:db8:1::5'), 'doc6-1');
  assert.equal(t.lookup('2001:db8:2::5'), 'doc6');
  assert.equal(t.lookup('::ffff:10.1.2.200'), 'ten-one-two');
  assert.equal(t.lookup('not an address'), undefined);
  t.add('0.0.0.0/0', 'default');
  assert.equal(t.lookup('11.0.0.1'), 'default');
});

test('PrefixTable agrees with a linear longest-match scan on 5,000 random prefixes and 20,000 addresses', () => {
  let seed = 7;
  const rand = (n: number): number => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) % n);
  const prefixes: { net: number; len: number; v: number }[] = [];
  const t = new PrefixTable<number>();
  for (let i = 0; i < 5000; i++) {
    const len = 8 + rand(25);
    const net = len === 0 ? 0 : ((rand(2 ** 16) * 2 ** 16 + rand(2 ** 16)) >>> (32 - len)) << (32 - len) >>> 0;
    prefixes.push({ net, len, v: i });
    t.add(`${net >>> 24}.${(net >>> 16) & 255}.${(net >>> 8) & 255}.${net & 255}/${len}`, i);
  }
  for (let i = 0; i < 20000; i++) {
    const p = prefixes[rand(prefixes.length)]!;
    const a = (p.net + rand(2 ** Math.min(16, 32 - p.len))) >>> 0;
    let best: { len: number; v: number } | undefined;
    for (const q of prefixes) {
      const mask = q.len === 0 ? 0 : (0xffffffff << (32 - q.len)) >>> 0;
      if (((a & mask) >>> 0) === q.net && (best === undefined || q.len >= best.len)) best = q; // later equal prefixes replace earlier ones
    }
    assert.equal(t.lookup(`${a >>> 24}.${(a >>> 16) & 255}.${(a >>> 8) & 255}.${a & 255}`), best?.v);
  }
});
