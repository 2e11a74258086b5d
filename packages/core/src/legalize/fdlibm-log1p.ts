// Math.log1p, atanh, asinh and acosh in f64 as V8 computes them (its port of fdlibm's
// s_log1p.c, e_atanh.c, s_asinh.c, e_acosh.c), written from the published algorithms as IR
// over simple operations (f64-kit.ts). log1p keeps the rounding error of 1 + x as a
// correction c; where fdlibm calls log or log1p in different ranges, one call takes the
// argument of whichever range applies.

import type { Expr } from '../ir/nodes.js';
import { F64, fromWords } from './f64-kit.js';
import { LG, LN2_HI, LN2_LO, log } from './fdlibm-exp-log.js';

const LN2 = fromWords(0x3fe62e42, 0xfefa39ef);
/** |x| bounds from fdlibm's high-word tests: 1 + x within [√2/2, √2) for x above -SQRT_LOW and below SQRT_HIGH. */
const SQRT_HIGH = fromWords(0x3fda827a), SQRT_LOW = fromWords(0x3fd2bec5);
const B_2_28 = fromWords(0x41b00001), B_2 = fromWords(0x40000001);

export function log1p(F: F64, x: Expr): Expr {
  // k = 0 and f = x where 1 + x is within [√2/2, √2) (fdlibm tests x's high word; x = ±0, which
  // fdlibm leaves out, gives x below, whatever this says)
  const direct = F.flagBoth(F.lt(F.k(-SQRT_LOW), x), F.lt(x, F.k(SQRT_HIGH)));
  const isDirect = (): Expr => F.on(direct);
  // elsewhere: u = 1 + x (x itself from 2^53) = 2^E M, and c the rounding error of 1 + x over u
  // (x <= -1, +Infinity and NaN make garbage below: every operation is defined for them, and they are replaced at the end)
  const whole = (): Expr => F.le(F.k(2 ** 53), x);
  const u = F.sel(whole(), x, F.add(F.k(1), x));
  const { e: E, m: M, top20 } = F.decompose(u);
  const c0 = F.sel(whole(), F.k(0), F.div(F.sel(F.lt(F.k(0), E), F.sub(F.k(1), F.sub(u, x)), F.sub(x, F.sub(u, F.k(1)))), u));
  const big = (): Expr => F.le(F.k(0x6a09e), top20);
  const kU = F.add(E, F.sel(big(), F.k(1), F.k(0)));
  const fU = F.sub(F.sel(big(), F.mul(M, F.k(0.5)), M), F.k(1));
  // fdlibm's hu == 0: the normalised u within 2^-20 of 1 (top20 is 0, or from 0xffffd on: then u is taken as u/2)
  const nearOne = F.selEither(F.eq(top20, F.k(0)), F.le(F.k(0xffffd), top20), F.k(1), F.k(0));
  const k = F.sel(isDirect(), F.k(0), kU), f = F.sel(isDirect(), x, fU), c = F.sel(isDirect(), F.k(0), c0);
  const kZero = (): Expr => F.eq(k, F.k(0));
  const hiK = F.mul(k, F.k(LN2_HI)), loKc = F.add(F.mul(k, F.k(LN2_LO)), c);
  const hfsq = F.mul(F.mul(F.k(0.5), f), f);
  // near 1
  const rNear = F.mul(hfsq, F.sub(F.k(1), F.mul(F.k(0.66666666666666666), f)));
  const atOne = F.sel(kZero(), F.k(0), F.add(hiK, loKc));
  const near = F.sel(F.eq(f, F.k(0)), atOne, F.sel(kZero(), F.sub(f, rNear), F.sub(hiK, F.sub(F.sub(rNear, loKc), f))));
  // elsewhere
  const s = F.div(f, F.add(F.k(2), f));
  const z = F.mul(s, s);
  const R = F.mul(z, F.horner(LG, z));
  const sR = F.mul(s, F.add(hfsq, R));
  const general = F.sel(kZero(), F.sub(f, F.sub(hfsq, sR)), F.sub(hiK, F.sub(F.sub(hfsq, F.add(sR, loKc)), f)));
  const body = F.sel(isDirect(), general, F.sel(F.on(nearOne), near, general));
  // |x| < 2^-29: x - x²/2 (x below 2^-54); x = -1: -Infinity; x < -1: NaN; +Infinity, NaN: x
  const a = F.abs(x);
  const tiny = F.sel(F.lt(a, F.k(2 ** -54)), x, F.sub(x, F.mul(F.mul(x, x), F.k(0.5))));
  const inRange = F.sel(F.lt(a, F.k(2 ** -29)), tiny, body);
  return F.sel(F.lt(F.k(-1), x), F.sel(F.lt(x, F.k(Infinity)), inRange, x),
    F.sel(F.eq(x, F.k(-1)), F.k(-Infinity), F.sel(F.isNaN(x), F.add(x, x), F.k(NaN))));
}

