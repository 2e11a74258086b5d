// Math.expm1, sinh, cosh and tanh in f64 as V8 computes them (its port of fdlibm's
// s_expm1.c, and its own sinh, cosh and tanh built on expm1 and exp), written from the
// published algorithms as IR over simple operations (f64-kit.ts). Where fdlibm calls exp
// or expm1 in different ranges, one call takes the argument of whichever range applies.

import type { Expr } from '../ir/nodes.js';
import { F64, fromWords } from './f64-kit.js';
import { exp, LN2_HI, LN2_LO } from './fdlibm-exp-log.js';

const INV_LN2 = fromWords(0x3ff71547, 0x652b82fe);
const Q = [1, fromWords(0xbfa11111, 0x111110f4), fromWords(0x3f5a01a0, 0x19fe5585), fromWords(0xbf14ce19, 0x9eaadbb7),
  fromWords(0x3ed0cfca, 0x86e65239), fromWords(0xbe8afdb7, 0x6e09c32d)];
const EXP_OVER = fromWords(0x40862e42, 0xfefa39ef);
/** |x| bounds from fdlibm's high-word tests. */
const B_56LN2 = fromWords(0x4043687a), HALF_LN2 = fromWords(0x3fd62e43);
const B_22 = fromWords(0x40360000), LOG_MAXD = fromWords(0x40862e42), OVERFLOW = 710.4758600739439;

/** e^x - 1: x = k ln2 + r, a rational form of e^r - 1 with the reduction's error c, then scaled by 2^k in fdlibm's seven ways. */
export function expm1(F: F64, x: Expr): Expr {
  const a = F.abs(x);
  // Below -56 ln2, beyond the overflow threshold and NaN: garbage below (every operation is defined for it), replaced at the end.
  // (fdlibm's k = ±1 range, high word below 0x3ff0a2b2, is the general formula's value: see exp in fdlibm-exp-log.ts.)
  const k = F.keep(F.sel(F.lt(a, F.k(HALF_LN2)), F.k(0), F.trunc(F.add(F.mul(F.k(INV_LN2), x), F.sel(F.lt(x, F.k(0)), F.k(-0.5), F.k(0.5))))));
  const hi = F.sub(x, F.mul(k, F.k(LN2_HI)));
  const lo = F.mul(k, F.k(LN2_LO));
  const r = F.sub(hi, lo);
  const c = F.sub(F.sub(hi, r), lo);
  const hfx = F.mul(F.k(0.5), r);
  const hxs = F.mul(r, hfx);
  const r1 = F.horner(Q, hxs);
  const t = F.sub(F.k(3), F.mul(r1, hfx));
  const e0 = F.mul(hxs, F.div(F.sub(r1, t), F.sub(F.k(6), F.mul(r, t))));
  const k0 = F.sub(r, F.sub(F.mul(r, e0), hxs));
  const e = F.sub(F.sub(F.mul(r, F.sub(e0, c)), c), hxs);
  const kIs = (v: number): Expr => F.eq(k, F.k(v));
  const kMinus1 = F.sub(F.mul(F.k(0.5), F.sub(r, e)), F.k(0.5));
  const kPlus1 = F.sel(F.lt(r, F.k(-0.25)), F.mul(F.k(-2), F.sub(e, F.add(r, F.k(0.5)))), F.add(F.k(1), F.mul(F.k(2), F.sub(r, e))));
  // 2^k (k in [-56, 1024]; 1024 as 2 · 2^1023)
  const twoPk = F.pow2(F.sel(F.lt(k, F.k(1024)), k, F.k(1023)));
  const yFar = F.sub(F.k(1), F.sub(e, r));
  const far = F.sub(F.mul(F.mul(yFar, F.sel(kIs(1024), F.k(2), F.k(1))), twoPk), F.k(1));
  const kc = F.sel(F.lt(k, F.k(57)), k, F.k(56)); // 2^-k below for 2 ≤ k ≤ 56
  const below20 = F.mul(F.sub(F.sub(F.k(1), F.pow2(F.neg(kc))), F.sub(e, r)), twoPk);
  const from20 = F.mul(F.add(F.sub(r, F.add(e, F.pow2(F.neg(kc)))), F.k(1)), twoPk);
  const scaled = F.selEither(F.lt(k, F.k(-1)), F.lt(F.k(56), k), far, F.sel(F.lt(k, F.k(20)), below20, from20));
  const body = F.sel(kIs(0), k0, F.sel(kIs(-1), kMinus1, F.sel(kIs(1), kPlus1, scaled)));
  const finite = F.sel(F.lt(a, F.k(2 ** -54)), x, body);
  // x < -56 ln2: -1; x > the overflow threshold: Infinity; NaN: NaN
  return F.sel(F.isNaN(x), F.add(x, x), F.sel(F.lt(F.k(EXP_OVER), x), F.k(Infinity),
    F.selBoth(F.lt(x, F.k(0)), F.le(F.k(B_56LN2), a), F.k(-1), finite)));
}

