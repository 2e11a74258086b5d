// Vector kernels of exp, log, sin and cos for lane groups, generated as a
// textual LLVM 14 helper module per lane width and type (llvm-bindings cannot
// build vector constants or insert/extractelement; the kernel module only
// declares `numbat_vmath_<fn>_v<W><f32|f64>`, compile.ts links this module).
//
// Everything here is computed in f64 — the f32 kernels extend their argument,
// run shorter polynomials and round once at the end, so f32 subnormal
// arguments and results need no case of their own. On hosts with FMA the f32
// sin-and-cos kernel (a Box-Muller pair) is lane-math-f32.ts's instead,
// computed in f32 (f32InF32). The kernels are branch-free (special
// values by selects) except sin/cos, which send lanes with |x| > 2^20 (where
// the four-part reduction stops being exact) to libm, rarely.
//
// Accuracy (against correctly rounded results; lane-math.test.ts sweeps them
// against the simulator): f64 within 1 ulp (measured ≤ 0.77 against mpmath,
// with or without FMA), f32 within 1 ulp (one rounding of a result good to
// ~2^-30; measured ≤ 0.503). The f32 kernels skip the compensations below
// (f64's own roundings, ~2^-52, are far below what an f32 result needs): log
// is k ln2 + s (2 + z P(z)), exp one multiplication by 2^n (results
// bit-identical to the compensated forms' on 2^20 points per function), and
// sin/cos one polynomial on |r| ≤ π/2 (sinCosF32Body; docs/backends/cpu.md,
// "Vector math"), or, for a sin and a cos of one argument, one kernel with one
// reduction and two polynomials (sinAndCosF32Body). What makes f64 hold:
//  - exp: x = n ln2 + r, |r| ≤ ln2/2 (ln2 in two parts, n × hi exact);
//    e^r = 1 + r + r² P(r) with 1 + r summed exactly (Fast2Sum); 2^n applied
//    as two multiplications, so subnormal results round once.
//  - log: x = 2^k m, m in [√½, √2); log m = f − (f²/2 − s (f²/2 + R(s²))),
//    f = m − 1, s = f / (2 + f), the small terms carrying the rounding errors.
//  - sin/cos: x = q π/2 + r with π/2 in four parts (q × part exact for
//    |q| < 2^20), r kept as a double-double (TwoSum), quadrant by select.
// Polynomials are truncated Taylor series, long enough that the first omitted
// term is below 2^-57 (f64) or 2^-32 (f32) of the result.

import { splatConstant, VectorIR } from './lane-math-vir.js';
import { F32_TRIG_RANGE, sinAndCosInF32 } from './lane-math-f32.js';
import { hostTarget } from './target.js';
import { atanhCoeffs, cosCoeffs, expCoeffs, LN2_PARTS, PIO2_PARTS, sinCoeffs } from './lane-math-consts.js';

export type LaneMathFn = 'exp' | 'log' | 'sin' | 'cos';
export type LaneMathType = 'f32' | 'f64';

export const LANE_MATH_FNS: readonly LaneMathFn[] = ['exp', 'log', 'sin', 'cos'];

/** The name a lane group calls (lane-math.ts) and this module defines. */
export const laneMathName = (fn: LaneMathFn, W: number, t: LaneMathType): string => `numbat_vmath_${fn}_v${W}${t}`;

const NAME = /^numbat_vmath_(exp|log|sin|cos)_v(\d+)(f32|f64)$/;

/** The kernel a declared function name asks for, or undefined. */
export function parseLaneMathName(name: string): { fn: LaneMathFn; W: number; t: LaneMathType } | undefined {
  const m = NAME.exec(name);
  return m ? { fn: m[1] as LaneMathFn, W: Number(m[2]), t: m[3] as LaneMathType } : undefined;
}

/**
 * f32 sin and cos of one argument in one kernel (`{ sin, cos }`), for an f32 sin and cos the
 * kernel takes of the same argument (lane-trig-pairs.ts): each of the two calls calls it, and
 * the calls, `readnone`, are one after the pipeline's first CSE (cpu's passes run it before
 * inlining), so the pair costs one reduction, two short polynomials and one libm branch.
 */
export const sinCosName = (W: number): string => `numbat_vmath_sincos_v${W}f32`;
const SINCOS_NAME = /^numbat_vmath_sincos_v(\d+)f32$/;

