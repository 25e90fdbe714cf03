// examples/capture-exporters.ts runs: its per-source counts are those of the whole capture.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pcapFile } from '../../lib/capture/pcap-writer.js';
import { ROOT } from '../helpers/paths.js';

const EXAMPLE = fileURLToPath(new URL('../../examples/capture-exporters.js', import.meta.url));

test('examples/capture-exporters: datagrams, bytes and protocol per UDP source, over chunks of 64 KiB', () => {
  const v9 = readFileSync(join(ROOT, 'examples/samples/cisco-v9-template-and-data.bin'));
  const ipfix = readFileSync(join(ROOT, 'examples/samples/softflowd-ipfix.bin'));
  const dst = { address: '192.0.2.2', port: 2055 };
  const a = { address: '192.0.2.10', port: 2055 }, b = { address: '2001:db8::7', port: 4739 };
  // 300 datagrams (~350 KiB): records cut at the 64 KiB chunk ends.
  const packets = Array.from({ length: 300 }, (_, i) => (i % 3 === 0 ? { src: b, payload: ipfix } : { src: a, payload: v9 })).map((p, i) => ({ ...p, dst, time: 1_700_000_000_000 + i }));
  const dir = mkdtempSync(join(tmpdir(), 'flowpipe-example-'));
  try {
    const file = join(dir, 'two.pcap');
    writeFileSync(file, pcapFile(packets));
    const r = spawnSync(process.execPath, [EXAMPLE, file], { cwd: ROOT, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const rows = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.deepEqual(rows, [
      { source: '[2001:db8::7]:4739', datagrams: 100, bytes: 100 * ipfix.length, protocol: 'ipfix' },
      { source: '192.0.2.10:2055', datagrams: 200, bytes: 200 * v9.length, protocol: 'netflow-v9' },
    ]);
    assert.equal((JSON.parse(r.stderr) as { leftoverBytes: number }).leftoverBytes, 0);
    assert.equal(spawnSync(process.execPath, [EXAMPLE], { encoding: 'utf8' }).status, 2);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
