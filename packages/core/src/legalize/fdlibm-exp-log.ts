// Math.exp and Math.log in f64 as V8 computes them (its port of fdlibm, e_exp.c and
// e_log.c), written from the published algorithms as IR over simple operations
// (f64-kit.ts): the same reduction, coefficients and order of operations, so every
// result has the same bits. Branch-free: fdlibm's ranges become selects, and where
// its branches differ only by a zero term (k = 0) one formula serves both.

import type { Expr } from '../ir/nodes.js';
import { F64, fromWords } from './f64-kit.js';

/** ln 2 in two parts (the high part's last 32 bits are zero, so k·LN2_HI is exact). */
export const LN2_HI = fromWords(0x3fe62e42, 0xfee00000), LN2_LO = fromWords(0x3dea39ef, 0x35793c76);
const INV_LN2 = fromWords(0x3ff71547, 0x652b82fe);
/** exp: the rational approximation's polynomial, R(r²) ≈ r²·(P1 + r²(P2 + …)). */
const EXP_P = [fromWords(0x3fc55555, 0x5555553e), fromWords(0xbf66c16c, 0x16bebd93), fromWords(0x3f11566a, 0xaf25de2c),
  fromWords(0xbebbbd41, 0xc5d26bf1), fromWords(0x3e663769, 0x72bea4d0)];
const EXP_OVER = fromWords(0x40862e42, 0xfefa39ef), EXP_UNDER = fromWords(0xc0874910, 0xd52d3051);
/** |x| below: exp is 1 + x. Below HALF_LN2: k = 0 (below fdlibm's 0x3ff0a2b2 high word, k = ±1: the general formula's value, see exp). */
const EXP_TINY = fromWords(0x3e300000), HALF_LN2 = fromWords(0x3fd62e43);

/** log: 2 atanh(s)/s - 2 ≈ Lg1 s² + Lg2 s⁴ + …, split into odd and even powers as fdlibm sums them. */
export const LG = [fromWords(0x3fe55555, 0x55555593), fromWords(0x3fd99999, 0x9997fa04), fromWords(0x3fd24924, 0x94229359),
  fromWords(0x3fcc71c5, 0x1d8e78af), fromWords(0x3fc74664, 0x96cb03de), fromWords(0x3fc39a09, 0xd078c69f), fromWords(0x3fc2f112, 0xdf3e5244)];

export function fdlibmExpLog(F: F64, fn: 'exp' | 'log', x: Expr): Expr {
  return fn === 'exp' ? exp(F, x) : log(F, x);
}

/**
 * e^x = 2^k e^r, x = k ln2 + r with |r| ≤ ln2/2 (r = hi - lo), e^r = 1 + 2r/(2 - c) - … from
 * c = r - r²·P(r²). V8 returns Math.E for x = 1 (its own fix of fdlibm's last bit there).
 */
export function exp(F: F64, x: Expr): Expr {
  // Arguments beyond EXP_OVER and EXP_UNDER, and NaN, are replaced by the last selects: what is
  // computed for them on the way (every operation here is defined for every double) is unused.
  const a = F.abs(x);
  const half = F.sel(F.lt(x, F.k(0)), F.k(-0.5), F.k(0.5));
  // fdlibm's k = ±1 range (HALF_LN2 ≤ |x|, high word below 0x3ff0a2b2) needs no case of its own: there
  // INV_LN2·|x| lies in [0.5000000014, 1.4999997) (the product is monotonic: its ends, checked
  // at the two thresholds), so the general trunc(INV_LN2·x ± 0.5) is ±1 too, and its hi and lo
  // are then fdlibm's x ∓ LN2_HI and ±LN2_LO exactly.
  const k = F.sel(F.lt(a, F.k(HALF_LN2)), F.k(0), F.trunc(F.add(F.mul(F.k(INV_LN2), x), half)));
  const hi = F.sub(x, F.mul(k, F.k(LN2_HI)));
  const lo = F.mul(k, F.k(LN2_LO));
  const r = F.sub(hi, lo);
  const t = F.mul(r, r);
  const c = F.sub(r, F.mul(t, F.horner(EXP_P, t)));
  // k = 0: 1 - ((r c)/(c - 2) - r), the same value as this with lo = 0, hi = r.
  const y = F.sub(F.k(1), F.sub(F.sub(lo, F.div(F.mul(r, c), F.sub(F.k(2), c))), hi));
  // y 2^k (k in [-1075, 1024] for the arguments kept), rounded once as fdlibm's products round it
  // (k = 1024 as (2y) 2^1023, k < -1021 as (y 2^(k + 1000)) 2^-1000): here as (y 2^j) 2^(k - j),
  // j = floor(k/2), whose first product is exact (a normal double: y in (0.7, 1.5)), the second
  // the one rounding of the same value y 2^k.
  const [twoPj, twoPkj] = F.pow2Halves(k);
  const scaled = F.mul(F.mul(y, twoPj), twoPkj);
  const body = F.sel(F.lt(a, F.k(EXP_TINY)), F.add(F.k(1), x), F.sel(F.eq(x, F.k(1)), F.k(Math.E), scaled));
  return F.sel(F.isNaN(x), x, F.sel(F.lt(F.k(EXP_OVER), x), F.k(Infinity), F.sel(F.lt(x, F.k(EXP_UNDER)), F.k(0), body)));
}