/** The u32 high-word product of W lanes (W even; x86 lane groups call it, lane-math.ts). */
export const umulhiName = (W: number): string => `numbat_vmath_umulhi_v${W}i32`;
const UMULHI_NAME = /^numbat_vmath_umulhi_v(\d+)i32$/;

/**
 * cuda.umulhi on <W x i32> as the even and odd lanes' 64-bit products of
 * <W/2 x i64> halves, each operand masked to 32 bits (the pattern x86 turns
 * into one vpmuludq per register at any W). The form zext, mul, lshr, trunc
 * gives the same only where <W x i32> is one register: at 32 lanes on AVX-512
 * (<32 x i64>, split before the pattern is seen) it became vpmovzxdq, four
 * vpmuludq, vpsrlq and vpmovqd per 16 lanes (32 lanes then ran the Philox
 * rounds 20 % slower than 16), and at 16 lanes on AVX2 extracts, zero
 * extensions and shuffles (62 instead of 45 instructions per round loop).
 * Little-endian: lane 2k is the low half of 64-bit element k.
 */
function umulhiIR(W: number): string {
  const V = `<${W} x i32>`, H = `<${W / 2} x i64>`;
  const splat = (v: string): string => splatConstant(W / 2, 'i64', v);
  return [
    `define ${V} @${umulhiName(W)}(${V} %a, ${V} %b) alwaysinline nounwind {`,
    `  %a2 = bitcast ${V} %a to ${H}`,
    `  %b2 = bitcast ${V} %b to ${H}`,
    `  %ae = and ${H} %a2, ${splat('4294967295')}`,
    `  %be = and ${H} %b2, ${splat('4294967295')}`,
    `  %pe = mul nuw ${H} %ae, %be`,
    `  %ao = lshr ${H} %a2, ${splat('32')}`,
    `  %bo = lshr ${H} %b2, ${splat('32')}`,
    `  %po = mul nuw ${H} %ao, %bo`,
    `  %he = lshr ${H} %pe, ${splat('32')}`,
    `  %ho = and ${H} %po, ${splat('-4294967296')}`,
    `  %h = or ${H} %he, %ho`,
    `  %r = bitcast ${H} %h to ${V}`,
    `  ret ${V} %r`,
    '}',
  ].join('\n');
}

type Prec = LaneMathType;

/** exp: the body after the argument is in %x (<W x double>), result returned. */
function expBody(g: VectorIR, prec: Prec): string {
  // Outside [-746, 710] the result is 0 or +Infinity anyway; the clamp keeps 2^n in range (NaN passes through the selects).
  // f32: outside [-150, 100] the f32 result is 0 or +Infinity: 2^n stays a normal double, one factor.
  const [cLo, cHi] = prec === 'f32' ? [-150, 100] : [-746, 710];
  const lo = g.fcmp('olt', '%x', g.d(cLo)), hi = g.fcmp('ogt', '%x', g.d(cHi));
  const x = g.select(hi, g.d(cHi), g.select(lo, g.d(cLo), '%x'));
  const [n, ni] = g.roundInt(x, Math.LOG2E);
  const pow2 = (k: string): string => g.float(g.int('shl', g.int('add', k, g.i(1023)), g.i(52)));
  if (prec === 'f32') {
    // (1 + r + r² P(r)) 2^n with r = x − n ln2 (|n| ≤ 217: n × ln2's error ~2^-47 of the result): an f32
    // result needs ~2^-32, and the f64 result is normal (one rounding, to f32, for subnormal f32 results)
    const r = g.fma(g.fneg(n), g.d(Math.LN2), x);
    const y = g.fadd(g.d(1), g.fma(g.fmul(r, r), g.poly(r, expCoeffs(7)), r));
    return g.fmul(y, pow2(ni));
  }
  const rhi = g.fma(g.fneg(n), g.d(LN2_PARTS[0]), x); // exact: n × ln2hi has ≤ 53 bits, and it cancels x's leading bits
  const rlo = g.fmul(g.fneg(n), g.d(LN2_PARTS[1]));
  const r = g.fadd(rhi, rlo);
  const p = g.fmul(g.fmul(r, r), g.poly(r, expCoeffs(12)));
  // 1 + rhi exactly as s + e (Fast2Sum: |rhi| < 1), then the small terms.
  const s = g.fadd(g.d(1), rhi);
  const e = g.fadd(g.fsub(g.d(1), s), rhi);
  const y = g.fadd(s, g.fadd(e, g.fadd(rlo, p)));
  // y × 2^n as y × 2^n1 × 2^n2 (n1 = n >> 1): each factor a normal double, one rounding for subnormal results.
  const n1 = g.int('ashr', ni, g.i(1)), n2 = g.int('sub', ni, n1);
  return g.fmul(g.fmul(y, pow2(n1)), pow2(n2));
}

