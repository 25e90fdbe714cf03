// Floods of valid traffic against the decoder's global caps: templates, fields, domains, data
// waiting for templates, exporters. Asserted: the caps hold, every eviction is counted, evicted
// waiting data is a template miss, the well-behaved exporter keeps decoding. RSS is reported
// (t.diagnostic), not asserted; time is not asserted either.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FlowDecoder } from '../../../lib/decoder.js';
import { cat, ip4, ipfix, ipfixTemplate, set, u16, u32 } from '../../helpers/build.js';

const LEGIT = { address: '192.0.2.1', port: 2055 };
const mib = (): string => `${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MiB RSS`;

/** One datagram defining `n` two-field templates from id `first` in `domain`. */
const templates = (domain: number, first: number, n: number): Buffer =>
  ipfix({ domain }, set(2, ...Array.from({ length: n }, (_, i) => ipfixTemplate(256 + ((first + i) % 65000), [[8, 4], [7, 2]]))));

const missed = (d: FlowDecoder): number => Object.values(d.stats.templateMisses).reduce((a, b) => a + b, 0);

test('template flood: 3 exporters x 300 domains x 1,000 templates stay within maxTemplates and maxDomains; the legit exporter keeps decoding', (t) => {
  const d = new FlowDecoder({ maxTemplates: 50_000, maxDomains: 500 });
  d.decode(ipfix({}, set(2, ipfixTemplate(256, [[8, 4], [7, 2]]))), LEGIT, 0);
  let sent = 0, misses = 0;
  for (let x = 0; x < 3; x++) {
    const flooder = { address: `198.51.100.${x + 1}`, port: 9000 };
    for (let dom = 0; dom < 300; dom++) {
      for (let k = 0; k < 1000; k += 100) { d.decode(templates(dom, k, 100), flooder, 1); sent += 100; }
      const r = d.decode(ipfix({}, set(256, cat(ip4('10.0.0.1'), u16(80)))), LEGIT, 1);
      if (r.records.length !== 1) misses++;
    }
  }
  const s = d.stateSize();
  t.diagnostic(`${sent} templates sent; held ${s.templates} in ${s.domains} domains; evicted ${JSON.stringify(d.stats.evicted)}; ${mib()}`);
  assert.ok(s.templates <= 50_000 && s.domains <= 500);
  assert.equal(s.templates + d.stats.evicted.templates, sent + 1, 'every template held or counted as evicted');
  assert.equal(misses, 0, 'the quiet exporter is not the largest holder: its template stays');
});

test('field flood: templates of 1,000 fields stay within maxTemplateFields', (t) => {
  const d = new FlowDecoder({ maxTemplateFields: 100_000 });
  const fields = Array.from({ length: 1000 }, (_, i) => [1 + (i % 200), 4] as const);
  for (let i = 0; i < 300; i++) d.decode(ipfix({ domain: i % 7 }, set(2, ipfixTemplate(256 + i, fields))), { address: '198.51.100.9', port: 9 }, 0);
  const s = d.stateSize();
  t.diagnostic(`held ${s.templates} templates, ${s.templateFields} fields; ${mib()}`);
  assert.ok(s.templateFields <= 100_000);
  assert.equal(s.templates + d.stats.evicted.templates, 300);
});

test('pending flood: data for templates that never come stays within the global caps, and every set dropped is a template miss', (t) => {
  const d = new FlowDecoder({ maxPendingSetsTotal: 2_000, maxPendingBytesTotal: 1 << 20, sweepIntervalMs: 60_000 });
  const data = set(300, Buffer.alloc(200, 1));
  let sent = 0;
  for (let e = 0; e < 50; e++) {
    for (let i = 0; i < 200; i++) { d.decode(ipfix({}, data), { address: `198.51.100.${e}`, port: 4739 }, 1); sent++; }
  }
  const s = d.stateSize();
  assert.ok(s.pendingSets <= 2_000 && s.pendingBytes <= 1 << 20, JSON.stringify(s));
  assert.ok(d.stats.evicted.pendingSets > 0);
  d.flush(2);
  t.diagnostic(`${sent} sets; evicted ${d.stats.evicted.pendingSets}; ${mib()}`);
  assert.equal(missed(d), sent, 'held, evicted or flushed: each one a template miss');
});

test('an exporter or domain evicted with data waiting: the data is counted as template misses', () => {
  const d = new FlowDecoder({ maxExporters: 2, maxDomainsPerExporter: 2, sweepIntervalMs: 0 });
  const data = ipfix({ domain: 1 }, set(300, u32(1)));
  d.decode(data, { address: '198.51.100.1', port: 1 }, 0);
  d.decode(data, { address: '198.51.100.2', port: 1 }, 0);
  d.decode(data, { address: '198.51.100.3', port: 1 }, 0); // evicts .1
  assert.equal(d.stats.evicted.exporters, 1);
  assert.equal(d.stats.evicted.pendingSets, 1);
  assert.equal(d.stats.templateMisses['198.51.100.1:1 1/300'], 1);
  d.decode(ipfix({ domain: 2 }, set(300, u32(1))), { address: '198.51.100.3', port: 1 }, 0);
  d.decode(ipfix({ domain: 3 }, set(300, u32(1))), { address: '198.51.100.3', port: 1 }, 0); // evicts domain 1 of .3
  assert.equal(d.stats.evicted.domains, 1);
  assert.equal(d.stats.templateMisses['198.51.100.3:1 1/300'], 1);
});

test('spoofed sources: 200,000 exporters cost O(1) each, maxExporters hold, templateMisses stays bounded', (t) => {
  const d = new FlowDecoder({ sweepIntervalMs: 1000 });
  const data = ipfix({}, set(300, u32(1)));
  const started = process.hrtime.bigint();
  for (let i = 0; i < 200_000; i++) d.decode(data, { address: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`, port: 2055 }, i);
  d.flush(200_001);
  const us = Number(process.hrtime.bigint() - started) / 1e3 / 200_000;
  t.diagnostic(`${us.toFixed(1)} µs per new source; ${mib()}`);
  assert.equal(d.stateSize().exporters, 10_000);
  assert.equal(d.stats.evicted.exporters, 190_000);
  assert.ok(Object.keys(d.stats.templateMisses).length <= 1001);
  assert.equal(missed(d), 200_000, 'every set counted, under its key or under other');
});
