// WGSL helpers of the cuda.* math functions JS's Math lacks (copysign,
// nextafter, remainder, ldexp, frexp, fma): bit operations and exact steps, so
// they match the simulator exactly (one return each: llvmpipe miscompiled
// helpers that return early, see docs/backends/webgpu.md).

import type { HelperDef } from './helpers.js';

export const MATH_EXTRA_HELPERS: Record<string, HelperDef> = {
  // copysign with JS's view of the sign: a NaN y counts as positive.
  nb_copysign_js: {
    deps: ['nb_isnan'],
    code: `fn nb_copysign_js(x: f32, y: f32) -> f32 {
  let s = select(0u, 0x80000000u, (bitcast<u32>(y) & 0x80000000u) != 0u && !nb_isnan(y));
  return bitcast<f32>((bitcast<u32>(x) & 0x7fffffffu) | s);
}`,
  },
  nb_nextafter: {
    deps: ['nb_isnan', 'nb_nan'],
    code: `fn nb_nextafter(x: f32, y: f32) -> f32 {
  var r = y;
  let ux = bitcast<u32>(x);
  if (nb_isnan(x) || nb_isnan(y)) { r = nb_nan(); }
  else if ((ux & 0x7fffffffu) == 0u && (bitcast<u32>(y) & 0x7fffffffu) != 0u) { r = bitcast<f32>((bitcast<u32>(y) & 0x80000000u) | 1u); }
  else if (x != y && (ux & 0x7fffffffu) != 0u) { r = bitcast<f32>(select(ux - 1u, ux + 1u, (y > x) == (x > 0.0f))); }
  return r;
}`,
  },
  // IEEE remainder from the exact fmod by 2|y| and at most two exact subtractions.
  nb_remainder: {
    deps: ['nb_fmod', 'nb_isnan', 'nb_isinf', 'nb_nan'],
    code: `fn nb_remainder(x: f32, y: f32) -> f32 {
  let ay = abs(y);
  var r = abs(x);
  if (ay < 1.7014118e38f) { r = abs(nb_fmod(x, 2.0f * ay)); }
  var odd = false;
  if (r >= ay) { r = r - ay; odd = true; }
  if (2.0f * r > ay || (2.0f * r == ay && odd)) { r = r - ay; }
  var out = bitcast<f32>(bitcast<u32>(r) ^ (bitcast<u32>(x) & 0x80000000u));
  if (nb_isnan(x) || nb_isnan(y) || nb_isinf(x) || ay == 0.0f) { out = nb_nan(); }
  else if (nb_isinf(y)) { out = x; }
  return out;
}`,
  },
  // x * 2^n in steps that keep x normal until the last multiplication (one rounding).
  // Each step goes through nb_opq: Mesa folds (x * 2^127) * 2^127 into x * Inf, NaN for x = 0
  // (fuzz seed 7600048: ldexp(0, 1000000) was NaN on llvmpipe), the last one too: Mesa folded
  // it into the next multiplication by a constant, the outer ldexp's or a `* 0.5` (fuzz seed 14004248).
  nb_ldexp: {
    deps: ['nb_opq'],
    code: `fn nb_ldexp(x: f32, n: i32) -> f32 {
  var k = clamp(n, -400, 400);
  var y = x;
  if (k > 127) { y = nb_opq(y * 1.7014118e38f); k = k - 127; if (k > 127) { y = nb_opq(y * 1.7014118e38f); k = k - 127; k = min(k, 127); } }
  else if (k < -126) { y = nb_opq(y * bitcast<f32>(25u << 23u)); k = k + 102; if (k < -126) { y = nb_opq(y * bitcast<f32>(25u << 23u)); k = k + 102; k = max(k, -126); } }
  return nb_opq(y * bitcast<f32>(u32(k + 127) << 23u));
}`,
  },
  nb_frexp_mant: {
    code: `fn nb_frexp_mant(x: f32) -> f32 {
  let a = abs(x);
  var r = x;
  if (a > 0.0f && bitcast<u32>(a) < 0x7f800000u) {
    let xs = select(x, x * 33554432.0f, a < 1.1754944e-38f);
    r = bitcast<f32>((bitcast<u32>(xs) & 0x807fffffu) | (126u << 23u));
  }
  return r;
}`,
  },
  nb_frexp_exp: {
    code: `fn nb_frexp_exp(x: f32) -> i32 {
  let a = abs(x);
  var e = 0;
  if (a > 0.0f && (bitcast<u32>(a) < 0x7f800000u)) {
    let sub = a < 1.1754944e-38f;
    let xs = select(a, a * 33554432.0f, sub);
    e = i32((bitcast<u32>(xs) >> 23u) & 0xffu) - select(126, 151, sub);
  }
  return e;
}`,
  },
  // Error-free transforms in f32 (Dekker, Knuth). Every step passes through
  // nb_opq: Mesa would fold c - (c - a) to a and (s - a) - s to -a.
  nb_two_prod_err: {
    deps: ['nb_opq'],
    code: `fn nb_two_prod_err(a: f32, b: f32, p: f32) -> f32 {
  let ca = nb_opq(4097.0f * a);
  let ah = nb_opq(ca - nb_opq(ca - a));
  let al = nb_opq(a - ah);
  let cb = nb_opq(4097.0f * b);
  let bh = nb_opq(cb - nb_opq(cb - b));
  let bl = nb_opq(b - bh);
  return nb_opq(nb_opq(nb_opq(nb_opq(nb_opq(ah * bh) - p) + nb_opq(ah * bl)) + nb_opq(al * bh)) + nb_opq(al * bl));
}`,
  },
  nb_two_sum_err: {
    deps: ['nb_opq'],
    code: `fn nb_two_sum_err(a: f32, b: f32, s: f32) -> f32 {
  let v = nb_opq(s - a);
  return nb_opq(nb_opq(a - nb_opq(s - v)) + nb_opq(b - v));
}`,
  },
  // a + b rounded to odd (if inexact, the neighbour with an odd last bit).
  nb_add_odd: {
    deps: ['nb_opq', 'nb_two_sum_err'],
    code: `fn nb_add_odd(a: f32, b: f32) -> f32 {
  let s = nb_opq(a + b);
  let e = nb_two_sum_err(a, b, s);
  let u = bitcast<u32>(s);
  var r = s;
  if (e != 0.0f && (u & 1u) == 0u) { r = bitcast<f32>(select(u - 1u, u + 1u, (e > 0.0f) == (s > 0.0f))); }
  return r;
}`,
  },
  // a * b + c rounded once (Boldo & Melquiond, "Emulation of FMA and correctly
  // rounded sums: proved algorithms using rounding to odd", 2008): the exact
  // product uh + ul, th + tl = c + uh exactly, then th + RO(tl + ul) rounds
  // correctly. a and b are scaled to [0.5, 1) so no step overflows or
  // underflows; a c far below the product only breaks ties, so 2^-60 with its
  // sign stands for it. A subnormal result is rounded twice (at most one
  // subnormal step off; GPUs may flush subnormals anyway).
  nb_fma: {
    deps: ['nb_opq', 'nb_isnan', 'nb_isinf', 'nb_frexp_mant', 'nb_frexp_exp', 'nb_ldexp', 'nb_two_prod_err', 'nb_two_sum_err', 'nb_add_odd', 'nb_copysign_js'],
    code: `fn nb_fma(a: f32, b: f32, c: f32) -> f32 {
  var r = nb_opq(nb_opq(a * b) + c);
  let special = nb_isnan(a) || nb_isnan(b) || nb_isnan(c) || nb_isinf(a) || nb_isinf(b) || nb_isinf(c) || a == 0.0f || b == 0.0f;
  // A finite a * b that overflows f32 still leaves an infinite c as the result.
  if (nb_isinf(c) && !nb_isnan(a) && !nb_isnan(b) && !nb_isinf(a) && !nb_isinf(b)) { r = c; }
  if (!special && c == 0.0f) { r = nb_opq(a * b); }
  if (!special && c != 0.0f) {
    let e = nb_frexp_exp(a) + nb_frexp_exp(b);
    let ec = nb_frexp_exp(c) - e;
    if (ec > 60) { r = c; }
    else {
      var cs = nb_ldexp(c, -e);
      if (ec < -60) { cs = nb_copysign_js(bitcast<f32>(67u << 23u), c); }
      let ma = nb_frexp_mant(a);
      let mb = nb_frexp_mant(b);
      let uh = nb_opq(ma * mb);
      let ul = nb_two_prod_err(ma, mb, uh);
      let th = nb_opq(cs + uh);
      let tl = nb_two_sum_err(cs, uh, th);
      r = nb_ldexp(nb_opq(th + nb_add_odd(tl, ul)), e);
    }
  }
  return r;
}`,
  },
};
