// serviceNames(): protoName (`TCP`), srcService and dstService (`https`) from the IANA tables
// Debian netbase ships, generated into code.
import { ServiceNames } from '../../lib/enrich/services.js';
import { EnricherStage } from './enricher-stage.js';

/** @example pipeline(source, decode(), normalize(), serviceNames(), toNdjson(), out) */
export function serviceNames(): EnricherStage {
  return new EnricherStage(() => Promise.resolve(new ServiceNames()));
}
