// Math.log2 and Math.log10 in f64 as V8 computes them (its ports of FreeBSD's e_log2.c with
// k_log.h, and of fdlibm's e_log10.c over log), written from the published algorithms as IR
// over simple operations (f64-kit.ts).

import type { Expr } from '../ir/nodes.js';
import { F64, fromWords } from './f64-kit.js';
import { LG, log } from './fdlibm-exp-log.js';

const IVLN2_HI = fromWords(0x3ff71547, 0x65200000), IVLN2_LO = fromWords(0x3de705fc, 0x2eefa200);
const IVLN10 = fromWords(0x3fdbcb7b, 0x1526e50e), LOG10_2HI = fromWords(0x3fd34413, 0x509f6000), LOG10_2LO = fromWords(0x3d59fef3, 0x11f12b36);

/** x > 0 finite (subnormals scaled by 2^54) as 2^k m: k, m in [1, 2), m's top 20 fraction bits. */
function split(F: F64, x: Expr): { k: Expr; m: Expr; top20: Expr } {
  const subnormal = (): Expr => F.lt(x, F.k(2 ** -1022));
  // Other arguments are decomposed too (bit operations, defined for every double) and replaced by `special`.
  const { e, m, top20 } = F.decompose(F.sel(subnormal(), F.mul(x, F.k(2 ** 54)), x));
  return { k: F.add(e, F.sel(subnormal(), F.k(-54), F.k(0))), m, top20 };
}

/** ±0 → -Infinity, x < 0 → NaN, 1 → +0, +Infinity and NaN → x; else `finite`. */
function special(F: F64, x: Expr, finite: Expr): Expr {
  const other = F.sel(F.eq(x, F.k(0)), F.k(-Infinity), F.sel(F.lt(x, F.k(0)), F.k(NaN), F.add(x, x)));
  return F.selBoth(F.lt(F.k(0), x), F.lt(x, F.k(Infinity)), F.sel(F.eq(x, F.k(1)), F.k(0), finite), other);
}

export function log2(F: F64, x: Expr): Expr {
  const { k: k0, m, top20 } = split(F, x);
  const big = (): Expr => F.le(F.k(0x6a09c), top20);
  const y = F.add(k0, F.sel(big(), F.k(1), F.k(0)));
  const f = F.sub(F.sel(big(), F.mul(m, F.k(0.5)), m), F.k(1));
  const hfsq = F.mul(F.mul(F.k(0.5), f), f);
  // k_log1p(f) = s (hfsq + R)
  const s = F.div(f, F.add(F.k(2), f));
  const z = F.mul(s, s), w = F.mul(z, z);
  const R = F.add(F.mul(z, F.horner([LG[0], LG[2], LG[4], LG[6]], w)), F.mul(w, F.horner([LG[1], LG[3], LG[5]], w)));
  const r = F.mul(s, F.add(hfsq, R));
  const hi = F.clearLow(F.sub(f, hfsq));
  const lo = F.add(F.sub(F.sub(f, hi), hfsq), r);
  const valHi = F.mul(hi, F.k(IVLN2_HI));
  const valLo = F.add(F.mul(F.add(lo, hi), F.k(IVLN2_LO)), F.mul(lo, F.k(IVLN2_HI)));
  const sum = F.add(y, valHi);
  const lo2 = F.add(valLo, F.add(F.sub(y, sum), valHi));
  return special(F, x, F.add(lo2, sum));
}

export function log10(F: F64, x: Expr): Expr {
  const { k, m } = split(F, x);
  // k < 0: m/2 and k + 1 (fdlibm: i = k's sign bit)
  const i = F.sel(F.lt(k, F.k(0)), F.k(1), F.k(0));
  const y = F.add(k, i);
  const l = log(F, F.sel(F.eq(i, F.k(1)), F.mul(m, F.k(0.5)), m));
  const z = F.add(F.mul(y, F.k(LOG10_2LO)), F.mul(F.k(IVLN10), l));
  return special(F, x, F.add(z, F.mul(y, F.k(LOG10_2HI))));
}
