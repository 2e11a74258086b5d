// WGSL helpers of the cuda.* math functions JS's Math lacks (copysign,
// nextafter, remainder, ldexp, frexp): bit operations and exact steps, so
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
  nb_ldexp: {
    code: `fn nb_ldexp(x: f32, n: i32) -> f32 {
  var k = clamp(n, -400, 400);
  var y = x;
  if (k > 127) { y = y * 1.7014118e38f; k = k - 127; if (k > 127) { y = y * 1.7014118e38f; k = k - 127; k = min(k, 127); } }
  else if (k < -126) { y = y * bitcast<f32>(25u << 23u); k = k + 102; if (k < -126) { y = y * bitcast<f32>(25u << 23u); k = k + 102; k = max(k, -126); } }
  return y * bitcast<f32>(u32(k + 127) << 23u);
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
};
