// The JSON Schema of a pipeline file (`flowpipe run pipeline.yaml`), written once here and
// published as pipeline.schema.json for editors (yaml-language-server); the checker validates
// files against this same object, and `x-check` names the value checks JSON Schema cannot say
// (CIDR, sink URL, filter expression, duration, address), which editors ignore.

/** The part of JSON Schema this file uses (draft-07), plus `x-check`. */
export interface SchemaNode {
  type?: 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean' | readonly ('string' | 'integer' | 'number' | 'object' | 'boolean')[];
  description?: string;
  properties?: Readonly<Record<string, SchemaNode>>;
  required?: readonly string[];
  additionalProperties?: boolean | SchemaNode;
  items?: SchemaNode;
  enum?: readonly (string | number | boolean)[];
  minimum?: number;
  maximum?: number;
  minItems?: number;
  /** Exactly one of these; each an object with one required key (stages, sources). */
  oneOf?: readonly SchemaNode[];
  'x-check'?: ValueCheck;
}

export type ValueCheck = 'cidr' | 'sink-url' | 'filter' | 'duration' | 'host-port' | 'listen' | 'kafka-url' | 'redis-url';

const str = (description: string, check?: ValueCheck): SchemaNode => ({ type: 'string', description, ...(check ? { 'x-check': check } : {}) });
const int = (description: string, minimum: number, maximum: number): SchemaNode => ({ type: 'integer', description, minimum, maximum });
const bool = (description: string): SchemaNode => ({ type: 'boolean', description });
const duration = (description: string): SchemaNode => ({ type: ['string', 'number'], description: `${description} (5m, 30s, 500ms, or seconds)`, 'x-check': 'duration' });
const list = (items: SchemaNode, description: string): SchemaNode => ({ type: 'array', description, items });
const obj = (description: string, properties: Record<string, SchemaNode>, required: string[] = []): SchemaNode => ({
  type: 'object', description, properties, additionalProperties: false, ...(required.length > 0 ? { required } : {}),
});
/** One alternative of a oneOf: an object with exactly the key `name`. */
const one = (name: string, body: SchemaNode): SchemaNode => obj(body.description ?? name, { [name]: body }, [name]);
const rates: SchemaNode = { type: 'object', description: 'CIDR -> sampling rate (1 in N)', additionalProperties: { type: 'number', minimum: 1 } };
const file = (description: string): SchemaNode => obj(description, { file: str('path of the data file (YAML, JSON or CSV); reloaded on SIGHUP') }, ['file']);
const module = (description: string): SchemaNode => obj(description, {
  module: str('path of an ES module, relative to the pipeline file'),
  function: str('the exported function (default: the default export)'),
}, ['module']);

/** Enrichers: fused into the decode stage, so they come first in `stages` (trunk only). */
export const ENRICHER_STAGES = ['normalize', 'sampling', 'interfaces', 'networks', 'exporters', 'geoip', 'services'] as const;

const stageAlternatives: SchemaNode[] = [
  one('normalize', obj('one flat flow shape for every vendor (README "Normalized flows")', {})),
  one('sampling', obj('sampling rates', { defaults: rates, overrides: rates })),
  one('interfaces', file('interface names, descriptions and speeds devices never send')),
  one('networks', file('CIDR -> name, role, site, region, tenant (srcNet*/dstNet*)')),
  one('exporters', file('exporter address/CIDR -> name, site, role, group, overrides')),
  one('geoip', obj('MaxMind-format databases (Country, City, ASN)', { files: { ...list(str('path of an .mmdb file'), 'databases'), minItems: 1 } }, ['files'])),
  one('services', obj('protoName, srcService, dstService', {})),
  { ...obj('keep matching records: a --filter expression, or a function of a module', {
    filter: { type: 'object', description: 'expr, or module (+ function)', properties: { expr: str("e.g. 'proto==6 && dstPort==443'", 'filter'), module: str('path of an ES module'), function: str('exported predicate') }, additionalProperties: false },
  }, ['filter']) },
  one('map', module('a function of each record; returning undefined drops it')),
  one('fields', { ...list(str('a field name'), 'output only these fields, in this order (last stage)'), minItems: 1 }),
  one('alert', obj('threshold rules: alert records, commands and webhooks (README "Analysis")', { rules: str('a YAML/JSON rules file') }, ['rules'])),
  one('aggregate', obj('sums per key and window', {
    by: { ...list(str('key field'), 'key fields'), minItems: 1 }, window: duration('window length'), hop: duration('distance between window starts'),
    lateness: duration('how long a closed window still takes records'), maxKeys: int('groups per window before the other row', 1, 100_000_000),
  }, ['by', 'window'])),
  one('topN', obj('the top N keys, per window or over everything', {
    n: int('rows', 1, 1_000_000), key: { ...list(str('key field'), 'key fields'), minItems: 1 }, by: { type: 'string', description: 'ranked by', enum: ['bytes', 'packets', 'flows'] },
    window: duration('window length (none: one result at the end)'), capacity: int('keys counted exactly per window', 1, 100_000_000),
  }, ['n', 'key'])),
  one('pair', obj('both directions of a connection as one record', {
    timeout: duration('how long a flow waits for its reverse'), maxPending: int('flows waiting at once', 1, 100_000_000), slack: duration('time slack between directions'),
  })),
];

