// Differential check against Wireshark's cflow dissector: the same datagrams go to tshark (as a
// pcap) and to flowpipe; for packets where both find the same number of flows, every field both
// name is compared.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FlowDecoder, type FlowRecord, type TemplateInfo } from '../../lib/index.js';
import { ipfixElement, v9Element } from '../../lib/registry/index.js';
import { acceptsLength } from '../../lib/registry/data-types.js';
import { pcapFile, type UdpPacket } from '../../lib/capture/pcap-writer.js';

/** tshark cflow field -> flowpipe field, and how to read tshark's text. */
const FIELDS: Record<string, readonly [ours: string, read: (s: string) => unknown]> = {
  'cflow.packets': ['packetDeltaCount', Number],
  'cflow.octets': ['octetDeltaCount', Number],
  'cflow.srcaddr': ['sourceIPv4Address', String],
  'cflow.dstaddr': ['destinationIPv4Address', String],
  'cflow.srcaddrv6': ['sourceIPv6Address', String],
  'cflow.dstaddrv6': ['destinationIPv6Address', String],
  'cflow.inputint': ['ingressInterface', Number],
  'cflow.outputint': ['egressInterface', Number],
  'cflow.srcport': ['sourceTransportPort', Number],
  'cflow.dstport': ['destinationTransportPort', Number],
  'cflow.srcas': ['bgpSourceAsNumber', Number],
  'cflow.dstas': ['bgpDestinationAsNumber', Number],
  'cflow.nexthop': ['ipNextHopIPv4Address', String],
  'cflow.bgpnexthop': ['bgpNextHopIPv4Address', String],
  'cflow.srcmask': ['sourceIPv4PrefixLength', Number],
  'cflow.dstmask': ['destinationIPv4PrefixLength', Number],
  'cflow.protocol': ['protocolIdentifier', Number],
  'cflow.tcpflags': ['tcpControlBits', (s) => parseInt(s, 16)],
  'cflow.tos': ['ipClassOfService', (s) => parseInt(s, 16)],
  'cflow.direction': ['flowDirection', Number],
  'cflow.ingress_vrfid': ['ingressVRFID', Number],
  'cflow.egress_vrfid': ['egressVRFID', Number],
  'cflow.src_mac': ['sourceMacAddress', (s) => s.toLowerCase()],
  'cflow.dst_mac': ['destinationMacAddress', (s) => s.toLowerCase()],
  'cflow.vlanid': ['vlanId', Number],
  'cflow.ip_version': ['ipVersion', Number],
  'cflow.icmp_type_code_ipv4': ['icmpTypeCodeIPv4', (s) => parseInt(s, 16)],
  'cflow.flow_end_reason': ['flowEndReason', Number],
  'cflow.timestart': ['flowStartSysUpTime', (s) => Math.round(Number(s) * 1000)],
  'cflow.timeend': ['flowEndSysUpTime', (s) => Math.round(Number(s) * 1000)],
};

export interface Mismatch { sequence: string; packet: number; flow: number; field: string; tshark: unknown; flowpipe: unknown; declaredLength: number }
export interface DiffReport {
  packets: number;
  packetsCompared: number;
  flows: number;
  values: number;
  mismatches: Mismatch[];
  /** Values not compared: the field's declared length is not valid for its type (tshark reads a prefix, flowpipe keeps hex). */
  nonConforming: number;
  /** Values not compared: tshark shows several elements under one name (e.g. tcp/udp ports, reverse elements). */
  ambiguous: number;
  skipped: string[];
}

export function emptyReport(): DiffReport {
  return { packets: 0, packetsCompared: 0, flows: 0, values: 0, mismatches: [], nonConforming: 0, ambiguous: 0, skipped: [] };
}

export function haveTshark(): boolean {
  return spawnSync('tshark', ['--version'], { stdio: 'ignore' }).status === 0;
}

type Json = { [k: string]: Json } | string | string[];

