// Builds NetFlow v5/v9 and IPFIX datagrams for unit tests, field by field.

export const u8 = (v: number): Buffer => Buffer.from([v & 0xff]);
export const u16 = (v: number): Buffer => { const b = Buffer.alloc(2); b.writeUInt16BE(v); return b; };
export const u32 = (v: number): Buffer => { const b = Buffer.alloc(4); b.writeUInt32BE(v >>> 0); return b; };
export const u64 = (v: bigint | number): Buffer => { const b = Buffer.alloc(8); b.writeBigUInt64BE(BigInt(v)); return b; };
export const ip4 = (s: string): Buffer => Buffer.from(s.split('.').map(Number));
export const mac = (s: string): Buffer => Buffer.from(s.split(':').map((x) => parseInt(x, 16)));
export const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');
export const cat = (...parts: Buffer[]): Buffer => Buffer.concat(parts);

/** IPv6 from full or :: notation. */
export function ip6(s: string): Buffer {
  const [head, tail] = s.includes('::') ? s.split('::') : [s, undefined];
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = tail === undefined ? h : [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t];
  return Buffer.concat(groups.map((g) => u16(parseInt(g, 16))));
}

/** IPFIX variable-length encoding: 1-byte length, or 255 + 2-byte length. */
export function varlen(v: Buffer | string, long = false): Buffer {
  const b = typeof v === 'string' ? Buffer.from(v, 'utf8') : v;
  return long || b.length >= 255 ? cat(u8(255), u16(b.length), b) : cat(u8(b.length), b);
}

/** [id, length] or [id, length, pen] */
export type FieldDef = readonly [id: number, length: number, pen?: number];

// ---------- IPFIX ----------

export interface IpfixHeader { domain?: number; sequence?: number; exportTime?: number }

export function ipfix(h: IpfixHeader, ...sets: Buffer[]): Buffer {
  const body = cat(...sets);
  return cat(u16(10), u16(16 + body.length), u32(h.exportTime ?? 1_700_000_000), u32(h.sequence ?? 0), u32(h.domain ?? 0), body);
}

export function set(id: number, ...records: Buffer[]): Buffer {
  const body = cat(...records);
  return cat(u16(id), u16(4 + body.length), body);
}

function ipfixFields(fields: readonly FieldDef[]): Buffer {
  return cat(...fields.map(([id, len, pen]) => (pen === undefined ? cat(u16(id), u16(len)) : cat(u16(id | 0x8000), u16(len), u32(pen)))));
}

export const ipfixTemplate = (id: number, fields: readonly FieldDef[]): Buffer => cat(u16(id), u16(fields.length), ipfixFields(fields));
export const ipfixOptionsTemplate = (id: number, scopeCount: number, fields: readonly FieldDef[]): Buffer =>
  cat(u16(id), u16(fields.length), u16(scopeCount), ipfixFields(fields));
/** Template (or options template) withdrawal record: field count 0. */
export const withdrawal = (id: number): Buffer => cat(u16(id), u16(0));

// ---------- NetFlow v9 ----------

export interface V9Header { count?: number; uptime?: number; secs?: number; sequence?: number; sourceId?: number }

export function v9(h: V9Header, ...flowsets: Buffer[]): Buffer {
  return cat(u16(9), u16(h.count ?? flowsets.length), u32(h.uptime ?? 100_000), u32(h.secs ?? 1_700_000_000), u32(h.sequence ?? 0), u32(h.sourceId ?? 0), ...flowsets);
}

export const v9Template = (id: number, fields: readonly FieldDef[]): Buffer =>
  cat(u16(id), u16(fields.length), ...fields.map(([t, l]) => cat(u16(t), u16(l))));

export function v9OptionsTemplate(id: number, scopes: readonly FieldDef[], options: readonly FieldDef[]): Buffer {
  const f = (l: readonly FieldDef[]): Buffer => cat(...l.map(([t, len]) => cat(u16(t), u16(len))));
  return cat(u16(id), u16(scopes.length * 4), u16(options.length * 4), f(scopes), f(options));
}

// ---------- NetFlow v5 ----------

export interface V5Header { uptime?: number; secs?: number; nsecs?: number; sequence?: number; engineType?: number; engineId?: number; sampling?: number }
export interface V5Record { src: string; dst: string; pkts?: number; bytes?: number; first?: number; last?: number; sport?: number; dport?: number; proto?: number }

export function v5Record(r: V5Record): Buffer {
  return cat(
    ip4(r.src), ip4(r.dst), ip4('0.0.0.0'), u16(1), u16(2), u32(r.pkts ?? 1), u32(r.bytes ?? 100),
    u32(r.first ?? 0), u32(r.last ?? 0), u16(r.sport ?? 1234), u16(r.dport ?? 80),
    u8(0), u8(0x12), u8(r.proto ?? 6), u8(0), u16(64500), u16(64501), u8(24), u8(16), u16(0),
  );
}

export function v5(h: V5Header, records: Buffer[], count = records.length): Buffer {
  return cat(
    u16(5), u16(count), u32(h.uptime ?? 100_000), u32(h.secs ?? 1_700_000_000), u32(h.nsecs ?? 0),
    u32(h.sequence ?? 0), u8(h.engineType ?? 0), u8(h.engineId ?? 0), u16(h.sampling ?? 0), ...records,
  );
}

export const EXPORTER = { address: '192.0.2.1', port: 2055 };
export const OTHER_EXPORTER = { address: '192.0.2.2', port: 2055 };