const stage: SchemaNode = {
  description: 'a stage: an object with one key naming it (normalize and services also as a bare name)',
  oneOf: [...stageAlternatives, { type: 'string', description: 'a stage without options', enum: ['normalize', 'services'] }],
};
const sink: SchemaNode = obj('where records go', { to: str('file (.gz: gzip), - (stdout), kafka://, redis://, nats://, clickhouse://, postgres://, ipfix://, netflow9://, netflow5://', 'sink-url') }, ['to']);

export const pipelineSchema = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  title: 'flowpipe pipeline',
  ...obj('one pipeline: sources -> decode -> stages -> sinks, and branches', {
    sources: { ...list({ description: 'a source: udp, files or kafka (one kind per pipeline)', oneOf: [
      one('udp', obj('receive exports on UDP', {
        listen: str('ports or addresses: 2055, 127.0.0.1:2055, [::1]:4739 (several: comma-separated)', 'listen'),
        allow: list(str('IP, IP:PORT or CIDR'), 'only these exporters (others dropped and counted)'),
        recvBuffer: int('socket receive buffer, bytes (the kernel caps it at rmem_max)', 1, 2 ** 31 - 1),
        queue: int('datagrams held while the output is slow, then dropped and counted', 1, 10_000_000),
      }, ['listen'])),
      one('files', obj('captures (pcap, pcapng, gzip) or raw exports, decoded in order', {
        paths: { ...list(str('a file (relative to the pipeline file), or - for stdin'), 'files'), minItems: 1 },
        exporter: str('IP:PORT raw (non-pcap) input is attributed to', 'host-port'),
      }, ['paths'])),
      one('kafka', obj('raw datagrams a collect --to kafka://…?format=raw forwarded, read by a consumer group', {
        url: str('kafka://HOST:PORT/TOPIC?group=NAME', 'kafka-url'),
        untilEnd: bool('stop at the end of the partitions this consumer was given'),
        templateStore: str('share template state with the group: redis://HOST:PORT/KEY', 'redis-url'),
      }, ['url'])),
    ] }, 'where datagrams come from'), minItems: 1 },
    decode: obj('decoder options', {
      templateScope: { type: 'string', description: 'address (ports of one exporter address share templates) or strict', enum: ['address', 'strict'] },
      templates: str('template state file: loaded at start, saved at the end (and every minute when listening)'),
      flowsOnly: bool('leave options and counter records out (they still teach the enrichers)'),
      workers: int('decode on N worker threads (udp or files; ndjson or count; no other stages)', 0, 64),
      strict: bool('exit 1 when any decode error occurred (files, kafka)'),
    }),
    stages: list(stage, 'in order: enrichers first (fused into decoding), then filters, maps and analysis'),
    sinks: list(sink, 'where the records go (none: stdout); several fan out'),
    output: obj('how records are written', {
      format: { type: 'string', description: 'for files and stdout', enum: ['ndjson', 'json', 'csv', 'table', 'count'] },
      onSinkError: { type: 'string', description: 'when a server is away', enum: ['block', 'buffer', 'exit'] },
      sinkTimeout: { type: 'number', description: 'seconds to wait at the end for servers to acknowledge', minimum: 0 },
      rotateBytes: int('start a new file every N bytes (udp)', 1, Number.MAX_SAFE_INTEGER),
      rotateSeconds: int('start a new file every N seconds (udp)', 1, 31_536_000),
    }),
    run: obj('the running process', {
      stats: bool('a summary on stderr at the end (files, kafka)'),
      statsInterval: int('stats on stderr every N seconds (udp)', 0, 86_400),
      metrics: str('Prometheus metrics on HOST:PORT (udp)', 'host-port'),
    }),
    branches: list(obj('a named sub-chain of the records after the trunk stages, with its own stages and sinks', {
      name: str('the branch name (in messages)'),
      stages: list(stage, 'filters, maps and analysis (no enrichers: they run in the trunk)'),
      sinks: { ...list(sink, 'where this branch writes'), minItems: 1 },
    }, ['name', 'sinks']), 'named sub-chains, e.g. only port-443 flows to ClickHouse'),
  }, ['sources']),
};

/** The alternatives' names of a oneOf node (stage or source kinds). */
export function alternativeNames(node: SchemaNode): string[] {
  return (node.oneOf ?? []).flatMap((a) => a.required ?? []);
}
