// Math.atan and Math.atan2 in f64 as V8 computes them (its port of fdlibm's s_atan.c and
// e_atan2.c), written from the published algorithms as IR over simple operations
// (f64-kit.ts): |x| reduced to one of five intervals around 0, 1/2, 1, 3/2 and ∞, an odd
// polynomial in two halves (even and odd powers of x⁴), fdlibm's constants and order of
// operations; atan2's special cases as fdlibm tests them, in its order.

import type { Expr } from '../ir/nodes.js';
import { F64, fromWords } from './f64-kit.js';

/** atan(0.5), atan(1), atan(1.5), atan(∞) in two parts. */
const ATAN_HI = [fromWords(0x3fddac67, 0x0561bb4f), fromWords(0x3fe921fb, 0x54442d18), fromWords(0x3fef730b, 0xd281f69b), fromWords(0x3ff921fb, 0x54442d18)];
const ATAN_LO = [fromWords(0x3c7a2b7f, 0x222f65e2), fromWords(0x3c81a626, 0x33145c07), fromWords(0x3c700788, 0x7af0cbbd), fromWords(0x3c91a626, 0x33145c07)];
const AT = [fromWords(0x3fd55555, 0x5555550d), fromWords(0xbfc99999, 0x9998ebc4), fromWords(0x3fc24924, 0x920083ff),
  fromWords(0xbfbc71c6, 0xfe231671), fromWords(0x3fb745cd, 0xc54c206e), fromWords(0xbfb3b0f2, 0xaf749a6d),
  fromWords(0x3fb10d66, 0xa0d03d51), fromWords(0xbfadde2d, 0x52defd9a), fromWords(0x3fa97b4b, 0x24760deb),
  fromWords(0xbfa2b444, 0x2c6a6c2f), fromWords(0x3f90ad3a, 0xe322da11)];
/** fdlibm's high-word bounds as |x| bounds (below). */
const B_7_16 = fromWords(0x3fdc0000), B_11_16 = fromWords(0x3fe60000), B_19_16 = fromWords(0x3ff30000), B_39_16 = fromWords(0x40038000), B_2_66 = fromWords(0x44100000);
const PI = fromWords(0x400921fb, 0x54442d18), PI_O_2 = fromWords(0x3ff921fb, 0x54442d18), PI_O_4 = fromWords(0x3fe921fb, 0x54442d18);
const PI_LO = fromWords(0x3ca1a626, 0x33145c07);
const TINY = 1e-300;

export function fdlibmAtan(F: F64, x: Expr): Expr {
  const a = F.abs(x);
  const lt = (b: number): Expr => F.lt(a, F.k(b));
  // the reduced argument and the interval (id -1 near 0, else 0..3)
  const id = F.sel(lt(B_7_16), F.k(-1), F.sel(lt(B_11_16), F.k(0), F.sel(lt(B_19_16), F.k(1), F.sel(lt(B_39_16), F.k(2), F.k(3)))));
  const onId = (i: number): Expr => F.eq(id, F.k(i));
  const r0 = F.div(F.sub(F.mul(F.k(2), a), F.k(1)), F.add(F.k(2), a));
  const r1 = F.div(F.sub(a, F.k(1)), F.add(a, F.k(1)));
  const r2 = F.div(F.sub(a, F.k(1.5)), F.add(F.k(1), F.mul(F.k(1.5), a)));
  const r3 = F.div(F.k(-1), F.sel(lt(B_2_66), a, F.k(1)));
  const r = F.sel(onId(-1), x, F.sel(onId(0), r0, F.sel(onId(1), r1, F.sel(onId(2), r2, r3))));
  const z = F.mul(r, r), w = F.mul(z, z);
  const s1 = F.mul(z, F.horner([AT[0], AT[2], AT[4], AT[6], AT[8], AT[10]], w));
  const s2 = F.mul(w, F.horner([AT[1], AT[3], AT[5], AT[7], AT[9]], w));
  const near = F.sub(r, F.mul(r, F.add(s1, s2)));
  const pick = (t: readonly number[]): Expr => F.sel(onId(0), F.k(t[0]), F.sel(onId(1), F.k(t[1]), F.sel(onId(2), F.k(t[2]), F.k(t[3]))));
  const far = F.sub(pick(ATAN_HI), F.sub(F.sub(F.mul(r, F.add(s1, s2)), pick(ATAN_LO)), r));
  const big = F.sel(F.lt(x, F.k(0)), F.k(-ATAN_HI[3] - ATAN_LO[3]), F.k(ATAN_HI[3] + ATAN_LO[3]));
  const body = F.sel(onId(-1), near, F.sel(F.lt(x, F.k(0)), F.neg(far), far));
  // |x| < 2^-27: x; |x| ≥ 2^66: ±π/2; NaN: NaN
  return F.sel(F.isNaN(x), F.add(x, x), F.sel(lt(B_2_66), F.sel(lt(2 ** -27), x, body), big));
}

