// Table columns for the normalized flow shape (or for --fields): snake_case names and the
// ClickHouse and PostgreSQL type of each. Times are epoch milliseconds, sub-millisecond fractions
// kept (Float64 in ClickHouse, so Debian's 18.16 server, which has no DateTime64, takes them:
// exact to the microsecond; timestamptz in PostgreSQL).
import { ENRICHED_FIELDS, NORMALIZED_FIELDS } from '../normalize/flow.js';
import { snakeCase } from './lines.js';

export type ColumnKind = 'time' | 'text' | 'lowtext' | 'addr' | 'mac' | 'u8' | 'u16' | 'u32' | 'u64' | 'float' | 'labels';

export interface Column {
  /** The record field (camelCase). */
  field: string;
  /** The column name (snake_case). */
  name: string;
  kind: ColumnKind;
}

const KINDS: Record<string, ColumnKind> = {
  timeReceived: 'time', timeStart: 'time', timeEnd: 'time',
  exporter: 'lowtext', exporterAddress: 'addr', protocol: 'lowtext', domain: 'u32', sequence: 'u32',
  srcAddr: 'addr', dstAddr: 'addr', nextHop: 'addr', natSrcAddr: 'addr', natDstAddr: 'addr',
  srcPort: 'u16', dstPort: 'u16', natSrcPort: 'u16', natDstPort: 'u16', proto: 'u8', etype: 'u16', tcpFlags: 'u16', tos: 'u8',
  icmpType: 'u8', icmpCode: 'u8', srcAs: 'u32', dstAs: 'u32', srcMask: 'u8', dstMask: 'u8', srcVlan: 'u16', dstVlan: 'u16',
  srcMac: 'mac', dstMac: 'mac', mplsLabels: 'labels', direction: 'u8', forwardingStatus: 'u8',
  inIf: 'u32', outIf: 'u32', inVrf: 'u32', outVrf: 'u32', application: 'lowtext', samplingRate: 'float',
  bytes: 'u64', packets: 'u64', sampledBytes: 'u64', sampledPackets: 'u64', reverseBytes: 'u64', reversePackets: 'u64',
  inIfSpeed: 'u64', outIfSpeed: 'u64',
};

/** The columns of the normalized shape with every enriched field, or of the given fields. */
export function columnsFor(fields?: readonly string[]): Column[] {
  const list = fields ?? [...NORMALIZED_FIELDS, ...ENRICHED_FIELDS];
  return list.map((field) => ({ field, name: snakeCase(field), kind: KINDS[field] ?? ((ENRICHED_FIELDS as readonly string[]).includes(field) ? 'lowtext' : 'text') }));
}

/** ClickHouse types; `rich` (a server of 22.3 or later) adds LowCardinality for repetitive text. */
export function clickhouseType(kind: ColumnKind, rich: boolean): string {
  switch (kind) {
    case 'time': return 'Float64';
    case 'lowtext': return rich ? 'LowCardinality(String)' : 'String';
    case 'text': case 'addr': case 'mac': return 'String';
    case 'u8': return 'UInt8';
    case 'u16': return 'UInt16';
    case 'u32': return 'UInt32';
    case 'u64': return 'UInt64';
    case 'float': return 'Float64';
    case 'labels': return 'Array(UInt32)';
  }
}

/** PostgreSQL types: inet addresses, timestamptz times, bigint counters. */
export function postgresType(kind: ColumnKind): string {
  switch (kind) {
    case 'time': return 'timestamptz';
    case 'addr': return 'inet';
    case 'mac': return 'macaddr';
    case 'text': case 'lowtext': return 'text';
    case 'u8': case 'u16': return 'integer';
    case 'u32': case 'u64': return 'bigint';
    case 'float': return 'double precision';
    case 'labels': return 'bigint[]';
  }
}

/** A quoted SQL identifier (backquotes for ClickHouse, double quotes for PostgreSQL); anything but a plain name is refused. */
export function quoteIdent(name: string, clickhouse: boolean): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new Error(`'${name}' is not a usable column or table name`);
  return clickhouse ? `\`${name}\`` : `"${name}"`;
}
