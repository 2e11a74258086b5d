// Building blocks of core's f64 library (fdlibm-*.ts: V8's Math functions, bit for
// bit), built as IR from operations every f64 target renders exactly: f64 + - * /,
// comparisons, selects, floor/trunc/abs, sqrt, and `bitcast` to u64 with u64 shifts
// and masks for what fdlibm reads and writes in the words of a double (its high
// word, exponent field, SET_LOW_WORD, 2^k built from its exponent field); constants
// come from words (`fromWords`). Every value is bound to
// a local of its own (RewriteContext.share), so a long computation stays linear in
// size wherever the call was written.

import type { Expr } from '../ir/nodes.js';
import type { Build } from './build.js';
import type { RewriteContext } from './rewrite.js';
import { hugeRemPio2, type HugeReduction } from './fdlibm-rem-pio2-huge.js';

const view = new DataView(new ArrayBuffer(8));
/** The double whose high and low 32-bit words are `hi` and `lo` (fdlibm's INSERT_WORDS). */
export function fromWords(hi: number, lo = 0): number {
  view.setUint32(0, hi >>> 0);
  view.setUint32(4, lo >>> 0);
  return view.getFloat64(0);
}

export class F64 {
  constructor(private readonly B: Build, private readonly bind: (e: Expr) => Expr, private readonly cx: RewriteContext) {}

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

  /** A u64 constant. */
  private k64(v: bigint): Expr { return { kind: 'const', type: 'u64', value: v, loc: this.B.loc }; }
  /** The 64 bits of v (fdlibm's EXTRACT_WORDS). */
  bits(v: Expr): Expr { return this.bind({ kind: 'bitcast', type: 'u64', x: v, loc: this.B.loc }); }
  /** The double with bits `u` (INSERT_WORDS). */
  fromBits(u: Expr): Expr { return this.bind({ kind: 'bitcast', type: 'f64', x: u, loc: this.B.loc }); }
  /** u64 bits shifted right by n, as an i32 (its low 32 bits). */
  private bitsI32(u: Expr, n: number): Expr { return this.bind(this.B.convert('i32', this.B.bin('shr', 'u64', u, this.k64(BigInt(n))))); }

  /**
   * 2^n, exactly, for an integral f64 n in [-1022, 1023] (a normal result): its exponent field
   * is n + 1023, which is the low bits of n + (2^52 + 1023): shifted up 52 places, the bits of 2^n.
   */
  pow2(n: Expr): Expr {
    const field = this.bits(this.add(n, this.k(2 ** 52 + 1023)));
    return this.fromBits(this.bind(this.B.bin('shl', 'u64', field, this.k64(52n))));
  }

  /**
   * 2^j and 2^(k - j), j = floor(k/2), for an integral f64 k in [-2044, 2046] (both normal): the
   * low bits of k + (2^52 + 2046) are u = k + 2046, and u >> 1 and u - (u >> 1) are j + 1023 and
   * k - j + 1023, the two exponent fields; shifted up 52 places, the bits of the magic number's
   * own exponent fall off the top. Their product is 2^k for every k of that range, as two factors
   * that each keep a product with a number near 1 normal and exact.
   */
  pow2Halves(k: Expr): [Expr, Expr] {
    const w = this.bits(this.add(k, this.k(2 ** 52 + 2046)));
    const half = this.bind(this.B.bin('shr', 'u64', w, this.k64(1n)));
    const up = (field: Expr): Expr => this.fromBits(this.bind(this.B.bin('shl', 'u64', field, this.k64(52n))));
    return [up(half), up(this.bind(this.B.bin('sub', 'u64', w, half)))];
  }

  /** 1 where c1 and c2 hold, else 0: a condition kept as an f64 (test it with `on`), never a boolean local. */
  flagBoth(c1: Expr, c2: Expr): Expr { return this.sel(c1, this.sel(c2, this.k(1), this.k(0)), this.k(0)); }
  /** A flag's condition (a fresh node each time). */
  on(flag: Expr): Expr { return this.eq(flag, this.k(1)); }
  off(flag: Expr): Expr { return this.eq(flag, this.k(0)); }

  /**
   * x = n π/2 + y0 + y1 for lowEnd ≤ |x| < ∞ (fdlibm's huge reduction): statements run before
   * the expression, under an `if` on that range; x must be a leaf (a shared value).
   */
  hugeRemPio2(x: Expr, lowEnd: number): HugeReduction { return hugeRemPio2(this.B, this.cx, x, lowEnd); }

  /** |x|'s biased exponent field ((hx >> 20) & 0x7ff) as a u64 (0 for 0 and subnormals). */
  expField(x: Expr): Expr {
    return this.bind(this.B.bin('shr', 'u64', this.bind(this.B.bin('shl', 'u64', this.bits(x), this.k64(1n))), this.k64(53n)));
  }
  /** fdlibm's `j - ((high >> 20) & 0x7ff) > gap` on exponent fields (u64, expField): f + gap < j. */
  fieldGapOver(j: Expr, f: Expr, gap: number): Expr {
    return this.B.bin('lt', 'u64', this.bind(this.B.bin('add', 'u64', f, this.k64(BigInt(gap)))), j);
  }

  /** a and b differ in their high words (sign, exponent, top 20 fraction bits). */
  highWordsDiffer(a: Expr, b: Expr): Expr {
    return this.B.bin('ge', 'u64', this.bind(this.B.bin('xor', 'u64', this.bits(a), this.bits(b))), this.k64(2n ** 32n));
  }

  /** x's sign bit is set (-0 and negative NaNs included). */
  signBit(x: Expr): Expr { return this.B.bin('ge', 'u64', this.bits(x), this.k64(2n ** 63n)); }

  sqrt(a: Expr): Expr { return this.bind(this.B.math('sqrt', 'f64', a)); }

  /** v with its low word cleared (fdlibm's SET_LOW_WORD(v, 0)). */
  clearLow(v: Expr): Expr {
    return this.fromBits(this.bind(this.B.bin('and', 'u64', this.bits(v), this.k64(0xffffffff00000000n))));
  }

  /** The high word of |v| (exponent field and top 20 fraction bits) as an integral f64, subnormals included. */
  highWord(v: Expr): Expr {
    return this.bind(this.B.convert('f64', this.bitsI32(this.bits(this.abs(v)), 32)));
  }

  /**
   * A normal x > 0 as 2^e m, m in [1, 2): e as an f64, m, and m's top 20 fraction bits as an
   * integral f64 (what fdlibm reads as `hx & 0xfffff`). Callers scale subnormals by 2^54 first, as fdlibm does.
   */
  decompose(x: Expr): { e: Expr; m: Expr; top20: Expr } {
    const B = this.B;
    const u = this.bits(x);
    const hx = this.bitsI32(u, 32);
    const e = this.sub(this.bind(B.convert('f64', this.bind(B.bin('shr', 'i32', hx, B.k('i32', 20))))), this.k(1023));
    const top20 = this.bind(B.convert('f64', this.bind(B.bin('and', 'i32', hx, B.k('i32', 0xfffff)))));
    const m = this.fromBits(this.bind(B.bin('or', 'u64', this.bind(B.bin('and', 'u64', u, this.k64(0x000fffffffffffffn))), this.k64(0x3ff0000000000000n))));
    return { e, m, top20 };
  }

  /** c[0] + x (c[1] + x (…)), in fdlibm's order. */
  horner(c: readonly number[], x: Expr): Expr {
    let r = this.k(c[c.length - 1]);
    for (let i = c.length - 2; i >= 0; i--) r = this.add(this.k(c[i]), this.mul(x, r));
    return r;
  }
}
