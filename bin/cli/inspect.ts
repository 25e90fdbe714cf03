// flowpipe inspect FILE: the structural view of every datagram (headers, sets, templates,
// sFlow samples and records), for debugging what an exporter sends.
import { decodePacket } from '../../lib/structure.js';
import { toJson } from '../../lib/ndjson/json.js';
import { captureSource } from '../../transforms/sources/capture-source.js';
import type { Datagram } from '../../transforms/core/datagram.js';
import { parse, UsageError } from './args.js';
import { writeOut } from './stdout.js';

export const INSPECT_HELP = `usage: flowpipe inspect FILE

Prints, per datagram, its structure as one JSON line: exporter, message headers, every set or
flowset (id, offset, length, templates with their fields, data as hex), sFlow samples and
records, and structural errors. Stateless: data sets are not decoded (their templates may be
elsewhere); use flowpipe decode for records.`;

export async function inspectCommand(argv: string[]): Promise<number> {
  const p = parse(argv, { help: 'flag' });
  if (p.opts.has('help')) {
    process.stdout.write(INSPECT_HELP + '\n');
    return 0;
  }
  if (p.positional.length !== 1) throw new UsageError('inspect needs one FILE');
  let i = 0;
  for await (const item of captureSource(p.positional[0]!)) {
    const d = item as Datagram;
    const line = toJson({ datagram: ++i, exporter: `${d.exporter.address}:${d.exporter.port}`, bytes: d.data.length, ...decodePacket(d.data) }) + '\n';
    if (!(await writeOut(line))) break; // stdout closed (| head): done
  }
  return 0;
}
