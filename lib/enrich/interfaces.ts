// Interface, VRF and sampler names from options data, per exporter and domain: interfaceName (82)
// and interfaceDescription (83) by ifIndex (10/14, 252/253, v9 scope 2), VRFname (236) by
// ingressVRFID/egressVRFID (234/235), samplerName (84) by samplerId (48), selectorName (335) by
// selectorId (302). A later options record that gives an id a new name wins for the flows after
// it (Cisco IOS XR reassigns ifIndexes). A static table fills what a device never sends.
import type { FlowRecord } from '../types.js';
import type { NormalizedFlow } from '../normalize/flow.js';
import { exporterAddressOf } from '../normalize/flow.js';
import type { Enricher } from './enricher.js';
import { numberAttr, stringAttr, TableError, type TableRow } from './table-file.js';

/** What is known of one interface. */
export interface InterfaceInfo {
  name?: string;
  description?: string;
  /** Speed in bits per second (static table only). */
  speed?: number;
}

/** Interfaces of one exporter address by ifIndex (text), or undefined. */
export type InterfaceLookup = (exporterAddress: string) => Readonly<Record<string, InterfaceInfo>> | undefined;

export interface InterfaceNamesOptions {
  /** Names a device never sends (`--interfaces FILE`). Learned names win over these. */
  table?: InterfaceLookup;
  /** Names that win over what the device sends (exporter info overrides). */
  overrides?: InterfaceLookup;
  templateScope?: 'address' | 'strict';
}

const none: InterfaceLookup = () => undefined;

const IFINDEX_SCOPES = ['ingressInterface', 'egressInterface', 'scopeInterface', 'ingressPhysicalInterface', 'egressPhysicalInterface'] as const;
const VRF_SCOPES = ['ingressVRFID', 'egressVRFID'] as const;
const MAX_ENTRIES = 1_000_000;

type IdMap<T> = Map<number, T>;
/** scope key (exporter or address) -> domain -> id -> value */
type Scoped<T> = Map<string, Map<number, IdMap<T>>>;

function idOf(r: Readonly<Record<string, unknown>>, names: readonly string[]): number | undefined {
  for (const n of names) {
    const v = r[n];
    if (typeof v === 'number') return v;
  }
  return undefined;
}

