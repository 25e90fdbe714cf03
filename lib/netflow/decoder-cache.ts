// Template decoders shared by every FlowDecoder in the thread, keyed by protocol, id and layout.
import { TieredTemplate } from './tiered.js';
import { signatureOf, type CompiledTemplate, type TemplateDef } from './template.js';

/**
 * Template decoders shared by every decoder (many routers send identical templates, and a
 * decoder is immutable apart from its tier), least recently used first.
 */
const DECODER_CACHE_MAX = 4096;
const decoders = new Map<string, TieredTemplate>();

export function decoderOf(def: TemplateDef): CompiledTemplate {
  const key = `${def.protocol}|${def.id}|${signatureOf(def)}`;
  let tpl = decoders.get(key);
  if (tpl !== undefined) decoders.delete(key); // re-inserted below: most recently used
  else {
    if (decoders.size >= DECODER_CACHE_MAX) decoders.delete(decoders.keys().next().value as string);
    tpl = new TieredTemplate(def);
  }
  decoders.set(key, tpl);
  return tpl;
}
