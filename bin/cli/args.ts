// A small option parser: --name value / --flag / positional arguments. Unknown options are usage errors.
import { isIP } from 'node:net';

export class UsageError extends Error {}

export interface Parsed {
  opts: Map<string, string | true>;
  /** Repeatable options ('list'): every value given, in order. */
  lists: Map<string, string[]>;
  positional: string[];
}

/** `spec` maps option names to 'value', 'flag', or 'list' (a value that may be given again). */
export function parse(argv: readonly string[], spec: Record<string, 'value' | 'flag' | 'list'>): Parsed {
  const opts = new Map<string, string | true>();
  const lists = new Map<string, string[]>();
  const positional: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a.startsWith('--')) {
      const [name, inline] = a.slice(2).split(/=(.*)/s, 2) as [string, string | undefined];
      const kind = spec[name];
      if (kind === undefined) throw new UsageError(`unknown option --${name}`);
      if (kind === 'flag') opts.set(name, true);
      else {
        const v = inline ?? argv[++i];
        if (v === undefined) throw new UsageError(`--${name} needs a value`);
        if (kind === 'list') lists.set(name, [...(lists.get(name) ?? []), v]);
        else opts.set(name, v);
      }
    } else if (a.startsWith('-') && a !== '-') throw new UsageError(`unknown option ${a}`);
    else positional.push(a);
  }
  return { opts, lists, positional };
}

/** IP:PORT or [v6]:PORT (`localhost` allowed where `hostname` is true). */
export function hostPort(v: string, what: string, hostname = false): { address: string; port: number } {
  const m = /^\[([^\]]+)\]:(\d+)$/.exec(v) ?? /^([^:]+):(\d+)$/.exec(v);
  const ok = m !== null && Number(m[2]) <= 65535 && (isIP(m[1]!) !== 0 || (hostname && m[1] === 'localhost'));
  if (!ok) throw new UsageError(`${what} wants IP:PORT (or [IPv6]:PORT), got '${v}'`);
  return { address: m[1]!, port: Number(m[2]) };
}

export function num(v: string | true | undefined, what: string): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (v === true || !Number.isFinite(n) || n < 0) throw new UsageError(`${what} wants a number, got '${String(v)}'`);
  return n;
}

/** An integer option in [min, max], or undefined when not given. */
export function int(v: string | true | undefined, what: string, min: number, max: number): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (v === true || !Number.isInteger(n) || n < min || n > max) throw new UsageError(`${what} wants an integer ${min}..${max}, got '${String(v)}'`);
  return n;
}
