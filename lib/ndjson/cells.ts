// Record values as text cells for people (--format table) and spreadsheets (--format csv).
// Exporters control many strings (interface names, URLs, application names), so neither output
// may pass them raw: terminal escape sequences would reach the operator's terminal, and a cell
// starting with = + - @ would run as a formula in a spreadsheet.
import { toJson } from './json.js';

/** A value as one cell: nothing for null/undefined, JSON for objects, else its text. */
export function cellText(v: unknown): string {
  if (v === undefined || v === null) return '';
  return typeof v === 'object' ? toJson(v) : String(v);
}

// C0 controls, DEL and C1 controls (0x9b is a one-byte CSI on some terminals).
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;

function escapeControl(c: string): string {
  return '\\x' + c.charCodeAt(0).toString(16).padStart(2, '0');
}

/** A cell for a terminal table: control characters shown as \xHH, never sent to the terminal. */
export function tableCell(v: unknown): string {
  return cellText(v).replace(CONTROL, escapeControl);
}

const FORMULA = /^[=+\-@\t\r]/;
const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/**
 * A CSV cell (RFC 4180 quoting). Text that a spreadsheet would evaluate as a formula gets a
 * leading `'` (the OWASP CSV-injection rule); plain numbers such as -5 are left as they are.
 */
export function csvCell(v: unknown): string {
  let s = cellText(v);
  if (FORMULA.test(s) && !NUMBER.test(s)) s = "'" + s;
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}
