// The `--filter` language, parsed by a tokenizer and a small recursive-descent parser: comparisons
// joined by && and || (&& binds tighter, parentheses group, `field=value,field=value` is a
// shorthand for &&):  protocolIdentifier == 6 && (destinationTransportPort < 1024 || srcPort == 443)
// Operators: == = != > >= < <=; values are numbers, "quoted" or 'quoted' strings, or bare words;
// field names are letters, digits, _, - and dots for nested fields (extendedSwitch.sourceVlan).
// A missing field never matches. Fields are only a record's own (Object.prototype is never read).
// Anything else is an error with its position: `--filter` exits 2.

type Rec = Record<string, unknown>;
export type Pred = (r: Rec) => boolean;

/** A filter that does not parse: the message says what and where (1-based column). */
export class FilterError extends Error {
  constructor(readonly column: number, message: string) {
    super(`column ${column}: ${message}`);
  }
}

type Token =
  | { t: 'word'; v: string; at: number }
  | { t: 'string'; v: string; at: number }
  | { t: 'op'; v: string; at: number }
  | { t: 'and' | 'or' | 'lparen' | 'rparen' | 'end'; at: number };

const OPS = ['==', '!=', '>=', '<=', '>', '<', '='];

function tokenize(s: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < s.length) {
    const c = s[i]!;
    if (/\s/.test(c)) { i++; continue; }
    const at = i + 1;
    if (s.startsWith('&&', i)) { out.push({ t: 'and', at }); i += 2; continue; }
    if (c === ',') { out.push({ t: 'and', at }); i++; continue; }
    if (s.startsWith('||', i)) { out.push({ t: 'or', at }); i += 2; continue; }
    if (c === '(') { out.push({ t: 'lparen', at }); i++; continue; }
    if (c === ')') { out.push({ t: 'rparen', at }); i++; continue; }
    if (s.startsWith('===', i) || s.startsWith('!==', i)) throw new FilterError(at, `'${s.slice(i, i + 3)}' is not an operator (==, !=, >, >=, <, <=)`);
    const op = OPS.find((o) => s.startsWith(o, i));
    if (op !== undefined) { out.push({ t: 'op', v: op, at }); i += op.length; continue; }
    if (c === '"' || c === "'") {
      const end = s.indexOf(c, i + 1);
      if (end < 0) throw new FilterError(at, `unclosed ${c}`);
      out.push({ t: 'string', v: s.slice(i + 1, end), at });
      i = end + 1;
      continue;
    }
    const m = /^[A-Za-z0-9_.:\-+/[\]]+/.exec(s.slice(i));
    if (m === null) throw new FilterError(at, `unexpected '${c}'`);
    out.push({ t: 'word', v: m[0], at });
    i += m[0].length;
  }
  out.push({ t: 'end', at: s.length + 1 });
  return out;
}

const FIELD = /^[A-Za-z_][A-Za-z0-9_-]*(\.[A-Za-z_][A-Za-z0-9_-]*)*$/;

/** Reads a (dotted) field from a record's own properties only. */
function getter(field: string): (r: Rec) => unknown {
  const parts = field.split('.');
  return (r) => {
    let o: unknown = r;
    for (const k of parts) {
      if (o === null || typeof o !== 'object' || !Object.prototype.hasOwnProperty.call(o, k)) return undefined;
      o = (o as Rec)[k];
    }
    return o;
  };
}

function comparison(field: string, op: string, want: string | number): Pred {
  const get = getter(field);
  const numeric = typeof want === 'number';
  return (r) => {
    const raw = get(r);
    if (raw === undefined || raw === null) return false;
    const got = typeof raw === 'bigint' ? Number(raw) : raw;
    const a = numeric && typeof got === 'string' && got !== '' && !Number.isNaN(Number(got)) ? Number(got) : got;
    switch (op) {
      case '=': case '==': return a === want || String(a) === String(want);
      case '!=': return !(a === want || String(a) === String(want));
      default: {
        if (typeof a !== 'number' || !numeric) return false;
        return op === '>' ? a > want : op === '>=' ? a >= want : op === '<' ? a < want : a <= want;
      }
    }
  };
}

class Parser {
  private i = 0;
  constructor(private readonly toks: Token[]) {}

  private peek(): Token { return this.toks[this.i]!; }
  private next(): Token { return this.toks[this.i++]!; }

  parse(): Pred {
    if (this.peek().t === 'end') throw new FilterError(1, 'empty filter');
    const p = this.or();
    const t = this.peek();
    if (t.t !== 'end') throw new FilterError(t.at, t.t === 'rparen' ? "')' without '('" : 'expected && or || here');
    return p;
  }

  private or(): Pred {
    const parts = [this.and()];
    while (this.peek().t === 'or') { this.next(); parts.push(this.and()); }
    return parts.length === 1 ? parts[0]! : (r) => parts.some((p) => p(r));
  }

  private and(): Pred {
    const parts = [this.term()];
    while (this.peek().t === 'and') { this.next(); parts.push(this.term()); }
    return parts.length === 1 ? parts[0]! : (r) => parts.every((p) => p(r));
  }

  private term(): Pred {
    const t = this.next();
    if (t.t === 'lparen') {
      const p = this.or();
      const close = this.next();
      if (close.t !== 'rparen') throw new FilterError(close.at, "expected ')'");
      return p;
    }
    if (t.t !== 'word') throw new FilterError(t.at, t.t === 'end' ? 'a comparison is missing at the end' : 'expected a field name (field==value)');
    if (!FIELD.test(t.v)) throw new FilterError(t.at, `'${t.v}' is not a field name`);
    const op = this.next();
    if (op.t !== 'op') throw new FilterError(op.at, `expected an operator after '${t.v}' (==, !=, >, >=, <, <=)`);
    const v = this.next();
    if (v.t !== 'word' && v.t !== 'string') throw new FilterError(v.at, `expected a value after '${op.v}'`);
    let want: string | number = v.v;
    if (v.t === 'word' && v.v !== '' && !Number.isNaN(Number(v.v))) want = Number(v.v);
    if (['>', '>=', '<', '<='].includes(op.v) && typeof want !== 'number') throw new FilterError(v.at, `'${op.v}' compares numbers, not '${v.v}'`);
    return comparison(t.v, op.v, want);
  }
}

/** Compiles a filter expression into a predicate; throws a FilterError with the column on bad input. */
export function compileFilter(expr: string): Pred {
  return new Parser(tokenize(expr)).parse();
}
