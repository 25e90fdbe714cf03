// sFlow → IPFIX through the normalized shape: every sFlow flow sample of the corpus, normalized,
// re-encoded as IPFIX (sampled counters, sampling rate as options data), decoded and normalized
// again, gives the same normalized flow: addresses, ports, protocol, VLANs, MACs, interfaces, and
// bytes and packets scaled by the same rate.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FlowDecoder, type FlowRecord } from '../../../lib/index.js';
import { FlowNormalizer } from '../../../lib/normalize/normalizer.js';
import type { NormalizedFlow } from '../../../lib/normalize/flow.js';
import { IpfixEncoder } from '../../../lib/encode/ipfix.js';
import { SampledFlowRecords } from '../../../lib/encode/from-normalized.js';
import { loadManifest, readCorpus } from '../../helpers/corpus.js';

const EXPORTER = { address: '192.0.2.9', port: 6343 };
const NOW = 1_700_000_000_000;
const SAME_FIELDS = ['srcAddr', 'dstAddr', 'srcPort', 'dstPort', 'proto', 'etype', 'tcpFlags', 'tos', 'srcVlan', 'dstVlan', 'srcMac', 'dstMac', 'inIf', 'outIf', 'srcAs', 'dstAs', 'nextHop', 'srcMask', 'dstMask', 'samplingRate', 'bytes', 'packets', 'sampledBytes', 'sampledPackets', 'timeStart', 'timeEnd'];

test('sFlow flow samples → normalized → IPFIX → decoded → normalized: the same flows', (t) => {
  const flows: NormalizedFlow[] = [];
  for (const e of loadManifest()) {
    if (e.container !== 'raw' || e.malformed || e.protocol !== 'sflow-v5') continue;
    const records = new FlowDecoder().decode(readCorpus(e.file), EXPORTER, NOW).records.filter((r) => r.kind === 'flow');
    const n = new FlowNormalizer({ flowsOnly: true });
    flows.push(...(n.process(records, NOW) as NormalizedFlow[]));
  }
  assert.ok(flows.length > 50, String(flows.length));
  const conv = new SampledFlowRecords();
  const enc = new IpfixEncoder();
  const messages = [...enc.encode(flows.flatMap((f) => conv.records(f)), NOW), ...enc.flush(NOW)];
  const dec = new FlowDecoder();
  const decoded: FlowRecord[] = messages.flatMap((m) => {
    const r = dec.decode(m, EXPORTER, NOW);
    assert.deepEqual(r.errors, []);
    return r.records;
  });
  const back = new FlowNormalizer({ flowsOnly: true }).process(decoded, NOW) as NormalizedFlow[];
  assert.equal(back.length, flows.length);
  let compared = 0;
  flows.forEach((f, i) => {
    for (const k of SAME_FIELDS) {
      if (f[k] === undefined) continue;
      assert.deepEqual(back[i]![k], f[k], `flow ${i} ${k}`);
      compared++;
    }
  });
  t.diagnostic(`${flows.length} sFlow flows, ${messages.length} IPFIX messages, ${compared} values equal; not carried: ${JSON.stringify(conv.stats.notCarried)}`);
});
