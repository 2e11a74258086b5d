// Building blocks of core's f32 library functions (erf-gamma-f32.ts), built as
// IR from operations every backend renders exactly: f32 + - * /, comparisons,
// selects, floor/abs, ldexp and frexp. Pairs (hi + lo) carry about 48 bits
// through sums and products made exact by Knuth's two-sum and Dekker's
// splitting (no fma: not every target has a fused one). Every value is bound to
// a local of its own (RewriteContext.share), so a long computation stays linear
// in size wherever the call was written.

import type { Expr } from '../ir/nodes.js';
import type { Build } from './build.js';

export type Pair = readonly [Expr, Expr];

const fr = Math.fround;
/** ln 2 in two parts; LN2_HI has 16 significant bits, so k · LN2_HI is exact for |k| < 256. */
const LN2_HI = 0.693145751953125, LN2_LO = fr(Math.LN2 - LN2_HI);
/** e^r = 1 + r + r² P(r) for |r| ≤ ln2/2 (fitted, scripts/fit-erf-gamma-f32.py). */
const EXP_P = [0.5, 0.1666666716337204, 0.041666485369205475, 0.008333186618983746, 0.001393384300172329, 0.00019962275109719485];
/** 2 atanh(f) = 2f + f u Q(u), u = f², |f| ≤ 0.1716 (fitted). */
const LOG_Q = [0.6666666865348816, 0.3999910056591034, 0.28681397438049316, 0.17235082387924194, 0.9404098987579346];
/** sin(πg)/π = g R(g²) for g in [0, 1/2] (fitted). */
const SINPI_R = [1.0, -1.644934058189392, 0.8117420673370361, -0.1907465159893036, 0.026111427694559097, -0.0022279699333012104];

export class F32 {
  constructor(private readonly B: Build, private readonly bind: (e: Expr) => Expr) {}

  k(v: number): Expr { return this.B.k('f32', fr(v)); }
  add(a: Expr, b: Expr): Expr { return this.bind(this.B.bin('add', 'f32', a, b)); }
  sub(a: Expr, b: Expr): Expr { return this.bind(this.B.bin('sub', 'f32', a, b)); }
  mul(a: Expr, b: Expr): Expr { return this.bind(this.B.bin('mul', 'f32', a, b)); }
  div(a: Expr, b: Expr): Expr { return this.bind(this.B.bin('div', 'f32', a, b)); }
  neg(a: Expr): Expr { return this.bind(this.B.un('neg', a)); }
  lt(a: Expr, b: Expr): Expr { return this.bind(this.B.bin('lt', 'f32', a, b)); }
  eq(a: Expr, b: Expr): Expr { return this.bind(this.B.bin('eq', 'f32', a, b)); }
  or(a: Expr, b: Expr): Expr { return this.bind(this.B.either(a, b)); }
  and(a: Expr, b: Expr): Expr { return this.bind(this.B.both(a, b)); }
  isNaN(a: Expr): Expr { return this.bind(this.B.isNaN(a)); }
  sel(c: Expr, a: Expr, b: Expr): Expr { return this.bind(this.B.sel(c, a, b)); }
  floor(a: Expr): Expr { return this.bind(this.B.math('floor', 'f32', a)); }
  abs(a: Expr): Expr { return this.bind(this.B.math('abs', 'f32', a)); }
  copysign(a: Expr, b: Expr): Expr { return this.bind(this.B.math('copysign', 'f32', a, b)); }

  /** x 2^k for an integral f32 k in [-512, 511] (converted through u32: f32 → i32 is not a simple operation). */
  ldexp(x: Expr, k: Expr): Expr {
    const B = this.B;
    const u = B.convert('u32', this.add(k, this.k(512)));
    const n = this.bind(B.bin('sub', 'i32', B.convert('i32', u), B.k('i32', 512)));
    return this.bind(B.math('ldexp', 'f32', x, n));
  }

  /** c[0] + x (c[1] + x (…)), coefficients as numbers or expressions. */
  horner(c: readonly (number | Expr)[], x: Expr): Expr {
    const term = (v: number | Expr): Expr => (typeof v === 'number' ? this.k(v) : v);
    let r = term(c[c.length - 1]);
    for (let i = c.length - 2; i >= 0; i--) r = this.add(this.mul(r, x), term(c[i]));
    return r;
  }

  /** a + b = s + e exactly (Knuth). */
  twoSum(a: Expr, b: Expr): Pair {
    const s = this.add(a, b), v = this.sub(s, a);
    return [s, this.add(this.sub(a, this.sub(s, v)), this.sub(b, v))];
  }

