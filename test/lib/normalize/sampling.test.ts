// Every source of a sampling rate, in built datagrams: v5 header, options data (per domain and per
// sampler, options before and after the data in one datagram), RFC 5476 packet interval/space,
// probability, the record's own elements, operator defaults and overrides, unknown (counted).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FlowDecoder } from '../../../lib/decoder.js';
import { FlowNormalizer, scaleCount, type NormalizeOptions, type OutputRecord } from '../../../lib/normalize/normalizer.js';
import { rateFromElements } from '../../../lib/normalize/sampling.js';
import type { NormalizedFlow } from '../../../lib/normalize/flow.js';
import type { Exporter } from '../../../lib/types.js';
import { EXPORTER, cat, ip4, ipfix, ipfixOptionsTemplate, ipfixTemplate, set, u32, u64, u8, v5, v5Record, v9, v9OptionsTemplate, v9Template } from '../../helpers/build.js';

const NOW = 1_700_000_000_000;

function run(datagrams: [Buffer, Exporter?][], options: NormalizeOptions = {}): { flows: NormalizedFlow[]; norm: FlowNormalizer } {
  const dec = new FlowDecoder({ templateScope: options.templateScope });
  const norm = new FlowNormalizer(options);
  const out: OutputRecord[] = [];
  for (const [d, e] of datagrams) {
    const res = dec.decode(d, e ?? EXPORTER, NOW);
    assert.deepEqual(res.errors, []);
    norm.process(res.records, NOW, res.runs, out);
  }
  return { flows: out.filter((r): r is NormalizedFlow => !('kind' in r)), norm };
}

// v9 flows: IPV4_SRC_ADDR, IN_BYTES, IN_PKTS, FLOW_SAMPLER_ID (48)
const FLOW_TPL = set(0, v9Template(300, [[8, 4], [1, 4], [2, 4], [48, 1]]));
const flow = (src: string, bytes: number, sampler: number): Buffer => cat(ip4(src), u32(bytes), u32(2), u8(sampler));
// v9 sampler options: scope system, FLOW_SAMPLER_ID (48), FLOW_SAMPLER_RANDOM_INTERVAL (50)
const SAMPLER_TPL = set(1, v9OptionsTemplate(257, [[1, 4]], [[48, 1], [50, 4]]));
const sampler = (id: number, interval: number): Buffer => cat(u32(1), u8(id), u32(interval));

test('v5 header: the 14-bit interval scales bytes and packets; 0 is unknown (rate 1, counted)', () => {
  const { flows } = run([[v5({ sampling: (1 << 14) | 100 }, [v5Record({ src: '10.0.0.1', dst: '10.0.0.2', bytes: 1500, pkts: 3 })])]]);
  assert.deepEqual([flows[0]!.samplingRate, flows[0]!.bytes, flows[0]!.packets, flows[0]!.sampledBytes], [100, 150_000, 300, 1500]);
  const unknown = run([[v5({ sampling: 0 }, [v5Record({ src: '10.0.0.1', dst: '10.0.0.2', bytes: 1500 })])]]);
  assert.equal(unknown.flows[0]!.samplingRate, 1);
  assert.equal(unknown.flows[0]!.bytes, 1500);
  assert.deepEqual(unknown.norm.stats.samplingUnknown, { '192.0.2.1:2055': 1 });
  assert.equal(unknown.norm.stats.rateSources.unknown, 1);
});

test('operator default (--sampling) for exporters that never say, override (--sampling-override) over what they say', () => {
  const d = v5({ sampling: 0 }, [v5Record({ src: '10.0.0.1', dst: '10.0.0.2', bytes: 10 })]);
  const def = run([[d]], { sampling: { defaults: { '192.0.2.0/24': 512 } } });
  assert.equal(def.flows[0]!.samplingRate, 512);
  assert.deepEqual(def.norm.stats.samplingUnknown, {});
  const sent = v5({ sampling: 100 }, [v5Record({ src: '10.0.0.1', dst: '10.0.0.2', bytes: 10 })]);
  assert.equal(run([[sent]], { sampling: { defaults: { '192.0.2.1': 512 } } }).flows[0]!.samplingRate, 100, 'a default never beats what the device sends');
  assert.equal(run([[sent]], { sampling: { overrides: { '192.0.2.1': 64 } } }).flows[0]!.samplingRate, 64);
  assert.equal(run([[sent]], { sampling: { overrides: { '198.51.100.0/24': 64 } } }).flows[0]!.samplingRate, 100, 'another exporter\'s override');
});

test('v9 options data: two samplers in one domain, each flow scaled by its own sampler\'s rate', () => {
  const { flows } = run([
    [v9({}, FLOW_TPL, SAMPLER_TPL, set(257, sampler(1, 1000), sampler(2, 100)))],
    [v9({ sequence: 1 }, set(300, flow('10.0.0.1', 100, 1), flow('10.0.0.2', 100, 2), flow('10.0.0.3', 100, 3)))],
  ]);
  assert.deepEqual(flows.map((f) => f.samplingRate), [1000, 100, 1]);
  assert.deepEqual(flows.map((f) => f.bytes), [100_000, 10_000, 100]);
});

