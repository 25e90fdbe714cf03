// alert: threshold rules over flows (the node-sflow flood example as a stage). Rules are tried in
// order, the first whose `match` holds takes the flow; it measures pps, bps or flows per key
// (default the destination address) over a window of flow time, sampling-aware. When a key goes
// over the threshold the rule fires once: an `alert` record and its actions; when the key stays
// below for `hold`, the rule ends: an `alert-end` record and the undo actions; it can fire again
// after that (re-armed). Actions are argv arrays with {field} placeholders filled from the alert
// (never a shell string) or webhooks; running them is the stage's job (transforms/analysis/alert.ts).
import { PrefixTable } from '../codec/ip-prefix.js';
import { fieldValue, flowTime, isFlow, measures } from './fields.js';
import { parseDuration } from './windows.js';

export interface Action {
  /** Program and arguments; `{key}`, `{rule}`, `{value}`, `{threshold}` and `{FIELD}` (key fields) are filled in. */
  run?: string[];
  /** POST the alert as JSON to this URL. */
  webhook?: string;
}

export interface RuleSpec {
  name: string;
  match?: { dst?: string | string[]; src?: string | string[]; vlan?: number | number[]; proto?: number | number[]; srcPort?: number | number[]; dstPort?: number | number[]; exporter?: string | string[] };
  measure?: 'pps' | 'bps' | 'flows';
  /** Key fields (default dstAddr). */
  per?: string | string[];
  threshold: number;
  window?: string | number;
  hold?: string | number;
  action?: Action | Action[];
  undo?: Action | Action[];
}

/** An alert (or its end) as a record. */
export interface AlertRecord {
  [field: string]: unknown;
  type: 'alert' | 'alert-end';
  rule: string;
  key: string;
  measure: string;
  value: number;
  threshold: number;
  time: number;
  actions: Action[];
}

interface Rule {
  spec: RuleSpec;
  dst: PrefixTable<true> | null;
  src: PrefixTable<true> | null;
  sets: { field: string; values: Set<unknown> }[];
  measure: 'pps' | 'bps' | 'flows';
  per: string[];
  windowMs: number;
  holdMs: number;
  action: Action[];
  undo: Action[];
}

const list = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

function cidrs(v: string | string[] | undefined, rule: string, what: string): PrefixTable<true> | null {
  const all = list(v);
  if (all.length === 0) return null;
  const t = new PrefixTable<true>();
  for (const c of all) {
    try {
      t.add(c, true);
    } catch (err) {
      throw new Error(`rule '${rule}': ${what}: ${(err as Error).message}`);
    }
  }
  return t;
}

