// The flood detector's logic, pure: rules in order (first match wins), each matching a
// destination network and optionally a VLAN, with a packets-per-second threshold. Packets are
// counted per destination per second, scaled by the sampling rate; above the threshold the
// rule's block command is due, and its unblock command `holdSeconds` later.
import { BlockList, isIPv6 } from 'node:net';
import type { FlowRecord } from 'flowpipe';

export interface Rule {
  name: string;
  /** Destination network: CIDR or a single address. */
  destination: string;
  /** Only packets in this VLAN (802.1Q id), when set. */
  vlan?: number;
  thresholdPps: number;
  /** Program and arguments; `{ip}` is replaced by the destination address. Run without a shell. */
  block: string[];
  unblock: string[];
  holdSeconds: number;
}

export interface Action {
  type: 'block' | 'unblock';
  rule: string;
  address: string;
  pps: number;
  command: string[];
}

interface Compiled extends Rule {
  net: BlockList;
}

/** Packets this record stands for: sampled packets times the sampling rate. */
export function packetsOf(r: FlowRecord): number {
  if (r.protocol === 'sflow-v5') return r.kind === 'flow' ? Number(r['samplingRate'] ?? 1) || 1 : 0;
  const packets = Number(r['packetDeltaCount'] ?? 0);
  const interval = Number(r['samplingInterval'] ?? r['samplingPacketInterval'] ?? 1) || 1;
  return packets * interval;
}

export class FloodDetector {
  private readonly rules: Compiled[];
  /** `${rule}|${address}` -> [second, packets in that second] */
  private readonly counters = new Map<string, [number, number]>();
  /** `${rule}|${address}` -> unblock time (ms) */
  private readonly blocked = new Map<string, number>();

  constructor(rules: readonly Rule[]) {
    this.rules = rules.map((r) => {
      const net = new BlockList();
      const [addr, len] = r.destination.split('/');
      const type = isIPv6(addr!) ? 'ipv6' : 'ipv4';
      if (len === undefined) net.addAddress(addr!, type);
      else net.addSubnet(addr!, Number(len), type);
      return { ...r, net };
    });
  }

  /** The first rule for this destination (and VLAN), or undefined. */
  match(address: string, vlan: number | undefined): Compiled | undefined {
    const type = isIPv6(address) ? 'ipv6' : 'ipv4';
    return this.rules.find((r) => (r.vlan === undefined || r.vlan === vlan) && r.net.check(address, type));
  }

  /** Counts a record seen at `now` (ms); returns the actions now due. */
  observe(r: FlowRecord, now: number): Action[] {
    const actions = this.expire(now);
    const address = (r['destinationIPv4Address'] ?? r['destinationIPv6Address']) as string | undefined;
    if (address === undefined) return actions;
    const vlan = typeof r['vlanId'] === 'number' ? r['vlanId'] : undefined;
    const rule = this.match(address, vlan);
    if (rule === undefined) return actions;
    const key = `${rule.name}|${address}`;
    const second = Math.floor(now / 1000);
    const c = this.counters.get(key);
    const count = c !== undefined && c[0] === second ? c[1] + packetsOf(r) : packetsOf(r);
    this.counters.set(key, [second, count]);
    if (count > rule.thresholdPps && !this.blocked.has(key)) {
      this.blocked.set(key, now + rule.holdSeconds * 1000);
      actions.push({ type: 'block', rule: rule.name, address, pps: count, command: rule.block.map((a) => a.replaceAll('{ip}', address)) });
    }
    return actions;
  }

  /** Unblocks whose hold time has passed. */
  expire(now: number): Action[] {
    const out: Action[] = [];
    for (const [key, until] of this.blocked) {
      if (until > now) continue;
      this.blocked.delete(key);
      const [name, address] = key.split('|') as [string, string];
      const rule = this.rules.find((r) => r.name === name)!;
      out.push({ type: 'unblock', rule: name, address, pps: 0, command: rule.unblock.map((a) => a.replaceAll('{ip}', address)) });
    }
    // Old counters go with their second.
    const second = Math.floor(now / 1000);
    for (const [key, [s]] of this.counters) if (s < second - 1) this.counters.delete(key);
    return out;
  }
}
