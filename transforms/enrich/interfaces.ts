// interfaceNames({ file? }): inIfName/outIfName, descriptions and VRF and sampler names learned
// from the options data passing by (per exporter and domain; a later record reassigning an id
// applies to the flows after it), and from a static file for what devices never send.
import { InterfaceNames } from '../../lib/enrich/interfaces.js';
import { EnricherStage } from './enricher-stage.js';
import { loadInterfaceTable } from './load.js';

/** @example pipeline(source, decode(), normalize(), interfaceNames({ file: 'interfaces.csv' }), toNdjson(), out) */
export function interfaceNames(options: { file?: string; templateScope?: 'address' | 'strict' } = {}): EnricherStage {
  return new EnricherStage(async () => {
    const table = options.file === undefined ? new Map() : await loadInterfaceTable(options.file);
    return new InterfaceNames({ templateScope: options.templateScope, table: (a) => table.get(a) });
  });
}
