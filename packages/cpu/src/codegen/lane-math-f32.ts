// The f32 sin and cos of one argument (a Box-Muller pair: random.normalF32)
// computed in f32, for hosts with FMA (lane-math-ir.ts picks it there; elsewhere
// it runs in f64 and rounds once, as the other f32 kernels always do). In f32 a
// register holds twice the lanes and no conversion goes in or out: the bench's
// normals ran 8–18 % faster per CPU-second on AVX2, 27–31 % faster on two cores
// (docs/backends/cpu.md, "Vector math"). f32 exp and log computed the same way (tried) were no
// faster there, and less accurate, so they stay in f64.
//
// Both stay below 1 ulp of the exact result (worst 0.561 ulp, measured on every
// f32 with |x| ≤ 2^17: bench/f32-math-accuracy.mjs; lane-math-f32.test.ts samples
// them). x = q π/2 + r with π/2 in three f32 parts: q × part1 is subtracted
// exactly (FMA: x − q part1 is a multiple of 2^-24 below 1 for |q| < 2^23),
// q × part2 as an exact product pair, the sums by TwoSum, so r is a pair
// rh + rl good to ~2^-48 absolute; |r| ≥ 2^-27.8 for every f32 0 < |x| ≤ 2^17
// (searched), so the pair is good to ~2^-20 of an ulp there. Lanes beyond 2^17
// get libm's sinf and cosf. Polynomials:
// truncated Taylor series on |r| ≤ π/4, first omitted term below 2^-29 of the result.

import { cosCoeffs, PIO2_F32, sinCoeffs } from './lane-math-consts.js';
import type { VectorIR } from './lane-math-vir.js';

/** Where the f32 reduction is exact enough: |x| ≤ 2^17 (other finite lanes get libm's sinf, cosf). */
export const F32_TRIG_RANGE = 2 ** 17;

/** f32 sin and cos of %arg for |x| ≤ F32_TRIG_RANGE (±∞ and NaN give NaN). */
export function sinAndCosInF32(g: VectorIR): [string, string] {
  const x = '%arg';
  const [P1, P2, P3] = PIO2_F32;
  const [q, qi] = g.roundInt(x, 2 / Math.PI);
  const nq = g.fneg(q);
  const a = g.fmaExact(nq, g.d(P1), x); // exact (file comment)
  const th = g.fmul(q, g.d(P2));
  const tl = g.fmaExact(q, g.d(P2), g.fneg(th)); // q P2 = th + tl exactly
  const [s, e] = g.twoSum(a, g.fneg(th));
  const lo = g.fmaExact(nq, g.d(P3), g.fsub(e, tl));
  const rh = g.fadd(s, lo), rl = g.fsub(lo, g.fsub(rh, s)); // Fast2Sum: |lo| is below s's last bits
  const z = g.fmul(rh, rh), zl = g.fmaExact(rh, rh, g.fneg(z)); // rh² = z + zl exactly
  // sin r = rh + (rl + rh z S(z))
  const sinR = g.fadd(rh, g.fma(g.fmul(rh, z), g.poly(z, sinCoeffs(4)), rl));
  // cos r = w + (((1 − w) − z/2) + (z² C(z) − zl/2 − rh rl)), w = 1 − z/2 (1 − w exact)
  const hz = g.fmul(g.d(0.5), z);
  const w = g.fsub(g.d(1), hz);
  const tail = g.fsub(g.fma(g.fmul(z, z), g.poly(z, cosCoeffs(4)), g.fmul(g.d(-0.5), zl)), g.fmul(rh, rl));
  const cosR = g.fadd(w, g.fadd(g.fsub(g.fsub(g.d(1), w), hz), tail));
  // quadrant j = q mod 4 (cos x = sin(x + π/2): j = q + 1): s, c, −s, −c; the sign from j's bit 1
  const pick = (j: string): string => {
    const base = g.select(g.icmp('ne', g.int('and', j, g.i(1)), g.i(0)), cosR, sinR);
    return g.float(g.int('xor', g.bits(base), g.int('shl', g.int('and', j, g.i(2)), g.i(30))));
  };
  // sin(±0) = ±0 (the sum gives +0 for −0)
  return [g.select(g.fcmp('oeq', x, g.d(0)), x, pick(qi)), pick(g.int('add', qi, g.i(1)))];
}
