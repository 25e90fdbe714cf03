// flowpipe convert: the corpus (NetFlow v1/v5/v9, IPFIX, sFlow) re-encoded as IPFIX, NetFlow v9
// and v5 into pcaps that the reference decoders read as flowpipe does: tshark dissects every
// packet without a malformed one and sees the same flows (addresses, bytes, packets); nfcapd fed
// over loopback stores the same number of flows with the same byte and packet totals, and no
// sequence errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { corpusPcap } from '../helpers/sink-data.js';
import { have, lines, run } from '../helpers/cli.js';
import { freePort } from '../helpers/servers.js';

const tmp = mkdtempSync(join(tmpdir(), 'flowpipe-convert-'));

/** flowpipe's own reading of a converted pcap: every record, and its flows (src, dst, bytes, packets). */
function flowpipeRead(file: string): { all: Record<string, unknown>[]; flows: { key: string; bytes: number; packets: number }[] } {
  const r = run(['decode', file, '--stats']);
  assert.equal(r.status, 0, r.stderr.toString());
  const stats = JSON.parse(r.stderr.toString().trim().split('\n').pop()!) as { errors: Record<string, number> };
  assert.deepEqual(stats.errors, {}, 'flowpipe reads its own export without an error');
  const all = lines(r.stdout as Buffer);
  return { all, flows: all.filter((f) => f['kind'] === 'flow').map((f) => ({
    key: `${String(f['sourceIPv4Address'] ?? f['sourceIPv6Address'] ?? '')}>${String(f['destinationIPv4Address'] ?? f['destinationIPv6Address'] ?? '')}`,
    bytes: Number(f['octetDeltaCount'] ?? 0), packets: Number(f['packetDeltaCount'] ?? 0),
  })) };
}

const CASES = [['ipfix', 4739, 'netflow'], ['netflow9', 2055, 'netflow'], ['netflow5', 2055, 'netflow'], ['ipfix', 4739, 'sflow']] as const;

