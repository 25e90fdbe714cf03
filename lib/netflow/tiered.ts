// Tiered template decoders: a template starts interpreted (interpret.ts, built in microseconds)
// and is compiled to straight-line code (compile.ts, a few hundred microseconds) once it has
// decoded data in a few datagrams. A real exporter's templates are compiled within their first
// datagrams; an exporter redefining templates on every datagram never pays for a compile.
import { generateDecoders, templateShape } from './compile.js';
import { interpretTemplate } from './interpret.js';
import type { CompiledTemplate, FieldsDecoder, RecordDecoder, TemplateDef } from './template.js';

/** Datagrams a template decodes data in before it is compiled. */
export const PROMOTE_AFTER_DATAGRAMS = 3;

/** Templates holding generated code at once (the oldest compiled goes back to the interpreter). */
export const MAX_COMPILED = 2048;
const compiledNow = new Set<TieredTemplate>();

export class TieredTemplate implements CompiledTemplate {
  readonly def: TemplateDef;
  readonly minLength: number;
  readonly fixedLength: number;
  readonly hasVarlen: boolean;
  readonly signature: string;
  readonly initTimeField: string | null;
  readonly scopeNames: readonly string[];
  readonly recordKeys: readonly string[];
  decodeRecord: RecordDecoder;
  decodeFields: FieldsDecoder;
  private readonly names: readonly string[];
  private readonly interpreted: { decodeRecord: RecordDecoder; decodeFields: FieldsDecoder };
  private datagrams = 0;
  private lastDatagram = -1;
  compiled = false;

  constructor(def: TemplateDef, private readonly promoteAfter = PROMOTE_AFTER_DATAGRAMS) {
    const shape = templateShape(def);
    this.def = def;
    this.minLength = shape.minLength;
    this.fixedLength = shape.fixedLength;
    this.hasVarlen = shape.hasVarlen;
    this.signature = shape.signature;
    this.initTimeField = shape.initTimeField;
    this.scopeNames = shape.scopeNames;
    this.names = shape.names;
    const i = interpretTemplate(def, shape.names, shape.scopeNames);
    this.interpreted = i;
    this.recordKeys = i.recordKeys;
    this.decodeRecord = i.decodeRecord;
    this.decodeFields = i.decodeFields;
  }

  /** Notes a data set decoded in datagram number `datagram`; compiles on the promoteAfter-th datagram. */
  used(datagram: number): void {
    if (this.compiled || datagram === this.lastDatagram) return;
    this.lastDatagram = datagram;
    if (++this.datagrams >= this.promoteAfter) this.compile();
  }

  compile(): void {
    const g = generateDecoders(this.def, this.names, this.scopeNames);
    this.decodeRecord = g.decodeRecord;
    this.decodeFields = g.decodeFields;
    this.compiled = true;
    compiledNow.add(this);
    if (compiledNow.size > MAX_COMPILED) compiledNow.values().next().value!.uncompile();
  }

  /** Drops the generated code (a bounded number of templates keep theirs); decoding goes on interpreted. */
  uncompile(): void {
    this.decodeRecord = this.interpreted.decodeRecord;
    this.decodeFields = this.interpreted.decodeFields;
    this.compiled = false;
    this.datagrams = 0;
    compiledNow.delete(this);
  }
}
