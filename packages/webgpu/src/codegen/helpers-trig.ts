// WGSL helpers of the trigonometric functions (sin, cos, tan, their inverses, atan2)
// with JavaScript's results: an exact-range argument reduction (Cody-Waite, then
// Payne-Hanek for huge arguments, nb_reduce_big) and double-f32 pairs
// (nb_pair_ops) where an f32 step would round away the answer. Part of the
// registry in helpers.ts; each is emitted only when a kernel uses it.

import type { HelperDef } from './helpers.js';

export const TRIG_HELPERS: Record<string, HelperDef> = {
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
};