/** Checks and compiles rules; throws with the rule's name and what is wrong. */
export function compileRules(specs: readonly RuleSpec[]): Rule[] {
  return specs.map((s, i) => {
    const name = typeof s.name === 'string' && s.name !== '' ? s.name : `rule ${i + 1}`;
    if (!(typeof s.threshold === 'number' && s.threshold > 0)) throw new Error(`rule '${name}': threshold must be a positive number`);
    const measure = s.measure ?? 'pps';
    if (!['pps', 'bps', 'flows'].includes(measure)) throw new Error(`rule '${name}': measure must be pps, bps or flows`);
    for (const a of [...list(s.action), ...list(s.undo)]) {
      if (a.run !== undefined && !(Array.isArray(a.run) && a.run.length > 0 && a.run.every((x) => typeof x === 'string'))) throw new Error(`rule '${name}': run must be a list of strings (a program and its arguments, no shell)`);
      if (a.webhook !== undefined && !/^https?:\/\//.test(a.webhook)) throw new Error(`rule '${name}': webhook must be an http(s) URL`);
    }
    const m = s.match ?? {};
    return {
      spec: { ...s, name }, measure, per: list(s.per).length > 0 ? list(s.per) : ['dstAddr'],
      dst: cidrs(m.dst, name, 'dst'), src: cidrs(m.src, name, 'src'),
      sets: ([['srcVlan', m.vlan], ['proto', m.proto], ['srcPort', m.srcPort], ['dstPort', m.dstPort], ['exporter', m.exporter]] as const)
        .filter(([, v]) => v !== undefined).map(([field, v]) => ({ field, values: new Set<unknown>(list(v as unknown)) })),
      windowMs: parseDuration(s.window ?? '1s'), holdMs: parseDuration(s.hold ?? '60s'),
      action: list(s.action), undo: list(s.undo),
    };
  });
}

/** Fills {placeholders} of an argv array: each placeholder is replaced inside one argument, never split or joined. */
export function fillArgs(argv: readonly string[], values: Readonly<Record<string, unknown>>): string[] {
  return argv.map((a) => a.replace(/\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (m, k: string) => (values[k] === undefined ? m : String(values[k]))));
}

interface KeyState { windowStart: number; value: number; firing: boolean; lastOver: number; values: Record<string, unknown> }

export interface AlertStats { flows: number; matched: number; fired: number; ended: number; keys: number; dropped: number }

export class AlertEngine {
  readonly stats: AlertStats = { flows: 0, matched: 0, fired: 0, ended: 0, keys: 0, dropped: 0 };
  private readonly rules: Rule[];
  private readonly state = new Map<string, KeyState>();
  private now = -Infinity;

  constructor(specs: readonly RuleSpec[], private readonly maxKeys = 100_000) {
    this.rules = compileRules(specs);
  }

  private matches(rule: Rule, r: Readonly<Record<string, unknown>>): boolean {
    if (rule.dst !== null) {
      const d = fieldValue(r, 'dstAddr');
      if (typeof d !== 'string' || rule.dst.lookup(d) === undefined) return false;
    }
    if (rule.src !== null) {
      const s = fieldValue(r, 'srcAddr');
      if (typeof s !== 'string' || rule.src.lookup(s) === undefined) return false;
    }
    for (const { field, values } of rule.sets) {
      const v = field === 'exporter' ? r['exporterAddress'] ?? String(r['exporter'] ?? '').replace(/:\d+$/, '').replace(/^\[|\]$/g, '') : fieldValue(r, field);
      if (!values.has(v) && !(field === 'exporter' && values.has(r['exporter']))) return false;
    }
    return true;
  }

  /** One record in; alerts (and alert ends) due out. */
  add(r: Readonly<Record<string, unknown>>): AlertRecord[] {
    if (!isFlow(r)) return [];
    this.stats.flows++;
    const t = flowTime(r) ?? this.now;
    if (t > this.now) this.now = t;
    const out = this.expire();
    const rule = this.rules.find((x) => this.matches(x, r));
    if (rule === undefined) return out;
    this.stats.matched++;
    const values: Record<string, unknown> = {};
    for (const f of rule.per) values[f] = fieldValue(r, f);
    const key = rule.per.map((f) => String(values[f] ?? '')).join('|');
    const id = `${rule.spec.name}\u0000${key}`;
    let s = this.state.get(id);
    const windowStart = Math.floor(t / rule.windowMs) * rule.windowMs;
    if (s === undefined) {
      if (this.state.size >= this.maxKeys) { this.stats.dropped++; return out; }
      this.state.set(id, (s = { windowStart, value: 0, firing: false, lastOver: -Infinity, values }));
      this.stats.keys = this.state.size;
    }
    if (windowStart > s.windowStart) { s.windowStart = windowStart; s.value = 0; }
    else if (windowStart < s.windowStart) return out; // an older window: its time has passed
    const m = measures(r);
    s.value += rule.measure === 'flows' ? m.flows : (rule.measure === 'pps' ? m.packets : m.bytes * 8) / (rule.windowMs / 1000);
    if (s.value >= rule.spec.threshold) {
      s.lastOver = t;
      if (!s.firing) {
        s.firing = true;
        this.stats.fired++;
        out.push(this.record('alert', rule, key, s, t, rule.action));
      }
    }
    return out;
  }

  /** Rules whose keys stayed below their threshold for `hold`: ended, undo due. Call with the clock too (idle input). */
  expire(now: number = this.now): AlertRecord[] {
    if (now > this.now) this.now = now;
    const out: AlertRecord[] = [];
    for (const [id, s] of this.state) {
      const rule = this.rules.find((x) => x.spec.name === id.slice(0, id.indexOf('\u0000')))!;
      if (s.firing && this.now - s.lastOver >= rule.holdMs) {
        s.firing = false;
        this.stats.ended++;
        out.push(this.record('alert-end', rule, id.slice(id.indexOf('\u0000') + 1), s, this.now, rule.undo));
        this.state.delete(id);
      } else if (!s.firing && this.now - s.windowStart > 2 * rule.windowMs) this.state.delete(id);
    }
    this.stats.keys = this.state.size;
    return out;
  }

  private record(type: AlertRecord['type'], rule: Rule, key: string, s: KeyState, time: number, actions: Action[]): AlertRecord {
    const base = { ...s.values, rule: rule.spec.name, key, measure: rule.measure, value: Math.round(s.value), threshold: rule.spec.threshold, time };
    const filled = actions.map((a) => ({ ...(a.run !== undefined ? { run: fillArgs(a.run, base) } : {}), ...(a.webhook !== undefined ? { webhook: a.webhook } : {}) }));
    return { type, ...base, actions: filled } as AlertRecord;
  }
}
