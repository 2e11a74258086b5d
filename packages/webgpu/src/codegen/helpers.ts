// WGSL helper functions that give JavaScript's meaning where WGSL's differs or
// is left indeterminate and core's legalisation (core/src/legalize) leaves it
// to the backend: float %, division by tiny divisors, the transcendental
// functions, Math.pow (a polyfill: caps.native 'math-pow'), NaN-aware min/max
// for the f32 atomics. Each is emitted only
// when a kernel uses it, after the helpers it calls.
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

import { MATH_EXTRA_HELPERS } from './helpers-math-extra.js';

const LN2 = '0.6931471805599453f';

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
  // sin/cos/tan: x = j * pi/2 + (rh + rl) with |rh| <= pi/4 and r carried as an
  // f32 pair (about 48 bits), then Cephes' sinf/cosf polynomials on rh with rl's
  // first-order term and fdlibm's exact 1 - z/2 step, so only the last addition
  // rounds: within 2 ulp of the correctly rounded result for every finite x
  // (test/trig-reduction.test.ts). WGSL only bounds the builtins' error on
  // [-pi, pi] (2^-11 absolute). Up to |x| = 8192, Cody-Waite: pi/2 in four parts;
  // j * C1 and j * C2 are exact (j < 2^13), j * C3 an exact product pair. Beyond,
  // Payne-Hanek (nb_reduce_big). Every step whose rounding error is kept goes
  // through nb_opq, so no driver regroups or fuses it. (fastmath: true uses the builtins.)
  nb_sincos: {
    deps: ['nb_reduce_big', 'nb_pair_ops'],
    code: `// sin(rh + rl) = rh + (rl (1 - z/2) + rh z S(z)) as a pair (head, tail), z = rh^2.
fn nb_sin_pair(rh: f32, rl: f32) -> vec2f {
  let z = nb_opq(rh * rh);
  let s = ((-1.9515295891e-4f * z + 8.3321608736e-3f) * z - 1.6666654611e-1f) * z * rh;
  return vec2f(rh, nb_opq(rl - 0.5f * z * rl) + s);
}
// cos(rh + rl) = w + (((1 - w) - z/2) + (z^2 C(z) - rh rl)) as a pair, w = 1 - z/2 rounded.
fn nb_cos_pair(rh: f32, rl: f32) -> vec2f {
  let z = nb_opq(rh * rh);
  let hz = nb_opq(0.5f * z);
  let w = nb_opq(1.0f - hz);
  let c = ((2.443315711809948e-5f * z - 1.388731625493765e-3f) * z + 4.166664568298827e-2f) * z * z;
  return vec2f(w, nb_opq(nb_opq(1.0f - w) - hz) + nb_opq(c - rh * rl));
}
// x = j * pi/2 + rh + rl with |rh| <= pi/4 (a little more where j's rounding missed); returns (rh, rl, j mod 4).
fn nb_reduce_half_pi(x: f32) -> vec3f {
  if (abs(x) > 8192.0f) { return nb_reduce_big(x); }
  let j = round(x * 0.63661977236758134f);
  let t = nb_opq(x - j * 1.5703125f);
  let a = nb_two_sum(t, nb_opq(-(j * 4.837512969970703125e-4f)));
  let p3 = nb_two_prod(j, 7.54978995489188216e-8f);
  let r = nb_two_sum(a.x, -p3.x);
  let lo = nb_opq(nb_opq(r.y + a.y) - p3.y) - j * -1.7151245100058819e-15f;
  let h = nb_two_sum(r.x, lo);
  return vec3f(h.x, h.y, f32(i32(j) & 3));
}`,
  },
  // Error-free transformations on f32 (each result opaque: the driver must round every step).
  nb_pair_ops: {
    deps: ['nb_opq'],
    code: `// a + b = s + e exactly (Knuth's two-sum).
fn nb_two_sum(a: f32, b: f32) -> vec2f {
  let s = nb_opq(a + b);
  let bb = nb_opq(s - a);
  return vec2f(s, nb_opq(nb_opq(a - nb_opq(s - bb)) + nb_opq(b - bb)));
}
// a * b = p + e exactly (Dekker, Veltkamp's split: |a|, |b| well below 2^115).
fn nb_two_prod(a: f32, b: f32) -> vec2f {
  let p = nb_opq(a * b);
  let ca = nb_opq(4097.0f * a); let ah = nb_opq(ca - nb_opq(ca - a)); let al = nb_opq(a - ah);
  let cb = nb_opq(4097.0f * b); let bh = nb_opq(cb - nb_opq(cb - b)); let bl = nb_opq(b - bh);
  let e = nb_opq(nb_opq(nb_opq(nb_opq(ah * bh) - p) + nb_opq(ah * bl)) + nb_opq(al * bh)) + nb_opq(al * bl);
  return vec2f(p, e);
}
// (ah + al)(bh + bl) as a renormalised pair, to ~2^-44 relative, where both heads lie in
// [2^-40, 2^40] (Dekker's product and its error stay normal); beyond, the heads' f32 product.
fn nb_pair_mul(a: vec2f, b: vec2f) -> vec2f {
  let lo = 9.094947e-13f; let hi = 1.0995116e12f;
  if (!(abs(a.x) >= lo && abs(a.x) <= hi && abs(b.x) >= lo && abs(b.x) <= hi)) { return vec2f(a.x * b.x, 0.0f); }
  let p = nb_two_prod(a.x, b.x);
  let t = nb_opq(p.y + nb_opq(nb_opq(a.x * b.y) + nb_opq(a.y * b.x)));
  return nb_two_sum(p.x, t);
}
// (nh + nl) / (dh + dl), correctly rounded but for a fraction of an ulp. Both are
// renormalised first (a tail below half an ulp of the head): the correction divides by dh alone.
fn nb_pair_div(nu: vec2f, de: vec2f) -> f32 {
  let n = nb_two_sum(nu.x, nu.y);
  let d = nb_two_sum(de.x, de.y);
  let q = nb_opq(n.x / d.x);
  let p = nb_two_prod(q, d.x);
  let rem = nb_opq(nb_opq(nb_opq(n.x - p.x) - p.y) + n.y) - q * d.y;
  return q + rem / d.x;
}`,
  },
  // Payne-Hanek reduction for |x| > 8192 (and ±Infinity → NaN): x = m * 2^e
  // with a 24-bit integer m; the bits of x * 2/pi around the binary point come
  // from m times 192 bits of 2/pi (exact 32x32 -> 64-bit products, nb_umulhi),
  // which leaves 62 bits of fraction whatever e is: a correctly reduced r for
  // every f32.
  nb_reduce_big: {
    deps: ['nb_umulhi', 'nb_nan', 'nb_pair_ops'],
    code: `fn nb_reduce_big(x: f32) -> vec3f {
  let b = bitcast<u32>(x) & 0x7fffffffu;
  if (b >= 0x7f800000u) { return vec3f(nb_nan(), 0.0f, 0.0f); }
  // 2/pi = 0.A2F9836E 4E441529 FC2757D1 F534DDC0 DB629599 3C439041 (hex), least significant word first.
  let w = array<u32, 6>(0x3c439041u, 0xdb629599u, 0xf534ddc0u, 0xfc2757d1u, 0x4e441529u, 0xa2f9836eu);
  let ia = ((b & 0x7fffffu) | 0x800000u) << 8u; // x = ia * 2^(e - 8), e = exponent - 150
  // p = ia * w: 224 bits, word k has weight 2^(32k + e - 200).
  var p: array<u32, 7>;
  var carry = 0u;
${[0, 1, 2, 3, 4, 5].map((k) => `  { let lo = ia * w[${k}]; let s = lo + carry; p[${k}] = s; carry = nb_umulhi(ia, w[${k}]) + select(0u, 1u, s < lo); }`).join('\n')}
  p[6] = carry;
  // Bit 0 of the integer part is bit q0 = 200 - e of p; take the 64 bits q0 + 1 down to q0 - 62.
  let q0 = 350u - (b >> 23u);
  let hi = nb_bits32(p, q0 - 30u);
  let lo = nb_bits32(p, q0 - 62u);
  var q = hi >> 30u;
  var fhi = (hi << 2u) | (lo >> 30u);
  var flo = lo << 2u;
  // A fraction of 1/2 or more rounds j up; r is then negative: 1 - f.
  let up = (fhi >> 31u) != 0u;
  if (up) {
    q = q + 1u;
    fhi = ~fhi; flo = ~flo + 1u;
    if (flo == 0u) { fhi = fhi + 1u; }
  }
  // f = fhi:flo * 2^-64, normalised to 32 significant bits before rounding to f32.
  // f = fhi:flo * 2^-64 as a pair: its top 24 significant bits exactly, the next 32 rounded.
  var sc = 95u;
  if (fhi == 0u) { fhi = flo; flo = 0u; sc = 63u; }
  var fh = 0.0f; var fl = 0.0f;
  if (fhi != 0u) {
    let lz = countLeadingZeros(fhi);
    let top = select((fhi << lz) | (flo >> (32u - lz)), fhi, lz == 0u);
    let low = flo << lz;
    let scale = bitcast<f32>((sc - lz) << 23u);
    fh = f32(top & 0xffffff00u) * scale;
    fl = f32(((top & 0xffu) << 24u) | (low >> 8u)) * 5.9604644775390625e-8f * scale; // 2^-24
  }
  // r = f * pi/2 (pi/2 = P1 + P2) as a pair.
  let pf = nb_two_prod(fh, 1.5707963705062866f);
  let h = nb_two_sum(pf.x, nb_opq(pf.y + fh * -4.371138828673793e-8f) + fl * 1.5707963705062866f);
  var r = vec2f(h.x, h.y);
  if (up) { r = -r; }
  if (x < 0.0f) { r = -r; q = 0u - q; }
  return vec3f(r.x, r.y, f32(q & 3u));
}
fn nb_bits32(p: array<u32, 7>, at: u32) -> u32 {
  let i = at >> 5u;
  let sh = at & 31u;
  if (sh == 0u) { return p[i]; }
  return (p[i] >> sh) | (p[i + 1u] << (32u - sh));
}`,
  },
  nb_sin: {
    deps: ['nb_sincos'],
    code: `fn nb_sin(x: f32) -> f32 {
  if (x == 0.0f) { return x; }
  let r = nb_reduce_half_pi(x);
  let q = u32(r.z);
  let v = select(nb_sin_pair(r.x, r.y), nb_cos_pair(r.x, r.y), (q & 1u) == 1u);
  let s = v.x + v.y;
  return select(s, -s, q >= 2u);
}`,
  },
  nb_cos: {
    deps: ['nb_sincos'],
    code: `fn nb_cos(x: f32) -> f32 {
  let r = nb_reduce_half_pi(x);
  let q = u32(r.z);
  let v = select(nb_cos_pair(r.x, r.y), nb_sin_pair(r.x, r.y), (q & 1u) == 1u);
  let c = v.x + v.y;
  return select(c, -c, q == 1u || q == 2u);
}`,
  },
  nb_tan: {
    deps: ['nb_sincos'],
    code: `fn nb_tan(x: f32) -> f32 {
  if (x == 0.0f) { return x; }
  let r = nb_reduce_half_pi(x);
  let s = nb_sin_pair(r.x, r.y);
  let c = nb_cos_pair(r.x, r.y);
  // tan = s / c; in odd quadrants -cot = -c / s. Both pairs divided as pairs.
  let odd = (u32(r.z) & 1u) == 1u;
  let t = nb_pair_div(select(s, c, odd), select(c, s, odd));
  return select(t, -t, odd);
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
  // log/log2/log10 of a subnormal: llvmpipe's log read one as 2^-127 (fuzz seed 14003396),
  // other drivers flush it; as an exact integer times 2^-149 instead. Within 0.5 of 1,
  // nb_ln1p_small of x - 1 (exact: Sterbenz).
  nb_log: {
    deps: ['nb_nan', 'nb_ln1p_small'],
    code: `fn nb_log(x: f32) -> f32 {
  let b = bitcast<u32>(x);
  var r = select(log(x), log(f32(b)) - 103.27892990343185f, b - 1u < 0x007fffffu);
  if (abs(x - 1.0f) < 0.5f) { r = nb_ln1p_small(x - 1.0f); }
  return select(r, nb_nan(), b > 0x80000000u);
}`,
  },
  nb_log2: {
    deps: ['nb_nan', 'nb_ln1p_small'],
    code: `fn nb_log2(x: f32) -> f32 {
  let b = bitcast<u32>(x);
  var r = select(log2(x), log2(f32(b)) - 149.0f, b - 1u < 0x007fffffu);
  if (abs(x - 1.0f) < 0.5f) { r = nb_ln1p_small(x - 1.0f) * 1.4426950408889634f; }
  return select(r, nb_nan(), b > 0x80000000u);
}`,
  },
  nb_log10: {
    deps: ['nb_nan', 'nb_ln1p_small'],
    code: `fn nb_log10(x: f32) -> f32 {
  let b = bitcast<u32>(x);
  var r = select(log2(x), log2(f32(b)) - 149.0f, b - 1u < 0x007fffffu) * 0.30102999566398120f;
  if (abs(x - 1.0f) < 0.5f) { r = nb_ln1p_small(x - 1.0f) * 0.4342944819032518f; }
  return select(r, nb_nan(), b > 0x80000000u);
}`,
  },
  // WGSL allows 4096 ulp for atan and friends, and llvmpipe's asin/acos are
  // off by ~2e-4: arctangent by octant reduction and a minimax polynomial
  // (Cephes' atanf, ~1e-7), with asin/acos/atan2 built on it.
  // One return only: with an early \`return v\` for NaN, llvmpipe returned garbage
  // (-1.1754944e-38 for atan(-1), changing between runs) when v was a negation.
  nb_atan: {
    deps: ['nb_isnan', 'nb_copysign'],
    code: `fn nb_atan(v: f32) -> f32 {
  var x = abs(v);
  var y0 = 0.0f;
  if (x > 2.414213562373095f) { y0 = 1.5707963267948966f; x = -1.0f / x; }
  else if (x > 0.4142135623730950f) { y0 = 0.7853981633974483f; x = (x - 1.0f) / (x + 1.0f); }
  let z = x * x;
  let p = (((8.05374449538e-2f * z - 1.38776856032e-1f) * z + 1.99777106478e-1f) * z - 3.33329491539e-1f) * z * x + x;
  return select(nb_copysign(y0 + p, v), v, nb_isnan(v));
}`,
  },
  nb_asin: {
    deps: ['nb_nan', 'nb_atan'],
    code: `fn nb_asin(x: f32) -> f32 {
  if (abs(x) > 1.0f) { return nb_nan(); }
  return nb_atan(x / sqrt((1.0f - x) * (1.0f + x)));
}`,
  },
  nb_acos: {
    deps: ['nb_nan', 'nb_atan'],
    code: `fn nb_acos(x: f32) -> f32 {
  if (abs(x) > 1.0f) { return nb_nan(); }
  return 2.0f * nb_atan(sqrt((1.0f - x) / (1.0f + x)));
}`,
  },
  nb_cbrt: {
    deps: ['nb_isnan', 'nb_isinf', 'nb_copysign'],
    code: `fn nb_cbrt(x: f32) -> f32 {
  if (x == 0.0f || nb_isnan(x) || nb_isinf(x)) { return x; }
  let ax = abs(x);
  var y = exp2(log2(ax) / 3.0f);
  y = y - (y - ax / (y * y)) / 3.0f;
  return nb_copysign(y, x);
}`,
  },
  // expm1/log1p: a short series near 0, the plain formula elsewhere. (The
  // classic u = exp(x); if (u == 1) … tricks are undone by shader compilers
  // that simplify (1 + x) == 1 to x == 0, as Mesa's does.)
  // expm1 = 2^k (expm1(r) + 1) - 1 with x = k ln2 + r, |r| <= ln2/2 (Cody-Waite:
  // k * LN2_HI is exact), expm1(r) = r + r^2 (1/2 + r/6 + ...) by Taylor to r^9.
  // The old series/exp(x) - 1 switch at |x| = 0.05 was up to 68 ulp off there.
  // expm1(r) for |r| <= ln2/2 (a Taylor polynomial), and x - k ln2 (Cody-Waite, the first
  // step through nb_opq): the steps nb_expm1 and nb_exp_scaled share.
  nb_exp_parts: {
    deps: ['nb_opq'],
    code: `fn nb_expm1_small(r: f32) -> f32 {
  return r + (r * r) * (0.5f + r * (0.16666667f + r * (0.041666668f + r * (0.008333334f + r * (0.0013888889f + r * (1.984127e-4f + r * (2.4801588e-5f + r * 2.7557319e-6f)))))));
}
fn nb_ln2_reduce(x: f32, k: f32) -> f32 {
  return nb_opq(x - k * 0.693145751953125f) - k * 1.4286068203094172e-6f;
}`,
  },
  nb_expm1: {
    deps: ['nb_isnan', 'nb_inf', 'nb_exp_parts'],
    code: `fn nb_expm1(x: f32) -> f32 {
  let k = round(x * 1.4426950408889634f);
  let em = nb_expm1_small(nb_ln2_reduce(x, k));
  var y = em;
  if (k != 0.0f) {
    let p = bitcast<f32>(u32(clamp(i32(k), -126, 127) + 127) << 23u);
    y = p * em + (p - 1.0f);
    if (k > 127.0f) { y = (p * em + p) * 2.0f; }
  }
  if (abs(x) < 0.34657359f) { y = nb_expm1_small(x); }
  if (abs(x) < 1.0e-10f) { y = x; }
  if (x < -17.5f) { y = -1.0f; }
  if (x > 88.72283f) { y = nb_inf(); }
  if (nb_isnan(x)) { y = x; }
  return y;
}`,
  },
  // log(1 + x) for |x| < 0.5: near 0 a Taylor series, beyond the series of 2 atanh(s),
  // s = x / (2 + x). llvmpipe's log of a u just below 1 cancels (log(0.9999995) was 10%
  // off, log1p(-0.096) 13 ulp): log, log2, log10 and log1p take this path near 1.
  nb_ln1p_small: {
    code: `fn nb_ln1p_small(x: f32) -> f32 {
  if (abs(x) < 0.05f) {
    return x * (1.0f - x * (0.5f - x * (1.0f / 3.0f - x * (0.25f - x * (0.2f - x * (1.0f / 6.0f - x / 7.0f))))));
  }
  let s2 = 2.0f * x / (2.0f + x);
  let z = s2 * s2 * 0.25f;
  return s2 + s2 * z * (1.0f / 3.0f + z * (0.2f + z * (1.0f / 7.0f + z * (1.0f / 9.0f + z * (1.0f / 11.0f + z * (1.0f / 13.0f + z * (1.0f / 15.0f + z / 17.0f)))))));
}`,
  },
  // Beyond |x| = 0.5, log(u) for u = 1 + x rounded, corrected by what the rounding lost,
  // ((u - 1) - x) / u, exact (Sterbenz) (log(1 + x) alone was 15 ulp off). u goes through
  // nb_opq: Mesa would fold (1 + x) - 1 to x, and (1 + x) == 1 to x == 0.
  nb_log1p: {
    deps: ['nb_isnan', 'nb_nan', 'nb_inf', 'nb_opq', 'nb_ln1p_small'],
    code: `fn nb_log1p(x: f32) -> f32 {
  if (nb_isnan(x) || x < -1.0f) { return nb_nan(); }
  if (x == -1.0f) { return -nb_inf(); }
  if (abs(x) < 0.5f) { return nb_ln1p_small(x); }
  let u = nb_opq(1.0f + x);
  if (u > 1.0e30f) { return log(u); }
  return log(u) - ((u - 1.0f) - x) / u;
}`,
  },
  // One return only: with an early \`return x\` for NaN, llvmpipe miscompiled this
  // (0 for every argument) in kernels that declare a workgroup array. NaN
  // propagates through exp and the failed comparison instead.
  // exp(x) · 2^adj: x = k·ln2 + r (Cody–Waite, |r| ≤ ln2/2), exp(r) by its Taylor
  // polynomial, then 2^(k + adj) in two exact steps (the second rounds once into the
  // subnormals). WGSL's exp may be off by 3 + 2|x| ulp (llvmpipe's: 51 ulp at x = 88.6).
  nb_exp_scaled: {
    deps: ['nb_isnan', 'nb_opq', 'nb_exp_parts'],
    code: `fn nb_exp_scaled(x: f32, adj: i32) -> f32 {
  if (nb_isnan(x)) { return x; }
  let xc = clamp(x, -200.0f, 200.0f);
  let k = round(xc * 1.4426950408889634f);
  let e = 1.0f + nb_expm1_small(nb_ln2_reduce(xc, k));
  let kt = i32(k) + adj;
  let k1 = clamp(kt, -126, 127);
  let k2 = clamp(kt - k1, -126, 127);
  return nb_opq(e * bitcast<f32>(u32(k1 + 127) << 23u)) * bitcast<f32>(u32(k2 + 127) << 23u);
}`,
  },
  nb_exp: {
    deps: ['nb_exp_scaled'],
    code: `fn nb_exp(x: f32) -> f32 { return nb_exp_scaled(x, 0); }`,
  },
  nb_sinh: {
    deps: ['nb_expm1', 'nb_copysign', 'nb_exp_scaled'],
    code: `fn nb_sinh(x: f32) -> f32 {
  let ax = abs(x);
  var r = nb_exp_scaled(ax, -1);
  if (ax <= 12.0f) { let e = nb_expm1(ax); r = 0.5f * (e + e / (e + 1.0f)); }
  return nb_copysign(r, x);
}`,
  },
  // Beyond 12, exp(-|x|) is below an ulp of the result: exp(|x|)/2 alone (not exp(|x| - ln2):
  // |x| - ln2 rounded was 30 ulp off near 89).
  nb_cosh: {
    deps: ['nb_isnan', 'nb_exp_scaled'],
    code: `fn nb_cosh(x: f32) -> f32 {
  if (nb_isnan(x)) { return x; }
  let ax = abs(x);
  if (ax > 12.0f) { return nb_exp_scaled(ax, -1); }
  let e = nb_exp_scaled(ax, 0);
  return 0.5f * (e + 1.0f / e);
}`,
  },
  nb_tanh: {
    deps: ['nb_isnan', 'nb_expm1', 'nb_copysign'],
    code: `fn nb_tanh(x: f32) -> f32 {
  if (nb_isnan(x)) { return x; }
  let ax = abs(x);
  var r = 1.0f;
  if (ax < 9.0f) { let e = nb_expm1(2.0f * ax); r = e / (e + 2.0f); }
  return nb_copysign(r, x);
}`,
  },
  nb_asinh: {
    deps: ['nb_isnan', 'nb_isinf', 'nb_log1p', 'nb_copysign'],
    code: `fn nb_asinh(x: f32) -> f32 {
  if (nb_isnan(x) || nb_isinf(x)) { return x; }
  let ax = abs(x);
  var r: f32;
  if (ax > 1.0e18f) { r = log(ax) + ${LN2}; } else { r = nb_log1p(ax + ax * ax / (1.0f + sqrt(1.0f + ax * ax))); }
  return nb_copysign(r, x);
}`,
  },
  // Up to 2, log1p(t + sqrt(t (t + 2))) with t = x - 1 exact, as fdlibm: log(x + sqrt(x² - 1))
  // there was 300 ulp off at x = 1 + 1.2e-6 (fuzz seed 18001086).
  nb_acosh: {
    deps: ['nb_isnan', 'nb_nan', 'nb_log1p'],
    code: `fn nb_acosh(x: f32) -> f32 {
  if (nb_isnan(x) || x < 1.0f) { return nb_nan(); }
  if (x > 1.0e18f) { return log(x) + ${LN2}; }
  if (x > 2.0f) { return log(x + sqrt((x - 1.0f) * (x + 1.0f))); }
  let t = x - 1.0f;
  return nb_log1p(t + sqrt(t * (t + 2.0f)));
}`,
  },
  nb_atanh: {
    deps: ['nb_isnan', 'nb_nan', 'nb_log1p', 'nb_copysign'],
    code: `fn nb_atanh(x: f32) -> f32 {
  let ax = abs(x);
  if (nb_isnan(x) || ax > 1.0f) { return nb_nan(); }
  return nb_copysign(0.5f * nb_log1p(2.0f * ax / (1.0f - ax)), x);
}`,
  },
  // Math.atan2 with IEEE/JS results for zeros and infinities (WGSL leaves
  // atan2(0, 0) indeterminate; llvmpipe returns 3π/4 there).
  nb_atan2: {
    deps: ['nb_isnan', 'nb_isinf', 'nb_nan', 'nb_copysign', 'nb_atan', 'nb_div'],
    code: `fn nb_atan2(y: f32, x: f32) -> f32 {
  let pi = 3.14159265358979f;
  if (nb_isnan(y) || nb_isnan(x)) { return nb_nan(); }
  let xneg = (bitcast<u32>(x) & 0x80000000u) != 0u;
  if (y == 0.0f) { return select(y, nb_copysign(pi, y), xneg); }
  if (x == 0.0f) { return nb_copysign(pi * 0.5f, y); }
  if (nb_isinf(y)) {
    if (nb_isinf(x)) { return nb_copysign(select(pi * 0.25f, pi * 0.75f, xneg), y); }
    return nb_copysign(pi * 0.5f, y);
  }
  if (nb_isinf(x)) { return nb_copysign(select(0.0f, pi, xneg), y); }
  let a = nb_atan(nb_div(y, x));
  if (!xneg) { return a; }
  return select(a - pi, a + pi, y > 0.0f);
}`,
  },
  // Math.hypot: Infinity wins over NaN; scaled to avoid overflow.
  nb_hypot: {
    deps: ['nb_isnan', 'nb_isinf', 'nb_nan', 'nb_inf', 'nb_div'],
    code: `fn nb_hypot(a: f32, b: f32) -> f32 {
  if (nb_isinf(a) || nb_isinf(b)) { return nb_inf(); }
  if (nb_isnan(a) || nb_isnan(b)) { return nb_nan(); }
  let x = abs(a);
  let y = abs(b);
  let m = max(x, y);
  if (m == 0.0f) { return 0.0f; }
  let r = nb_div(min(x, y), m);
  return m * sqrt(1.0f + r * r);
}`,
  },
  // Math.pow: every special case of JS (x**0 = 1 even for NaN, (±1)**±Inf = NaN,
  // negative bases with integer exponents keep their sign, others give NaN).
  nb_pow: {
    deps: ['nb_isnan', 'nb_isinf', 'nb_nan', 'nb_inf', 'nb_pair_ops'],
    // the squaring loop: one pass per bit of n < 2^24, and the one that ends it. The
    // squarings run in pairs (f32 head + tail): in f32 alone a^n was ~n/2 ulp off
    // (1.0001^100000 off by 2e-3).
    passes: 25,
    code: `fn nb_pow(a: f32, b: f32) -> f32 {
  if (b == 0.0f) { return 1.0f; }
  if (nb_isnan(a) || nb_isnan(b)) { return nb_nan(); }
  let ab = abs(a);
  if (nb_isinf(b)) {
    if (ab == 1.0f) { return nb_nan(); }
    if ((ab > 1.0f) == (b > 0.0f)) { return nb_inf(); }
    return 0.0f;
  }
  let bint = floor(b) == b;
  let bodd = bint && floor(b * 0.5f) != b * 0.5f;
  let neg = (bitcast<u32>(a) & 0x80000000u) != 0u;
  if (a == 0.0f || nb_isinf(a)) {
    var r = 0.0f;
    if ((a == 0.0f) != (b > 0.0f)) { r = nb_inf(); }
    if (neg && bodd) { r = -r; }
    return r;
  }
  if (neg && !bint) { return nb_nan(); }
  // a^b = a^trunc(b) (squarings in pairs) * 2^(fract(b) * log2(a)) (small argument, accurate).
  let bi = trunc(b);
  var r = 1.0f;
  if (abs(bi) < 16777216.0f) {
    var n = u32(abs(bi));
    var base = vec2f(ab, 0.0f);
    var p = vec2f(1.0f, 0.0f);
    loop {
      if (n == 0u) { break; }
      if ((n & 1u) != 0u) { p = nb_pair_mul(p, base); }
      n = n >> 1u;
      if (n != 0u) { base = nb_pair_mul(base, base); }
    }
    r = p.x + p.y;
    // (A reciprocal of an overflowed power would be 0 where the result is subnormal.)
    if (bi < 0.0f) {
      if (nb_isinf(r)) { r = exp2(bi * log2(ab)); }
      else if (abs(p.x) > 7.8886091e-31f && abs(p.x) < 1.2676506e30f) { r = nb_pair_div(vec2f(1.0f, 0.0f), p); }
      else { r = 1.0f / r; }
    }
    let bf = b - bi;
    if (bf != 0.0f) { r = r * exp2(bf * log2(ab)); }
  } else {
    r = exp2(b * log2(ab));
  }
  if (neg && bodd) { r = -r; }
  return r;
}`,
  },
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
