// decodePacket(): the stateless structural view of a datagram (headers, every set with its id,
// offset and length, template records, raw data sets), for tools and for debugging exporters.
import type { TemplateItem } from './netflow/template-parse.js';
import type { DecodeErrorKind, FlowProtocol } from './types.js';
import { walkDatagram, type MessageHeader, type SetSink } from './netflow/walk.js';
import { fieldInfo } from './netflow/template.js';
import type { TemplateFieldInfo } from './types.js';
import { hex } from './codec/bytes.js';
import { decodeSflow, isSflow, type SflowOut, type SflowStructure } from './sflow/decode.js';

export interface StructTemplate {
  /** Offset of the template record in the datagram. */
  offset: number;
  templateId: number;
  options: boolean;
  fields: TemplateFieldInfo[];
}

export interface StructSet {
  /** Set / flowset id (v9: 0 template, 1 options template; IPFIX: 2, 3; >= 256 data). */
  id: number;
  offset: number;
  length: number;
  kind: 'template' | 'options-template' | 'data';
  templates?: StructTemplate[];
  withdrawals?: { templateId: number; options: boolean; all: boolean }[];
  /** Data set body as hex (stateless: its template may be elsewhere). */
  data?: string;
}

export interface StructMessage {
  protocol: FlowProtocol;
  offset: number;
  header: Omit<MessageHeader, 'protocol' | 'offset'>;
  sets: StructSet[];
  /** v1/v5/v7 records present. */
  records?: number;
}

export interface PacketStructure {
  messages: StructMessage[];
  /** sFlow v5 datagrams: header and the sample / record layout. */
  sflow?: SflowStructure;
  errors: { kind: DecodeErrorKind; reason: string; offset: number; templateId?: number }[];
  trailingBytes: number;
}

class StructureSink implements SetSink {
  readonly out: PacketStructure = { messages: [], errors: [], trailingBytes: 0 };
  private get msg(): StructMessage | undefined {
    return this.out.messages[this.out.messages.length - 1];
  }
  header(h: MessageHeader): void {
    const { protocol, offset, ...header } = h;
    this.out.messages.push({ protocol, offset, header, sets: [] });
  }
  templates(items: TemplateItem[], setId: number, offset: number, length: number): void {
    const options = setId === 1 || setId === 3;
    const set: StructSet = { id: setId, offset, length, kind: options ? 'options-template' : 'template', templates: [] };
    for (const it of items) {
      if (it.type === 'template') set.templates!.push({ offset: it.offset, templateId: it.def.id, options: it.def.options, fields: fieldInfo(it.def) });
      else if (it.type === 'withdraw') (set.withdrawals ??= []).push({ templateId: it.id, options: it.options, all: it.all });
      else this.error('bad-template', it.reason, it.offset, it.templateId);
    }
    this.msg?.sets.push(set);
  }
  data(b: Uint8Array, start: number, end: number, setId: number, offset: number): void {
    this.msg?.sets.push({ id: setId, offset, length: end - offset, kind: 'data', data: hex(b, start, end - start) });
  }
  fixed(_b: Uint8Array, _start: number, count: number): void {
    if (this.msg) this.msg.records = count;
  }
  error(kind: DecodeErrorKind, reason: string, offset: number, templateId?: number): void {
    this.out.errors.push(templateId === undefined ? { kind, reason, offset } : { kind, reason, offset, templateId });
  }
  endMessage(): void {}
}

/**
 * Parses a datagram's structure without template state: headers, sets and template records.
 * Never throws; problems are listed in `errors`.
 */
export function decodePacket(datagram: Uint8Array): PacketStructure {
  const sink = new StructureSink();
  try {
    if (isSflow(datagram)) {
      const sflow: SflowStructure = { header: null, samples: [] };
      const res: SflowOut = { records: [], errors: [] };
      sink.out.trailingBytes = decodeSflow(datagram, '', 0, res, null, sflow);
      sink.out.sflow = sflow;
      sink.out.errors.push(...res.errors.map(({ kind, reason, offset }) => ({ kind, reason, offset })));
      return sink.out;
    }
    sink.out.trailingBytes = walkDatagram(datagram, sink);
  } catch (err) {
    sink.out.errors.push({ kind: 'internal', reason: `decoder error: ${(err as Error).message}`, offset: -1 });
  }
  return sink.out;
}
