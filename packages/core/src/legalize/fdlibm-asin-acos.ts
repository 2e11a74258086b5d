// Math.asin and Math.acos in f64 as V8 computes them (its port of fdlibm's e_asin.c and
// e_acos.c), written from the published algorithms as IR over simple operations
// (f64-kit.ts): a rational approximation R(t) = p/q near 0, and near ±1 the half-angle form
// through sqrt((1 - |x|)/2), with fdlibm's split of that root (its low word cleared).

import type { Expr } from '../ir/nodes.js';
import { F64, fromWords } from './f64-kit.js';

const PIO2_HI = fromWords(0x3ff921fb, 0x54442d18), PIO2_LO = fromWords(0x3c91a626, 0x33145c07), PIO4_HI = fromWords(0x3fe921fb, 0x54442d18);
const PI = fromWords(0x400921fb, 0x54442d18);
const PS = [fromWords(0x3fc55555, 0x55555555), fromWords(0xbfd4d612, 0x03eb6f7d), fromWords(0x3fc9c155, 0x0e884455),
  fromWords(0xbfa48228, 0xb5688f3b), fromWords(0x3f49efe0, 0x7501b288), fromWords(0x3f023de1, 0x0dfdf709)];
const QS = [1, fromWords(0xc0033a27, 0x1c8a2d4b), fromWords(0x40002ae5, 0x9c598ac8), fromWords(0xbfe6066c, 0x1b8d0159), fromWords(0x3fb3b8c5, 0xb12e9282)];
const B_0975 = fromWords(0x3fef3333), TINY_ASIN = fromWords(0x3e400000), TINY_ACOS = fromWords(0x3c600001);

/** p(t)/q(t) as fdlibm forms them: p = t (pS0 + t (…)), q = 1 + t (qS1 + …). */
function ratio(F: F64, t: Expr): { p: Expr; q: Expr } {
  return { p: F.mul(t, F.horner(PS, t)), q: F.horner(QS, t) };
}

export function fdlibmAsin(F: F64, x: Expr): Expr {
  const a = F.abs(x);
  // |x| < 0.5
  const t0 = F.mul(x, x);
  const r0 = ratio(F, t0);
  const near = F.add(x, F.mul(x, F.div(r0.p, r0.q)));
  // 0.5 ≤ |x| < 1
  const t = F.mul(F.sub(F.k(1), F.sel(F.lt(a, F.k(1)), a, F.k(0.5))), F.k(0.5));
  const r = ratio(F, t);
  const s = F.sqrt(t);
  const steep = F.sub(F.k(PIO2_HI), F.sub(F.mul(F.k(2), F.add(s, F.mul(s, F.div(r.p, r.q)))), F.k(PIO2_LO)));
  const w = F.clearLow(s);
  const c = F.div(F.sub(t, F.mul(w, w)), F.add(s, w));
  const p2 = F.sub(F.mul(F.mul(F.k(2), s), F.div(r.p, r.q)), F.sub(F.k(PIO2_LO), F.mul(F.k(2), c)));
  const q2 = F.sub(F.k(PIO4_HI), F.mul(F.k(2), w));
  const mid = F.sub(F.k(PIO4_HI), F.sub(p2, q2));
  const far = F.sel(F.lt(a, F.k(B_0975)), mid, steep);
  const signed = F.sel(F.lt(x, F.k(0)), F.neg(far), far);
  const inside = F.sel(F.lt(a, F.k(0.5)), F.sel(F.lt(a, F.k(TINY_ASIN)), x, near), signed);
  // |x| = 1: ±π/2; |x| > 1, NaN: NaN
  const one = F.add(F.mul(x, F.k(PIO2_HI)), F.mul(x, F.k(PIO2_LO)));
  return F.sel(F.lt(a, F.k(1)), inside, F.sel(F.eq(a, F.k(1)), one, F.div(F.sub(x, x), F.sub(x, x))));
}

export function fdlibmAcos(F: F64, x: Expr): Expr {
  const a = F.abs(x);
  // |x| < 0.5
  const z0 = F.mul(x, x);
  const r0 = ratio(F, z0);
  const near = F.sub(F.k(PIO2_HI), F.sub(x, F.sub(F.k(PIO2_LO), F.mul(x, F.div(r0.p, r0.q)))));
  // x ≤ -0.5 and x ≥ 0.5: z = (1 - |x|)/2 (fdlibm: (1 + x) 0.5, (1 - x) 0.5)
  const xc = F.sel(F.lt(a, F.k(1)), x, F.k(0.5));
  const z = F.sel(F.lt(xc, F.k(0)), F.mul(F.add(F.k(1), xc), F.k(0.5)), F.mul(F.sub(F.k(1), xc), F.k(0.5)));
  const r = ratio(F, z);
  const s = F.sqrt(z);
  const rr = F.div(r.p, r.q);
  const negative = F.sub(F.k(PI), F.mul(F.k(2), F.add(s, F.sub(F.mul(rr, s), F.k(PIO2_LO)))));
  const df = F.clearLow(s);
  const c = F.div(F.sub(z, F.mul(df, df)), F.add(s, df));
  const positive = F.mul(F.k(2), F.add(df, F.add(F.mul(rr, s), c)));
  const inside = F.sel(F.lt(a, F.k(0.5)), F.sel(F.lt(a, F.k(TINY_ACOS)), F.k(PIO2_HI + PIO2_LO), near), F.sel(F.lt(x, F.k(0)), negative, positive));
  const one = F.sel(F.lt(x, F.k(0)), F.k(PI + 2.0 * PIO2_LO), F.k(0));
  return F.sel(F.lt(a, F.k(1)), inside, F.sel(F.eq(a, F.k(1)), one, F.div(F.sub(x, x), F.sub(x, x))));
}
