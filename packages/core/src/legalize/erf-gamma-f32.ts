// cuda.erf, erfc, gamma and lgamma in f32, as IR over simple operations (f32-kit.ts),
// for targets without a math library of their own (caps.native lacks 'math-erf-gamma':
// webgpu). Branch-free: every range is computed and a select keeps one, so the code
// has no divergence. The polynomials were fitted for these forms by
// scripts/fit-erf-gamma-f32.py (least squares on Chebyshev nodes, each coefficient
// rounded to f32 and the rest refitted). Accuracy measured against the f64
// reference (math-ref.ts): test/legalize/erf-gamma-f32.test.ts, docs/language.md.

import type { Expr } from '../ir/nodes.js';
import { F32, type Pair } from './f32-kit.js';

/** erf(x) = x + x P(x²) for |x| < 1. */
const ERF_P = [0.12837916612625122, -0.37612634897232056, 0.11283743381500244, -0.026863550767302513, 0.005216406192630529, -0.0008423232357017696, 0.00010858781752176583, -8.577988410252146e-06];
/** erfc(a) e^(a²) for a in [1/2, 3/2], in v = a - 1 (exact there). */
const ERFCX_NEAR = [0.42758357524871826, -0.2732120156288147, 0.15437157452106476, -0.07922696322202682, 0.03757302463054657, -0.016661936417222023, 0.006956293247640133, -0.0027663276996463537, 0.0011276458390057087, -0.0004034796147607267];
/** a erfc(a) e^(a²) in u = 1/a², for a in [3/2, 4] and [4, 10.25] (the second padded to the same degree). */
const ERFCX_FAR_1_4 = [0.5641880631446838, -0.28198498487472534, 0.4196101129055023, -0.9898737072944641, 2.806628704071045, -7.752470016479492, 17.97797393798828, -31.552776336669922, 38.194026947021484, -28.042579650878906, 9.3455810546875];
const ERFCX_FAR_4_10 = [0.564189612865448, -0.28210410475730896, 0.4243469834327698, -1.1411551237106323, 7.089406967163086, -100.07571411132812, 1311.999267578125, -10270.5751953125, 34551.48046875, 0, 0];
/** ln Γ(2 + s) = s (Q0_HI + (Q0_LO + s R(s))) for s in [-1, 1/2]; Q0 = 1 - Euler's γ in two parts. */
const LGAMMA2_R = [0.32246702909469604, -0.0673523023724556, 0.0205809585750103, -0.007385461125522852, 0.0028888103552162647, -0.0011942662531509995, 0.000517908192705363, -0.0002136657276423648, 8.224821795010939e-05, -6.882108573336154e-05, 3.431854929658584e-05, 1.2738847544824239e-05, -3.910016403096961e-06, -1.5194402294582687e-05];
const Q0_HI = 0.42278432846069336, Q0_LO = 6.637773886097875e-09;
/** ln(2π)/2 in two parts. */
const HALF_LN_2PI_HI = 0.9189385175704956, HALF_LN_2PI_LO = 1.563417661998301e-08;
const EULER = 0.5772156649015329;
/** Stirling's series for y ≥ 10: 1/(12y) - 1/(360y³) + 1/(1260y⁵) - 1/(1680y⁷). */
const STIRLING = [1 / 12, -1 / 360, 1 / 1260, -1 / 1680];
/** Where erfc(a) has underflowed f32 for good (erfc(10.25) < 2^-150). */
const ERFC_LAST = 10.25;
/** Above this, ln Γ(y) uses the plain f32 form of Stirling (the pair arithmetic would overflow its splits eventually). */
const PAIR_LIMIT = 2 ** 20;
/** Below this, Γ(-y) is -1/y - γ and ln|Γ(±y)| is ln Γ(y). */
const TINY_GAMMA = 2 ** -20, TINY_LGAMMA = 2 ** -30;

export type ErfGammaFn = 'erf' | 'erfc' | 'gamma' | 'lgamma';

export function erfGammaF32(F: F32, fn: ErfGammaFn, x: Expr): Expr {
  switch (fn) {
    case 'erf': case 'erfc': return erf(F, x, fn === 'erfc');
    case 'gamma': return gamma(F, x);
    case 'lgamma': return lgamma(F, x);
  }
}