export function sinh(F: F64, x: Expr): Expr {
  const a = F.abs(x);
  const h = F.sel(F.lt(x, F.k(0)), F.k(-0.5), F.k(0.5));
  const t = expm1(F, F.sel(F.lt(a, F.k(22)), a, F.k(0)));
  const small = F.sel(F.lt(a, F.k(1)), F.mul(h, F.sub(F.mul(F.k(2), t), F.div(F.mul(t, t), F.add(t, F.k(1))))), F.mul(h, F.add(t, F.div(t, F.add(t, F.k(1))))));
  const w = exp(F, F.sel(F.lt(a, F.k(LOG_MAXD)), a, F.mul(F.k(0.5), F.sel(F.le(a, F.k(OVERFLOW)), a, F.k(0)))));
  const big = F.sel(F.lt(a, F.k(LOG_MAXD)), F.mul(h, w), F.sel(F.le(a, F.k(OVERFLOW)), F.mul(F.mul(h, w), w), F.mul(x, F.k(1e307))));
  return F.sel(F.lt(a, F.k(22)), F.sel(F.lt(a, F.k(2 ** -28)), x, small), big);
}

export function cosh(F: F64, x: Expr): Expr {
  const a = F.abs(x);
  const t = expm1(F, F.sel(F.lt(a, F.k(HALF_LN2)), a, F.k(0)));
  const w = F.add(F.k(1), t);
  const small = F.sel(F.lt(a, F.k(fromWords(0x3c800000))), w, F.add(F.k(1), F.div(F.mul(t, t), F.add(w, w))));
  const e = exp(F, F.sel(F.lt(a, F.k(LOG_MAXD)), a, F.mul(F.k(0.5), F.sel(F.le(a, F.k(OVERFLOW)), a, F.k(0)))));
  const mid = F.add(F.mul(F.k(0.5), e), F.div(F.k(0.5), e));
  const big = F.sel(F.le(a, F.k(OVERFLOW)), F.mul(F.mul(F.k(0.5), e), e), F.sel(F.lt(a, F.k(Infinity)), F.k(Infinity), F.mul(x, x)));
  return F.sel(F.lt(a, F.k(HALF_LN2)), small, F.sel(F.lt(a, F.k(B_22)), mid, F.sel(F.lt(a, F.k(LOG_MAXD)), F.mul(F.k(0.5), e), big)));
}

export function tanh(F: F64, x: Expr): Expr {
  const a = F.abs(x);
  const ge1 = (): Expr => F.le(F.k(1), a);
  const t = expm1(F, F.sel(F.lt(a, F.k(22)), F.sel(ge1(), F.mul(F.k(2), a), F.mul(F.k(-2), a)), F.k(0)));
  const z = F.sel(ge1(), F.sub(F.k(1), F.div(F.k(2), F.add(t, F.k(2)))), F.div(F.neg(t), F.add(t, F.k(2))));
  const inside = F.sel(F.lt(a, F.k(2 ** -28)), x, F.sel(F.lt(x, F.k(0)), F.neg(z), z));
  const outside = F.sel(F.lt(x, F.k(0)), F.k(-(1 - 1e-300)), F.k(1 - 1e-300));
  return F.sel(F.isNaN(x), F.add(x, x), F.sel(F.lt(a, F.k(22)), inside, outside));
}
