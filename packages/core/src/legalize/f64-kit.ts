// Building blocks of core's f64 library (fdlibm-*.ts: V8's Math functions, bit for
// bit), built as IR from operations every f64 target renders exactly: f64 + - * /,
// comparisons, selects, floor/trunc/abs, sqrt, frexp, i32 shifts and conversions
// of small integers. fdlibm reads and writes
// the words of a double; here the same facts come from comparisons against
// constants built from words (`fromWords`) and from frexp. Every value is bound to
// a local of its own (RewriteContext.share), so a long computation stays linear in
// size wherever the call was written.

import type { Expr } from '../ir/nodes.js';
import type { Build } from './build.js';

const view = new DataView(new ArrayBuffer(8));
/** The double whose high and low 32-bit words are `hi` and `lo` (fdlibm's INSERT_WORDS). */
export function fromWords(hi: number, lo = 0): number {
  view.setUint32(0, hi >>> 0);
  view.setUint32(4, lo >>> 0);
  return view.getFloat64(0);
}

export class F64 {
  constructor(private readonly B: Build, private readonly bind: (e: Expr) => Expr) {}

  k(v: number): Expr { return this.B.k('f64', v); }
  add(a: Expr, b: Expr): Expr { return this.bind(this.B.bin('add', 'f64', a, b)); }
  sub(a: Expr, b: Expr): Expr { return this.bind(this.B.bin('sub', 'f64', a, b)); }
  mul(a: Expr, b: Expr): Expr { return this.bind(this.B.bin('mul', 'f64', a, b)); }
  div(a: Expr, b: Expr): Expr { return this.bind(this.B.bin('div', 'f64', a, b)); }
  neg(a: Expr): Expr { return this.bind(this.B.un('neg', a)); }
  // Conditions stay expressions (a lane group keeps a boolean local as a packed mask, which
  // costs more than the comparison); `keep` binds one that is used more than once.
  lt(a: Expr, b: Expr): Expr { return this.B.bin('lt', 'f64', a, b); }
  le(a: Expr, b: Expr): Expr { return this.B.bin('le', 'f64', a, b); }
  eq(a: Expr, b: Expr): Expr { return this.B.bin('eq', 'f64', a, b); }
  isNaN(a: Expr): Expr { return this.B.isNaN(a); }
  keep(a: Expr): Expr { return this.bind(a); }
  /** c1 && c2 ? a : b, as two selects of values (a lane group renders boolean selects lane by lane). */
  selBoth(c1: Expr, c2: Expr, a: Expr, b: Expr): Expr { const o = this.bind(b); return this.sel(c1, this.sel(c2, a, o), o); }
  /** c1 || c2 ? a : b, likewise. */
  selEither(c1: Expr, c2: Expr, a: Expr, b: Expr): Expr { const v = this.bind(a); return this.sel(c1, v, this.sel(c2, v, b)); }
  sel(c: Expr, a: Expr, b: Expr): Expr { return this.bind(this.B.sel(c, a, b)); }
  floor(a: Expr): Expr { return this.bind(this.B.math('floor', 'f64', a)); }
  trunc(a: Expr): Expr { return this.bind(this.B.math('trunc', 'f64', a)); }
  abs(a: Expr): Expr { return this.bind(this.B.math('abs', 'f64', a)); }

  /** An integral f64 in [-2048, 2047] as an i32. */
  toI32(k: Expr): Expr {
    const B = this.B;
    const u = B.convert('u32', this.add(k, this.k(2048)));
    return this.bind(B.bin('sub', 'i32', B.convert('i32', u), B.k('i32', 2048)));
  }

  /**
   * 2^n, exactly, for an integral f64 n in [-1024, 1023], from integer shifts and
   * conversions (no library call: a lane group keeps it in vectors). n = 32q + r:
   * 2^r and 2^(q + 32) come from 1 << r, then 2^q raised to the 32nd by squaring.
   */
  pow2(n: Expr): Expr {
    const B = this.B;
    const i = this.toI32(n);
    const r = this.bind(B.bin('and', 'i32', i, B.k('i32', 31)));
    const s = this.bind(B.bin('add', 'i32', B.bin('shr', 'i32', i, B.k('i32', 5)), B.k('i32', 32))); // q + 32 in [0, 63]
    const bit = (c: Expr): Expr => this.bind(B.convert('f64', B.convert('u32', B.bin('shl', 'i32', B.k('i32', 1), c))));
    const twoS = this.mul(bit(this.bind(B.bin('and', 'i32', s, B.k('i32', 31)))), this.sel(B.bin('ge', 'i32', s, B.k('i32', 32)), this.k(2 ** 32), this.k(1)));
    let p = this.mul(twoS, this.k(2 ** -32));
    for (let j = 0; j < 5; j++) p = this.mul(p, p);
    return this.mul(p, bit(r));
  }

