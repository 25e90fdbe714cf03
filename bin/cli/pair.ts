// flowpipe pair FILE…: both directions of each connection as one record (python netflow's
// analyzer): duration, bytes and packets each way, service name; unpaired flows after them.
import { pipeline } from 'node:stream/promises';
import { Pairer } from '../../lib/analysis/pair.js';
import { parseDuration } from '../../lib/analysis/windows.js';
import { toJson } from '../../lib/ndjson/json.js';
import { AnalysisStage } from '../../transforms/analysis/analysis-stage.js';
import { toNdjson } from '../../transforms/format/ndjson.js';
import { toTable } from '../../transforms/format/table.js';
import { toCsv } from '../../transforms/format/csv.js';
import { parse, UsageError } from './args.js';
import { ENRICH_HELP, ENRICH_OPTIONS } from './enrich-options.js';
import { fileRecords } from './file-records.js';

export const PAIR_HELP = `usage: flowpipe pair [options] FILE...

Pairs the two directions of each connection in captures (a flow and one with the reversed
5-tuple that overlaps it in time) into one record: srcAddr (the initiator), dstAddr, ports,
protocol, service, timeStart, timeEnd, durationMs, bytesOut/packetsOut (initiator to responder),
bytesIn/packetsIn. Flows without their other half are written with unpaired: true.

  --timeout D         how long (flow time) a flow waits for its other half (default 60s)
  --format F          ndjson (default), table, csv
  --stats             pairing counters on stderr
${ENRICH_HELP}

exit status: 0 done, 1 an input could not be read, 2 usage error`;

export async function pairCommand(argv: string[]): Promise<number> {
  const p = parse(argv, { ...ENRICH_OPTIONS, timeout: 'value', format: 'value', stats: 'flag', help: 'flag' });
  if (p.opts.has('help')) {
    process.stdout.write(PAIR_HELP + '\n');
    return 0;
  }
  let timeoutMs: number;
  try {
    timeoutMs = parseDuration(String(p.opts.get('timeout') ?? '60s'));
  } catch (err) {
    throw new UsageError(`--timeout: ${(err as Error).message}`);
  }
  const format = String(p.opts.get('format') ?? 'ndjson');
  const out = format === 'ndjson' ? toNdjson() : format === 'table' ? toTable() : format === 'csv' ? toCsv() : null;
  if (out === null) throw new UsageError(`--format must be ndjson, table or csv, not '${format}'`);
  const src = await fileRecords(p, p.positional);
  const pairer = new Pairer({ timeoutMs });
  await pipeline(src.datagrams, src.decode, new AnalysisStage(pairer), out, process.stdout);
  if (p.opts.has('stats')) process.stderr.write(toJson(pairer.stats) + '\n');
  return src.unreadable() ? 1 : 0;
}
