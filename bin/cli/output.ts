// The record output chain shared by decode and collect: filter, fields, format.
import type { Transform, Writable } from 'node:stream';
import { chain } from '../../transforms/core/chain.js';
import { tee } from '../../transforms/core/tee.js';
import { compileFilter } from '../../lib/filter/expr.js';
import { filter } from '../../transforms/core/map-filter.js';
import { toCount } from '../../transforms/format/count.js';
import { pick } from '../../transforms/core/pick.js';
import { toCsv } from '../../transforms/format/csv.js';
import { toJsonArray } from '../../transforms/format/json-array.js';
import { toTable } from '../../transforms/format/table.js';
import { toNdjson } from '../../transforms/format/ndjson.js';
import type { FlowDecoder } from '../../lib/decoder.js';
import { DecodeStream } from '../../transforms/core/decode.js';
import type { Enrichment } from '../../transforms/enrich/load.js';
import type { KeyCase } from '../../lib/ndjson/line-encoder.js';
import type { ExporterCounters } from '../../lib/runtime/exporter-counters.js';
import { UsageError, type Parsed } from './args.js';

export const OUTPUT_OPTIONS = { format: 'value', fields: 'value', filter: 'value' } as const;

export const OUTPUT_HELP = `  --format F          ndjson (default), json, csv, table, or count (one line at the end:
                      records in total and by kind)
  --fields a,b,c      output only these fields, in this order
  --filter EXPR       keep matching records: field=value,... or comparisons with && and ||,
                      e.g. 'protocolIdentifier==6 && destinationTransportPort<1024'`;

/** Compiles --filter, as a usage error when it does not parse. */
export function checkedFilter(expr: string): ReturnType<typeof compileFilter> {
  try {
    return compileFilter(expr);
  } catch (err) {
    throw new UsageError(`--filter: ${(err as Error).message}`);
  }
}

/** The stages after decode(), in order. */
export function outputStages(p: Parsed): Transform[] {
  const stages: Transform[] = [];
  const { format, filter: f, fields } = outputChoices(p);
  if (f !== undefined) stages.push(filter(checkedFilter(f)));
  if (fields) stages.push(pick(fields));
  if (format === 'ndjson') stages.push(toNdjson());
  else if (format === 'json') stages.push(toJsonArray());
  else if (format === 'csv') stages.push(toCsv(fields));
  else if (format === 'table') stages.push(toTable(fields));
  else if (format === 'count') stages.push(toCount());
  else throw new UsageError(`--format must be ndjson, json, csv, table or count, not '${format}'`);
  return stages;
}

/** --filter and --fields as given (for stages that apply them elsewhere, e.g. in workers). */
export function outputChoices(p: Parsed): { format: string; filter?: string; fields?: string[] } {
  const f = p.opts.get('filter');
  const fieldsOpt = p.opts.get('fields');
  return {
    format: String(p.opts.get('format') ?? 'ndjson'),
    ...(typeof f === 'string' ? { filter: f } : {}),
    ...(typeof fieldsOpt === 'string' ? { fields: fieldsOpt.split(',').map((s) => s.trim()).filter(Boolean) } : {}),
  };
}

/**
 * The decode stage and the stages after it. NDJSON (the default) is written by the decode stage
 * itself, filter and fields included: no stream hop per record.
 */
export function decodeChain(p: Parsed, decoder: FlowDecoder, enrich: Enrichment | null = null, keyCase: KeyCase = 'as-is', between: Transform[] = [], counters?: ExporterCounters, branches: Writable[] = []): DecodeChain {
  const { format, filter: f, fields } = outputChoices(p);
  const shape = { ...(enrich !== null ? { enrich } : {}), flowsOnly: p.opts.has('flows-only'), ...(counters !== undefined ? { counters } : {}) };
  if (branches.length > 0) {
    // Branches take the records after the trunk's stages; the trunk's own output is a branch too.
    const trunk = outputStages(p);
    return { dec: new DecodeStream({ decoder, ...shape }), stages: between, output: (w) => tee(chain(...trunk, w), ...branches) };
  }
  // Stages between decoding and the output (--alert, a pipeline file's stages) need records, not NDJSON bytes.
  if (format !== 'ndjson' || between.length > 0) return { dec: new DecodeStream({ decoder, ...shape }), stages: [...between, ...outputStages(p)], output: (w) => w };
  if (f !== undefined) checkedFilter(f);
  return { dec: new DecodeStream({ decoder, output: 'ndjson', select: { filter: f, fields, keyCase }, ...shape }), stages: [], output: (w) => w };
}

export interface DecodeChain {
  dec: DecodeStream;
  /** The stages after `dec`, in order. */
  stages: Transform[];
  /** What the last stage writes to, given the destinations' writable (a tee when there are branches). */
  output(destinations: Writable): Writable;
}

/** Whether decodeChain() writes NDJSON from the decode stage itself (table sinks then get snake_case keys). */
export function fusedOutput(p: Parsed, between: number, branches: number): boolean {
  return outputChoices(p).format === 'ndjson' && between === 0 && branches === 0;
}
