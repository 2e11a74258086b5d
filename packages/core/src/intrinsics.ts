// Math.* intrinsics, each declared once: arity, type rule and the reference
// meaning (the simulator's implementation, written as a JS expression over the
// argument names a, b). Backends provide one lowering per name; a test checks
// that every backend covers every entry of MATH_FNS.

import type { ScalarType } from './types.js';
import { copysignRef, erfRef, fmaRef, frexpRef, gammaRef, ldexpRef, nextafterRef, remainderRef } from './math-ref.js';

/**
 * Type rules:
 * - 'float': float in → same float out; int/bool args → the default float.
 * - 'numeric': keeps the (joined) operand type, ints included (abs, min, floor on an int stays int).
 * - 'i32': result i32 (imul, clz32).
 * - 'u32': arguments converted to u32 (ToUint32), result u32 (umulhi).
 * - 'ldexp': a float and an i32 (ToInt32) in, the float out.
 * - 'exponent': a float in, i32 out (frexp's exponent).
 *  * - 'bits': one integer argument of any width (i32, u32, i64, u64), result i32 (popc, clz, ffs).
 * - 'bitsSame': one integer argument, result of the argument's type (brev).
 * (Math.fround is not an intrinsic: the frontend lowers it to a conversion to f32.)
 */
export type MathRule = 'float' | 'numeric' | 'i32' | 'u32' | 'ldexp' | 'exponent' | 'bits' | 'bitsSame';

export interface MathDecl {
  arity: 1 | 2 | 3;
  rule: MathRule;
  /** JS for the simulator, over a (and b); must match JS's Math exactly for f64. */
  sim: string;
  /**
   * Instead of `sim`: a self-contained function of math-ref.ts, called with the
   * arguments and then `extra` (f64) or `extraF32` (f32); its source is embedded.
   */
  ref?: { fn: (...args: never[]) => number; extra?: string; extraF32?: string };
  /** Not reachable by name: the frontend builds it (frexp's two halves). */
  hidden?: boolean;
  /** True for functions whose int form is the identity (floor(3) = 3). */
  intIdentity?: boolean;
  /** Reached as `cuda.<name>` rather than `Math.<name>` (not a JS Math function). */
  cudaOnly?: boolean;
}

// Bit intrinsics on a 32-bit number (its ToUint32 bits) or a 64-bit BigInt,
// as JS over `x`: each helper is an arrow applied to the argument.
const POPC32 = '((v) => { v = v - ((v >>> 1) & 0x55555555); v = (v & 0x33333333) + ((v >>> 2) & 0x33333333); return Math.imul((v + (v >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24; })';
const BREV32 = '((v) => { v = ((v >>> 1) & 0x55555555) | ((v & 0x55555555) << 1); v = ((v >>> 2) & 0x33333333) | ((v & 0x33333333) << 2); v = ((v >>> 4) & 0x0f0f0f0f) | ((v & 0x0f0f0f0f) << 4); v = ((v >>> 8) & 0x00ff00ff) | ((v & 0x00ff00ff) << 8); return ((v >>> 16) | (v << 16)) >>> 0; })';
const FFS32 = '((v) => 32 - Math.clz32(v & -v))';
const LO = 'Number(x & 0xffffffffn)', HI = 'Number((x >> 32n) & 0xffffffffn)';
/** `on32` over `v` (a u32), `on64` over `x` (a BigInt), chosen by the argument's kind. */
const bits = (on32: string, on64: string): string => `((x) => typeof x === 'bigint' ? ${on64} : ((v) => ${on32})(x >>> 0))(a)`;

