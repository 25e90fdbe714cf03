// exporterInfo({ file }): adds exporterName/Site/Role/Group/Region/Tenant to normalized flows
// from a YAML, JSON or CSV file of exporter address or CIDR -> attributes. (Its sampling and
// interface overrides act inside normalize({ enrichment }) / the CLI's --exporter-info.)
import { EnricherStage } from './enricher-stage.js';
import { loadExporters } from './load.js';

/** @example pipeline(source, decode(), normalize(), exporterInfo({ file: 'exporters.yaml' }), toNdjson(), out) */
export function exporterInfo(options: { file: string }): EnricherStage {
  return new EnricherStage(() => loadExporters(options.file));
}
