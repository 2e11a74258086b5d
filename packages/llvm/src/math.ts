// One lowering per MathFn (core/src/intrinsics.ts). An entry says how the
// float form is computed; the integer forms (abs, floor... on i32/u32, imul,
// clz32, umulhi) are written once in lower.ts, and the JS-exact wrappers
// (round, sign, pow's NaN cases) in core's legalisation (core/src/legalize). A target swaps names (libm on the CPU, libdevice
// `__nv_*` on CUDA) by providing its own table.

import type { MathFn } from '@numbat/core';

export type MathImpl =
  /** An LLVM intrinsic, suffixed by type: `llvm.sqrt` → `llvm.sqrt.f32` / `llvm.sqrt.f64`. */
  | { kind: 'intrinsic'; name: string }
  /** An external function (libm, libdevice) per float type. */
  | { kind: 'extern'; f32: string; f64: string }
  /**
   * Result `part` (0: sin, 1: cos) of a function returning both of one argument as `{ T, T }`. A
   * target whose library computes the two with one argument reduction (libdevice's sincos) defines
   * it `readnone` in its helper module: the sin and the cos of one argument are then two calls the
   * pipeline's early CSE (before inlining) makes one; a lone sin or cos costs what it did.
   */
  | { kind: 'pair'; f32: string; f64: string; part: 0 | 1 }
  /** Not a call: lowered inline by lower.ts, or legalised by core before it (round, sign). */
  | { kind: 'inline' };

export type MathTable = Readonly<Record<MathFn, MathImpl>>;

/** The `pair` functions a target defines with sincosWrapperIR: sin and cos of one argument together. */
export const SINCOS_FNS = { f32: 'numbat_sincosf', f64: 'numbat_sincos' } as const;

/** Result `part` (0: sin, 1: cos) of SINCOS_FNS. */
export const sincosPart = (part: 0 | 1): MathImpl => ({ kind: 'pair', ...SINCOS_FNS, part });

/**
 * The definition of SINCOS_FNS[t] for a target's helper module, from the library's
 * `void lib(x, *sin, *cos)` (libdevice's `__nv_sincosf`, libm's `sincosf`). `readnone` (its
 * stores are to its own allocas) so that two calls on one argument are one before inlining.
 */
export function sincosWrapperIR(t: 'f32' | 'f64', lib: string): string {
  const T = t === 'f32' ? 'float' : 'double';
  return `declare void @${lib}(${T}, ${T}*, ${T}*)
define { ${T}, ${T} } @${SINCOS_FNS[t]}(${T} %x) alwaysinline nounwind readnone willreturn {
  %s = alloca ${T}
  %c = alloca ${T}
  call void @${lib}(${T} %x, ${T}* %s, ${T}* %c)
  %sv = load ${T}, ${T}* %s
  %cv = load ${T}, ${T}* %c
  %r0 = insertvalue { ${T}, ${T} } undef, ${T} %sv, 0
  %r1 = insertvalue { ${T}, ${T} } %r0, ${T} %cv, 1
  ret { ${T}, ${T} } %r1
}`;
}

const libm = (name: string): MathImpl => ({ kind: 'extern', f32: `${name}f`, f64: name });
const intrinsic = (name: string): MathImpl => ({ kind: 'intrinsic', name });
const inline: MathImpl = { kind: 'inline' };

/** Host (C library) lowering: LLVM intrinsics where they exist and are exact, libm otherwise. */
export const LIBM_MATH: MathTable = {
  sqrt: intrinsic('llvm.sqrt'),
  cbrt: libm('cbrt'),
  exp: libm('exp'),
  expm1: libm('expm1'),
  log: libm('log'),
  log2: libm('log2'),
  log10: libm('log10'),
  log1p: libm('log1p'),
  sin: libm('sin'),
  cos: libm('cos'),
  tan: libm('tan'),
  asin: libm('asin'),
  acos: libm('acos'),
  atan: libm('atan'),
  sinh: libm('sinh'),
  cosh: libm('cosh'),
  tanh: libm('tanh'),
  asinh: libm('asinh'),
  acosh: libm('acosh'),
  atanh: libm('atanh'),
  atan2: libm('atan2'),
  pow: libm('pow'),
  hypot: libm('hypot'),
  abs: intrinsic('llvm.fabs'),
  sign: inline,
  floor: intrinsic('llvm.floor'),
  ceil: intrinsic('llvm.ceil'),
  round: inline,
  trunc: intrinsic('llvm.trunc'),
  imul: inline,
  clz32: inline,
  umulhi: inline,
  // numba's math.* extras (cuda.erf …): glibc's functions; fma and copysign are LLVM's.
  erf: libm('erf'),
  erfc: libm('erfc'),
  gamma: libm('tgamma'),
  lgamma: libm('lgamma'),
  remainder: libm('remainder'),
  nextafter: libm('nextafter'),
  copysign: inline,
  fma: intrinsic('llvm.fma'),
  ldexp: libm('ldexp'),
  frexpMant: inline,
  frexpExp: inline,
  fmod: libm('fmod'),
  popc: inline, bit_count: inline, clz: inline, ffs: inline, brev: inline,
};
