// WGSL helpers of the exponential and logarithmic family (log, log2, log10, log1p,
// exp, expm1, the hyperbolic functions and their inverses, cbrt, hypot, Math.pow's
// polyfill) with JavaScript's results. Part of the registry in helpers.ts; each is
// emitted only when a kernel uses it.

import type { HelperDef } from './helpers.js';

const LN2 = '0.6931471805599453f';

export const EXP_LOG_HELPERS: Record<string, HelperDef> = {
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
};
