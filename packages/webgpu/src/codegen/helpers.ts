// WGSL helper functions that give JavaScript's meaning where WGSL's differs or
// is left indeterminate and core's legalisation (core/src/legalize) leaves it
// to the backend: float %, division by tiny divisors, the transcendental
// functions, Math.pow (a polyfill: caps.native 'math-pow'), NaN-aware min/max
// for the f32 atomics. Each is emitted only
// when a kernel uses it, after the helpers it calls. This file holds the
// registry (HELPERS, HelperSet) and the basic helpers; the families live in
// helpers-trig.ts, helpers-exp-log.ts and helpers-math-extra.ts.
//
// WGSL const-evaluates expressions made only of literals and builtins, and makes
// NaN/Infinity/overflow there a shader-creation error; values built inside a
// user function from its parameters are run-time values, hence nb_f32_bits.

export interface HelperDef {
  deps?: string[];
  code: string;
  /**
   * The most loop passes one call of a helper with a `loop` runs itself (not counting the
   * helpers it calls). Drivers with a loop limit count them (docs/backends/webgpu.md); a
   * helper with a loop and no bound here counts as unbounded.
   */
  passes?: number;
}

import { EXP_LOG_HELPERS } from './helpers-exp-log.js';
import { MATH_EXTRA_HELPERS } from './helpers-math-extra.js';
import { TRIG_HELPERS } from './helpers-trig.js';

export const HELPERS: Record<string, HelperDef> = {
  // Shader compilers may rewrite float arithmetic as if it were real numbers:
  // Mesa (llvmpipe) turns (x - y) + y into x, (x + 1e8) - 1e8 into x,
  // (x * 4) * 0.25 into x, x * 0 into 0, fuses a * b + c into an fma, and drops
  // a store of x / 0. WGSL has no \`precise\`; an integer addition of a uniform
  // word that is always 0 (set by the runtime) hides a value from those rewrites
  // at the cost of one integer operation. Addition, not OR: OR is idempotent, so
  // nb_opq(nb_opq(x)) was nb_opq(x) to the driver and x - nb_opq(x) folded to 0
  // for an x already hidden (Infinity - Infinity gave 0). The emitter passes f32
  // constants and the results of f32 + - * / through it (not with fastmath: true).
  nb_opq: {
    code: `fn nb_opq(x: f32) -> f32 { return bitcast<f32>(bitcast<u32>(x) + nb_a.nb_zero); }`,
  },
  // countOneBits through the opaque zero: on OpenGL ES backends it becomes GLSL's bitCount,
  // whose result is `lowp int`, so an operation with a constant took low precision too (GLSL
  // ES takes an operation's precision from its operands; Mesa computes lowp in 16 bits):
  // popc(x) | 65535 was -1 and popc(x) + 65535 was 0 on llvmpipe (fuzz seed 41000883). The
  // uniform is highp, and so is the sum.
  nb_popc: {
    code: `fn nb_popc(x: u32) -> i32 { return bitcast<i32>(countOneBits(x) + nb_a.nb_zero); }`,
  },
  // JS negation of an f32: flip the sign bit (NaN stays NaN). llvmpipe miscompiled
  // a float negation flowing into a helper that returns its parameter early
  // (atan(-x) gave garbage); an integer XOR is no float negation to fold.
  nb_neg: {
    code: `fn nb_neg(x: f32) -> f32 { return bitcast<f32>(bitcast<u32>(x) ^ 0x80000000u); }`,
  },
  nb_f32_bits: {
    code: `fn nb_f32_bits(b: u32) -> f32 { return bitcast<f32>(b); }`,
  },
  nb_nan: {
    deps: ['nb_f32_bits'],
    code: `fn nb_nan() -> f32 { return nb_f32_bits(0x7fc00000u); }`,
  },
  nb_inf: {
    deps: ['nb_f32_bits'],
    code: `fn nb_inf() -> f32 { return nb_f32_bits(0x7f800000u); }`,
  },
  nb_isnan: {
    code: `fn nb_isnan(x: f32) -> bool { return (bitcast<u32>(x) & 0x7fffffffu) > 0x7f800000u; }`,
  },
  nb_isinf: {
    code: `fn nb_isinf(x: f32) -> bool { return (bitcast<u32>(x) & 0x7fffffffu) == 0x7f800000u; }`,
  },
  nb_copysign: {
    code: `fn nb_copysign(m: f32, s: f32) -> f32 {
  return bitcast<f32>((bitcast<u32>(m) & 0x7fffffffu) | (bitcast<u32>(s) & 0x80000000u));
}`,
  },
  // JS % on floats is an exact fmod (WGSL's is a - b * trunc(a / b)). In integers: with
  // |a| = ma * 2^xa and |b| = mb * 2^xb in units of 2^-149 (24-bit mantissas), the result
  // is (ma * 2^(xa - xb) mod mb) * 2^xb, reduced 8 doublings at a time (m < 2^24, so
  // m << 8 fits). No float arithmetic: subnormals, which llvmpipe flushes to 0, stay
  // exact, and a call takes at most 32 loop passes (llvmpipe counts them against its
  // 65535; the float version's doubling loops took up to 500 and, flushed, never ended).
  nb_fmod: {
    deps: ['nb_nan'],
    passes: 32,
    code: `fn nb_fmod(a: f32, b: f32) -> f32 {
  let ua = bitcast<u32>(a) & 0x7fffffffu;
  let ub = bitcast<u32>(b) & 0x7fffffffu;
  if (ua >= 0x7f800000u || ub > 0x7f800000u || ub == 0u) { return nb_nan(); }
  if (ub == 0x7f800000u || ua < ub) { return a; }
  let ea = ua >> 23u;
  let eb = ub >> 23u;
  let ma = select((ua & 0x7fffffu) | 0x800000u, ua, ea == 0u);
  let mb = select((ub & 0x7fffffu) | 0x800000u, ub, eb == 0u);
  var xb = max(eb, 1u) - 1u;
  var k = max(ea, 1u) - 1u - xb;
  var m = ma % mb;
  loop {
    if (k < 8u) { break; }
    m = (m << 8u) % mb;
    k = k - 8u;
  }
  m = (m << k) % mb;
  var bits = 0u;
  if (m != 0u) {
    // Normalise to a 24-bit mantissa (or a subnormal at xb = 0): the encoding is then (xb << 23) + m.
    let sh = min(countLeadingZeros(m) - 8u, xb);
    bits = (xb - sh) * 0x800000u + (m << sh);
  }
  return bitcast<f32>((bitcast<u32>(a) & 0x80000000u) | bits);
}`,
  },
  // WGSL guarantees x / y only for |y| in [2^-126, 2^126]; NVIDIA computes
  // x * (1 / y), which is 0 or NaN beyond. Scaling both sides by a power of
  // two keeps the quotient exact and y in range.
  nb_div: {
    code: `fn nb_div(a: f32, b: f32) -> f32 {
  let ab = abs(b);
  let s = select(select(1.0f, 16777216.0f, ab < 1.1754944e-38f), 0.25f, ab > 8.5e37f);
  return (a * s) / (b * s);
}`,
  },
  // Math.min / Math.max: NaN if either is NaN; -0 is below +0.
  nb_fmin: {
    deps: ['nb_isnan', 'nb_nan'],
    code: `fn nb_fmin(a: f32, b: f32) -> f32 {
  if (nb_isnan(a) || nb_isnan(b)) { return nb_nan(); }
  if (a == b) { return bitcast<f32>(bitcast<u32>(a) | bitcast<u32>(b)); }
  return select(b, a, a < b);
}`,
  },
  nb_fmax: {
    deps: ['nb_isnan', 'nb_nan'],
    code: `fn nb_fmax(a: f32, b: f32) -> f32 {
  if (nb_isnan(a) || nb_isnan(b)) { return nb_nan(); }
  if (a == b) { return bitcast<f32>(bitcast<u32>(a) & bitcast<u32>(b)); }
  return select(b, a, a > b);
}`,
  },
  // The high word of a 32x32-bit product for nb_reduce_big's internal arithmetic only
  // (a user's cuda.umulhi arrives as u32 IR: core's 'umulhi' rule). Four 16x16-bit
  // products are exact in u32.
  nb_umulhi: {
    code: `fn nb_umulhi(a: u32, b: u32) -> u32 {
  let al = a & 0xffffu; let ah = a >> 16u; let bl = b & 0xffffu; let bh = b >> 16u;
  let lh = al * bh; let hl = ah * bl;
  let mid = ((al * bl) >> 16u) + (lh & 0xffffu) + (hl & 0xffffu);
  return ah * bh + (lh >> 16u) + (hl >> 16u) + (mid >> 16u);
}`,
  },
  nb_sqrt: {
    deps: ['nb_nan'],
    // A subnormal is taken as an exact integer times 2^-149 (sqrt(2m)·2^-75, rounded once):
    // drivers that flush subnormal inputs (llvmpipe) would give 0; a negative one is NaN by
    // its bits, since a flushed `x < 0` is false.
    code: `fn nb_sqrt(x: f32) -> f32 {
  let b = bitcast<u32>(x);
  let r = select(sqrt(x), sqrt(f32(b << 1u)) * 2.6469779601696886e-23f, b - 1u < 0x007fffffu);
  return select(r, nb_nan(), b > 0x80000000u);
}`,
  },
  ...TRIG_HELPERS,
  ...EXP_LOG_HELPERS,
  ...MATH_EXTRA_HELPERS,
};