export function fdlibmAtan2(F: F64, y: Expr, x: Expr): Expr {
  const ay = F.abs(y), ax = F.abs(x);
  const negY = (): Expr => F.lt(y, F.k(0)), negX = (): Expr => F.lt(x, F.k(0));
  // m = 2 sign(x) + sign(y), with the signs of zeros (1/0 tells them apart)
  const sy = F.sel(F.eq(y, F.k(0)), F.sel(F.lt(F.div(F.k(1), y), F.k(0)), F.k(1), F.k(0)), F.sel(negY(), F.k(1), F.k(0)));
  const sx = F.sel(F.eq(x, F.k(0)), F.sel(F.lt(F.div(F.k(1), x), F.k(0)), F.k(1), F.k(0)), F.sel(negX(), F.k(1), F.k(0)));
  const m = F.add(F.mul(sx, F.k(2)), sy);
  const byM = (v: readonly number[] | readonly Expr[]): Expr => {
    const e = (i: number): Expr => (typeof v[i] === 'number' ? F.k(v[i] as number) : (v[i] as Expr));
    return F.sel(F.eq(m, F.k(0)), e(0), F.sel(F.eq(m, F.k(1)), e(1), F.sel(F.eq(m, F.k(2)), e(2), e(3))));
  };
  const finite = (v: Expr): Expr => F.lt(F.abs(v), F.k(Infinity));
  // the general case: z = atan(|y/x|), unless the exponents differ by more than 60
  const fy = F.sel(finite(y), y, F.k(1)), fx = F.sel(finite(x), x, F.k(1));
  const k = F.floor(F.mul(F.sub(F.highWord(fy), F.highWord(fx)), F.k(2 ** -20)));
  const huge = F.sel(F.lt(F.k(60), k), F.k(1), F.k(0)); // y/x beyond 2^60: z = π/2 + π_lo/2, and m keeps only y's sign
  const mm = F.sel(F.on(huge), sy, m);
  // one atan serves both x = 1 (atan(y)) and the general case
  const zAtan = fdlibmAtan(F, F.sel(F.eq(x, F.k(1)), y, F.abs(F.div(fy, F.sel(F.eq(fx, F.k(0)), F.k(1), fx)))));
  const z = F.sel(F.on(huge), F.k(PI_O_2 + 0.5 * PI_LO), F.selBoth(negX(), F.lt(k, F.k(-60)), F.k(0), zAtan));
  const general = F.sel(F.eq(mm, F.k(0)), z, F.sel(F.eq(mm, F.k(1)), F.neg(z), F.sel(F.eq(mm, F.k(2)), F.sub(F.k(PI), F.sub(z, F.k(PI_LO))), F.sub(F.sub(z, F.k(PI_LO)), F.k(PI)))));
  // fdlibm's special cases, the first that applies wins
  const halfPi = F.sel(negY(), F.k(-PI_O_2 - TINY), F.k(PI_O_2 + TINY));
  const xInf = F.sel(F.lt(ay, F.k(Infinity)), byM([0, -0, PI + TINY, -PI - TINY]), byM([PI_O_4 + TINY, -PI_O_4 - TINY, 3.0 * PI_O_4 + TINY, -3.0 * PI_O_4 - TINY]));
  const r = F.sel(F.eq(ay, F.k(Infinity)), halfPi, general);
  const r2 = F.sel(F.eq(ax, F.k(Infinity)), xInf, r);
  const r3 = F.sel(F.eq(x, F.k(0)), halfPi, r2);
  const r4 = F.sel(F.eq(y, F.k(0)), byM([y, y, F.k(PI + TINY), F.k(-PI - TINY)]), r3);
  const r5 = F.sel(F.eq(x, F.k(1)), zAtan, r4);
  return F.selEither(F.isNaN(x), F.isNaN(y), F.add(x, y), r5);
}