/** log: x = 2^k m, m in [√½, √2); log m = f − (hfsq − s (hfsq + R)). */
function logBody(g: VectorIR, prec: Prec): string {
  let x = '%x', kAdj = g.i(0);
  if (prec === 'f64') {
    // subnormal arguments: scaled into the normal range first (an f32 argument never is one in f64)
    const sub = g.fcmp('olt', x, g.d(2 ** -1022));
    x = g.select(sub, g.fmul(x, g.d(2 ** 54)), x);
    kAdj = g.select(sub, g.i(-54), g.i(0), g.I);
  }
  const SQRT_HALF_BITS = 0x3fe6a09e667f3bcdn; // the bits of √½ (rounded down): m's lower end
  const ix = g.bits(x);
  const kBits = g.int('ashr', g.int('sub', ix, g.i(SQRT_HALF_BITS)), g.i(52));
  const m = g.float(g.int('sub', ix, g.int('shl', kBits, g.i(52))));
  const k = g.sitofp(g.int('add', kBits, kAdj));
  const f = g.fsub(m, g.d(1)); // exact (m within a factor of 2 of 1)
  const s = g.fdiv(f, g.fadd(g.d(2), f));
  const z = g.fmul(s, s);
  let y: string;
  if (prec === 'f32') {
    // k ln2 + s (2 + z P(z)): an f32 result needs ~2^-32, f64's roundings here are ~2^-52, so
    // the compensated form below buys nothing (|y| ≥ 0.34 where k ≠ 0: no cancellation to speak of)
    y = g.fma(s, g.fma(z, g.poly(z, atanhCoeffs(5)), g.d(2)), g.fmul(k, g.d(Math.LN2)));
  } else {
    const R = g.fmul(z, g.poly(z, atanhCoeffs(10)));
    const hfsq = g.fmul(g.d(0.5), g.fmul(f, f));
    // k ln2hi − ((hfsq − (s (hfsq + R) + k ln2lo)) − f): the terms from small to large.
    const inner = g.fma(s, g.fadd(hfsq, R), g.fmul(k, g.d(LN2_PARTS[1])));
    y = g.fsub(g.fmul(k, g.d(LN2_PARTS[0])), g.fsub(g.fsub(hfsq, inner), f));
  }
  // special values: log(±0) = −∞, log(x < 0) = NaN, log(+∞) = +∞, NaN stays NaN
  let out = g.select(g.fcmp('oeq', '%x', g.d(0)), g.d(-Infinity), y);
  out = g.select(g.fcmp('olt', '%x', g.d(0)), g.d(NaN), out);
  out = g.select(g.fcmp('oeq', '%x', g.d(Infinity)), g.d(Infinity), out);
  return g.select(g.fcmp('uno', '%x', '%x'), '%x', out);
}

