// The object one sFlow sample becomes, made with room for the fields decoding adds to it.
//
// A sample's fields are known only as its records are read (sample header, sampled packet
// dissection, extended records), so they are added one by one. Added to an object literal, V8
// regrows the object's property store every three fields: about 250 ns per 50-field sample, a
// fifth of the decode. Objects made by one constructor get in-object room for every `this.x =`
// assignment its body holds, counted even where they never run; the fields added later fill that
// room (measured: 40 ns per record instead of 250). The constructor's prototype is
// Object.prototype, so the record is a plain object to every consumer (JSON, structuredClone,
// deepStrictEqual, the NDJSON writers' plain-object check).
import type { FlowRecord } from '../types.js';

/** In-object fields reserved past the nine every sample has: a flow sample with a dissected TCP/IP header has ~50. */
const ROOM = 64;

type SampleKind = 'flow' | 'counters' | 'drop';
type SampleRecordConstructor = new (kind: SampleKind, exporter: string, domain: number, now: number, sequence: number, agent: string, uptime: number) => FlowRecord;

function compileConstructor(): SampleRecordConstructor {
  const reserved = Array.from({ length: ROOM }, (_, i) => `this.r${i} = 0;`).join(' ');
  // eslint-disable-next-line @typescript-eslint/no-implied-eval -- the reserved assignments are generated, not hand-written
  const ctor = new Function('kind', 'exporter', 'domain', 'now', 'sequence', 'agent', 'uptime', `'use strict';
    this.kind = kind; this.protocol = 'sflow-v5'; this.exporter = exporter; this.domain = domain; this.templateId = 0;
    this.exportTime = now; this.sequence = sequence; this.agent = agent; this.agentUptime = uptime;
    if (kind === null) { ${reserved} } // never runs: sizes the objects`) as unknown as SampleRecordConstructor & { prototype: object };
  ctor.prototype = Object.prototype;
  return ctor;
}

const SampleRecord = compileConstructor();

/** A sample's record with the datagram's fields; the sample's own are written into it after. */
export function sampleRecord(kind: SampleKind, exporter: string, domain: number, now: number, sequence: number, agent: string, uptime: number): FlowRecord {
  return new SampleRecord(kind, exporter, domain, now, sequence, agent, uptime);
}
