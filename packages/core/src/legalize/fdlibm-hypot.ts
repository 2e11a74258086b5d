// Math.hypot in f64 as V8 computes it (not fdlibm's: V8's own builtin, math.tq): every |a_i|
// divided by the largest, their squares summed in argument order with Kahan's compensation,
// sqrt(sum) · max. Infinity anywhere beats NaN; all zeros give +0. Plain f64 operations,
// so exact on every f64 target.

import type { Expr } from '../ir/nodes.js';
import type { F64 } from './f64-kit.js';

export function hypot(F: F64, args: Expr[]): Expr {
  const abs = args.map((a) => F.abs(a));
  // the largest |a_i| not NaN (NaN compares false), starting from 0
  let max = F.k(0);
  for (const a of abs) max = F.sel(F.lt(max, a), a, max);
  let sum = F.k(0), comp = F.k(0);
  for (const a of abs) {
    const q = F.div(a, max);
    const summand = F.sub(F.mul(q, q), comp);
    const next = F.add(sum, summand);
    comp = F.sub(F.sub(next, sum), summand);
    sum = next;
  }
  const value = F.mul(F.sqrt(sum), max);
  let nan: Expr = F.k(0);
  for (const a of args) nan = F.sel(F.isNaN(a), F.k(1), nan);
  return F.sel(F.eq(max, F.k(Infinity)), F.k(Infinity), F.sel(F.on(nan), F.k(NaN), F.sel(F.eq(max, F.k(0)), F.k(0), value)));
}