/** f64 sin or cos of %x for |x| ≤ 2^20 (other finite lanes are redone by libm; ±∞ and NaN give NaN here). */
function sinCosBody(g: VectorIR, fn: 'sin' | 'cos'): string {
  const [q, qi] = g.roundInt('%x', 2 / Math.PI);
  const nq = g.fneg(q);
  const a = g.fma(nq, g.d(PIO2_PARTS[0]), '%x'); // exact: q × part has ≤ 53 bits, x − q × part cancels
  // r = a − q (p1 + p2 + p3) as a double-double: the products are exact, TwoSum keeps the sums' errors
  const [s1, e1] = g.twoSum(a, g.fmul(nq, g.d(PIO2_PARTS[1])));
  const [s2, e2] = g.twoSum(s1, g.fmul(nq, g.d(PIO2_PARTS[2])));
  const lo = g.fadd(g.fadd(e1, e2), g.fmul(nq, g.d(PIO2_PARTS[3])));
  const [h, l] = g.twoSum(s2, lo);
  const z = g.fmul(h, h);
  // sin(h + l) ≈ h + h z S(z) + l (1 − z/2)
  const sinTail = g.fmul(g.fmul(h, z), g.poly(z, sinCoeffs(8)));
  const sinR = g.fadd(h, g.fadd(sinTail, g.fmul(l, g.fma(g.d(-0.5), z, g.d(1)))));
  // cos(h + l) ≈ 1 − z/2 + z² C(z) − h l, with 1 − z/2 summed exactly
  const hz = g.fmul(g.d(0.5), z);
  const w = g.fsub(g.d(1), hz);
  const e = g.fsub(g.fsub(g.d(1), w), hz);
  const cosTail = g.fsub(g.fmul(g.fmul(z, z), g.poly(z, cosCoeffs(7))), g.fmul(h, l));
  const cosR = g.fadd(w, g.fadd(e, cosTail));
  // quadrant j = q mod 4 (cos x = sin(x + π/2): j = q + 1): s, c, −s, −c
  const j = fn === 'sin' ? qi : g.int('add', qi, g.i(1));
  const odd = g.icmp('ne', g.int('and', j, g.i(1)), g.i(0));
  const neg = g.icmp('ne', g.int('and', j, g.i(2)), g.i(0));
  const base = g.select(odd, cosR, sinR);
  const y = g.select(neg, g.fneg(base), base);
  // sin(±0) = ±0 (the sum above would give +0 for −0)
  return fn === 'sin' ? g.select(g.fcmp('oeq', '%x', g.d(0)), '%x', y) : y;
}

/**
 * f32 sin or cos of %x (in f64) for |x| ≤ 2^20: one polynomial. sin x = (−1)^q sin r with
 * x = q π + r, cos x = sin(x + π/2) = (−1)^q sin r with x + π/2 = q π + r; so r = x − m π/2,
 * m = 2q (sin) or 2q − 1 (cos), |r| ≤ π/2 (a hair beyond where q is rounded near a tie),
 * and sin r by its odd Taylor series to r^15 (first omitted term 2^-37 of the result). Where
 * the f64 kernel evaluates a sin and a cos polynomial on |r| ≤ π/4 and picks one per lane,
 * this evaluates one (cos of uniforms, 64-lane groups, alternated processes: 900–974 →
 * 992–1 118 M per CPU-second) and is more accurate (worst 0.5018 → 0.5001 ulp).
 */
function sinCosF32Body(g: VectorIR, fn: 'sin' | 'cos'): string {
  const [q, qi] = g.roundInt(fn === 'sin' ? '%x' : g.fma('%x', g.d(1 / Math.PI), g.d(0.5)), fn === 'sin' ? 1 / Math.PI : 1);
  const m = fn === 'sin' ? g.fadd(q, q) : g.fsub(g.fadd(q, q), g.d(1)); // exact: |q| < 2^20
  const nm = g.fneg(m);
  const a = g.fma(nm, g.d(PIO2_PARTS[0]), '%x'); // exact: m × part has ≤ 53 bits, x − m × part cancels
  // an error of 2^-53 in r is far below the f32 result's last bit
  const r = g.fma(nm, g.d(PIO2_PARTS[1] + PIO2_PARTS[2]), a);
  const z = g.fmul(r, r);
  const p = g.fma(g.fmul(r, z), g.poly(z, sinCoeffs(7)), r);
  // (−1)^q: q's low bit moved to the sign
  const y = g.float(g.op(`xor ${g.I} ${g.bits(p)}, ${g.int('shl', qi, g.i(63))}`));
  // sin(±0) = ±0 (the sum above gives +0 for −0)
  return fn === 'sin' ? g.select(g.fcmp('oeq', '%x', g.d(0)), '%x', y) : y;
}

/**
 * f32 sin and cos of %x (in f64, |x| ≤ 2^20) together (the Box-Muller pair): x = q π/2 + r,
 * |r| ≤ π/4, sin r and cos r by their Taylor series to r^13 and r^14 (first omitted terms 2^-45
 * and 2^-50 of the result), each result picked by quadrant from the two, as the f64 kernel does.
 * One reduction and two short polynomials for both, where sinCosF32Body costs a reduction and a
 * long polynomial for each.
 */