/** Flows of one packet, in order: every object under a "Flow N" key, fields flattened. */
function tsharkFlows(cflow: Json): Record<string, string | string[]>[] {
  const out: Record<string, string | string[]>[] = [];
  const walk = (node: Json): void => {
    if (typeof node === 'string' || Array.isArray(node)) return;
    for (const [k, v] of Object.entries(node)) {
      if (/^Flow \d+$/.test(k) && typeof v !== 'string') {
        const fields: Record<string, string | string[]> = {};
        const flat = (n: Json): void => {
          if (typeof n === 'string' || Array.isArray(n)) return;
          for (const [fk, fv] of Object.entries(n)) typeof fv === 'string' || Array.isArray(fv) ? (fields[fk] = fv) : flat(fv);
        };
        flat(v);
        out.push(fields);
      } else walk(v);
    }
  };
  walk(cflow);
  return out;
}

/**
 * Decodes each sequence of datagrams (each from its own exporter, so template state stays apart)
 * with one tshark run and with flowpipe, and compares the flows.
 */
export function compareWithTshark(sequences: readonly { name: string; datagrams: readonly Buffer[] }[], report: DiffReport): void {
  const dir = mkdtempSync(join(tmpdir(), 'flowpipe-diff-'));
  const file = join(dir, 'in.pcap');
  const packets: (UdpPacket & { seq: number; index: number })[] = [];
  sequences.forEach((s, seq) => s.datagrams.forEach((payload, index) => packets.push({
    src: { address: `127.0.${seq >> 8}.${seq & 255}`, port: 20000 }, dst: { address: '127.0.0.1', port: 2055 }, payload, time: 1_700_000_000_000 + packets.length, seq, index,
  })));
  writeFileSync(file, pcapFile(packets));
  let json: { _source: { layers: { cflow?: Json } } }[];
  try {
    const text = execFileSync('tshark', ['-r', file, '-d', 'udp.port==2055,cflow', '-T', 'json', '--no-duplicate-keys'], { stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 1024 * 1024 * 1024 }).toString();
    json = JSON.parse(text) as typeof json;
  } catch (err) {
    report.skipped.push(`tshark failed: ${(err as Error).message.split('\n')[0]}`);
    return;
  }
  const dec = new FlowDecoder();
  packets.forEach((p, i) => {
    const ours = dec.decode(p.payload, p.src, 0).records;
    const cflow = json[i]?._source.layers.cflow;
    report.packets++;
    if (cflow === undefined) return;
    const theirs = tsharkFlows(cflow);
    if (theirs.length === 0 || theirs.length !== ours.length) return;
    report.packetsCompared++;
    const templates = dec.templates();
    theirs.forEach((t, j) => compareFlow(`${sequences[p.seq]!.name}#${p.index}`, i, j, t, ours[j]!, templates, report));
  });
}

function declared(r: FlowRecord, name: string, templates: readonly TemplateInfo[]): TemplateInfo['fields'][number] | undefined {
  const t = templates.find((x) => x.exporter === r.exporter && x.domain === r.domain && x.templateId === r.templateId);
  return t?.fields.find((x) => x.name === name);
}

/** Is the field's declared length valid for its type in the record's template? */
function conforming(r: FlowRecord, name: string, templates: readonly TemplateInfo[]): boolean {
  const f = declared(r, name, templates);
  if (f === undefined) return true;
  const info = r.protocol === 'ipfix' ? ipfixElement(f.pen, f.id) : v9Element(f.id);
  return f.length === 65535 ? info.type === 'string' || info.type === 'octetArray' : acceptsLength(info.type, f.length);
}

function compareFlow(sequence: string, packet: number, flow: number, t: Record<string, string | string[]>, r: FlowRecord, templates: readonly TemplateInfo[], report: DiffReport): void {
  report.flows++;
  for (const [field, text] of Object.entries(t)) {
    const map = FIELDS[field];
    if (map === undefined || !(map[0] in r)) continue;
    if (Array.isArray(text) || `${map[0]}_2` in r) { report.ambiguous++; continue; }
    if (!conforming(r, map[0], templates)) { report.nonConforming++; continue; }
    const want = map[1](text);
    let got: unknown = r[map[0]];
    if (typeof got === 'bigint') got = Number(got);
    report.values++;
    if (want !== got) report.mismatches.push({ sequence, packet, flow, field, tshark: text, flowpipe: got, declaredLength: declared(r, map[0], templates)?.length ?? -1 });
  }
}
