// Access to the conformance corpus copied from shared/corpus (see its MANIFEST.json).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { FlowDecoder } from '../../lib/index.js';
import type { DecodeError, Exporter, FlowRecord, TemplateEvent } from '../../lib/index.js';

/** Tests run from dist/test/helpers; fixtures stay in the source tree. */
export const CORPUS_DIR = fileURLToPath(new URL('../../../test/fixtures/corpus/', import.meta.url));

export interface Assertion {
  record?: number;
  sample?: number;
  field: string;
  equals?: unknown;
  one_of?: unknown[];
  alternative?: string;
  spec_line?: number;
}

export interface TestCase {
  test_case: string;
  sequence: string[];
  position_in_sequence: number;
  events_from_this_file: number;
  assertions?: Assertion[];
  json_events?: { record: number; compared_in_spec: boolean; event: { netflow?: Record<string, unknown>; '@timestamp'?: string } }[];
  other_expectations?: string[];
}

export interface ManifestEntry {
  file: string;
  protocol: string;
  container: 'raw' | 'pcap';
  source_repo: string;
  license: string;
  malformed?: boolean;
  features?: string[];
  needs_templates_from: string[];
  structure: Record<string, unknown> & {
    data_records?: number; data_records_all_messages?: number; records_decodable?: number; missing_templates?: number[];
  };
  expected: Record<string, unknown> & { test_cases?: TestCase[] };
}

export function loadManifest(): ManifestEntry[] {
  return JSON.parse(readFileSync(CORPUS_DIR + 'MANIFEST.json', 'utf8')) as ManifestEntry[];
}

export function readCorpus(file: string): Buffer {
  return readFileSync(CORPUS_DIR + file);
}

/** The exporter every corpus file is attributed to (vflow's expectations name 127.0.0.1). */
export const CORPUS_EXPORTER: Exporter = { address: '127.0.0.1', port: 2055 };

export interface Run {
  decoder: FlowDecoder;
  /** Records produced while decoding the last file of the sequence. */
  records: FlowRecord[];
  /** Errors from the last file, plus template misses reported at the end of input. */
  errors: DecodeError[];
  events: TemplateEvent[];
}

/** Feeds `files` in order through one decoder (one exporter); returns what the last one produced. */
export function runSequence(files: readonly string[], flush = true): Run {
  const decoder = new FlowDecoder();
  const now = 1_700_000_000_000;
  let last = { records: [] as FlowRecord[], errors: [] as DecodeError[], events: [] as TemplateEvent[] };
  for (const f of files) last = decoder.decode(readCorpus(f), CORPUS_EXPORTER, now);
  if (flush) {
    const end = decoder.flush(now);
    last.errors.push(...end.errors);
  }
  return { decoder, ...last };
}