  /** a = hi + lo with 12-bit halves (Dekker; |a| < 2^115). */
  split(a: Expr): Pair {
    const t = this.mul(a, this.k(4097));
    const hi = this.sub(t, this.sub(t, a));
    return [hi, this.sub(a, hi)];
  }

  /** a b = p + e exactly (Dekker). */
  twoProd(a: Expr, b: Expr): Pair {
    const p = this.mul(a, b);
    const [ah, al] = this.split(a), [bh, bl] = this.split(b);
    const e = this.add(this.add(this.add(this.sub(this.mul(ah, bh), p), this.mul(ah, bl)), this.mul(al, bh)), this.mul(al, bl));
    return [p, e];
  }

  /**
   * exp(h + l) = (1 + q) 2^k for |h| ≤ 150 and |l| tiny beside it: k = round(h / ln2),
   * r = h - k ln2 + l exactly but for the last rounding (Cody–Waite), q = e^r - 1.
   * Returned apart so a caller can multiply by 1 + q without rounding it first.
   */
  expPair(h: Expr, l: Expr): { q: Expr; k: Expr } {
    const k = this.floor(this.add(this.mul(h, this.k(Math.LOG2E)), this.k(0.5)));
    // h - k LN2_HI is exact; r = rh + rl keeps the rest of the reduction's bits.
    const [rh, re] = this.twoSum(this.sub(h, this.mul(k, this.k(LN2_HI))), this.neg(this.mul(k, this.k(LN2_LO))));
    const rl = this.add(re, l);
    // e^(rh + rl) - 1 = t + rl e^rh to first order in rl, with t = e^rh - 1 = rh + rh² P(rh).
    const t2 = this.mul(this.mul(rh, rh), this.horner(EXP_P, rh));
    const erh = this.add(this.k(1), this.add(rh, t2));
    return { q: this.add(rh, this.add(t2, this.mul(rl, erh))), k };
  }

  /** ln(a) as a pair (normalised: lo below half an ulp of hi), for a finite a > 0 (subnormals included): e ln2 + 2 atanh((m - 1)/(m + 1)), m in [√½, √2). */
  ln(a: Expr): Pair {
    const B = this.B;
    const m0 = this.bind(B.math('frexpMant', 'f32', a));
    const e0 = this.bind(B.convert('f32', this.bind(B.math('frexpExp', 'i32', a))));
    const low = this.lt(m0, this.k(Math.SQRT1_2));
    const m = this.sel(low, this.mul(m0, this.k(2)), m0);
    const e = this.sel(low, this.sub(e0, this.k(1)), e0);
    // f = (m - 1) / (m + 1) as fh + fl: m - 1 is exact, m + 1 = bh + bl exactly.
    const num = this.sub(m, this.k(1));
    const bh = this.add(m, this.k(1)), bl = this.sub(m, this.sub(bh, this.k(1)));
    const fh = this.div(num, bh);
    const [p, pe] = this.twoProd(fh, bh);
    const fl = this.div(this.sub(this.sub(this.sub(num, p), pe), this.mul(fh, bl)), bh);
    const u = this.mul(fh, fh);
    const tail = this.mul(this.mul(fh, u), this.horner(LOG_Q, u));
    const [s, se] = this.twoSum(this.mul(e, this.k(LN2_HI)), this.mul(fh, this.k(2)));
    return this.twoSum(s, this.add(se, this.add(this.add(this.mul(fl, this.k(2)), tail), this.mul(e, this.k(LN2_LO)))));
  }

  /** (hi + lo) / d rounded about once: the quotient corrected by its exact remainder. */
  divPair([hi, lo]: Pair, d: Expr): Expr {
    const q = this.div(hi, d);
    const [p, pe] = this.twoProd(q, d);
    return this.add(q, this.div(this.add(this.sub(this.sub(hi, p), pe), lo), d));
  }

  /** ln(hi + lo) for hi > 0, lo tiny beside it. */
  lnOfPair([hi, lo]: Pair): Pair {
    const [h, l] = this.ln(hi);
    return [h, this.add(l, this.div(lo, hi))];
  }

  /**
   * |sin(π y)| / π for y ≥ 0 and whether sin(π y) is negative (the integer part of
   * y odd), from y's fraction g folded into [0, 1/2] exactly.
   */
  sinpiOverPi(y: Expr): { s: Expr; odd: Expr } {
    const n = this.floor(y), f = this.sub(y, n);
    const g = this.sel(this.lt(this.k(0.5), f), this.sub(this.k(1), f), f);
    const s = this.mul(g, this.horner(SINPI_R, this.mul(g, g)));
    const half = this.floor(this.mul(n, this.k(0.5)));
    return { s, odd: this.bind(this.B.bin('ne', 'f32', this.sub(n, this.mul(half, this.k(2))), this.k(0))) };
  }
}
