// The records of capture files for the analysis commands (report, pair, top): files decoded in
// order with one template state, normalized (and enriched by the shared flags), flows only.
import { Readable, type Transform } from 'node:stream';
import { FlowDecoder } from '../../lib/decoder.js';
import type { DecodeError } from '../../lib/types.js';
import { DecodeStream } from '../../transforms/core/decode.js';
import { captureSource } from '../../transforms/sources/capture-source.js';
import type { Datagram } from '../../transforms/core/datagram.js';
import { enrichConfig, loadEnrichment } from './enrich-options.js';
import type { Parsed } from './args.js';
import { ErrorLines } from './error-lines.js';

export interface FileRecords {
  /** Datagrams of every file, in order. */
  datagrams: Readable;
  /** The decode stage: normalized flows out. */
  decode: DecodeStream;
  decoder: FlowDecoder;
  /** True once a file could not be read (reported on stderr). */
  unreadable(): boolean;
}

/** Files (or stdin) to normalized flows; decode errors are counted, one line per template miss. */
export async function fileRecords(p: Parsed, files: readonly string[]): Promise<FileRecords> {
  const config = { ...enrichConfig(p), normalize: true, flowsOnly: true };
  const enrich = await loadEnrichment(config, false);
  const decoder = new FlowDecoder({ templateScope: config.templateScope });
  let unreadable = false;
  async function* all(): AsyncGenerator<Datagram> {
    for (const f of files.length > 0 ? files : ['-']) {
      try {
        for await (const d of captureSource(f)) yield d as Datagram;
      } catch (err) {
        process.stderr.write(`flowpipe: cannot read ${f}: ${(err as Error).message}\n`);
        unreadable = true;
      }
    }
  }
  const decode = new DecodeStream({ decoder, ...(enrich !== null ? { enrich } : {}) });
  const errorLines = new ErrorLines();
  decode.on('flowpipe-error', (e: DecodeError) => { if (e.kind === 'template-miss') errorLines.add(e, `flowpipe: ${e.exporter}: ${e.reason}\n`); });
  decode.once('end', () => errorLines.close());
  return { datagrams: Readable.from(all(), { objectMode: true }), decode, decoder, unreadable: () => unreadable };
}

export type { Transform };