export const MATH_DECLS = {
  sqrt: { arity: 1, rule: 'float', sim: 'Math.sqrt(a)' },
  cbrt: { arity: 1, rule: 'float', sim: 'Math.cbrt(a)' },
  exp: { arity: 1, rule: 'float', sim: 'Math.exp(a)' },
  expm1: { arity: 1, rule: 'float', sim: 'Math.expm1(a)' },
  log: { arity: 1, rule: 'float', sim: 'Math.log(a)' },
  log2: { arity: 1, rule: 'float', sim: 'Math.log2(a)' },
  log10: { arity: 1, rule: 'float', sim: 'Math.log10(a)' },
  log1p: { arity: 1, rule: 'float', sim: 'Math.log1p(a)' },
  sin: { arity: 1, rule: 'float', sim: 'Math.sin(a)' },
  cos: { arity: 1, rule: 'float', sim: 'Math.cos(a)' },
  tan: { arity: 1, rule: 'float', sim: 'Math.tan(a)' },
  asin: { arity: 1, rule: 'float', sim: 'Math.asin(a)' },
  acos: { arity: 1, rule: 'float', sim: 'Math.acos(a)' },
  atan: { arity: 1, rule: 'float', sim: 'Math.atan(a)' },
  sinh: { arity: 1, rule: 'float', sim: 'Math.sinh(a)' },
  cosh: { arity: 1, rule: 'float', sim: 'Math.cosh(a)' },
  tanh: { arity: 1, rule: 'float', sim: 'Math.tanh(a)' },
  asinh: { arity: 1, rule: 'float', sim: 'Math.asinh(a)' },
  acosh: { arity: 1, rule: 'float', sim: 'Math.acosh(a)' },
  atanh: { arity: 1, rule: 'float', sim: 'Math.atanh(a)' },
  atan2: { arity: 2, rule: 'float', sim: 'Math.atan2(a, b)' },
  pow: { arity: 2, rule: 'float', sim: 'Math.pow(a, b)' },
  hypot: { arity: 2, rule: 'float', sim: 'Math.hypot(a, b)' },
  abs: { arity: 1, rule: 'numeric', sim: 'Math.abs(a)' },
  sign: { arity: 1, rule: 'numeric', sim: 'Math.sign(a)' },
  floor: { arity: 1, rule: 'numeric', sim: 'Math.floor(a)', intIdentity: true },
  ceil: { arity: 1, rule: 'numeric', sim: 'Math.ceil(a)', intIdentity: true },
  round: { arity: 1, rule: 'numeric', sim: 'Math.round(a)', intIdentity: true },
  trunc: { arity: 1, rule: 'numeric', sim: 'Math.trunc(a)', intIdentity: true },
  imul: { arity: 2, rule: 'i32', sim: 'Math.imul(a, b)' },
  clz32: { arity: 1, rule: 'i32', sim: 'Math.clz32(a)' },
  // CUDA's __umulhi: the high 32 bits of the 64-bit product. The product
  // exceeds 2^53, so the reference splits it into 16-bit halves (exact).
  umulhi: {
    arity: 2, rule: 'u32', cudaOnly: true,
    sim: '((x, y) => { const xh = x >>> 16, xl = x & 65535, yh = y >>> 16, yl = y & 65535; return (xh * yh + Math.floor((xh * yl + xl * yh + ((xl * yl) >>> 16)) / 65536)) >>> 0; })(a >>> 0, b >>> 0)',
  },
  // numba's math.* functions JS's Math lacks, as cuda.<name> (math-ref.ts holds
  // their reference meaning; f32 forms are the f64 result rounded, or computed
  // at f32 precision where rounding twice would differ: nextafter, fma, ldexp).
  erf: { arity: 1, rule: 'float', cudaOnly: true, sim: '', ref: { fn: erfRef, extra: 'false' } },
  erfc: { arity: 1, rule: 'float', cudaOnly: true, sim: '', ref: { fn: erfRef, extra: 'true' } },
  gamma: { arity: 1, rule: 'float', cudaOnly: true, sim: '', ref: { fn: gammaRef, extra: 'false' } },
  lgamma: { arity: 1, rule: 'float', cudaOnly: true, sim: '', ref: { fn: gammaRef, extra: 'true' } },
  remainder: { arity: 2, rule: 'float', cudaOnly: true, sim: '', ref: { fn: remainderRef } },
  nextafter: { arity: 2, rule: 'float', cudaOnly: true, sim: '', ref: { fn: nextafterRef, extra: 'false', extraF32: 'true' } },
  copysign: { arity: 2, rule: 'float', cudaOnly: true, sim: '', ref: { fn: copysignRef } },
  fma: { arity: 3, rule: 'float', cudaOnly: true, sim: '', ref: { fn: fmaRef, extra: 'false', extraF32: 'true' } },
  ldexp: { arity: 2, rule: 'ldexp', cudaOnly: true, sim: '', ref: { fn: ldexpRef, extra: 'false', extraF32: 'true' } },
  frexpMant: { arity: 1, rule: 'float', cudaOnly: true, hidden: true, sim: '', ref: { fn: frexpRef, extra: 'false' } },
  frexpExp: { arity: 1, rule: 'exponent', cudaOnly: true, hidden: true, sim: '', ref: { fn: frexpRef, extra: 'true' } },
  // JS's float `%` (C's fmod, exact) as a library call: legalisation writes float `rem` as this
  // on targets that do not declare 'float-rem' native (legalize/native.ts).
  fmod: { arity: 2, rule: 'float', cudaOnly: true, hidden: true, sim: 'a % b' },
  // Bit intrinsics (numba's cuda.popc, cuda.brev, cuda.clz, cuda.ffs; bit_count = popc), on
  // 32-bit (the ToUint32 bits) and 64-bit operands. ffs is 1-based, 0 for zero.
  popc: { arity: 1, rule: 'bits', cudaOnly: true, sim: bits(`${POPC32}(v)`, `${POPC32}(${LO}) + ${POPC32}(${HI})`) },
  bit_count: { arity: 1, rule: 'bits', cudaOnly: true, sim: bits(`${POPC32}(v)`, `${POPC32}(${LO}) + ${POPC32}(${HI})`) },
  clz: { arity: 1, rule: 'bits', cudaOnly: true, sim: bits('Math.clz32(v)', `(${HI} !== 0 ? Math.clz32(${HI}) : 32 + Math.clz32(${LO}))`) },
  ffs: { arity: 1, rule: 'bits', cudaOnly: true, sim: bits(`${FFS32}(v)`, `(${LO} !== 0 ? ${FFS32}(${LO}) : ${HI} !== 0 ? 32 + ${FFS32}(${HI}) : 0)`) },
  brev: { arity: 1, rule: 'bitsSame', cudaOnly: true, sim: bits(`${BREV32}(v)`, `((BigInt(${BREV32}(${LO})) << 32n) | BigInt(${BREV32}(${HI})))`) },
} as const satisfies Record<string, MathDecl>;

