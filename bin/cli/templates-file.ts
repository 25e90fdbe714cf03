// --templates FILE: load template state at start (if the file exists), save it at the end.
import { readFileSync, writeFileSync, renameSync } from 'node:fs';
import type { FlowDecoder, SavedTemplate } from '../../lib/decoder.js';

export function loadTemplates(decoder: FlowDecoder, file: string | undefined): void {
  if (file === undefined) return;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return; // first run: nothing saved yet
  }
  try {
    const n = decoder.importTemplates(JSON.parse(text) as SavedTemplate[]);
    process.stderr.write(`flowpipe: loaded ${n} templates from ${file}\n`);
  } catch (err) {
    process.stderr.write(`flowpipe: ignoring ${file}: not a template file (${(err as Error).message})\n`);
  }
}

export function saveTemplates(decoder: FlowDecoder, file: string | undefined): void {
  if (file === undefined) return;
  const tmp = `${file}.tmp`;
  writeFileSync(tmp, JSON.stringify(decoder.exportTemplates()));
  renameSync(tmp, file); // never leave a half-written file behind
}