/**
 * erf (complement false) or erfc: |x| < 1 by erf's series (erfc: 1 - erf below 1/2),
 * beyond by erfc(a) = e^(-a²) G(a), with a² = h + l exactly and G(a) = erfc(a) e^(a²)
 * a polynomial (a < 3/2) or one of 1/a² over a; erf = ±(1 - erfc), erfc(-a) = 2 - erfc(a).
 */
function erf(F: F32, x: Expr, complement: boolean): Expr {
  const a = F.abs(x);
  const series = F.add(x, F.mul(x, F.horner(ERF_P, F.mul(x, x))));
  const ac = F.sel(F.lt(a, F.k(ERFC_LAST)), a, F.k(ERFC_LAST)); // NaN and large |x| take the last point
  const [h, l] = F.twoProd(ac, ac);
  const { q, k } = F.expPair(F.neg(h), F.neg(l));
  const g = F.horner(ERFCX_NEAR, F.sub(ac, F.k(1)));
  const near = F.add(g, F.mul(g, q));
  const lt4 = F.lt(ac, F.k(4));
  const coef = ERFCX_FAR_1_4.map((c, i) => F.sel(lt4, F.k(c), F.k(ERFCX_FAR_4_10[i])));
  const f = F.horner(coef, F.div(F.k(1), h));
  const far = F.divPair(F.twoSum(f, F.mul(f, q)), ac);
  const tail = F.ldexp(F.sel(F.lt(ac, F.k(1.5)), near, far), k); // erfc(|x|) for |x| ≥ 1/2
  const r = complement
    ? F.sel(F.lt(a, F.k(0.5)), F.sub(F.k(1), series), F.sel(F.lt(x, F.k(0)), F.sub(F.k(2), tail), tail))
    : F.sel(F.lt(a, F.k(1)), series, F.copysign(F.sub(F.k(1), tail), x));
  return F.sel(F.isNaN(x), x, r);
}

/**
 * ln Γ(y) for y > 0 as a normalised pair: below 10, ln Γ(2 + s) (a polynomial, s in [-1, 1/2])
 * plus the log of the exact factors y - 1, …, y - m (Γ(y) = Γ(y - m) ∏) or minus ln y
 * (y < 3/2: Γ(y) = Γ(y + 1)/y); from 10, Stirling's series in pair arithmetic.
 */
function lnGammaPair(F: F32, y: Expr): Pair {
  // Below 10.
  const low = F.lt(y, F.k(1.5));
  const m = F.floor(F.sub(y, F.k(1.5)));
  const s = F.sel(low, F.sub(y, F.k(1)), F.sub(F.sub(y, F.k(2)), m));
  // ln Γ(2 + s) = s c, c = Q0_HI + t, as a pair (its rounding matters where the sum below cancels).
  const [ch, cl] = F.twoSum(F.k(Q0_HI), F.add(F.k(Q0_LO), F.mul(s, F.horner(LGAMMA2_R, s))));
  const [l2, l2e] = F.twoProd(s, ch);
  const l2l = F.add(l2e, F.mul(s, cl));
  let ph = F.sel(F.lt(m, F.k(1)), F.k(1), F.sub(y, F.k(1))), pl = F.k(0);
  for (let j = 2; j <= 8; j++) {
    const fj = F.sel(F.lt(m, F.k(j)), F.k(1), F.sub(y, F.k(j)));
    const [p, e] = F.twoProd(ph, fj);
    pl = F.add(e, F.mul(pl, fj));
    ph = p;
  }
  const [ah, al] = F.lnOfPair([F.sel(low, y, ph), F.sel(low, F.k(0), pl)]);
  const [sh, se] = F.twoSum(F.sel(low, F.neg(ah), ah), l2);
  const small: Pair = [sh, F.add(F.add(se, l2l), F.sel(low, F.neg(al), al))];
  // From 10 (clamped to where the pair arithmetic holds; callers switch before the clamp).
  const lt10 = F.lt(y, F.k(10));
  const z = F.sel(lt10, F.k(10), F.sel(F.lt(y, F.k(PAIR_LIMIT)), y, F.k(PAIR_LIMIT)));
  const [lh, ll] = F.ln(z);
  const w = F.sub(z, F.k(0.5));
  const [wh, we] = F.twoProd(w, lh);
  const [th, te] = F.twoSum(wh, F.neg(z));
  const r = F.div(F.k(1), z);
  const series = F.mul(r, F.horner(STIRLING, F.mul(r, r)));
  const [uh, ue] = F.twoSum(th, F.k(HALF_LN_2PI_HI));
  const lo = F.add(F.add(ue, F.add(te, F.add(we, F.mul(w, ll)))), F.add(F.k(HALF_LN_2PI_LO), series));
  return F.twoSum(F.sel(lt10, small[0], uh), F.sel(lt10, small[1], lo)); // normalised for expPair
}

