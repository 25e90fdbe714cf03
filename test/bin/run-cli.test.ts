// flowpipe run: a pipeline file gives the same bytes as the command line it was printed from
// (decode/collect --print-config), runs branches and module stages, and a udp pipeline reloads
// its enrichers' data on SIGHUP (and says a changed file needs a restart).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pcapFile } from '../../lib/capture/pcap-writer.js';
import { lines, run, stop } from '../helpers/cli.js';
import { BIN, ROOT } from '../helpers/paths.js';
import { corpusPcap } from '../helpers/sink-data.js';

const tmp = mkdtempSync(join(tmpdir(), 'flowpipe-run-'));
const pcap = corpusPcap('all');

/** `decode ARGS --print-config` into a file in another directory, then `flowpipe run` on it. */
function viaFile(command: string, args: string[]): { cli: Buffer; file: Buffer; yaml: string } {
  const printed = run([command, ...args, '--print-config']);
  assert.equal(printed.status, 0, printed.stderr.toString());
  const file = join(mkdtempSync(join(tmp, 'p-')), 'pipeline.yaml');
  writeFileSync(file, printed.stdout as Buffer);
  const cli = run([command, ...args]);
  const viaRun = run(['run', file]);
  assert.equal(viaRun.status, cli.status, viaRun.stderr.toString());
  return { cli: cli.stdout as Buffer, file: viaRun.stdout as Buffer, yaml: printed.stdout.toString() };
}

for (const args of [
  [pcap],
  [pcap, '--normalize', '--service-names', '--filter', 'proto==6 || proto==17', '--fields', 'exporter,srcAddr,dstAddr,dstPort,bytes,srcService'],
  [pcap, '--format', 'csv', '--fields', 'exporter,protocol,kind,templateId'],
  [pcap, '--normalize', '--flows-only', '--sampling', '0.0.0.0/0=100', '--format', 'table'],
]) {
  test(`decode ${args.slice(1).join(' ') || '(defaults)'}: the printed pipeline runs to byte-identical output`, () => {
    const r = viaFile('decode', args);
    assert.ok(r.cli.length > 1000, 'output');
    assert.ok(r.file.equals(r.cli), 'byte-identical');
    assert.match(r.yaml, new RegExp(`paths:\\n\\s+- ${pcap.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`), 'input files as absolute paths');
  });
}