/**
 * ln x = k ln2 + ln(1 + f), 1 + f in [√2/2, √2) (subnormals scaled by 2^54 first): near f = 0
 * (fdlibm's |f| < 2^-20 test) f - f²(1/2 - f/3); else from s = f/(2 + f), ln(1 + f) = f - s(f - R)
 * with R = the Lg polynomial, or through hfsq = f²/2 in the middle of the range.
 */
export function log(F: F64, x: Expr): Expr {
  const subnormal = F.keep(F.lt(x, F.k(2 ** -1022)));
  const xs = F.sel(subnormal, F.mul(x, F.k(2 ** 54)), x);
  // Zero, negative, infinite and NaN arguments are decomposed too (bit operations, defined for every
  // double) and their lanes replaced by the last select.
  const { e, m, top20 } = F.decompose(xs);
  // m ≥ √2 (fdlibm: hx + 0x95f64 carries into bit 20) is taken as m/2, one exponent up.
  const big = F.keep(F.le(F.k(0x6a09c), top20));
  const f = F.sub(F.sel(big, F.mul(m, F.k(0.5)), m), F.k(1));
  const dk = F.add(F.add(e, F.sel(subnormal, F.k(-54), F.k(0))), F.sel(big, F.k(1), F.k(0)));
  const hiK = F.mul(dk, F.k(LN2_HI)), loK = F.mul(dk, F.k(LN2_LO));
  const rNear = F.mul(F.mul(f, f), F.sub(F.k(0.5), F.mul(F.k(0.33333333333333333), f)));
  const near = F.sub(hiK, F.sub(F.sub(rNear, loK), f));
  // Elsewhere (k = 0 gives fdlibm's separate k == 0 forms: the same values).
  const s = F.div(f, F.add(F.k(2), f));
  const z = F.mul(s, s), w = F.mul(z, z);
  const t1 = F.mul(w, F.horner([LG[1], LG[3], LG[5]], w));
  const t2 = F.mul(z, F.horner([LG[0], LG[2], LG[4], LG[6]], w));
  const R = F.add(t2, t1);
  const hfsq = F.mul(F.mul(F.k(0.5), f), f);
  const viaHfsq = F.sub(hiK, F.sub(F.sub(hfsq, F.add(F.mul(s, F.add(hfsq, R)), loK)), f));
  const plain = F.sub(hiK, F.sub(F.sub(F.mul(s, F.sub(f, R)), loK), f));
  // Near 1 (top20 is 0, 0xffffe or 0xfffff); in the middle of the range through hfsq.
  const finite = F.selEither(F.eq(top20, F.k(0)), F.le(F.k(0xffffe), top20), near, F.selBoth(F.le(F.k(0x6147a), top20), F.le(top20, F.k(0x6b851)), viaHfsq, plain));
  // ±0 → -Infinity, x < 0 → NaN, +Infinity and NaN → x.
  const special = F.sel(F.eq(x, F.k(0)), F.k(-Infinity), F.sel(F.lt(x, F.k(0)), F.k(NaN), x));
  return F.selBoth(F.lt(F.k(0), x), F.lt(x, F.k(Infinity)), finite, special);
}
