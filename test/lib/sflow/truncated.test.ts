// A zero-length or truncated sFlow sample or record keeps only the values it holds: nothing past
// its end becomes a 0 (samplingRate 0 would make every estimate 0; drops 0 would hide drops).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FlowDecoder, type FlowRecord } from '../../../lib/index.js';
import { addr4, cat, counterSample, datagram, eth, expandedFlowSample, flowSample, ipv4, record, sampledHeader, u32, udp } from '../../helpers/sflow-build.js';

const EXPORTER = { address: '192.0.2.10', port: 6343 };
const decode = (b: Buffer): { records: FlowRecord[]; errors: { kind: string }[] } => new FlowDecoder().decode(b, EXPORTER, 1_700_000_000_000);

/** A sample whose declared length is cut to `keep` bytes of its body. */
function cut(sample: Buffer, keep: number): Buffer {
  const s = Buffer.from(sample.subarray(0, 8 + keep));
  s.writeUInt32BE(keep, 4);
  return s;
}

const HEADER_FIELDS = ['sampleSequence', 'sourceIdType', 'sourceIdIndex', 'samplingRate', 'samplePool', 'drops', 'ingressInterface', 'egressInterface'];

test('sflow: a zero-length sample is a record of its type and nothing else, with a truncated error', () => {
  for (const sample of [flowSample({ rate: 512 }, []), counterSample(1, 3, []), expandedFlowSample({ rate: 512 }, [])]) {
    const { records, errors } = decode(datagram([cut(sample, 0)]));
    assert.equal(records.length, 1);
    for (const f of HEADER_FIELDS) assert.equal(f in records[0]!, false, `${f} absent`);
    assert.ok(errors.some((e) => e.kind === 'truncated'));
  }
});

test('sflow: a sample header cut after each word keeps exactly the words it holds', () => {
  const full = flowSample({ seq: 9, sourceId: 5, rate: 512, pool: 1000, drops: 3, input: 1, output: 2 }, []);
  for (let words = 1; words <= 6; words++) {
    const { records } = decode(datagram([cut(full, words * 4)]));
    const r = records[0]!;
    const present = HEADER_FIELDS.filter((f) => f in r);
    // word 2 (source id) gives type and index at once
    const expected = HEADER_FIELDS.slice(0, words === 1 ? 1 : words + 1);
    assert.deepEqual(present, expected, `${words} words`);
    if ('samplingRate' in r) assert.equal(r['samplingRate'], 512);
  }
});

test('sflow: a record cut short keeps its leading fields and makes up none', () => {
  const frame = eth(0x0800, ipv4(17, '10.0.0.1', '10.0.0.2', udp(1000, 53)));
  const hdr = sampledHeader(frame);
  const shortHdr = cat(hdr.subarray(0, 8 + 8)); // protocol and frameLength only
  shortHdr.writeUInt32BE(8, 4);
  const r1 = decode(datagram([flowSample({ rate: 100 }, [shortHdr])])).records[0]!;
  assert.equal(r1['frameLength'], frame.length + 4);
  assert.equal('stripped' in r1, false);
  assert.equal('sampledHeader' in r1, false);
  // extended router (1002): next hop, then masks cut off
  const router = record(1002, cat(addr4('10.0.0.254'), u32(24)));
  const r2 = decode(datagram([flowSample({ rate: 100 }, [router])])).records[0]!;
  assert.deepEqual(r2['extendedRouter'], { nextHop: '10.0.0.254', sourceMask: 24 });
  // extended gateway (1003) cut after the AS numbers: no asPath, communities or localPref invented
  const gw = record(1003, cat(addr4('10.0.0.254'), u32(65000), u32(65001), u32(65002)));
  const r3 = decode(datagram([flowSample({ rate: 100 }, [gw])])).records[0]!;
  assert.deepEqual(r3['extendedGateway'], { nextHop: '10.0.0.254', as: 65000, sourceAs: 65001, peerAs: 65002 });
});
