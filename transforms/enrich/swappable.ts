// Data that a reload replaces while the pipeline runs: readers always see one whole value.
import type { Enricher } from '../../lib/enrich/enricher.js';
import type { FlowRecord } from '../../lib/types.js';
import type { NormalizedFlow } from '../../lib/normalize/flow.js';

export class Swappable<T> {
  constructor(public value: T) {}

  /** An enricher that delegates to the current value (nothing while it is null). */
  asEnricher(this: Swappable<Enricher | null>, name: string): Enricher {
    const self = this;
    return {
      name,
      enrich(n: NormalizedFlow, r: FlowRecord): boolean {
        const e = self.value;
        return e === null ? true : e.enrich(n, r);
      },
    };
  }
}
