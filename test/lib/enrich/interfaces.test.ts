// Interface, VRF and sampler names from options data: a datagram sequence where options reassign
// an ifIndex and a VRF id (as IOS XR does), names within one datagram in either order, the static
// table and the exporter overrides, and the ports of one address sharing options data.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FlowDecoder } from '../../../lib/decoder.js';
import { FlowNormalizer, type OutputRecord } from '../../../lib/normalize/normalizer.js';
import { InterfaceNames, interfaceTableFromRows, type InterfaceNamesOptions } from '../../../lib/enrich/interfaces.js';
import { parseTable } from '../../../lib/enrich/table-file.js';
import type { NormalizedFlow } from '../../../lib/normalize/flow.js';
import type { Exporter } from '../../../lib/types.js';
import { EXPORTER, cat, ip4, set, u32, u8, v9, v9OptionsTemplate, v9Template, varlen } from '../../helpers/build.js';

const NOW = 1_700_000_000_000;

function run(datagrams: [Buffer, Exporter?][], options: InterfaceNamesOptions = {}): NormalizedFlow[][] {
  const dec = new FlowDecoder({ templateScope: options.templateScope });
  const norm = new FlowNormalizer({ templateScope: options.templateScope, enrichers: [new InterfaceNames(options)] });
  return datagrams.map(([d, e]) => {
    const res = dec.decode(d, e ?? EXPORTER, NOW);
    assert.deepEqual(res.errors, []);
    const out: OutputRecord[] = [];
    norm.process(res.records, NOW, res.runs, out);
    return out.filter((r): r is NormalizedFlow => !('kind' in r));
  });
}

// Flows: IPV4_SRC_ADDR, INPUT_SNMP (10), OUTPUT_SNMP (14), ingressVRFID (234), FLOW_SAMPLER_ID (48)
const FLOW_TPL = set(0, v9Template(300, [[8, 4], [10, 4], [14, 4], [234, 4], [48, 1]]));
const flow = (inIf: number, outIf: number, vrf: number, sampler = 0): Buffer => cat(ip4('10.0.0.1'), u32(inIf), u32(outIf), u32(vrf), u8(sampler));
// Options as IOS XR sends them (scope: system; corpus netflow9_test_cisco_asr9k_opttpl256):
// interface table INPUT_SNMP (10), IF_NAME (82), IF_DESC (83) variable length; VRF table 234, 236.
const IF_TPL = set(1, v9OptionsTemplate(257, [[1, 4]], [[10, 4], [82, 65535], [83, 65535]]));
const iface = (ifIndex: number, name: string, desc: string): Buffer => cat(u32(1), u32(ifIndex), varlen(name), varlen(desc));
const VRF_TPL = set(1, v9OptionsTemplate(258, [[1, 4]], [[234, 4], [236, 65535]]));
const vrf = (id: number, name: string): Buffer => cat(u32(1), u32(id), varlen(name));
const SAMPLER_TPL = set(1, v9OptionsTemplate(259, [[1, 4]], [[48, 1], [84, 65535]]));

test('options reassign an ifIndex and a VRF id: the flows before get the old names, the flows after the new', () => {
  const [, before, , after] = run([
    [v9({ sequence: 0 }, FLOW_TPL, IF_TPL, VRF_TPL, set(257, iface(10, 'Gi0/0/0', 'uplink A'), iface(20, 'Gi0/0/1', 'core')), set(258, vrf(5, 'red')))],
    [v9({ sequence: 1 }, set(300, flow(10, 20, 5)))],
    [v9({ sequence: 2 }, set(257, iface(10, 'Te0/1/0', 'uplink B')), set(258, vrf(5, 'blue')))],
    [v9({ sequence: 3 }, set(300, flow(10, 20, 5)))],
  ]);
  assert.deepEqual([before![0]!['inIfName'], before![0]!['inIfDescription'], before![0]!['outIfName'], before![0]!['inVrfName']], ['Gi0/0/0', 'uplink A', 'Gi0/0/1', 'red']);
  assert.deepEqual([after![0]!['inIfName'], after![0]!['inIfDescription'], after![0]!['outIfName'], after![0]!['inVrfName']], ['Te0/1/0', 'uplink B', 'Gi0/0/1', 'blue']);
});

test('names in the same datagram as the flows, before or after them', () => {
  const [afterFlows] = run([[v9({}, FLOW_TPL, IF_TPL, set(300, flow(10, 0, 0)), set(257, iface(10, 'eth0', 'lan')))]]);
  assert.equal(afterFlows![0]!['inIfName'], 'eth0');
  const [beforeFlows] = run([[v9({}, FLOW_TPL, IF_TPL, set(257, iface(10, 'eth1', 'lan')), set(300, flow(10, 0, 0)))]]);
  assert.equal(beforeFlows![0]!['inIfName'], 'eth1');
});

test('sampler names by samplerId', () => {
  const [flows] = run([[v9({}, FLOW_TPL, SAMPLER_TPL, set(259, cat(u32(1), u8(3), varlen('SAMPLER-1in1000'))), set(300, flow(1, 2, 0, 3)))]]);
  assert.equal(flows![0]!['samplerName'], 'SAMPLER-1in1000');
});

test('a static table fills what the device never sends; overrides win over what it sends; speeds', () => {
  const table = interfaceTableFromRows(parseTable('exporter,ifIndex,name,description,speed\n192.0.2.1,10,xe-0/0/0,transit,10000000000\n192.0.2.1,20,xe-0/0/1,,\n', 'csv', 'exporter'));
  const overrides = interfaceTableFromRows(parseTable('192.0.2.1:\n  20: { name: renamed }\n', 'yaml', 'exporter'));
  const [flows] = run([[v9({}, FLOW_TPL, IF_TPL, set(257, iface(20, 'sent-by-device', 'x')), set(300, flow(10, 20, 0)))]], {
    table: (a) => table.get(a), overrides: (a) => overrides.get(a),
  });
  const f = flows![0]!;
  assert.deepEqual([f['inIfName'], f['inIfDescription'], f['inIfSpeed']], ['xe-0/0/0', 'transit', 10_000_000_000]);
  assert.deepEqual([f['outIfName'], f['outIfDescription']], ['renamed', 'x']);
});

test('options sent from one port of an address name the flows from another port (IOS XR); strict scope keeps them apart', () => {
  const other = { ...EXPORTER, port: 33000 };
  const seq: [Buffer, Exporter?][] = [[v9({}, IF_TPL, set(257, iface(10, 'Hu0/0/0/1', 'x')))], [v9({}, FLOW_TPL, set(300, flow(10, 0, 0))), other]];
  assert.equal(run(seq)[1]![0]!['inIfName'], 'Hu0/0/0/1');
  assert.equal(run(seq)[1]![0]!.exporter, '192.0.2.1:33000');
  const strict = run(seq, { templateScope: 'strict' })[1]!;
  assert.equal(strict.length, 1);
  assert.equal(strict[0]!['inIfName'], undefined, 'strict: another port\'s options do not apply');
});

test('names never cross addresses or domains', () => {
  const [, flows] = run([[v9({ sourceId: 1 }, IF_TPL, set(257, iface(10, 'one', 'x')))], [v9({ sourceId: 2 }, FLOW_TPL, set(300, flow(10, 0, 0)))]]);
  assert.equal(flows![0]!['inIfName'], undefined);
  const [, other] = run([[v9({}, IF_TPL, set(257, iface(10, 'one', 'x')))], [v9({}, FLOW_TPL, set(300, flow(10, 0, 0))), { address: '192.0.2.99', port: 2055 }]]);
  assert.equal(other![0]!['inIfName'], undefined);
});
