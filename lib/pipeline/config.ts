// A pipeline file as data: what `flowpipe run` reads, what `decode`/`collect --print-config`
// print. Shapes follow lib/pipeline/schema.ts (the published JSON Schema).

export type SourceSpec =
  | { udp: { listen: string; allow?: string[]; recvBuffer?: number; queue?: number } }
  | { files: { paths: string[]; exporter?: string } }
  | { kafka: { url: string; untilEnd?: boolean; templateStore?: string } };

export type StageSpec =
  | { normalize: Record<string, never> }
  | { sampling: { defaults?: Record<string, number>; overrides?: Record<string, number> } }
  | { interfaces: { file: string } }
  | { networks: { file: string } }
  | { exporters: { file: string } }
  | { geoip: { files: string[] } }
  | { services: Record<string, never> }
  | { filter: { expr?: string; module?: string; function?: string } }
  | { map: { module: string; function?: string } }
  | { fields: string[] }
  | { alert: { rules: string } }
  | { aggregate: { by: string[]; window: string | number; hop?: string | number; lateness?: string | number; maxKeys?: number } }
  | { topN: { n: number; key: string[]; by?: 'bytes' | 'packets' | 'flows'; window?: string | number; capacity?: number } }
  | { pair: { timeout?: string | number; maxPending?: number; slack?: string | number } };

export interface SinkSpec { to: string }

export interface BranchSpec {
  name: string;
  stages?: StageSpec[];
  sinks: SinkSpec[];
}

export interface PipelineConfig {
  sources: SourceSpec[];
  decode?: { templateScope?: 'address' | 'strict'; templates?: string; flowsOnly?: boolean; workers?: number; strict?: boolean };
  stages?: StageSpec[];
  sinks?: SinkSpec[];
  output?: { format?: 'ndjson' | 'json' | 'csv' | 'table' | 'count'; onSinkError?: 'block' | 'buffer' | 'exit'; sinkTimeout?: number; rotateBytes?: number; rotateSeconds?: number };
  run?: { stats?: boolean; statsInterval?: number; metrics?: string };
  branches?: BranchSpec[];
}

/** The name of a stage (its one key). */
export function stageName(s: StageSpec): string {
  return Object.keys(s)[0]!;
}

/** The kind of the pipeline's sources (the checker makes them one kind). */
export function sourceKind(c: PipelineConfig): 'udp' | 'files' | 'kafka' {
  return Object.keys(c.sources[0]!)[0] as 'udp' | 'files' | 'kafka';
}
