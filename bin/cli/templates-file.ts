// --templates FILE: load template state at start (if the file exists), save it every minute and
// at the end. The file is validated entry by entry on load (a bad entry is named and skipped,
// the rest loaded), and written incrementally to a temp file renamed over the old one, so a
// huge state never has to fit one string and a failed save never loses the previous file.
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import type { FlowDecoder, SavedTemplate } from '../../lib/decoder.js';
import { savedTemplateProblem } from '../../lib/netflow/saved-templates.js';
import { toJson } from '../../lib/ndjson/json.js';

/** Problems listed one per line before the rest are only counted. */
const SHOWN_PROBLEMS = 5;

function warn(line: string): void {
  process.stderr.write(`flowpipe: ${line}\n`);
}

/** Reports skipped entries: the first few by index and reason, then how many more. */
export function problemReporter(file: string): { add: (index: number, reason: string) => void; end: () => void } {
  let n = 0;
  return {
    add: (index, reason) => {
      if (++n <= SHOWN_PROBLEMS) warn(`${file}: template entry ${index} skipped: ${reason}`);
    },
    end: () => {
      if (n > SHOWN_PROBLEMS) warn(`${file}: ${n - SHOWN_PROBLEMS} more template entries skipped`);
    },
  };
}

/**
 * Valid saved templates from `file`: none when there is no file yet (first run), or it cannot be
 * read or is not a JSON array (said on stderr); invalid entries are named and skipped.
 */
export function readTemplateFile(file: string | undefined, maxFieldsPerTemplate = 1024): SavedTemplate[] {
  if (file === undefined) return [];
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') warn(`ignoring ${file}: ${(err as Error).message}`);
    return []; // a missing file is an empty state (first run)
  }
  let saved: unknown;
  try {
    saved = JSON.parse(text);
    if (!Array.isArray(saved)) throw new Error('not a JSON array');
  } catch (err) {
    warn(`ignoring ${file}: not a template file (${(err as Error).message})`);
    return [];
  }
  const report = problemReporter(file);
  const valid: SavedTemplate[] = [];
  (saved as unknown[]).forEach((entry, i) => {
    const problem = savedTemplateProblem(entry, { maxFieldsPerTemplate });
    if (problem === null) valid.push(entry as SavedTemplate);
    else report.add(i, problem);
  });
  report.end();
  return valid;
}

/** Bytes gathered before one write. */
const WRITE_CHUNK = 1 << 20;

/**
 * Writes `saved` as one JSON array, entry by entry, to FILE.tmp, then renames it over FILE. On any
 * failure the temp file is removed, the previous FILE is untouched, and the error is thrown.
 */
export function writeTemplateFile(file: string | undefined, saved: Iterable<SavedTemplate>): void {
  if (file === undefined) return;
  const tmp = `${file}.tmp`;
  const fd = openSync(tmp, 'w');
  try {
    let chunk = '[';
    let first = true;
    for (const t of saved) {
      chunk += (first ? '\n' : ',\n') + toJson(t);
      first = false;
      if (chunk.length >= WRITE_CHUNK) {
        writeSync(fd, chunk);
        chunk = '';
      }
    }
    writeSync(fd, chunk + '\n]\n');
    fsyncSync(fd);
  } catch (err) {
    closeSync(fd);
    unlinkSync(tmp);
    throw err;
  }
  closeSync(fd);
  renameSync(tmp, file);
}

/** Loads the file's valid templates into `decoder`, saying how many. */
export function loadTemplates(decoder: FlowDecoder, file: string | undefined): void {
  const saved = readTemplateFile(file, decoder.limits.maxFieldsPerTemplate);
  if (saved.length === 0) return;
  const report = problemReporter(file!);
  const n = decoder.importTemplates(saved, undefined, report.add);
  report.end();
  warn(`loaded ${n} templates from ${file}`);
}

/** Saves the decoder's templates; a failure is one line on stderr and returns false. */
export function saveTemplates(file: string | undefined, saved: Iterable<SavedTemplate>): boolean {
  try {
    writeTemplateFile(file, saved);
    return true;
  } catch (err) {
    warn(`could not save templates to ${file}: ${(err as Error).message} (the previous file is kept)`);
    return false;
  }
}