test('options and data in one datagram, in either order', () => {
  const after = run([[v9({}, FLOW_TPL, SAMPLER_TPL, set(300, flow('10.0.0.1', 7, 1)), set(257, sampler(1, 50)))]]);
  assert.equal(after.flows[0]!.samplingRate, 50, 'options after the data in the same datagram');
  assert.deepEqual(after.norm.stats.samplingUnknown, {});
  assert.equal(after.norm.stats.rateSources.options, 1);
  const before = run([[v9({}, FLOW_TPL, SAMPLER_TPL, set(257, sampler(1, 60)), set(300, flow('10.0.0.1', 7, 1)))]]);
  assert.equal(before.flows[0]!.samplingRate, 60);
});

test('a later options record changes the rate for the flows after it only', () => {
  const { flows } = run([
    [v9({}, FLOW_TPL, SAMPLER_TPL, set(257, sampler(1, 10)))],
    [v9({ sequence: 1 }, set(300, flow('10.0.0.1', 1, 1)))],
    [v9({ sequence: 2 }, set(257, sampler(1, 20)))],
    [v9({ sequence: 3 }, set(300, flow('10.0.0.2', 1, 1)))],
  ]);
  assert.deepEqual(flows.map((f) => f.samplingRate), [10, 20]);
});

test('IPFIX: domain-wide samplingInterval (Juniper style), RFC 5476 interval/space by selectorId, probability', () => {
  const optsTpl = set(3, ipfixOptionsTemplate(400, 1, [[144, 4], [34, 4]])); // exportingProcessId scope, samplingInterval
  const flowTpl = set(2, ipfixTemplate(300, [[8, 4], [1, 8]]));
  const juniper = run([[ipfix({ domain: 5 }, optsTpl, set(400, cat(u32(2), u32(1000))), flowTpl, set(300, cat(ip4('10.0.0.1'), u64(64))))]]);
  assert.equal(juniper.flows[0]!.samplingRate, 1000);
  const selTpl = set(3, ipfixOptionsTemplate(401, 1, [[302, 4], [305, 4], [306, 4]]));
  const selFlow = set(2, ipfixTemplate(301, [[8, 4], [1, 8], [302, 4]]));
  const sel = run([[ipfix({}, selTpl, set(401, cat(u32(7), u32(1), u32(99))), selFlow, set(301, cat(ip4('10.0.0.1'), u64(10), u32(7))))]]);
  assert.equal(sel.flows[0]!.samplingRate, 100, '(1 + 99) / 1');
  assert.equal(rateFromElements({ samplingProbability: 0.01 }), 100);
  assert.equal(rateFromElements({ samplingPacketInterval: 2, samplingPacketSpace: 1 }), 1.5);
  assert.equal(rateFromElements({ samplingSize: 1, samplingPopulation: 64 }), 64);
  assert.equal(rateFromElements({ samplingInterval: 0 }), undefined);
});

test('a data record that carries samplingInterval itself', () => {
  const { flows } = run([[v9({}, set(0, v9Template(301, [[8, 4], [1, 4], [34, 4]])), set(301, cat(ip4('10.0.0.1'), u32(5), u32(256))))]]);
  assert.equal(flows[0]!.samplingRate, 256);
  assert.equal(flows[0]!.bytes, 1280);
});

test('options from another source port of the same address apply (address scope); not with strict scope', () => {
  const other = { ...EXPORTER, port: 40000 };
  const datagrams: [Buffer, Exporter?][] = [[v9({}, SAMPLER_TPL, set(257, sampler(1, 4096)))], [v9({}, FLOW_TPL, set(300, flow('10.0.0.1', 1, 1))), other]];
  assert.equal(run(datagrams).flows[0]!.samplingRate, 4096);
  assert.equal(run(datagrams, { templateScope: 'strict' }).flows[0]!.samplingRate, 1);
});

test('scaling is exact: bigints stay bigints, products past 2^53 become bigints', () => {
  assert.equal(scaleCount(2n ** 60n, 4), 2n ** 62n);
  assert.equal(scaleCount(2 ** 50, 1024), 2n ** 60n);
  assert.equal(scaleCount(1500, 1.5), 2250);
  assert.equal(scaleCount(1001, 1.5), 1502, 'estimates are whole counts');
  const { flows } = run([[v9({}, set(0, v9Template(302, [[1, 8], [34, 4]])), set(302, cat(u64(2n ** 62n), u32(2))))]]);
  assert.equal(flows[0]!.bytes, 2n ** 63n);
  assert.equal(flows[0]!.sampledBytes, 2n ** 62n);
});
