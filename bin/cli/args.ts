// A small option parser: --name value / --flag / positional arguments. Unknown options are usage errors.

export class UsageError extends Error {}

export interface Parsed {
  opts: Map<string, string | true>;
  positional: string[];
}

/** `spec` maps option names to 'value' or 'flag'. */
export function parse(argv: readonly string[], spec: Record<string, 'value' | 'flag'>): Parsed {
  const opts = new Map<string, string | true>();
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
        opts.set(name, v);
      }
    } else if (a.startsWith('-') && a !== '-') throw new UsageError(`unknown option ${a}`);
    else positional.push(a);
  }
  return { opts, positional };
}

/** IP:PORT or [v6]:PORT. */
export function hostPort(v: string, what: string): { address: string; port: number } {
  const m = /^\[([^\]]+)\]:(\d+)$/.exec(v) ?? /^([^:]+):(\d+)$/.exec(v);
  if (!m || Number(m[2]) > 65535) throw new UsageError(`${what} wants IP:PORT (or [IPv6]:PORT), got '${v}'`);
  return { address: m[1]!, port: Number(m[2]) };
}

export function num(v: string | true | undefined, what: string): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (v === true || !Number.isFinite(n) || n < 0) throw new UsageError(`${what} wants a number, got '${String(v)}'`);
  return n;
}