function sinAndCosF32Body(g: VectorIR): [string, string] {
  const [q, qi] = g.roundInt('%x', 2 / Math.PI);
  const nq = g.fneg(q);
  const a = g.fma(nq, g.d(PIO2_PARTS[0]), '%x'); // exact, as in sinCosF32Body
  const r = g.fma(nq, g.d(PIO2_PARTS[1] + PIO2_PARTS[2]), a);
  const z = g.fmul(r, r);
  const sinR = g.fma(g.fmul(r, z), g.poly(z, sinCoeffs(6)), r);
  const cosR = g.fma(g.fmul(z, z), g.poly(z, cosCoeffs(6)), g.fma(g.d(-0.5), z, g.d(1)));
  // quadrant j = q mod 4 (cos x = sin(x + π/2): j = q + 1): s, c, −s, −c; the sign from j's bit 1
  const pick = (j: string): string => {
    const base = g.select(g.icmp('ne', g.int('and', j, g.i(1)), g.i(0)), cosR, sinR);
    return g.float(g.op(`xor ${g.I} ${g.bits(base)}, ${g.int('shl', g.int('and', j, g.i(2)), g.i(62))}`));
  };
  // sin(±0) = ±0 (the sum gives +0 for −0)
  return [g.select(g.fcmp('oeq', '%x', g.d(0)), '%x', pick(qi)), pick(g.int('add', qi, g.i(1)))];
}

/**
 * sin/cos lanes beyond the reduction's range: libm, lane by lane (rare; kept out of line), as a
 * loop over the lanes in memory: unrolled, W calls with their moves made a 64-lane kernel's
 * two such functions ~400 instructions of machine code that every compile emitted. One function
 * (`fns`, one vector) or both of a sin-and-cos kernel (`{ sin, cos }`).
 */
function libmLanes(fns: readonly ('sin' | 'cos')[], W: number, decls: Set<string>, elem: 'double' | 'float' = 'double'): string {
  const D = `<${W} x ${elem}>`, A = `[${W} x ${elem}]`, one = fns.length === 1;
  const R = one ? D : `{ ${fns.map(() => D).join(', ')} }`;
  const f32 = elem === 'float', lib = (f: string): string => (f32 ? `${f}f` : f), align = f32 ? 4 : 8;
  for (const f of fns) decls.add(`declare ${elem} @${lib(f)}(${elem}) nounwind`);
  const lines = [
    `define internal ${R} @${libmLanesName(fns, W, elem)}(${D} %x) noinline cold nounwind {`,
    'entry:',
    `  %xbuf = alloca ${A}, align ${align}`,
    ...fns.map((f) => `  %${f}buf = alloca ${A}, align ${align}`),
    `  %xp = bitcast ${A}* %xbuf to ${D}*`,
    `  store ${D} %x, ${D}* %xp, align ${align}`,
    '  br label %lane',
    'lane:',
    '  %l = phi i32 [ 0, %entry ], [ %next, %lane ]',
    `  %p = getelementptr inbounds ${A}, ${A}* %xbuf, i32 0, i32 %l`,
    `  %a = load ${elem}, ${elem}* %p, align ${align}`,
    ...fns.flatMap((f) => [
      `  %${f} = call ${elem} @${lib(f)}(${elem} %a)`,
      `  %${f}p = getelementptr inbounds ${A}, ${A}* %${f}buf, i32 0, i32 %l`,
      `  store ${elem} %${f}, ${elem}* %${f}p, align ${align}`,
    ]),
    '  %next = add i32 %l, 1',
    `  %more = icmp ult i32 %next, ${W}`,
    '  br i1 %more, label %lane, label %out',
    'out:',
    ...fns.flatMap((f) => [`  %${f}vp = bitcast ${A}* %${f}buf to ${D}*`, `  %${f}v = load ${D}, ${D}* %${f}vp, align ${align}`]),
  ];
  if (one) lines.push(`  ret ${D} %${fns[0]}v`);
  else {
    let agg = 'undef';
    fns.forEach((f, k) => { lines.push(`  %r${k} = insertvalue ${R} ${agg}, ${D} %${f}v, ${k}`); agg = `%r${k}`; });
    lines.push(`  ret ${R} ${agg}`);
  }
  return [...lines, '}'].join('\n');
}

