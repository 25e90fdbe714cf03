// flowpipe report FILE… --key dstAddr[,dstPort] --by bytes|packets|flows --top N [--window 5m]:
// nfdump -s style statistics of captures (normalized records, sampling-scaled).
import { pipeline } from 'node:stream/promises';
import { Writable } from 'node:stream';
import { TopN, type Measure, type TopRow } from '../../lib/analysis/top-n.js';
import { parseDuration } from '../../lib/analysis/windows.js';
import { toJson } from '../../lib/ndjson/json.js';
import { csvCell, tableCell } from '../../lib/ndjson/cells.js';
import { num, parse, UsageError } from './args.js';
import { ENRICH_HELP, ENRICH_OPTIONS } from './enrich-options.js';
import { fileRecords } from './file-records.js';

export const REPORT_HELP = `usage: flowpipe report [options] FILE...

Top-N statistics of captures, like nfdump -s: flows grouped by key fields, summed and ranked.
Records are normalized (bytes and packets scaled by the sampling rate).

  --key F1,F2         key fields (normalized names: srcAddr, dstAddr, dstPort, proto, exporter,
                      srcAs, inIf, srcNetName, ...; default dstAddr)
  --by M              bytes (default), packets or flows
  --top N             how many groups (default 10)
  --window D          one ranking per window of flow end time (e.g. 5m, 30s)
  --format F          table (default), ndjson (exactly the top groups, one per line), csv
${ENRICH_HELP}

exit status: 0 done, 1 an input could not be read, 2 usage error`;

export async function reportCommand(argv: string[]): Promise<number> {
  const p = parse(argv, { ...ENRICH_OPTIONS, key: 'value', by: 'value', top: 'value', window: 'value', format: 'value', help: 'flag' });
  if (p.opts.has('help')) {
    process.stdout.write(REPORT_HELP + '\n');
    return 0;
  }
  const key = String(p.opts.get('key') ?? 'dstAddr').split(',').map((s) => s.trim()).filter(Boolean);
  const by = String(p.opts.get('by') ?? 'bytes') as Measure;
  if (!['bytes', 'packets', 'flows'].includes(by)) throw new UsageError(`--by must be bytes, packets or flows, not '${by}'`);
  const n = num(p.opts.get('top'), '--top') ?? 10;
  if (!(n >= 1 && Number.isInteger(n))) throw new UsageError('--top wants a whole number >= 1');
  const format = String(p.opts.get('format') ?? 'table');
  if (!['table', 'ndjson', 'csv'].includes(format)) throw new UsageError(`--format must be table, ndjson or csv, not '${format}'`);
  let window: { sizeMs: number } | undefined;
  if (p.opts.has('window')) {
    try {
      window = { sizeMs: parseDuration(String(p.opts.get('window'))) };
    } catch (err) {
      throw new UsageError(`--window: ${(err as Error).message}`);
    }
  }
  const src = await fileRecords(p, p.positional);
  const top = new TopN({ n, by, key, capacity: 1_000_000, ...(window !== undefined ? { window: { ...window, latenessMs: Infinity } } : {}) });
  const rows: TopRow[] = [];
  let total = { bytes: 0, packets: 0, flows: 0 };
  await pipeline(src.datagrams, src.decode, new Writable({
    objectMode: true,
    write(r: Record<string, unknown>, _e, done) {
      for (const row of top.add(r)) rows.push(row);
      total = { bytes: total.bytes + Number(r['bytes'] ?? 0), packets: total.packets + Number(r['packets'] ?? 0), flows: total.flows + 1 };
      done();
    },
    final(done) {
      rows.push(...top.flush());
      done();
    },
  }));
  const approximate = rows.some((r) => r['error'] !== undefined);
  const clean = rows.map((r) => { const { error: _e, ...rest } = r; return rest; });
  const cols = [...key, 'bytes', 'packets', 'flows', ...(window !== undefined ? ['windowStart', 'windowEnd'] : [])];
  const out: string[] = [];
  if (format === 'ndjson') for (const r of clean) out.push(toJson(r));
  else if (format === 'csv') {
    out.push(cols.map(csvCell).join(','));
    for (const r of clean) out.push(cols.map((c) => csvCell(r[c])).join(','));
  } else {
    const text = clean.map((r) => cols.map((c) => tableCell(r[c])));
    const widths = cols.map((c, i) => Math.max(c.length, ...text.map((t) => t[i]!.length)));
    out.push(cols.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd());
    for (const t of text) out.push(t.map((v, i) => (i >= key.length && i < key.length + 3 ? v.padStart(widths[i]!) : v.padEnd(widths[i]!))).join('  ').trimEnd());
    out.push(`total: ${total.flows} flows, ${total.bytes} bytes, ${total.packets} packets${approximate ? ' (more keys than counted exactly: counts are upper bounds)' : ''}`);
  }
  process.stdout.write(out.join('\n') + (out.length > 0 ? '\n' : ''));
  if (approximate && format !== 'table') process.stderr.write('flowpipe: more keys than counted exactly: counts are upper bounds\n');
  return src.unreadable() ? 1 : 0;
}
