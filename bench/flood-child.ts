// One flood against a FlowDecoder with the default caps, in its own process so its peak RSS is
// its own: `node flood-child.js MODE`, prints one JSON line (datagrams, µs each, state, evictions,
// peak RSS from VmHWM).
import { readFileSync } from 'node:fs';
import { FlowDecoder } from '../index.js';
import { ipfix, ipfixTemplate, set } from '../test/helpers/build.js';

const mode = process.argv[2] ?? 'templates';
const d = new FlowDecoder();
const fields = (n: number): [number, number][] => Array.from({ length: n }, (_, i) => [1 + (i % 200), 4]);
const exporter = (x: number): { address: string; port: number } => ({ address: `198.51.${(x >> 8) & 255}.${x & 255}`, port: 9000 });

/** Datagrams of each flood, made as they are sent (holding them all would be the RSS measured). */
function* flood(): Generator<[Buffer, { address: string; port: number }]> {
  if (mode === 'templates') { // 3 exporters x 1,024 domains x 400 two-field templates
    for (let x = 0; x < 3; x++) for (let dom = 0; dom < 1024; dom++) for (let k = 0; k < 400; k += 100) {
      yield [ipfix({ domain: dom }, set(2, ...Array.from({ length: 100 }, (_, i) => ipfixTemplate(256 + k + i, fields(2))))), exporter(x)];
    }
  } else if (mode === 'fields') { // templates of 1,000 fields
    for (let x = 0; x < 3; x++) for (let i = 0; i < 2000; i++) yield [ipfix({ domain: i % 1024 }, set(2, ipfixTemplate(256 + (i % 4000), fields(1000)))), exporter(x)];
  } else if (mode === 'used') { // each datagram defines and uses a 100-field template
    for (let x = 0; x < 3; x++) for (let i = 0; i < 15000; i++) {
      yield [ipfix({ domain: i % 1024 }, set(2, ipfixTemplate(256 + (i % 4000), fields(100))), set(256 + (i % 4000), Buffer.alloc(400, 1))), exporter(x)];
    }
  } else if (mode === 'pending') { // 100,000 sources, data whose template never comes
    const data = set(300, Buffer.alloc(1200, 1));
    for (let x = 0; x < 100_000; x++) yield [ipfix({ domain: x % 1024 }, data), exporter(x)];
  } else if (mode === 'churn') { // one template id redefined with a new layout in every datagram
    for (let i = 0; i < 20_000; i++) {
      const f: [number, number][] = [1, 2, 4, 5, 6, 7, 8, 10, 11, 12, 14, 15, 16, 17, 21, 22].map((id, j) => [id, 1 + ((i >> j) & 1) + ((i >> (j + 8)) & 1) * 2]);
      const len = f.reduce((a, [, l]) => a + l, 0);
      yield [ipfix({ sequence: i }, set(2, ipfixTemplate(256, f)), set(256, Buffer.alloc(len * 5, 1))), exporter(1)];
    }
  }
}

// Churn is about time: its (small) datagrams are made before the clock starts.
const input = mode === 'churn' ? [...flood()] : flood();
let n = 0;
const start = process.hrtime.bigint();
for (const [b, e] of input) { d.decode(b, e, 0); n++; }
const us = Number(process.hrtime.bigint() - start) / 1e3 / n;
const hwm = Number(/VmHWM:\s+(\d+)/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1] ?? 0) / 1024;
process.stdout.write(JSON.stringify({ mode, datagrams: n, us, state: d.stateSize(), evicted: d.stats.evicted, peakRssMb: Math.round(hwm) }) + '\n');
