// One WGSL lowering per Math.* intrinsic (a test checks that every MATH_FNS
// entry has one). Float forms get f32 arguments (WGSL has no f64; the backend
// refuses f64 before this point); 'numeric' forms may also get i32/u32.

import type { MathFn, ScalarType } from '@numbat/core';
import type { HelperSet } from './helpers.js';

export type MathLowering = (args: string[], type: ScalarType, helpers: HelperSet, fastmath: boolean) => string;

/** A float function implemented by a WGSL builtin whose edge cases already match JS on f32. */
const builtin = (name: string): MathLowering => (a) => `${name}(${a[0]})`;
/** A helper from helpers.ts, or with fastmath: true the WGSL builtin (vendor precision). */
const precise = (name: string, fast: string): MathLowering => (a, _t, h, fastmath) => (fastmath ? `${fast}(${a[0]})` : `${h.use(name)}(${a[0]})`);
/** A float function implemented by a helper from helpers.ts. */
const helper = (name: string): MathLowering => (a, _t, h) => `${h.use(name)}(${a.join(', ')})`;
/** Written as simpler IR by core's legalisation before the emitter runs. */
const legalised = (fn: string): MathLowering => () => {
  throw new Error(`numbat internal error: Math.${fn} reached the WGSL emitter (core's legalisation writes it as simpler IR)`);
};
/** Math.floor & co: identity on integers (JS gives the same integer back). */
const rounding = (floatForm: MathLowering): MathLowering => (a, t, h, fast) => (t === 'f32' ? floatForm(a, t, h, fast) : a[0]);


export const MATH_LOWERING: Record<MathFn, MathLowering> = {
  sqrt: helper('nb_sqrt'),
  cbrt: helper('nb_cbrt'),
  exp: precise('nb_exp', 'exp'),
  expm1: helper('nb_expm1'),
  log: helper('nb_log'),
  log2: helper('nb_log2'),
  log10: helper('nb_log10'),
  log1p: helper('nb_log1p'),
  sin: precise('nb_sin', 'sin'),
  cos: precise('nb_cos', 'cos'),
  tan: precise('nb_tan', 'tan'),
  asin: helper('nb_asin'),
  acos: helper('nb_acos'),
  atan: helper('nb_atan'),
  sinh: helper('nb_sinh'),
  cosh: helper('nb_cosh'),
  tanh: helper('nb_tanh'),
  asinh: helper('nb_asinh'),
  acosh: helper('nb_acosh'),
  atanh: helper('nb_atanh'),
  atan2: helper('nb_atan2'),
  pow: helper('nb_pow'),
  hypot: helper('nb_hypot'),
  // abs(INT_MIN) wraps to INT_MIN in WGSL, as (Math.abs(x) | 0) does in JS.
  abs: (a, t) => (t === 'u32' ? a[0] : `abs(${a[0]})`),
  sign: legalised('sign'),
  floor: rounding(builtin('floor')),
  ceil: rounding(builtin('ceil')),
  round: rounding(legalised('round')),
  trunc: rounding(builtin('trunc')),
  imul: (a) => `(${a[0]} * ${a[1]})`,
  clz32: (a) => `i32(countLeadingZeros(bitcast<u32>(${a[0]})))`,
  // 16-bit pieces in u32 arithmetic (core's 'umulhi' rule; webgpu has no 64-bit product).
  umulhi: legalised('umulhi'),
  // numba's math.* extras (cuda.*); erf, erfc, gamma and lgamma come from core's f32 library (legalised).
  copysign: helper('nb_copysign_js'),
  nextafter: helper('nb_nextafter'),
  remainder: helper('nb_remainder'),
  ldexp: helper('nb_ldexp'),
  frexpMant: helper('nb_frexp_mant'),
  frexpExp: helper('nb_frexp_exp'),
  // JS's float `%` (WGSL's `%` is x - y * trunc(x / y), inexact): legalisation writes it as this call.
  fmod: helper('nb_fmod'),
  fma: helper('nb_fma'),
  erf: legalised('erf'), erfc: legalised('erfc'), gamma: legalised('gamma'), lgamma: legalised('lgamma'),
  // Bit intrinsics on 32-bit operands (64-bit ones are refused with the rest of i64 on webgpu).
  popc: (a, _t, h) => `${h.use('nb_popc')}(bitcast<u32>(${a[0]}))`,
  bit_count: (a, _t, h) => `${h.use('nb_popc')}(bitcast<u32>(${a[0]}))`,
  clz: (a) => `i32(countLeadingZeros(bitcast<u32>(${a[0]})))`,
  // firstTrailingBit(0) is 0xffffffff: + 1 wraps to numba's 0.
  ffs: (a) => `bitcast<i32>(firstTrailingBit(bitcast<u32>(${a[0]})) + 1u)`,
  brev: (a) => `reverseBits(${a[0]})`,
};
