// examples/sflow-to-ipfix.ts runs: a corpus sFlow capture arrives as IPFIX that decodes and
// normalizes to the same flows (rate included) as the sFlow itself.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { fileURLToPath } from 'node:url';
import { FlowDecoder } from '../../lib/decoder.js';
import { FlowNormalizer } from '../../lib/normalize/normalizer.js';
import type { NormalizedFlow } from '../../lib/normalize/flow.js';
import { lines, run } from '../helpers/cli.js';
import { CORPUS_DIR } from '../helpers/corpus.js';
import { ROOT } from '../helpers/paths.js';

const EXAMPLE = fileURLToPath(new URL('../../examples/sflow-to-ipfix.js', import.meta.url));

test('examples/sflow-to-ipfix: the capture\'s sFlow flows arrive as IPFIX with their sampling rates', async () => {
  const capture = CORPUS_DIR + 'tcpdump/sflow_expanded.pcap';
  const socket = createSocket('udp4');
  const got: Buffer[] = [];
  socket.on('message', (m) => got.push(m));
  await new Promise<void>((r) => socket.bind(0, '127.0.0.1', () => r()));
  const r = spawnSync(process.execPath, [EXAMPLE, capture, '127.0.0.1', String(socket.address().port)], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  await new Promise((res) => setTimeout(res, 200));
  socket.close();
  const dec = new FlowDecoder();
  const flows = new FlowNormalizer({ flowsOnly: true }).process(got.flatMap((m) => dec.decode(m, { address: '127.0.0.1', port: 1 }, 0).records), 0) as NormalizedFlow[];
  const want = lines(run(['decode', capture, '--normalize', '--flows-only']).stdout as Buffer);
  assert.ok(want.length > 0);
  assert.deepEqual(flows.map((f) => [f.srcAddr, f.dstAddr, f.samplingRate, f.bytes]), want.map((f) => [f['srcAddr'], f['dstAddr'], f['samplingRate'], f['bytes']]));
});