/** The out-of-line libm function of libmLanes. */
const libmLanesName = (fns: readonly ('sin' | 'cos')[], W: number, elem: 'double' | 'float'): string =>
  `numbat_vmath_${fns.length === 1 ? fns[0] : 'sincos'}${elem === 'float' ? 'f' : ''}_libm_v${W}`;

/** The finite lanes of `x` beyond `limit` in magnitude (where a reduction's range ends): `far`, and whether any is. */
function farLanes(g: VectorIR, x: string, limit: number): { far: string; any: string } {
  const ax = g.fabs(x);
  const far = g.op(`and ${g.B} ${g.fcmp('ogt', ax, g.d(limit))}, ${g.fcmp('olt', ax, g.d(Infinity))}`);
  const any = g.op(`call i1 @llvm.vector.reduce.or.v${g.W}i1(${g.B} ${far})`);
  g.decls.add(`declare i1 @llvm.vector.reduce.or.v${g.W}i1(${g.B})`);
  return { far, any };
}

/**
 * The f32 sin-and-cos kernel (sinCosName) around a body that left sin and cos of `x` (vectors of
 * g's element type) in g.lines: the lanes beyond `limit` get libm's values, the pair is rounded
 * to f32 where the body ran in f64. `readnone`, so that two calls of one argument are one.
 */
function sinCosPairKernel(g: VectorIR, [s, c]: [string, string], x: string, limit: number, extra: Set<string>): string {
  const W = g.W, D = g.D, P = `{ ${D}, ${D} }`, T = `<${W} x float>`, R = `{ ${T}, ${T} }`;
  const { far, any } = farLanes(g, x, limit);
  extra.add(libmLanes(['sin', 'cos'], W, g.decls, g.fe));
  const toF32 = (v: string): string[] => (g.fe === 'float' ? [] : [`  %${v}32 = fptrunc ${D} %${v} to ${T}`]);
  const f32 = (v: string): string => (g.fe === 'float' ? `%${v}` : `%${v}32`);
  return [`define ${R} @${sinCosName(W)}(${T} %arg) alwaysinline nounwind readnone {`, 'entry:', ...g.lines,
    `  br i1 ${any}, label %far, label %done`,
    'far:',
    `  %lib = call ${P} @${libmLanesName(['sin', 'cos'], W, g.fe)}(${D} ${x})`,
    `  %libs = extractvalue ${P} %lib, 0`,
    `  %libc = extractvalue ${P} %lib, 1`,
    `  %ms = select ${g.B} ${far}, ${D} %libs, ${D} ${s}`,
    `  %mc = select ${g.B} ${far}, ${D} %libc, ${D} ${c}`,
    '  br label %done',
    'done:',
    `  %s = phi ${D} [ ${s}, %entry ], [ %ms, %far ]`,
    `  %c = phi ${D} [ ${c}, %entry ], [ %mc, %far ]`,
    ...toF32('s'), ...toF32('c'),
    `  %r0 = insertvalue ${R} undef, ${T} ${f32('s')}, 0`,
    `  %r1 = insertvalue ${R} %r0, ${T} ${f32('c')}, 1`,
    `  ret ${R} %r1`,
    '}'].join('\n');
}

/** The f32 sin-and-cos kernel computed in f64 (lanes beyond 2^20: libm's sin and cos). */
function sinCosPairIR(W: number, decls: Set<string>, extra: Set<string>): string {
  const g = new VectorIR(W, decls);
  g.lines.push(`  %x = fpext <${W} x float> %arg to ${g.D}`);
  const pair = sinAndCosF32Body(g);
  return sinCosPairKernel(g, pair, '%x', 2 ** 20, extra);
}

/**
 * The f32 sin-and-cos kernel computed in f32 (lane-math-f32.ts); lanes beyond F32_TRIG_RANGE get
 * libm's sinf and cosf from one out-of-line call (the f64-computed kernel there instead: 15–20
 * ms more `emit` per kernel).
 */
function sinCosPairInF32IR(W: number, decls: Set<string>, extra: Set<string>): string {
  const g = new VectorIR(W, decls, 'float');
  const pair = sinAndCosInF32(g);
  return sinCosPairKernel(g, pair, '%arg', F32_TRIG_RANGE, extra);
}