function text(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

export class InterfaceNames implements Enricher {
  readonly name = 'interfaces';
  private readonly interfaces: Scoped<InterfaceInfo> = new Map();
  private readonly vrfs: Scoped<string> = new Map();
  private readonly samplers: Scoped<string> = new Map();
  private readonly table: InterfaceLookup;
  private readonly overrides: InterfaceLookup;
  private readonly strict: boolean;
  private entries = 0;
  private readonly resolved: Resolved = { name: undefined, description: undefined, speed: undefined, complete: true };

  constructor(options: InterfaceNamesOptions = {}) {
    this.table = options.table ?? none;
    this.overrides = options.overrides ?? none;
    this.strict = options.templateScope === 'strict';
  }

  observe(r: FlowRecord): boolean {
    let learned = false;
    const name = text(r['interfaceName']), description = text(r['interfaceDescription']);
    if (name !== undefined || description !== undefined) {
      const ifIndex = idOf(r, IFINDEX_SCOPES);
      if (ifIndex !== undefined) {
        this.put(this.interfaces, r, ifIndex, { ...(name === undefined ? {} : { name }), ...(description === undefined ? {} : { description }) });
        learned = true;
      }
    }
    const vrf = text(r['VRFname']);
    const vrfId = vrf === undefined ? undefined : idOf(r, VRF_SCOPES);
    if (vrf !== undefined && vrfId !== undefined) { this.put(this.vrfs, r, vrfId, vrf); learned = true; }
    const sampler = text(r['samplerName']) ?? text(r['selectorName']);
    const samplerId = sampler === undefined ? undefined : idOf(r, ['samplerId', 'selectorId']);
    if (sampler !== undefined && samplerId !== undefined) { this.put(this.samplers, r, samplerId, sampler); learned = true; }
    return learned;
  }

  private put<T>(map: Scoped<T>, r: FlowRecord, id: number, value: T): void {
    if (this.entries >= MAX_ENTRIES) { this.interfaces.clear(); this.vrfs.clear(); this.samplers.clear(); this.entries = 0; }
    const scopes = this.strict ? [r.exporter] : [r.exporter, exporterAddressOf(r.exporter)];
    for (const s of scopes) {
      let d = map.get(s);
      if (d === undefined) map.set(s, (d = new Map()));
      let ids = d.get(r.domain);
      if (ids === undefined) d.set(r.domain, (ids = new Map()));
      if (!ids.has(id)) this.entries++;
      ids.set(id, value);
    }
  }

  private get<T>(map: Scoped<T>, n: NormalizedFlow, id: number): T | undefined {
    const own = map.get(n.exporter)?.get(n.domain)?.get(id);
    if (own !== undefined || this.strict) return own;
    return map.get(n.exporterAddress)?.get(n.domain)?.get(id);
  }

  enrich(n: NormalizedFlow, r: FlowRecord): boolean {
    let complete = true;
    if (typeof n.inIf === 'number') {
      const i = this.info(n, n.inIf);
      if (i.name !== undefined) n['inIfName'] = i.name;
      if (i.description !== undefined) n['inIfDescription'] = i.description;
      if (i.speed !== undefined) n['inIfSpeed'] = i.speed;
      complete = i.complete;
    }
    if (typeof n.outIf === 'number') {
      const i = this.info(n, n.outIf);
      if (i.name !== undefined) n['outIfName'] = i.name;
      if (i.description !== undefined) n['outIfDescription'] = i.description;
      if (i.speed !== undefined) n['outIfSpeed'] = i.speed;
      complete = i.complete && complete;
    }
    if (typeof n.inVrf === 'number' && this.vrfs.size > 0) {
      const v = this.get(this.vrfs, n, n.inVrf);
      if (v !== undefined) n['inVrfName'] = v; else complete = false;
    }
    if (typeof n.outVrf === 'number' && this.vrfs.size > 0) {
      const v = this.get(this.vrfs, n, n.outVrf);
      if (v !== undefined) n['outVrfName'] = v; else complete = false;
    }
    if (this.samplers.size > 0) {
      const id = idOf(r, ['samplerId', 'selectorId']);
      if (id !== undefined) {
        const v = this.get(this.samplers, n, id);
        if (v !== undefined) n['samplerName'] = v; else complete = false;
      }
    }
    return complete;
  }

  /** Name, description and speed of an interface: the override table, then learned, then the static table. */
  private info(n: NormalizedFlow, ifIndex: number): Resolved {
    const r = this.resolved;
    const key = String(ifIndex);
    const over = this.overrides(n.exporterAddress)?.[key];
    const learned = this.interfaces.size > 0 ? this.get(this.interfaces, n, ifIndex) : undefined;
    const fixed = this.table(n.exporterAddress)?.[key];
    r.name = over?.name ?? learned?.name ?? fixed?.name;
    r.description = over?.description ?? learned?.description ?? fixed?.description;
    r.speed = over?.speed ?? fixed?.speed;
    // Worth a second look only while the device sends names at all.
    r.complete = learned !== undefined || this.interfaces.size === 0 || r.name !== undefined;
    return r;
  }
}

/** Scratch answer of InterfaceNames#info (one per enricher: lookups are synchronous). */
interface Resolved { name: string | undefined; description: string | undefined; speed: number | undefined; complete: boolean }

/**
 * The static interface table from parsed rows: CSV `exporter,ifIndex,name,description,speed`, or
 * YAML/JSON exporter -> ifIndex -> { name, description, speed }.
 */
export function interfaceTableFromRows(rows: readonly TableRow[]): Map<string, Record<string, InterfaceInfo>> {
  const out = new Map<string, Record<string, InterfaceInfo>>();
  const add = (row: TableRow, exporter: string, ifIndex: string, attrs: Readonly<Record<string, unknown>>): void => {
    if (!/^\d+$/.test(ifIndex)) throw new TableError(`line ${row.line}: '${exporter}': '${ifIndex}' is not an ifIndex`);
    const sub: TableRow = { key: `${exporter} ifIndex ${ifIndex}`, line: row.line, attrs };
    const unknown = Object.keys(attrs).filter((k) => !['name', 'description', 'speed', 'exporter', 'ifIndex'].includes(k));
    if (unknown.length > 0) throw new TableError(`line ${row.line}: '${sub.key}': unknown attribute ${unknown.map((k) => `'${k}'`).join(', ')}`);
    const name = stringAttr(sub, 'name'), description = stringAttr(sub, 'description'), speed = numberAttr(sub, 'speed');
    let m = out.get(exporter);
    if (m === undefined) out.set(exporter, (m = {}));
    m[ifIndex] = { ...(name === undefined ? {} : { name }), ...(description === undefined ? {} : { description }), ...(speed === undefined ? {} : { speed }) };
  };
  for (const row of rows) {
    if (row.attrs['ifIndex'] !== undefined) add(row, row.key, String(row.attrs['ifIndex']), row.attrs);
    else for (const [ifIndex, info] of Object.entries(row.attrs)) add(row, row.key, ifIndex, typeof info === 'string' ? { name: info } : (info as Record<string, unknown>) ?? {});
  }
  return out;
}
