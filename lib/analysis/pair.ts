// pair: the two directions of a connection (python netflow's analyzer) — a flow and a flow with
// the reversed 5-tuple that overlaps it in time become one record with its duration, bytes and
// packets each way and a service name. Bounded: flows wait at most `timeoutMs` (of flow time) for
// their other half and at most `maxPending` of them at once; those that leave alone are emitted as
// `unpaired` and counted.
import { PROTOCOL_NAMES } from '../enrich/services.generated.js';
import { servicesOf } from '../enrich/services.js';
import { fieldValue, flowTime, isFlow, measures } from './fields.js';

export interface PairOptions {
  /** How long (flow time) a flow waits for its reverse, ms (default 60 s). */
  timeoutMs?: number;
  /** Flows waiting at once (default 100,000); the oldest leave unpaired beyond it. */
  maxPending?: number;
  /** Slack when comparing the two directions' times, ms (default 1 s). */
  slackMs?: number;
}

/** A connection: the initiator is `src`, the answering side `dst`. */
export interface Connection {
  [field: string]: unknown;
  srcAddr: string;
  dstAddr: string;
  srcPort?: number;
  dstPort?: number;
  proto?: number;
  protoName?: string;
  service?: string;
  timeStart?: number;
  timeEnd?: number;
  durationMs?: number;
  /** src -> dst */
  bytesOut: number;
  packetsOut: number;
  /** dst -> src (absent when unpaired) */
  bytesIn?: number;
  packetsIn?: number;
  exporter?: unknown;
  unpaired?: true;
}

export interface PairStats { flows: number; notFlows: number; noTuple: number; paired: number; unpaired: number; evicted: number }

interface Half { tuple: string[]; start: number; end: number; bytes: number; packets: number; exporter: unknown }

const tupleOf = (r: Readonly<Record<string, unknown>>): string[] | null => {
  const a = fieldValue(r, 'srcAddr'), b = fieldValue(r, 'dstAddr');
  if (typeof a !== 'string' || typeof b !== 'string') return null;
  return [a, b, String(fieldValue(r, 'srcPort') ?? ''), String(fieldValue(r, 'dstPort') ?? ''), String(fieldValue(r, 'proto') ?? '')];
};

/** The service of a connection: the well-known name of the port the answering side used. */
function serviceOf(proto: number | undefined, sport: number | undefined, dport: number | undefined): string | undefined {
  const table = proto === undefined ? undefined : servicesOf(proto);
  if (table === undefined) return undefined;
  return (dport !== undefined ? table[dport] : undefined) ?? (sport !== undefined ? table[sport] : undefined);
}

export class Pairer {
  readonly stats: PairStats = { flows: 0, notFlows: 0, noTuple: 0, paired: 0, unpaired: 0, evicted: 0 };
  /** Waiting flows by their own 5-tuple (insertion order = oldest first). */
  private readonly pending = new Map<string, Half[]>();
  private count = 0;
  private readonly timeoutMs: number;
  private readonly maxPending: number;
  private readonly slackMs: number;
  private latest = -Infinity;

  constructor(options: PairOptions = {}) {
    this.timeoutMs = options.timeoutMs ?? 60_000;
    this.maxPending = options.maxPending ?? 100_000;
    this.slackMs = options.slackMs ?? 1000;
  }