/**
 * Whether the f32 sin-and-cos kernel is computed in f32: where the host fuses multiply-adds (its
 * exact products need FMA; x86 since Haswell / Zen, every AArch64).
 */
export function f32InF32(): boolean {
  const host = hostTarget();
  return /^aarch64/.test(host.triple) || /(^|,)\+fma(,|$)/.test(host.features);
}

function kernelIR(fn: LaneMathFn, W: number, t: LaneMathType, decls: Set<string>, extra: Set<string>): string {
  const g = new VectorIR(W, decls);
  const T = `<${W} x ${t === 'f32' ? 'float' : 'double'}>`;
  const head = [`define ${T} @${laneMathName(fn, W, t)}(${T} %arg) alwaysinline nounwind {`, 'entry:'];
  if (t === 'f32') g.lines.push(`  %x = fpext ${T} %arg to ${g.D}`);
  else g.lines.push(`  %x = fadd ${g.D} %arg, ${g.d(-0)}`); // names the argument %x (x + −0 is x, −0 included)
  const ret = (v: string): string[] => t === 'f32' ? [`  %ret = fptrunc ${g.D} ${v} to ${T}`, `  ret ${T} %ret`] : [`  ret ${T} ${v}`];
  if (fn === 'exp' || fn === 'log') {
    const y = fn === 'exp' ? expBody(g, t) : logBody(g, t);
    return [...head, ...g.lines, ...ret(y), '}'].join('\n');
  }
  const y = t === 'f32' ? sinCosF32Body(g, fn) : sinCosBody(g, fn);
  const { far, any } = farLanes(g, '%x', 2 ** 20);
  g.lines.push(`  br i1 ${any}, label %far, label %done`);
  extra.add(libmLanes([fn], W, decls));
  return [...head, ...g.lines,
    'far:',
    `  %lib = call ${g.D} @${libmLanesName([fn], W, 'double')}(${g.D} %x)`,
    `  %mixed = select ${g.B} ${far}, ${g.D} %lib, ${g.D} ${y}`,
    '  br label %done',
    'done:',
    `  %y = phi ${g.D} [ ${y}, %entry ], [ %mixed, %far ]`,
    ...ret('%y'), '}'].join('\n');
}

/**
 * The helper module defining the vector kernels named in `names` (others ignored); '' when none.
 * `inF32`: the f32 sin-and-cos kernel computed in f32 (needs FMA; the host's choice unless given).
 */
export function laneMathModule(names: Iterable<string>, inF32 = f32InF32()): string {
  // The text is a function of the names alone; made once per set (a kernel's compile asks for
  // it on its critical path, and kernels of one program declare the same few kernels).
  const list = [...names].filter((n) => n.startsWith('numbat_vmath_')), key = `${inF32}:${list.join(',')}`; // (not the kernel's own names)
  let text = moduleTexts.get(key);
  if (text === undefined) {
    if (moduleTexts.size >= MODULE_TEXTS_KEPT) moduleTexts.clear();
    moduleTexts.set(key, (text = buildLaneMathModule(list, inF32)));
  }
  return text;
}

const moduleTexts = new Map<string, string>();
const MODULE_TEXTS_KEPT = 64;

function buildLaneMathModule(names: readonly string[], inF32: boolean): string {
  const decls = new Set<string>(), extra = new Set<string>(), defs: string[] = [];
  const seen = new Set<string>();
  for (const name of names) {
    const hi = UMULHI_NAME.exec(name);
    if (hi && !seen.has(name)) { seen.add(name); defs.push(umulhiIR(Number(hi[1]))); continue; }
    const sc = SINCOS_NAME.exec(name);
    if (sc && !seen.has(name)) {
      seen.add(name);
      defs.push(inF32 ? sinCosPairInF32IR(Number(sc[1]), decls, extra) : sinCosPairIR(Number(sc[1]), decls, extra));
      continue;
    }
    const k = parseLaneMathName(name);
    if (!k || seen.has(name)) continue;
    seen.add(name);
    defs.push(kernelIR(k.fn, k.W, k.t, decls, extra));
  }
  return defs.length ? [...decls, ...extra, ...defs].join('\n\n') + '\n' : '';
}
