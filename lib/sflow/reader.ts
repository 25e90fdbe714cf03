// A bounds-checked XDR reader: reading past the end yields zeros and sets `overrun` instead of
// throwing, so a short record decodes as far as its bytes go and then says so.
import { hex, ipv4, ipv6, mac, str, u32, u64 } from '../codec/bytes.js';

/**
 * n rounded up to a multiple of 4. Plain arithmetic: XDR lengths are 32-bit unsigned, and
 * `(n + 3) & ~3` turns lengths above 2^31 negative (which walked a reader backwards forever).
 */
export function pad4(n: number): number {
  return Math.ceil(n / 4) * 4;
}

export class XdrReader {
  overrun = false;
  constructor(readonly b: Uint8Array, public p: number, public end: number) {}

  get left(): number {
    return this.end - this.p;
  }

  private take(n: number): number {
    const at = this.p;
    if (at + n > this.end) {
      this.overrun = true;
      this.p = this.end;
      return -1;
    }
    this.p += n;
    return at;
  }

  u32(): number {
    const at = this.take(4);
    return at < 0 ? 0 : u32(this.b, at);
  }

  u64(): number | bigint {
    const at = this.take(8);
    return at < 0 ? 0 : u64(this.b, at);
  }

  /** Signed 32-bit. */
  i32(): number {
    return this.u32() | 0;
  }

  float(): number {
    const at = this.take(4);
    return at < 0 ? 0 : new DataView(this.b.buffer, this.b.byteOffset + at, 4).getFloat32(0);
  }

  ipv4(): string {
    const at = this.take(4);
    return at < 0 ? '' : ipv4(this.b, at);
  }

  ipv6(): string {
    const at = this.take(16);
    return at < 0 ? '' : ipv6(this.b, at);
  }

  /** sFlow address: type (1 IPv4, 2 IPv6, 0 unknown) and the address. */
  address(): string {
    const t = this.u32();
    if (t === 1) return this.ipv4();
    if (t === 2) return this.ipv6();
    return '';
  }

  /** MAC in 6 bytes followed by 2 bytes of XDR padding. */
  macPadded(): string {
    const at = this.take(8);
    return at < 0 ? '' : mac(this.b, at);
  }

  /** Opaque bytes of length n, XDR-padded to 4 (padding forgiven at the end of a record). */
  opaque(n: number): { at: number; len: number } {
    const len = Math.min(n, Math.max(0, this.left));
    if (len < n) this.overrun = true;
    const at = this.p;
    this.p = Math.min(this.end, this.p + pad4(n));
    return { at, len };
  }

  /** XDR string: length then bytes. */
  string(): string {
    const n = this.u32();
    const o = this.opaque(n);
    return str(this.b, o.at, o.len);
  }

  /** Sets `o[name] = v` unless reading `v` ran past the end (absent values stay absent). */
  keep(o: Record<string, unknown>, name: string, v: unknown): void {
    if (!this.overrun) o[name] = v;
  }

  hex(n: number): string {
    const o = this.opaque(n);
    return hex(this.b, o.at, o.len);
  }

  /** An array of u32 with its count. */
  u32s(limit = 1024): number[] {
    const n = this.u32();
    const out: number[] = [];
    for (let i = 0; i < n && i < limit; i++) {
      const v = this.u32();
      if (this.overrun) break; // a value past the end was never sent
      out.push(v);
    }
    if (n > limit) this.overrun = true;
    return out;
  }
}
