// The one table mapping the source projects' field names and value formats to flowpipe's.
// logstash-codec-netflow and node-netflowv9 use Cisco v9 names (in_bytes, ipv4_src_addr);
// python-netflow and goflow2 use them upper-cased; IPFIX sources use IANA names like ours.
import { ciscoV9Names, v9Element } from '../../lib/index.js';

const cisco = new Map<string, string[]>();
for (const [type, name] of ciscoV9Names) {
  const list = cisco.get(name) ?? [];
  list.push(v9Element(type).name);
  cisco.set(name, list);
}

/** Names that are record meta data, header values or spelled differently by one source. */
const SPECIAL: Record<string, string> = {
  version: 'protocol',
  flow_seq_num: 'sequence',
  flowset_id: 'templateId',
  '@timestamp': 'exportTime',
  first_switched: 'flowStartMilliseconds',
  last_switched: 'flowEndMilliseconds',
  prot: 'protocolIdentifier',
  proto: 'protocolIdentifier',
  input: 'ingressInterface',
  output: 'egressInterface',
  'ingressVRFID(234)': 'ingressVRFID',
  'egressVRFID(235)': 'egressVRFID',
  scope_system: 'scopeSystem',
  scope_interface: 'scopeInterface',
};

/** Source names of fields that are message header values, not record fields, in flowpipe. */
export const HEADER_ONLY = new Set(['flow_records', '@version', 'host']);

/** Candidate flowpipe names for a source field name, best first. */
export function ourNames(source: string): string[] {
  const out = [source];
  const lower = source.toLowerCase();
  const special = SPECIAL[source] ?? SPECIAL[lower];
  if (special) out.unshift(special);
  out.push(...(cisco.get(source) ?? []), ...(cisco.get(lower) ?? []));
  // logstash prefixes every NetScaler and VMware element; flowpipe only prefixes names that collide.
  const m = /^(?:netscaler|vmware)([A-Z].*)$/.exec(source);
  if (m) out.push(m[1]![0]!.toLowerCase() + m[1]!.slice(1));
  return [...new Set(out)];
}

const PROTOCOL_BY_VERSION: Record<number, string> = { 1: 'netflow-v1', 5: 'netflow-v5', 7: 'netflow-v7', 9: 'netflow-v9', 10: 'ipfix' };

/** ISO time with any number of fractional digits -> epoch ms with the fraction. */
export function isoMs(s: string): number | null {
  const m = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d+))?Z$/.exec(s);
  if (!m) return null;
  return Date.parse(m[1] + 'Z') + Number('0.' + (m[2] ?? '0')) * 1000;
}

/** RFC 6759 application id (hex) in logstash's `engine..selector` / `engine..pen..selector` form. */
function applicationId(hex: string): string {
  const bytes = Buffer.from(hex, 'hex');
  const engine = bytes[0]!;
  if (engine === 20 && bytes.length >= 5) return `${engine}..${bytes.readUInt32BE(1)}..${readUint(bytes.subarray(5))}`;
  return `${engine}..${readUint(bytes.subarray(1))}`;
}
function readUint(b: Buffer): number {
  let v = 0;
  for (const x of b) v = v * 256 + x;
  return v;
}

/**
 * Does our value equal the source's, allowing only differences of format: ISO times vs epoch
 * ms, dateTimeSeconds in ms, RFC 6759 ids, ASA ACL ids, forwarding status and MPLS label
 * structs vs raw values, version numbers vs protocol names.
 */
export function sameValue(expected: unknown, ours: unknown, ourName: string): boolean {
  if (ours === undefined) return false;
  if (typeof ours === 'bigint') return typeof expected === 'number' || typeof expected === 'string' ? BigInt(expected) === ours : false;
  if (JSON.stringify(expected) === JSON.stringify(ours)) return true;
  if (ourName === 'protocol' && typeof expected === 'number') return PROTOCOL_BY_VERSION[expected] === ours;
  if (typeof expected === 'string' && typeof ours === 'number') {
    const t = isoMs(expected);
    if (t !== null) return Math.abs(t - ours) < 1;
  }
  if (typeof expected === 'number' && typeof ours === 'number' && /Seconds$/.test(ourName)) return expected * 1000 === ours;
  if (typeof ours === 'string' && /^[0-9a-f]+$/.test(ours)) {
    if (typeof expected === 'string' && /^\d+\.\.\d+/.test(expected)) return applicationId(ours) === expected;
    if (typeof expected === 'string' && /^[0-9a-f]{8}(-[0-9a-f]{8})+$/.test(expected)) return expected.replace(/-/g, '') === ours;
    if (isRecord(expected) && 'label' in expected) return sameMpls(expected, Buffer.from(ours, 'hex'));
  }
  if (typeof ours === 'number' && isRecord(expected) && 'label' in expected) {
    // IANA 201 is an unsigned32; logstash reads the same four bytes as a label stack entry.
    const b = Buffer.alloc(4);
    b.writeUInt32BE(ours >>> 0);
    return sameMpls(expected, b);
  }
  if (typeof ours === 'number' && isRecord(expected) && 'status' in expected) {
    return expected['status'] === ours >>> 6 && expected['reason'] === (ours & 0x3f);
  }
  return false;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** RFC 3032 label stack entry: label 20 bits, EXP 3, bottom of stack 1, TTL 8. */
function sameMpls(e: Record<string, unknown>, b: Buffer): boolean {
  if (b.length < 3) return false;
  const label = (b[0]! << 12) | (b[1]! << 4) | (b[2]! >> 4);
  const ttl = b.length >= 4 ? b[3]! : 0;
  return e['label'] === label && e['experimental'] === ((b[2]! >> 1) & 7) && e['bottom_of_stack'] === (b[2]! & 1) && e['ttl'] === ttl;
}
