// Application names from options data (RFC 6759 §5: an options record maps applicationId (95)
// to applicationName (96), Cisco NBAR's application table): a flow's `application` gets its
// `applicationName`, per exporter and domain.
import type { FlowRecord } from '../types.js';
import type { Enricher } from '../enrich/enricher.js';
import { applicationText } from './compile.js';
import { exporterAddressOf, type NormalizedFlow } from './flow.js';

const MAX_NAMES = 200_000;

export class ApplicationNames implements Enricher {
  readonly name = 'applications';
  /** `scope|domain|class:selector` -> name */
  private readonly names = new Map<string, string>();

  constructor(private readonly strict = false) {}

  observe(r: FlowRecord): boolean {
    const name = r['applicationName'];
    const app = applicationText(r['applicationId']);
    if (typeof name !== 'string' || name === '' || app === undefined) return false;
    if (this.names.size >= MAX_NAMES) this.names.clear();
    this.names.set(`${r.exporter}|${r.domain}|${app}`, name);
    if (!this.strict) this.names.set(`${exporterAddressOf(r.exporter)}|${r.domain}|${app}`, name);
    return true;
  }

  enrich(n: NormalizedFlow, r: FlowRecord): boolean {
    const own = r['applicationName'];
    if (typeof own === 'string' && own !== '') {
      n['applicationName'] = own;
      return true;
    }
    if (n.application === undefined || this.names.size === 0) return true;
    const name = this.names.get(`${n.exporter}|${n.domain}|${n.application}`) ?? (this.strict ? undefined : this.names.get(`${n.exporterAddress}|${n.domain}|${n.application}`));
    if (name === undefined) return false;
    n['applicationName'] = name;
    return true;
  }
}
