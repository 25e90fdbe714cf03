import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FlowDecoder } from '../../../lib/decoder.js';
import { warmUp, warmUpExports } from '../../../lib/runtime/warm-up.js';

test('warm-up exports are well-formed v5, v9 and IPFIX that decode without errors', () => {
  const dec = new FlowDecoder();
  const exporter = { address: '198.51.100.1', port: 9 };
  const { setup, data } = warmUpExports();
  for (const d of setup) assert.deepEqual(dec.decode(d, exporter, 0).errors, []);
  const [v5, v9, ipfix] = data.map((d) => dec.decode(d, exporter, 0));
  for (const r of [v5!, v9!, ipfix!]) assert.deepEqual(r.errors, []);
  assert.equal(v5!.records.length, 29);
  assert.equal(v9!.records.length, 20);
  assert.equal(ipfix!.records.length, 20);
  const r = ipfix!.records[3]!;
  assert.equal(r.protocol, 'ipfix');
  assert.equal(r['sourceIPv4Address'], '10.1.0.3');
  assert.equal(r['sourceIPv6Address'], '2001:db8::3');
  assert.equal(r['sourceMacAddress'], '02:00:00:00:00:03');
  assert.equal(r['interfaceName'], 'ge-0/0/3');
  assert.equal(v9!.records[0]!.protocol, 'netflow-v9');
  assert.equal(v5!.records[28]!['destinationTransportPort'], 443);
  warmUp(10); // and the warm-up itself runs
});
