// collect --metrics: /metrics scraped during a replay, counters checked against the datagrams and
// records replayed, in one thread and on workers; /healthz; the exporter label capped.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { prometheusText } from '../../lib/metrics/prometheus.js';
import { ExporterCounters } from '../../lib/runtime/exporter-counters.js';
import { run, startCollect, stop } from '../helpers/cli.js';

const PCAP = 'test/fixtures/corpus/tcpdump/sflow-print-v6.pcap'; // 25 datagrams: 13 flow and 48 counter samples

/** The samples of a metric family: labels text -> value. */
function samples(text: string, name: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const l of text.split('\n')) {
    const m = new RegExp(`^${name}(\\{[^}]*\\})? (\\S+)$`).exec(l);
    if (m) out.set(m[1] ?? '', Number(m[2]));
  }
  return out;
}
const total = (m: Map<string, number>): number => [...m.values()].reduce((a, b) => a + b, 0);

for (const workers of [0, 2]) {
  test(`collect --metrics${workers ? ' --workers 2' : ''}: counters match the replayed datagrams and records; /healthz`, async () => {
    const c = await startCollect(['--metrics', '127.0.0.1:0', '--format', 'count', ...(workers ? ['--workers', String(workers)] : [])]);
    const deadline = Date.now() + 5000;
    while (!/metrics on http/.test(c.err()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    const port = /metrics on http:\/\/[^:]+:(\d+)/.exec(c.err())![1];
    assert.equal(run(['replay', PCAP, '--to', `127.0.0.1:${c.port}`]).status, 0);
    await new Promise((r) => setTimeout(r, 400));
    const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    assert.equal((await fetch(`http://127.0.0.1:${port}/healthz`)).status, 200);
    assert.equal(await stop(c.child), 0);
    assert.equal(total(samples(text, 'flowpipe_datagrams_total')), 25, 'no warm-up datagram counted');
    const records = samples(text, 'flowpipe_records_total');
    assert.equal([...records].filter(([l]) => l.includes('kind="flow"')).reduce((a, [, v]) => a + v, 0), 13);
    assert.equal([...records].filter(([l]) => l.includes('kind="counters"')).reduce((a, [, v]) => a + v, 0), 48);
    assert.ok([...records.keys()].every((l) => /exporter="127\.0\.0\.1:\d+",protocol="sflow-v5"/.test(l)));
    assert.equal(samples(text, 'flowpipe_udp_received_total').get(''), 25);
    assert.equal(samples(text, 'flowpipe_udp_dropped_total').get('{reason="queue"}'), 0);
    assert.equal(samples(text, 'flowpipe_decode_seconds_count').get(''), 25);
    assert.match(text, /# TYPE flowpipe_decode_seconds histogram/);
  });
}

test('metrics: the exporter label is capped, the rest under exporter="other" and counted', () => {
  const c = new ExporterCounters(3);
  const d = Buffer.from([0, 9, 0, 0]);
  for (let i = 0; i < 10; i++) c.count(`192.0.2.${i}:2055`, d, { records: [], errors: [], events: [] }, 0.00001);
  const text = prometheusText({ counters: c.snapshot });
  const m = samples(text, 'flowpipe_datagrams_total');
  assert.equal(m.size, 4);
  assert.equal(m.get('{exporter="other",protocol="netflow-v9"}'), 7);
  assert.equal(samples(text, 'flowpipe_exporters_capped_total').get(''), 7);
  assert.equal(prometheusText({ gauges: { x: 1 } }).includes('flowpipe_x 1'), true);
});
