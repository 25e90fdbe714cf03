// The `--filter` language: either a list of field=value pairs (all must hold), or comparisons
// joined by && and || (&& binds tighter):  protocolIdentifier == 6 && destinationTransportPort >= 1024
// Values are numbers, quoted strings or bare words; a missing field never matches.

type Rec = Record<string, unknown>;
type Pred = (r: Rec) => boolean;

const OPS = ['==', '!=', '>=', '<=', '>', '<', '='] as const;

function value(text: string): string | number {
  const t = text.trim();
  if (/^".*"$|^'.*'$/.test(t)) return t.slice(1, -1);
  return t !== '' && !Number.isNaN(Number(t)) ? Number(t) : t;
}

function comparison(text: string): Pred {
  for (const op of OPS) {
    const i = text.indexOf(op);
    if (i <= 0) continue;
    const field = text.slice(0, i).trim();
    const want = value(text.slice(i + op.length));
    if (!/^[\w.]+$/.test(field)) throw new Error(`bad field name '${field}' in filter`);
    const get = (r: Rec): unknown => field.split('.').reduce<unknown>((o, k) => (o !== null && typeof o === 'object' ? (o as Rec)[k] : undefined), r);
    return (r) => {
      const raw = get(r);
      if (raw === undefined || raw === null) return false;
      const got = typeof raw === 'bigint' ? Number(raw) : raw;
      const a = typeof want === 'number' && typeof got === 'string' && got !== '' ? Number(got) : got;
      switch (op) {
        case '=': case '==': return a === want || String(a) === String(want);
        case '!=': return !(a === want || String(a) === String(want));
        case '>': return (a as number) > (want as number);
        case '>=': return (a as number) >= (want as number);
        case '<': return (a as number) < (want as number);
        case '<=': return (a as number) <= (want as number);
      }
    };
  }
  throw new Error(`cannot read filter term '${text.trim()}': use field==value, field>number, …`);
}

/** Compiles a filter expression into a predicate; throws with a readable message on bad input. */
export function compileFilter(expr: string): Pred {
  const any = expr.split('||').map((alt) => {
    const all = alt.split(/&&|,/).filter((t) => t.trim() !== '').map(comparison);
    return (r: Rec): boolean => all.every((p) => p(r));
  });
  return (r) => any.some((p) => p(r));
}
