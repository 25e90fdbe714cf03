// The record output chain shared by decode and collect: filter, fields, format.
import type { Transform } from 'node:stream';
import { compileFilter } from '../../lib/filter-expr.js';
import { filter } from '../../transforms/map-filter.js';
import { pick, toCsv, toJsonArray, toTable } from '../../transforms/format.js';
import { toNdjson } from '../../transforms/ndjson.js';
import { UsageError, type Parsed } from './args.js';

export const OUTPUT_OPTIONS = { format: 'value', fields: 'value', filter: 'value' } as const;

export const OUTPUT_HELP = `  --format F          ndjson (default), json, csv or table
  --fields a,b,c      output only these fields, in this order
  --filter EXPR       keep matching records: field=value,... or comparisons with && and ||,
                      e.g. 'protocolIdentifier==6 && destinationTransportPort<1024'`;

/** The stages after decode(), in order. */
export function outputStages(p: Parsed): Transform[] {
  const stages: Transform[] = [];
  const f = p.opts.get('filter');
  if (typeof f === 'string') {
    try {
      stages.push(filter(compileFilter(f)));
    } catch (err) {
      throw new UsageError(`--filter: ${(err as Error).message}`);
    }
  }
  const fieldsOpt = p.opts.get('fields');
  const fields = typeof fieldsOpt === 'string' ? fieldsOpt.split(',').map((s) => s.trim()).filter(Boolean) : undefined;
  if (fields) stages.push(pick(fields));
  const format = p.opts.get('format') ?? 'ndjson';
  if (format === 'ndjson') stages.push(toNdjson());
  else if (format === 'json') stages.push(toJsonArray());
  else if (format === 'csv') stages.push(toCsv(fields));
  else if (format === 'table') stages.push(toTable(fields));
  else throw new UsageError(`--format must be ndjson, json, csv or table, not '${String(format)}'`);
  return stages;
}
