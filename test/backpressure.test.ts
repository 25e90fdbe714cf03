// Backpressure end to end: a generated 1 GB pcap (never on disk) decoded into a slow sink keeps
// memory flat: the capture is read only as fast as the sink takes records.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { captureSource, decode } from '../index.js';
import { pcapHeader, pcapRecord } from '../lib/capture/pcap-writer.js';
import { cat, ip4, ipfix, ipfixTemplate, set, u16, u64, u8 } from './helpers/build.js';

const GB = 1024 ** 3;

function generatedCapture(bytes: number): { stream: Readable; produced: () => number } {
  const ep = { address: '192.0.2.1', port: 4739 };
  const to = { address: '192.0.2.2', port: 4739 };
  const tpl = ipfix({}, set(2, ipfixTemplate(256, [[8, 4], [12, 4], [7, 2], [11, 2], [4, 1], [1, 8], [2, 8], [152, 8], [153, 8]])));
  const record = (i: number): Buffer => cat(ip4(`10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`), ip4('192.0.2.80'), u16(i & 0xffff), u16(443), u8(6), u64(i * 1500), u64(i), u64(1_700_000_000_000), u64(1_700_000_001_000));
  let produced = 0;
  let n = 0;
  const stream = new Readable({
    highWaterMark: 64 * 1024,
    read() {
      if (produced >= bytes) return void this.push(null);
      const chunks: Buffer[] = [];
      if (produced === 0) chunks.push(pcapHeader(), pcapRecord({ src: ep, dst: to, payload: tpl, time: 1_700_000_000_000 }));
      for (let k = 0; k < 40; k++) {
        const recs = Array.from({ length: 30 }, () => record(n++));
        // One datagram per millisecond of capture time (templates expire after 30 min of it).
        chunks.push(pcapRecord({ src: ep, dst: to, payload: ipfix({ sequence: n }, set(256, ...recs)), time: 1_700_000_000_000 + n / 30 }));
      }
      const buf = Buffer.concat(chunks);
      produced += buf.length;
      this.push(buf);
    },
  });
  return { stream, produced: () => produced };
}

test('backpressure: 1 GB of capture into a slow sink, memory stays flat', { timeout: 600_000 }, async () => {
  const { stream, produced } = generatedCapture(GB);
  let records = 0;
  let baseline = 0;
  let peak = 0;
  const sink = new Writable({
    objectMode: true,
    highWaterMark: 256,
    write(_r, _e, done) {
      records++;
      if (records % 200_000 === 0) {
        const rss = process.memoryUsage().rss;
        if (records === 1_000_000) baseline = rss;
        if (baseline > 0) peak = Math.max(peak, rss);
      }
      // Slow: give the event loop away every 1,000 records.
      if (records % 1000 === 0) setImmediate(done);
      else done();
    },
  });
  const started = Date.now();
  await pipeline(captureSource(stream), decode(), sink);
  const growthMB = (peak - baseline) / 1024 / 1024;
  console.log(`backpressure: ${(produced() / GB).toFixed(2)} GB, ${records} records in ${((Date.now() - started) / 1000).toFixed(1)} s; RSS after 1M records ${(baseline / 1048576).toFixed(0)} MB, peak ${(peak / 1048576).toFixed(0)} MB (+${growthMB.toFixed(1)} MB)`);
  assert.ok(produced() >= GB);
  assert.ok(records > 20_000_000, `${records} records`);
  assert.ok(growthMB < 64, `memory grew ${growthMB.toFixed(1)} MB while streaming`);
});