for (const [format, port, part] of CASES) {
  test(`convert the ${part} corpus --as ${format}: tshark and nfcapd/nfdump read the same flows flowpipe does`, { skip: !(have('tshark') && have('nfcapd') && have('nfdump')) && 'tshark or nfdump not installed' }, async (t) => {
    const out = join(tmp, `${part}-${format}.pcap`);
    const c = run(['convert', corpusPcap(part), '--to', out, '--as', format, '--merge-exporters', '--stats']);
    assert.equal(c.status, 0, c.stderr.toString());
    const stats = JSON.parse(c.stderr.toString().trim().split('\n').pop()!) as { convert: { in: number; out: number; messages: number; skipped: number; notCarried: Record<string, number> } };
    const { all, flows: ours } = flowpipeRead(out);
    assert.ok(ours.length > (part === 'sflow' ? 50 : format === 'netflow5' ? 300 : 600), String(ours.length));

    // tshark: no malformed packet, and per flow the same addresses, bytes and packets (IPv4 flows).
    const decodeAs = ['-d', `udp.port==${port},cflow`];
    const bad = spawnSync('tshark', ['-r', out, ...decodeAs, '-Y', '_ws.malformed'], { encoding: 'utf8' });
    assert.equal(bad.stdout.trim(), '', 'no malformed packet');
    const ts = spawnSync('tshark', ['-r', out, ...decodeAs, '-T', 'fields', '-e', 'cflow.srcaddr', '-e', 'cflow.dstaddr', '-e', 'cflow.octets', '-e', 'cflow.packets'], { encoding: 'utf8', maxBuffer: 1 << 26 });
    assert.equal(ts.status, 0, ts.stderr);
    const col = (i: number): string[] => ts.stdout.split('\n').flatMap((l) => (l.split('\t')[i] ?? '').split(',').filter((x) => x !== ''));
    const values = (key: string): string[] => all.flatMap((r) => (typeof r[key] === 'string' ? [r[key] as string] : []));
    assert.deepEqual(col(0).sort(), values('sourceIPv4Address').sort(), 'tshark: the same IPv4 sources');
    assert.deepEqual(col(1).sort(), values('destinationIPv4Address').sort(), 'tshark: the same IPv4 destinations');
    const tsharkFlows = col(0);

    // nfcapd over loopback, nfdump -o csv: same flow count and totals, no sequence errors.
    const nfPort = await freePort();
    const dir = mkdtempSync(join(tmp, `nfcapd-${format}-`));
    const nfcapd = spawn('nfcapd', ['-w', dir, '-p', String(nfPort), '-b', '127.0.0.1']);
    let log = '';
    nfcapd.stderr.on('data', (d: Buffer) => { log += d.toString(); });
    nfcapd.stdout.on('data', (d: Buffer) => { log += d.toString(); });
    await new Promise((r) => setTimeout(r, 700));
    assert.equal(run(['replay', out, '--to', `127.0.0.1:${nfPort}`, '--rate', '2000']).status, 0);
    await new Promise((r) => setTimeout(r, 700));
    await new Promise<void>((r) => { nfcapd.once('close', () => r()); nfcapd.kill('SIGTERM'); });
    const files = readdirSync(dir).filter((f) => f.startsWith('nfcapd.'));
    const nf = spawnSync('nfdump', ['-R', dir, '-q', '-o', 'csv'], { encoding: 'utf8', maxBuffer: 1 << 26 });
    const rows = nf.stdout.trim().split('\n').filter((l) => /^\d{4}-/.test(l)).map((l) => l.split(','));
    assert.ok(files.length > 0);
    assert.equal(rows.length, ours.length, 'nfdump stores every flow');
    // Per flow: the same addresses; and where a flow carries plain delta counters (octetDeltaCount,
    // packetDeltaCount and no NSEL/total/reverse counters, which nfdump files elsewhere), the same
    // packets and bytes as sent. (nfdump 1.7.1 does not scale flows by the sFlow part's rate sent
    // as options data, samplerId + samplingInterval; flowpipe does: test/lib/encode/sflow-to-ipfix.)
    const multiset = (xs: string[]): Map<string, number> => { const m = new Map<string, number>(); for (const x of xs) m.set(x, (m.get(x) ?? 0) + 1); return m; };
    const missingFrom = (have: Map<string, number>, want: string[]): string[] => want.filter((k) => { const n = have.get(k) ?? 0; if (n === 0) return true; have.set(k, n - 1); return false; });
    const addr = (f: Record<string, unknown>, side: 'source' | 'destination'): string => String(f[`${side}IPv4Address`] ?? f[`${side}IPv6Address`] ?? (side === 'source' ? '0.0.0.0' : '0.0.0.0'));
    // Flows with addresses of one family (nfdump shows a flow with both, or neither, its own way).
    const oneFamily = (f: Record<string, unknown>): boolean => ('sourceIPv4Address' in f) !== ('sourceIPv6Address' in f) && ('destinationIPv4Address' in f) !== ('destinationIPv6Address' in f);
    const flowsRaw = all.filter((f) => f['kind'] === 'flow' && oneFamily(f));
    const nfAddrs = rows.map((r) => `${r[3]} ${r[4]}`);
    assert.deepEqual(missingFrom(multiset(nfAddrs), flowsRaw.map((f) => `${addr(f, 'source')} ${addr(f, 'destination')}`)), [], 'nfdump: the same addresses');
    const plain = flowsRaw.filter((f) => 'octetDeltaCount' in f && 'packetDeltaCount' in f && !Object.keys(f).some((k) => /initiator|responder|TotalCount|^reverse/.test(k)));
    const want = plain.map((f) => `${addr(f, 'source')} ${addr(f, 'destination')} ${Number(f['packetDeltaCount'])} ${Number(f['octetDeltaCount'])}`);
    const differ = missingFrom(multiset(rows.map((r) => `${r[3]} ${r[4]} ${Number(r[11])} ${Number(r[12])}`)), want);
    assert.deepEqual(differ, [], 'nfdump: the same packets and bytes');
    assert.ok(plain.length > ours.length / 2, `${plain.length} flows with plain counters compared`);
    // RFC 7011 §3.1 counts every data record, options data included (flowpipe does); nfdump counts
    // flow records only, so it reports a sequence error after each message with options data.
    const options = all.filter((r) => r['kind'] === 'options').length;
    const seqErrors = Number(/Sequence Errors: (\d+)/.exec(log)?.[1] ?? NaN);
    assert.ok(seqErrors <= options, `nfdump: ${seqErrors} sequence errors, ${options} options records`);
    t.diagnostic(`${format}: ${stats.convert.in} records in, ${stats.convert.out} out in ${stats.convert.messages} messages (${stats.convert.skipped} skipped); tshark ${tsharkFlows.length} flows, nfdump ${rows.length}; ${Object.keys(stats.convert.notCarried).length} kinds of field not carried`);
  });
}
