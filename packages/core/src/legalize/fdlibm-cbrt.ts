// Math.cbrt in f64 as V8 computes it (its port of fdlibm's s_cbrt.c, FreeBSD's revision),
// written from the published algorithm as IR over simple operations (f64-kit.ts): a first
// guess from the high word divided by 3, a polynomial step to 23 bits, the guess rounded
// away from zero to 23 bits (fdlibm adds 2^31 to the bits and clears the low 30), and one
// Newton step. fdlibm's word arithmetic is done on the words' values (exact in f64). The
// steps are odd in x, so |x| is computed and the sign put back.

import type { Expr } from '../ir/nodes.js';
import { F64, fromWords } from './f64-kit.js';

/** (1023 - 1023/3 - 0.03306235651) 2^20, and the same less 54/3 for subnormals (scaled by 2^54). */
const B1 = 715094163, B2 = 696219795;
const P = [fromWords(0x3ffe03e6, 0x0f61e692), fromWords(0xbffe28e0, 0x92f02420), fromWords(0x3ff9f160, 0x4a49d6c2),
  fromWords(0xbfe844cb, 0xbee751d9), fromWords(0x3fc2b000, 0xd4e4edd7)];

export function fdlibmCbrt(F: F64, x: Expr): Expr {
  const a = F.abs(x);
  const subnormal = (): Expr => F.lt(a, F.k(2 ** -1022));
  // 0, ±Infinity and NaN make garbage below (every operation is defined for them), replaced at the end.
  const v = F.sel(subnormal(), F.mul(a, F.k(2 ** 54)), a);
  // The high word hx of v, then t with high word hx/3 + B and low word 0.
  const { e, top20 } = F.decompose(v);
  const hx = F.add(F.mul(F.add(e, F.k(1023)), F.k(2 ** 20)), top20);
  const h = F.add(F.floor(F.div(hx, F.k(3))), F.sel(subnormal(), F.k(B2), F.k(B1)));
  const eH = F.floor(F.mul(h, F.k(2 ** -20)));
  const t0 = F.mul(F.pow2(F.sub(eH, F.k(1023))), F.add(F.k(1), F.mul(F.sub(h, F.mul(eH, F.k(2 ** 20))), F.k(2 ** -20))));
  // t ≈ cbrt(a) to 23 bits: t (P0 + r(P1 + r P2) + r³ (P3 + r P4)), r = t² (t / a).
  const r = F.mul(F.mul(t0, t0), F.div(t0, a));
  const poly = F.add(F.add(F.k(P[0]), F.mul(r, F.add(F.k(P[1]), F.mul(r, F.k(P[2]))))), F.mul(F.mul(F.mul(r, r), r), F.add(F.k(P[3]), F.mul(r, F.k(P[4])))));
  const t1 = F.mul(t0, poly);
  // (bits + 2^31) & ~(2^30 - 1): t1 = 2^E M, M in [1, 2): floor(M 2^22 + 2) 2^(E - 22).
  const E = F.decompose(t1).e;
  const t = F.mul(F.floor(F.add(F.mul(t1, F.pow2(F.sub(F.k(22), E))), F.k(2))), F.pow2(F.sub(E, F.k(22))));
  // One Newton step, in fdlibm's order.
  const s = F.mul(t, t);
  const q = F.div(a, s);
  const w = F.add(t, t);
  const rr = F.div(F.sub(q, t), F.add(w, q));
  const y = F.add(t, F.mul(t, rr));
  // ±0, ±Infinity, NaN: x itself (fdlibm: x, or x + x).
  return F.selBoth(F.lt(F.k(0), a), F.lt(a, F.k(Infinity)), F.sel(F.lt(x, F.k(0)), F.neg(y), y), F.add(x, x));
}
