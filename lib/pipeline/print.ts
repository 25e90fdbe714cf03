// A pipeline as YAML text (decode / collect --print-config), with the schema line editors read.
import { stringify } from 'yaml';
import type { PipelineConfig } from './config.js';

export function pipelineYaml(c: PipelineConfig, schemaPath = 'node_modules/flowpipe/pipeline.schema.json'): string {
  return `# yaml-language-server: $schema=${schemaPath}\n# flowpipe run FILE runs it (relative paths are relative to this file)\n${stringify(c, { lineWidth: 0 })}`;
}
