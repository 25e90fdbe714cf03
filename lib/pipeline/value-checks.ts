// The value checks JSON Schema cannot express (`x-check` in schema.ts), each returning what is
// wrong or null; and a did-you-mean for unknown names.
import { parseCidr } from '../codec/ip-prefix.js';
import { parseDuration } from '../analysis/windows.js';
import { compileFilter } from '../filter/expr.js';
import { parseSinkUrl } from '../sinks/url.js';
import type { ValueCheck } from './schema.js';

const HOST_PORT = /^(?:\[[0-9a-fA-F:.%\w]+\]|[\w.-]+):(\d{1,5})$/;

function listenPart(s: string): boolean {
  if (/^\d{1,5}$/.test(s)) return Number(s) <= 65535;
  const m = HOST_PORT.exec(s);
  return m !== null && Number(m[1]) <= 65535;
}

const CHECKS: Record<ValueCheck, (v: string | number) => string | null> = {
  cidr: (v) => { try { parseCidr(String(v)); return null; } catch (err) { return (err as Error).message; } },
  'sink-url': (v) => { try { parseSinkUrl(String(v)); return null; } catch (err) { return (err as Error).message; } },
  filter: (v) => { try { compileFilter(String(v)); return null; } catch (err) { return `the filter does not parse: ${(err as Error).message}`; } },
  duration: (v) => { try { return parseDuration(v) >= 0 ? null : `'${v}' is not a duration`; } catch { return `'${v}' is not a duration (5m, 30s, 500ms, or seconds)`; } },
  'host-port': (v) => (HOST_PORT.test(String(v)) && Number(HOST_PORT.exec(String(v))![1]) <= 65535 ? null : `'${v}' is not HOST:PORT (or [IPv6]:PORT)`),
  listen: (v) => (String(v).split(',').map((s) => s.trim()).every(listenPart) ? null : `'${v}' is not a port or ADDRESS:PORT list (2055, 127.0.0.1:2055, [::1]:4739)`),
  'kafka-url': (v) => schemeIs(String(v), 'kafka'),
  'redis-url': (v) => schemeIs(String(v), 'redis'),
};

function schemeIs(v: string, scheme: string): string | null {
  try {
    return parseSinkUrl(v).scheme === scheme ? null : `'${v}' is not a ${scheme}:// URL`;
  } catch (err) {
    return (err as Error).message;
  }
}

/** What is wrong with `v` for `check`, or null. */
export function checkValue(check: ValueCheck, v: string | number): string | null {
  return CHECKS[check](v);
}

function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1]!.toLowerCase() === b[j - 1]!.toLowerCase() ? 0 : 1));
      prev = cur;
    }
  }
  return row[b.length]!;
}

/** ` (did you mean 'x'?)` for the closest known name, or '' when none is close. */
export function didYouMean(name: string, known: readonly string[]): string {
  let best = '', bestD = Infinity;
  for (const k of known) {
    const d = distance(name, k);
    if (d < bestD) { best = k; bestD = d; }
  }
  return bestD <= Math.max(2, Math.floor(name.length / 3)) ? ` (did you mean '${best}'?)` : '';
}
