// pair(): both directions of a connection as one record (lib/analysis/pair.ts).
import { Pairer, type Connection, type PairOptions } from '../../lib/analysis/pair.js';
import { AnalysisStage } from './analysis-stage.js';

/** @example pipeline(captureSource('x.pcap'), decode(), pair({ timeoutMs: 60_000 }), toNdjson(), out) */
export function pair(options?: PairOptions): AnalysisStage<Connection> & { pairer: Pairer } {
  const p = new Pairer(options);
  return Object.assign(new AnalysisStage(p), { pairer: p });
}