  /** 1 where c1 and c2 hold, else 0: a condition kept as an f64 (test it with `on`), never a boolean local. */
  flagBoth(c1: Expr, c2: Expr): Expr { return this.sel(c1, this.sel(c2, this.k(1), this.k(0)), this.k(0)); }
  /** A flag's condition (a fresh node each time). */
  on(flag: Expr): Expr { return this.eq(flag, this.k(1)); }
  off(flag: Expr): Expr { return this.eq(flag, this.k(0)); }

  /** c ? a : b evaluating only the arm taken (a lazy `?:`): for a costly arm rarely needed. */
  lazy(c: Expr, a: Expr, b: Expr): Expr { return { kind: 'cond', type: a.type, c, a, b, loc: this.B.loc }; }
  /** The target's own Math.<fn>(x) (kept as it is by legalisation). */
  native(fn: 'sin' | 'cos' | 'tan', x: Expr): Expr { return this.B.math(fn, 'f64', x); }

  /** frexp's exponent of x as an f64 (x = m 2^e, m in [0.5, 1)); -1022 for 0, as the biased field 0 reads in fdlibm's comparisons. */
  exponent(x: Expr): Expr {
    const e = this.bind(this.B.convert('f64', this.bind(this.B.math('frexpExp', 'i32', x))));
    return this.sel(this.eq(x, this.k(0)), this.k(-1022), e);
  }

  /** 1 where a and b (finite, > 0) have the same high word (exponent and top 20 fraction bits), else 0. */
  sameHighWord(a: Expr, b: Expr): Expr {
    const top = (v: Expr): Expr => this.floor(this.mul(this.bind(this.B.math('frexpMant', 'f64', v)), this.k(2 ** 21)));
    return this.flagBoth(this.eq(this.exponent(a), this.exponent(b)), this.eq(top(a), top(b)));
  }

  sqrt(a: Expr): Expr { return this.bind(this.B.math('sqrt', 'f64', a)); }

  /** A normal v (or 0) with its low word cleared (fdlibm's SET_LOW_WORD(v, 0)): v truncated to 21 significant bits. */
  clearLow(v: Expr): Expr {
    const e = this.bind(this.B.convert('f64', this.bind(this.B.math('frexpExp', 'i32', v))));
    return this.mul(this.trunc(this.mul(this.bind(this.B.math('frexpMant', 'f64', v)), this.k(2 ** 21))), this.pow2(this.sub(e, this.k(21))));
  }

  /** The high word of a finite |v| (exponent field and top 20 fraction bits) as an integral f64, subnormals included. */
  highWord(v: Expr): Expr {
    const a = this.abs(v);
    const sub = this.floor(this.mul(this.mul(a, this.k(2 ** 1000)), this.k(2 ** 42)));
    const { e, top20 } = this.decompose(this.sel(this.lt(a, this.k(2 ** -1022)), this.k(1), a));
    return this.sel(this.lt(a, this.k(2 ** -1022)), sub, this.add(this.mul(this.add(e, this.k(1023)), this.k(2 ** 20)), top20));
  }

  /**
   * A finite x > 0 as 2^e m, m in [1, 2) (subnormals included): e as an f64, m, and
   * m's top 20 fraction bits as an integral f64 (what fdlibm reads as `hx & 0xfffff`).
   */
  decompose(x: Expr): { e: Expr; m: Expr; top20: Expr } {
    const B = this.B;
    const m = this.mul(this.bind(B.math('frexpMant', 'f64', x)), this.k(2));
    const e = this.sub(this.bind(B.convert('f64', this.bind(B.math('frexpExp', 'i32', x)))), this.k(1));
    const top20 = this.floor(this.mul(this.sub(m, this.k(1)), this.k(2 ** 20)));
    return { e, m, top20 };
  }

  /** c[0] + x (c[1] + x (…)), in fdlibm's order. */
  horner(c: readonly number[], x: Expr): Expr {
    let r = this.k(c[c.length - 1]);
    for (let i = c.length - 2; i >= 0; i--) r = this.add(this.k(c[i]), this.mul(x, r));
    return r;
  }
}
