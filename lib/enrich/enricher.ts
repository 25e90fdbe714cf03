// The contract every enricher keeps: learn from the records that are not flows (options data),
// add fields to normalized flows. Pure: data files are read by the stages (transforms/enrich/).
import type { FlowRecord } from '../types.js';
import type { NormalizedFlow } from '../normalize/flow.js';

export interface Enricher {
  /** A short name for stats and messages. */
  readonly name: string;
  /**
   * An options record (or another record that is not a flow) passes by. Returns true when it
   * taught the enricher something (a flow enriched before it in the same datagram is then
   * enriched again).
   */
  observe?(r: FlowRecord): boolean;
  /**
   * Adds fields to a normalized flow (`r` is the record it came from). Returns false when a
   * lookup missed that options data later in the same datagram could still fill.
   */
  enrich(n: NormalizedFlow, r: FlowRecord): boolean;
}