/** ln Γ(y) for y ≥ PAIR_LIMIT in plain f32: (y - 1/2)(ln y - 1) + ln(2π)/2 - 1/2. */
function lnGammaHuge(F: F32, y: Expr): Expr {
  const [h, l] = F.ln(F.sel(F.lt(y, F.k(PAIR_LIMIT)), F.k(PAIR_LIMIT), y));
  return F.add(F.mul(F.sub(y, F.k(0.5)), F.sub(F.add(h, l), F.k(1))), F.k(0.41893853320467274));
}

/**
 * Γ(x): e^(ln Γ(|x|)) for x > 0; for x < 0 the reflection Γ(-y) = -1/(y S(y) Γ(y)),
 * S(y) = sin(πy)/π, with Γ(y) kept as (1 + q) 2^k so that neither part overflows.
 */
function gamma(F: F32, x: Expr): Expr {
  const y = F.abs(x);
  const [th, tl] = lnGammaPair(F, y);
  const { q, k } = F.expPair(F.sel(F.lt(th, F.k(150)), th, F.k(150)), tl); // Γ(y) ≥ 2^216 is Infinity anyway
  const m = F.add(F.k(1), q);
  const pos = F.ldexp(m, k);
  const { s, odd } = F.sinpiOverPi(y);
  // y S(y) (1 + q) as a pair, then its reciprocal rounded about once.
  const [ph, pl] = F.twoProd(y, s);
  const [dh, de] = F.twoSum(ph, F.mul(ph, q));
  const mag = F.ldexp(F.divPair([F.k(1), F.k(0)], F.add(dh, F.add(de, F.add(pl, F.mul(pl, q))))), F.neg(k));
  const tiny = F.neg(F.add(F.div(F.k(1), y), F.k(EULER)));
  const neg = F.sel(F.lt(y, F.k(TINY_GAMMA)), tiny, F.sel(odd, mag, F.neg(mag)));
  const pole = F.and(F.lt(x, F.k(0)), F.eq(x, F.floor(x))); // negative integers and -Infinity
  const r = F.sel(F.eq(x, F.k(0)), F.copysign(F.k(Infinity), x), F.sel(pole, F.k(NaN), F.sel(F.lt(F.k(0), x), pos, neg)));
  return F.sel(F.isNaN(x), x, r);
}

/** ln|Γ(x)|: ln Γ(|x|) for x > 0; for x < 0 -ln(y S(y)) - ln Γ(y) (the reflection). */
function lgamma(F: F32, x: Expr): Expr {
  const y = F.abs(x);
  const [th, tl] = lnGammaPair(F, y);
  const paired = F.lt(y, F.k(PAIR_LIMIT));
  const gh = F.sel(paired, th, lnGammaHuge(F, y)), gl = F.sel(paired, tl, F.k(0));
  const pos = F.add(gh, gl);
  const { s } = F.sinpiOverPi(y);
  const [ah, al] = F.lnOfPair(F.twoProd(y, s));
  const [nh, ne] = F.twoSum(F.neg(ah), F.neg(gh));
  const neg = F.add(nh, F.sub(F.sub(ne, al), gl));
  // + 0: the zeros at 1 and 2 are +0, as in C.
  const r = F.add(F.sel(F.or(F.lt(F.k(0), x), F.lt(y, F.k(TINY_LGAMMA))), pos, neg), F.k(0));
  const pole = F.and(F.lt(x, F.k(0)), F.eq(x, F.floor(x))); // negative integers and -Infinity
  const poleOrInf = F.or(pole, F.or(F.eq(y, F.k(Infinity)), F.eq(x, F.k(0))));
  return F.sel(F.isNaN(x), x, F.sel(poleOrInf, F.k(Infinity), r));
}
