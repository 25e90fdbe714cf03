// flowpipe against Wireshark's cflow dissector (tshark) on every IPFIX/v9 corpus sequence and
// 500 generated template+data datagrams. Skipped where tshark is not installed (.ci/run installs it).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compareWithTshark, emptyReport, haveTshark } from './fuzz/tshark.js';
import { randomTemplateAndData } from './fuzz/generate.js';
import { Prng } from './fuzz/prng.js';
import { loadManifest, readCorpus } from './helpers/corpus.js';

test('differential: flowpipe and tshark agree on every field both decode', { skip: !haveTshark() && 'tshark not installed' }, () => {
  const corpus = emptyReport();
  const seqs = loadManifest().filter((e) => e.protocol === 'ipfix' || e.protocol === 'netflow-v9').map((e) => ({ name: e.file, datagrams: [...e.needs_templates_from, e.file].map(readCorpus) }));
  compareWithTshark(seqs, corpus);
  const generated = emptyReport();
  const r = new Prng(5);
  compareWithTshark(Array.from({ length: 500 }, (_, i) => ({ name: `generated${i}`, datagrams: [randomTemplateAndData(r)] })), generated);
  for (const [name, rep] of [['corpus', corpus], ['generated', generated]] as const) {
    console.log(`differential ${name}: ${rep.packetsCompared}/${rep.packets} packets, ${rep.flows} flows, ${rep.values} values compared, ${rep.mismatches.length} mismatches, ${rep.nonConforming} with non-conforming lengths and ${rep.ambiguous} ambiguous in tshark not compared`);
  }
  assert.deepEqual(corpus.skipped, []);
  assert.ok(corpus.values > 5000, 'the corpus comparison covers thousands of values');
  assert.deepEqual(corpus.mismatches, [], 'no mismatch on real exports');
  // tshark reads flowStart/EndSysUpTime as 4 bytes even in reduced-size encoding (RFC 7011 §6.2),
  // running into the next field: the only disagreement allowed, and tshark is the one wrong.
  const other = generated.mismatches.filter((m) => !(/^cflow\.time(start|end)$/.test(m.field) && m.declaredLength < 4));
  assert.deepEqual(other, []);
});