test('collect --print-config: the udp source, stages and sinks as a file, exit 0 without binding', () => {
  const r = run(['collect', '--listen', '127.0.0.1:2055', '--allow', '192.0.2.0/24', '--normalize', '--to', 'out.ndjson.gz', '--workers', '2', '--stats-interval', '10', '--print-config']);
  assert.equal(r.status, 0, r.stderr.toString());
  const text = r.stdout.toString();
  assert.match(text, /^# yaml-language-server: \$schema=/);
  assert.match(text, /udp:\n\s+listen: 127\.0\.0\.1:2055\n\s+allow:\n\s+- 192\.0\.2\.0\/24/);
  assert.match(text, new RegExp(`- to: ${join(ROOT, 'out.ndjson.gz').replace(/[.]/g, '\\.')}`), 'file sinks as absolute paths');
  assert.match(text, /decode:\n\s+workers: 2/);
  const file = join(tmp, 'collect.yaml');
  writeFileSync(file, text);
  assert.equal(run(['run', '--check', file]).status, 0);
});

test('run: branches, a filter and a map from a module, aggregate; every record counted', () => {
  const dir = mkdtempSync(join(tmp, 'branches-'));
  writeFileSync(join(dir, 'rules.mjs'), 'export function big(r) { return r.bytes > 500; }\nexport default function tag(r) { return r.kind === undefined ? { ...r, tagged: true } : undefined; }\n');
  writeFileSync(join(dir, 'p.yaml'), `sources:\n  - files: { paths: [${pcap}] }\nstages:\n  - normalize\n  - map: { module: ./rules.mjs }\nsinks:\n  - to: all.ndjson\nbranches:\n  - name: big\n    stages:\n      - filter: { module: ./rules.mjs, function: big }\n      - fields: [srcAddr, bytes, tagged]\n    sinks: [ { to: big.ndjson } ]\n  - name: per-dst\n    stages:\n      - aggregate: { by: [dstAddr], window: 1d, lateness: 36500d }\n    sinks: [ { to: agg.ndjson } ]\n`);
  const r = run(['run', join(dir, 'p.yaml')]);
  assert.equal(r.status, 0, r.stderr.toString());
  const flows = lines(run(['decode', pcap, '--normalize', '--flows-only']).stdout as Buffer);
  const all = lines(readFileSync(join(dir, 'all.ndjson')));
  assert.equal(all.length, flows.length, 'the trunk: every flow (map dropped the rest)');
  assert.ok(all.every((x) => x['tagged'] === true));
  const big = lines(readFileSync(join(dir, 'big.ndjson')));
  assert.equal(big.length, flows.filter((f) => Number(f['bytes']) > 500).length);
  assert.deepEqual(Object.keys(big[0]!), ['srcAddr', 'bytes', 'tagged']);
  const agg = lines(readFileSync(join(dir, 'agg.ndjson')));
  const sum = (xs: Record<string, unknown>[], k: string): number => xs.reduce((a, x) => a + Number(x[k] ?? 0), 0);
  assert.equal(sum(agg, 'flows'), flows.length, 'aggregate: every flow (lateness keeps every day open)');
  assert.equal(sum(agg, 'bytes'), sum(flows, 'bytes'));
});

test('run: a module that is not there or exports no such function is one line, exit 1', () => {
  const dir = mkdtempSync(join(tmp, 'mod-'));
  writeFileSync(join(dir, 'm.mjs'), 'export const x = 1;\n');
  writeFileSync(join(dir, 'p.yaml'), `sources:\n  - files: { paths: [${pcap}] }\nstages:\n  - map: { module: ./m.mjs, function: tag }\n`);
  const r = run(['run', join(dir, 'p.yaml')]);
  assert.equal(r.status, 1);
  assert.match(r.stderr.toString(), /stages\[0\] \(map\): .*m\.mjs exports no function 'tag' \(it exports: x\)/);
  assert.equal(r.stdout.length, 0);
});

test('run: a udp pipeline reloads its networks file on SIGHUP without losing records, and says a changed pipeline needs a restart', async () => {
  const dir = mkdtempSync(join(tmp, 'udp-'));
  const networks = join(dir, 'networks.yaml');
  writeFileSync(networks, '0.0.0.0/0: { name: before }\n');
  const file = join(dir, 'p.yaml');
  const text = `sources:\n  - udp: { listen: "127.0.0.1:0" }\nstages:\n  - networks: { file: networks.yaml }\ndecode: { flowsOnly: true }\n`;
  writeFileSync(file, text);
  const child = spawn(process.execPath, [BIN, 'run', file], { cwd: ROOT });
  const out: Buffer[] = [];
  child.stdout.on('data', (c: Buffer) => out.push(c));
  let err = '';
  child.stderr.on('data', (c: Buffer) => { err += c.toString(); });
  const until = async (ok: () => boolean): Promise<void> => {
    const deadline = Date.now() + 15_000;
    while (!ok() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
    assert.ok(ok(), err);
  };
  await until(() => /listening on [^:]+:\d+/.test(err));
  const port = Number(/listening on [^:]+:(\d+)/.exec(err)![1]);
  const v5 = readFileSync(join(ROOT, 'test/fixtures/corpus/logstash-codec-netflow/netflow5_test_microtik.dat'));
  const capture = join(dir, 'v5.pcap');
  writeFileSync(capture, pcapFile([{ src: { address: '127.0.0.1', port: 40001 }, dst: { address: '127.0.0.1', port: 2055 }, payload: v5, time: 1_700_000_000_000 }]));
  const perDatagram = 30;
  assert.equal(run(['replay', capture, '--to', `127.0.0.1:${port}`]).status, 0);
  await until(() => lines(Buffer.concat(out)).length >= perDatagram);
  writeFileSync(networks + '.new', '0.0.0.0/0: { name: after }\n');
  renameSync(networks + '.new', networks);
  child.kill('SIGHUP');
  await until(() => /reloaded the enrichment data/.test(err));
  assert.doesNotMatch(err, /restart/, 'the file itself did not change');
  assert.equal(run(['replay', capture, '--to', `127.0.0.1:${port}`]).status, 0);
  await until(() => lines(Buffer.concat(out)).length >= 2 * perDatagram);
  writeFileSync(file, text.replace('flowsOnly: true', 'flowsOnly: false'));
  child.kill('SIGHUP');
  await until(() => /changed; SIGHUP reloads the enrichers' data files only: restart to apply/.test(err));
  assert.equal(await stop(child), 0);
  const records = lines(Buffer.concat(out));
  assert.equal(records.length, 2 * perDatagram, 'no record lost or doubled');
  assert.deepEqual([...new Set(records.slice(0, perDatagram).map((r) => r['srcNetName']))], ['before']);
  assert.deepEqual([...new Set(records.slice(perDatagram).map((r) => r['srcNetName']))], ['after']);
});