export function atanh(F: F64, x: Expr): Expr {
  const a = F.abs(x);
  const ac = F.sel(F.lt(a, F.k(1)), a, F.k(0));
  const arg = F.sel(F.lt(ac, F.k(0.5)), F.add(F.add(ac, ac), F.div(F.mul(F.add(ac, ac), ac), F.sub(F.k(1), ac))), F.div(F.add(ac, ac), F.sub(F.k(1), ac)));
  const t = F.mul(F.k(0.5), log1p(F, arg));
  const inside = F.sel(F.lt(a, F.k(2 ** -28)), x, F.sel(F.lt(x, F.k(0)), F.neg(t), t));
  // |x| = 1: ±Infinity (x/0); |x| > 1, NaN: NaN
  return F.sel(F.lt(a, F.k(1)), inside, F.sel(F.eq(a, F.k(1)), F.div(x, F.k(0)), F.div(F.sub(x, x), F.sub(x, x))));
}

export function asinh(F: F64, x: Expr): Expr {
  // ±Infinity and NaN make garbage below, replaced at the end
  const ac = F.abs(x);
  const huge = (): Expr => F.le(F.k(B_2_28), ac), mid = (): Expr => F.le(F.k(B_2), ac);
  // fdlibm's sqrt(x x + 1) (2 ≤ |x| < 2^28) and sqrt(1 + x x) (below): one value (+ commutes)
  const t = F.mul(ac, ac);
  const root = F.sqrt(F.add(t, F.k(1)));
  const lg = log(F, F.sel(mid(), F.sel(huge(), ac, F.add(F.mul(F.k(2), ac), F.div(F.k(1), F.add(root, ac)))), F.k(1)));
  const l1 = log1p(F, F.sel(mid(), F.k(0), F.add(ac, F.div(t, F.add(F.k(1), root)))));
  const w = F.sel(huge(), F.add(lg, F.k(LN2)), F.sel(mid(), lg, l1));
  const inside = F.sel(F.lt(ac, F.k(2 ** -28)), x, F.sel(F.lt(F.k(0), x), w, F.neg(w)));
  return F.sel(F.lt(ac, F.k(Infinity)), inside, F.add(x, x));
}

export function acosh(F: F64, x: Expr): Expr {
  const xc = x; // x < 1, +Infinity and NaN make garbage below, replaced at the end
  const huge = (): Expr => F.le(F.k(2 ** 28), xc), mid = (): Expr => F.le(F.k(B_2), xc);
  const lg = log(F, F.sel(huge(), xc, F.sel(mid(), F.sub(F.mul(F.k(2), xc), F.div(F.k(1), F.add(xc, F.sqrt(F.sub(F.mul(xc, xc), F.k(1)))))), F.k(1))));
  const t = F.sub(xc, F.k(1));
  const l1 = log1p(F, F.sel(mid(), F.k(0), F.add(t, F.sqrt(F.add(F.mul(F.k(2), t), F.mul(t, t))))));
  // (fdlibm's acosh(1) = 0 is log1p(+0) here)
  const inside = F.sel(huge(), F.add(lg, F.k(LN2)), F.sel(mid(), lg, l1));
  // x < 1 (and -NaN): NaN; +Infinity, NaN: x + x
  return F.sel(F.lt(x, F.k(1)), F.div(F.sub(x, x), F.sub(x, x)), F.sel(F.lt(x, F.k(Infinity)), inside, F.add(x, x)));
}
