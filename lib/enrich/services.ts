// Names of IP protocols and well-known services: protoName (`TCP`), srcService / dstService
// (`https`) by the flow's protocol and ports, from the netbase tables generated into code.
import type { FlowRecord } from '../types.js';
import type { NormalizedFlow } from '../normalize/flow.js';
import type { Enricher } from './enricher.js';
import { PROTOCOL_NAMES, SCTP_SERVICES, TCP_SERVICES, UDP_SERVICES } from './services.generated.js';

/** Service names of a protocol's ports, or undefined for protocols without ports. */
export function servicesOf(proto: number): Readonly<Record<number, string>> | undefined {
  return proto === 6 ? TCP_SERVICES : proto === 17 ? UDP_SERVICES : proto === 132 ? SCTP_SERVICES : undefined;
}

export class ServiceNames implements Enricher {
  readonly name = 'services';

  enrich(n: NormalizedFlow, _r: FlowRecord): boolean {
    const proto = n.proto;
    if (typeof proto !== 'number') return true;
    const name = PROTOCOL_NAMES[proto];
    if (name !== undefined) n['protoName'] = name;
    const table = servicesOf(proto);
    if (table === undefined) return true;
    if (typeof n.srcPort === 'number') {
      const s = table[n.srcPort];
      if (s !== undefined) n['srcService'] = s;
    }
    if (typeof n.dstPort === 'number') {
      const s = table[n.dstPort];
      if (s !== undefined) n['dstService'] = s;
    }
    return true;
  }
}
