// --templates FILE: load template state at start (if the file exists), save it every minute and
// at the end, atomically.
import { readFileSync, writeFileSync, renameSync } from 'node:fs';
import type { FlowDecoder, SavedTemplate } from '../../lib/decoder.js';

/** Saved templates from `file`; none when there is no file yet (first run) or it is not ours. */
export function readTemplateFile(file: string | undefined): SavedTemplate[] {
  if (file === undefined) return [];
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return []; // first run: nothing saved yet
  }
  try {
    const saved = JSON.parse(text) as unknown;
    if (!Array.isArray(saved)) throw new Error('not a JSON array');
    return saved as SavedTemplate[];
  } catch (err) {
    process.stderr.write(`flowpipe: ignoring ${file}: not a template file (${(err as Error).message})\n`);
    return [];
  }
}

export function writeTemplateFile(file: string | undefined, saved: readonly SavedTemplate[]): void {
  if (file === undefined) return;
  const tmp = `${file}.tmp`;
  writeFileSync(tmp, JSON.stringify(saved));
  renameSync(tmp, file); // never leave a half-written file behind
}

export function loadTemplates(decoder: FlowDecoder, file: string | undefined): void {
  const saved = readTemplateFile(file);
  if (saved.length === 0) return;
  try {
    const n = decoder.importTemplates(saved);
    process.stderr.write(`flowpipe: loaded ${n} templates from ${file}\n`);
  } catch (err) {
    process.stderr.write(`flowpipe: ignoring ${file}: not a template file (${(err as Error).message})\n`);
  }
}

export function saveTemplates(decoder: FlowDecoder, file: string | undefined): void {
  writeTemplateFile(file, decoder.exportTemplates());
}
