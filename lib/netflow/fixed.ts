// NetFlow v1, v5 and v7 records described as templates of IANA elements, so they compile to the
// same kind of decoder as v9/IPFIX and come out with the same field names.
import { compileTemplate, type ContextField } from './compile.js';
import { ipfixElement } from '../registry/index.js';
import type { CompiledTemplate, FieldSpec, TemplateDef } from './template.js';

type Layout = readonly (readonly [ieOrPad: number | string, length: number])[];

// [IANA element id, length]; a string is padding (or a field with no IANA element, as noted).
const COMMON: Layout = [
  [8, 4], [12, 4], [15, 4], // sourceIPv4Address, destinationIPv4Address, ipNextHopIPv4Address
  [10, 2], [14, 2], // ingressInterface, egressInterface
  [2, 4], [1, 4], // packetDeltaCount, octetDeltaCount
  [22, 4], [21, 4], // flowStartSysUpTime, flowEndSysUpTime
  [7, 2], [11, 2], // sourceTransportPort, destinationTransportPort
];

const V1: Layout = [...COMMON, ['pad', 2], [4, 1], [5, 1], [6, 1], ['pad', 7]];
const V5: Layout = [
  ...COMMON, ['pad', 1], [6, 1], [4, 1], [5, 1], // tcpControlBits, protocolIdentifier, ipClassOfService
  [16, 2], [17, 2], [9, 1], [13, 1], ['pad', 2], // AS numbers, prefix lengths
];
// v7 (Catalyst): v5's layout, then a flags word with no IANA meaning and the router shortcut.
const V7: Layout = [...V5.slice(0, -1), ['pad', 2], ['v7RouterShortcut', 4]];

function spec([ie, length]: readonly [number | string, number]): FieldSpec {
  if (typeof ie === 'string') {
    return ie === 'pad'
      ? { id: 0, pen: 0, length, name: '', type: 'octetArray', known: false, scope: false, skip: true }
      : { id: 0, pen: 0, length, name: ie, type: 'ipv4Address', known: true, scope: false };
  }
  const info = ipfixElement(0, ie);
  return { id: ie, pen: 0, length, name: info.name, type: info.type, known: true, scope: false };
}

function define(protocol: TemplateDef['protocol'], layout: Layout, ctx: readonly ContextField[] = []): CompiledTemplate {
  return compileTemplate({ protocol, id: 0, options: false, fields: layout.map(spec) }, ctx);
}

const V5_HEADER_FIELDS: readonly ContextField[] = [
  ['engineType', 'engineType'], ['engineId', 'engineId'],
  ['samplingAlgorithm', 'samplingAlgorithm'], ['samplingInterval', 'samplingInterval'],
];

/** Compiled record decoders for the fixed formats, by version. */
export const FIXED_TEMPLATES: Readonly<Record<1 | 5 | 7, CompiledTemplate>> = {
  1: define('netflow-v1', V1),
  5: define('netflow-v5', V5, V5_HEADER_FIELDS),
  7: define('netflow-v7', V7),
};