export type MathFn = keyof typeof MATH_DECLS;
export const MATH_FNS = Object.keys(MATH_DECLS) as MathFn[];
const isDeclared = (s: string): s is MathFn => Object.prototype.hasOwnProperty.call(MATH_DECLS, s);
/** A `Math.<s>` function kernels support. */
export const isMathFn = (s: string): s is MathFn => isDeclared(s) && !(MATH_DECLS[s] as MathDecl).cudaOnly;
/** A `cuda.<s>` function declared in MATH_DECLS (umulhi). */
export const isCudaMathFn = (s: string): s is MathFn => isDeclared(s) && !!(MATH_DECLS[s] as MathDecl).cudaOnly && !(MATH_DECLS[s] as MathDecl).hidden;

/** Math constants become literals of the default float. */
export const MATH_CONSTANTS: Record<string, number> = {
  PI: Math.PI, E: Math.E, LN2: Math.LN2, LN10: Math.LN10, LOG2E: Math.LOG2E,
  LOG10E: Math.LOG10E, SQRT2: Math.SQRT2, SQRT1_2: Math.SQRT1_2,
};

/**
 * Argument and result types of a call, given the argument types (after joining
 * for two-argument numeric functions). Returns the type the arguments are
 * converted to and the result type.
 */
export function mathSignature(fn: MathFn, argTypes: ScalarType[], defaultFloat: 'f32' | 'f64'): { arg: ScalarType; result: ScalarType; args?: ScalarType[] } {
  const d: MathDecl = MATH_DECLS[fn];
  if (d.rule === 'ldexp') {
    const t = argTypes[0] === 'f32' || argTypes[0] === 'f64' ? argTypes[0] : defaultFloat;
    return { arg: t, result: t, args: [t, 'i32'] };
  }
  const joined = argTypes.reduce((x, y) => joinNumeric(x, y));
  switch (d.rule) {
    case 'float': {
      const t = joined === 'f32' || joined === 'f64' ? joined : defaultFloat;
      return { arg: t, result: t };
    }
    case 'numeric': {
      const t = joined === 'bool' ? 'i32' : joined;
      return { arg: t, result: t };
    }
    case 'exponent': return { arg: joined === 'f32' || joined === 'f64' ? joined : defaultFloat, result: 'i32' };
    case 'i32': return { arg: 'i32', result: 'i32' };
    case 'bits': case 'bitsSame': {
      const t = joined === 'i64' || joined === 'u64' || joined === 'u32' ? joined : 'i32';
      return { arg: t, result: d.rule === 'bits' ? 'i32' : t };
    }
    case 'u32': return { arg: 'u32', result: 'u32' };
  }
}

/** Join for operands of one operation. i32 and u32 never meet here (the frontend refuses it). */
export function joinNumeric(a: ScalarType, b: ScalarType): ScalarType {
  if (a === b) return a;
  if (a === 'f64' || b === 'f64') return 'f64';
  if (a === 'f32' || b === 'f32') return 'f32';
  if (a === 'bool') return b;
  if (b === 'bool') return a;
  return a; // i32 vs u32: caller handles
}