  /** One flow in; connections (and flows that waited too long) out. */
  add(r: Readonly<Record<string, unknown>>): Connection[] {
    if (!isFlow(r)) { this.stats.notFlows++; return []; }
    this.stats.flows++;
    const tuple = tupleOf(r);
    if (tuple === null) { this.stats.noTuple++; return []; }
    const end = flowTime(r) ?? 0;
    const startValue = fieldValue(r, 'timeStart');
    const start = typeof startValue === 'number' ? startValue : end;
    const m = measures(r);
    const half: Half = { tuple, start, end, bytes: m.bytes, packets: m.packets, exporter: r['exporter'] };
    if (end > this.latest) this.latest = end;
    const out = this.expire();
    const reverse = [tuple[1]!, tuple[0]!, tuple[3]!, tuple[2]!, tuple[4]!].join('|');
    const waiting = this.pending.get(reverse);
    const i = waiting?.findIndex((h) => h.start <= end + this.slackMs && start <= h.end + this.slackMs) ?? -1;
    if (waiting !== undefined && i >= 0) {
      const other = waiting.splice(i, 1)[0]!;
      if (waiting.length === 0) this.pending.delete(reverse);
      this.count--;
      this.stats.paired++;
      out.push(this.connection(other, half));
      return out;
    }
    const key = tuple.join('|');
    const list = this.pending.get(key);
    if (list === undefined) this.pending.set(key, [half]);
    else list.push(half);
    this.count++;
    while (this.count > this.maxPending) out.push(...this.evictOldest());
    return out;
  }

  /** Wall-clock time with no record: flows that waited too long leave. */
  tick(now: number): Connection[] {
    if (now > this.latest) this.latest = now;
    return this.expire();
  }

  /** End of input: every waiting flow out, unpaired. */
  flush(): Connection[] {
    const out: Connection[] = [];
    for (const list of this.pending.values()) for (const h of list) out.push(this.alone(h));
    this.pending.clear();
    this.count = 0;
    return out;
  }

  private expire(): Connection[] {
    const out: Connection[] = [];
    for (const [key, list] of this.pending) {
      while (list.length > 0 && list[0]!.end < this.latest - this.timeoutMs) { out.push(this.alone(list.shift()!)); this.count--; }
      if (list.length === 0) this.pending.delete(key);
      else break; // insertion order: the rest are younger
    }
    return out;
  }

  private evictOldest(): Connection[] {
    const first = this.pending.entries().next();
    if (first.done === true) return [];
    const [key, list] = first.value;
    const h = list.shift()!;
    if (list.length === 0) this.pending.delete(key);
    this.count--;
    this.stats.evicted++;
    return [this.alone(h)];
  }

  /** The earlier flow is the initiator. */
  private connection(a: Half, b: Half): Connection {
    const [init, resp] = a.start < b.start || (a.start === b.start && Number(a.tuple[2]) >= Number(a.tuple[3])) ? [a, b] : [b, a];
    const c = this.base(init);
    const start = Math.min(a.start, b.start), end = Math.max(a.end, b.end);
    Object.assign(c, { timeStart: start, timeEnd: end, durationMs: end - start, bytesOut: init.bytes, packetsOut: init.packets, bytesIn: resp.bytes, packetsIn: resp.packets });
    return c;
  }

  private alone(h: Half): Connection {
    this.stats.unpaired++;
    return Object.assign(this.base(h), { timeStart: h.start, timeEnd: h.end, durationMs: h.end - h.start, bytesOut: h.bytes, packetsOut: h.packets, unpaired: true as const });
  }

  private base(h: Half): Connection {
    const [srcAddr, dstAddr, sp, dp, pr] = h.tuple;
    const srcPort = sp === '' ? undefined : Number(sp), dstPort = dp === '' ? undefined : Number(dp), proto = pr === '' ? undefined : Number(pr);
    const c = { srcAddr: srcAddr!, dstAddr: dstAddr! } as Connection; // bytes and packets follow (key order)
    if (srcPort !== undefined) c.srcPort = srcPort;
    if (dstPort !== undefined) c.dstPort = dstPort;
    if (proto !== undefined) {
      c.proto = proto;
      const name = PROTOCOL_NAMES[proto];
      if (name !== undefined) c.protoName = name;
    }
    const service = serviceOf(proto, srcPort, dstPort);
    if (service !== undefined) c.service = service;
    if (h.exporter !== undefined) c.exporter = h.exporter;
    return c;
  }
}