/**
 * The most loop passes one call of a helper runs, with the helpers it calls (each
 * call written in its code counted once: none calls one inside its own loop).
 */
export function helperPasses(name: string): number {
  const def = HELPERS[name];
  let n = def.passes ?? (/\bloop\b/.test(def.code) ? Infinity : 0);
  for (const d of def.deps ?? []) {
    const calls = def.code.split(`${d}(`).length - 1;
    n += Math.max(1, calls) * helperPasses(d);
  }
  return n;
}

/** The helpers one kernel uses, emitted dependencies first. */
export class HelperSet {
  private readonly order: string[] = [];
  private readonly seen = new Set<string>();
  /** How many times the code being emitted can run per thread (Infinity: unknown). */
  scale = 1;
  /** Loop passes the helper calls emitted so far can run per thread, at most. */
  passes = 0;

  use(name: string): string {
    const p = helperPasses(name);
    if (p > 0 && this.scale > 0) this.passes += this.scale * p;
    if (this.seen.has(name)) return name;
    const def = HELPERS[name];
    if (!def) throw new Error(`numbat internal error: unknown WGSL helper ${name}`);
    this.seen.add(name);
    for (const d of def.deps ?? []) this.use(d);
    this.order.push(name);
    return name;
  }

  has(name: string): boolean {
    return this.seen.has(name);
  }

  code(): string[] {
    return this.order.map((n) => HELPERS[n].code);
  }
}
