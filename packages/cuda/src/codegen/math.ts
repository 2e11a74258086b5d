// One lowering per MathFn for NVPTX. Transcendentals come from libdevice
// (`__nv_*`, linked into the module); sqrt/fabs/floor/ceil/trunc are LLVM
// intrinsics NVPTX turns into single correctly rounded instructions. With
// `fastmath`, f32 uses libdevice's `__nv_fast_*` (the hardware's approximate
// instructions); without libdevice, fastmath f32 falls back to NVVM's
// approximate intrinsics (helpers in helpers-ir.ts) and everything else is refused.

import type { MathFn } from '@numbat/core';
import { sincosPart, type MathImpl, type MathTable } from '@numbat/llvm';

const nv = (name: string): MathImpl => ({ kind: 'extern', f32: `__nv_${name}f`, f64: `__nv_${name}` });
const intrinsic = (name: string): MathImpl => ({ kind: 'intrinsic', name });
const inline: MathImpl = { kind: 'inline' };

/** The libdevice lowering (exact to libdevice's documented ulp bounds). */
export const CUDA_MATH: MathTable = {
  sqrt: intrinsic('llvm.sqrt'),
  cbrt: nv('cbrt'),
  exp: nv('exp'),
  expm1: nv('expm1'),
  log: nv('log'),
  log2: nv('log2'),
  log10: nv('log10'),
  log1p: nv('log1p'),
  // through libdevice's sincos (helpers-ir.ts): one argument reduction for both, as Box-Muller
  // takes both of one angle; the bits are __nv_sinf's and __nv_cosf's (docs/backends/cuda.md)
  sin: sincosPart(0),
  cos: sincosPart(1),
  tan: nv('tan'),
  asin: nv('asin'),
  acos: nv('acos'),
  atan: nv('atan'),
  sinh: nv('sinh'),
  cosh: nv('cosh'),
  tanh: nv('tanh'),
  asinh: nv('asinh'),
  acosh: nv('acosh'),
  atanh: nv('atanh'),
  atan2: nv('atan2'),
  pow: nv('pow'),
  hypot: nv('hypot'),
  abs: intrinsic('llvm.fabs'),
  sign: inline,
  floor: intrinsic('llvm.floor'),
  ceil: intrinsic('llvm.ceil'),
  round: inline,
  trunc: intrinsic('llvm.trunc'),
  imul: inline,
  clz32: inline,
  umulhi: inline,
  // numba's math.* extras (cuda.erf …): libdevice; fma is one fma.rn instruction.
  erf: nv('erf'),
  erfc: nv('erfc'),
  gamma: nv('tgamma'),
  lgamma: nv('lgamma'),
  remainder: nv('remainder'),
  nextafter: nv('nextafter'),
  copysign: inline,
  fma: intrinsic('llvm.fma'),
  ldexp: nv('ldexp'),
  frexpMant: inline,
  frexpExp: inline,
  // JS's float `%`: legalisation writes it as this call (cuda does not declare 'float-rem':
  // NVPTX expands frem to x - trunc(x / y) * y, inexact, and NaN for a finite x % Infinity).
  fmod: nv('fmod'),
  popc: inline, bit_count: inline, clz: inline, ffs: inline, brev: inline,
};

/** f32 functions libdevice offers in a fast (approximate) form. */
const FAST_F32: Partial<Record<MathFn, string>> = {
  sin: '__nv_fast_sinf', cos: '__nv_fast_cosf', tan: '__nv_fast_tanf', exp: '__nv_fast_expf',
  log: '__nv_fast_logf', log2: '__nv_fast_log2f', log10: '__nv_fast_log10f', pow: '__nv_fast_powf',
};

/** f32 functions built from NVVM approximate intrinsics (helpers-ir.ts), for fastmath without libdevice. */
export const APPROX_F32: Partial<Record<MathFn, string>> = {
  sin: 'numbat_approx_sinf', cos: 'numbat_approx_cosf', tan: 'numbat_approx_tanf', exp: 'numbat_approx_expf',
  log: 'numbat_approx_logf', log2: 'numbat_approx_log2f', log10: 'numbat_approx_log10f', pow: 'numbat_approx_powf',
};

/** A name no definition satisfies: compile.ts refuses the kernel before it reaches LLVM. */
export const MISSING = 'numbat_missing_libdevice';

/** The table for one compilation. */
export function mathTable(o: { fastmath: boolean; libdevice: boolean }): MathTable {
  const t: Record<string, MathImpl> = { ...CUDA_MATH };
  if (!o.fastmath && o.libdevice) return t as MathTable;
  // Fast or missing forms per function (fast sin and cos are single instructions: no pair).
  t.sin = nv('sin');
  t.cos = nv('cos');
  for (const [fn, impl] of Object.entries(t) as [MathFn, MathImpl][]) {
    if (impl.kind !== 'extern') continue;
    const f32 = o.libdevice ? (o.fastmath ? FAST_F32[fn] ?? impl.f32 : impl.f32) : (o.fastmath ? APPROX_F32[fn] ?? MISSING : MISSING);
    t[fn] = { kind: 'extern', f32, f64: o.libdevice ? impl.f64 : MISSING };
  }
  return t as MathTable;
}
