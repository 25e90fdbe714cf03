// Template misses as errors: data dropped for want of a template, one error per exporter,
// domain and template id with the sets and bytes dropped. Those of evicted domains are held
// (bounded) until the next sweep reports them.
import type { DecodeError } from '../types.js';
import type { DomainState } from './exporter-state.js';

/** Errors about evicted state kept until the next sweep; beyond, summed into the last one. */
const MAX_HELD_ERRORS = 1000;

/** Moves a domain's unreported misses into `errors` as template-miss errors. */
export function missErrors(d: DomainState, errors: DecodeError[]): void {
  for (const [id, m] of d.misses) {
    errors.push({
      kind: 'template-miss', exporter: d.exporter.key, offset: -1, protocol: d.protocol, domain: d.id, templateId: id,
      reason: `template ${id} never arrived: ${m.sets} data set(s), ${m.bytes} bytes dropped`, dropped: { ...m },
    });
  }
  d.misses.clear();
}

export class HeldMisses {
  private errors: DecodeError[] = [];

  /** A domain about to go: its unreported misses are kept for the next sweep (bounded, then summed). */
  hold(d: DomainState): void {
    if (d.misses.size === 0) return;
    const out: DecodeError[] = [];
    missErrors(d, out);
    for (const err of out) {
      if (this.errors.length < MAX_HELD_ERRORS) this.errors.push(err);
      else {
        const last = this.errors[MAX_HELD_ERRORS - 1]!;
        const sets = (last.dropped?.sets ?? 0) + (err.dropped?.sets ?? 0);
        const bytes = (last.dropped?.bytes ?? 0) + (err.dropped?.bytes ?? 0);
        this.errors[MAX_HELD_ERRORS - 1] = {
          kind: 'template-miss', exporter: 'other', offset: -1, reason: `templates never arrived for evicted exporters and domains: ${sets} data set(s), ${bytes} bytes dropped`, dropped: { sets, bytes },
        };
      }
    }
  }

  /** Reports what is held. */
  drain(errors: DecodeError[]): void {
    if (this.errors.length === 0) return;
    for (const err of this.errors) errors.push(err);
    this.errors = [];
  }
}
