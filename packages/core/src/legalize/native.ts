// The JS-exact operation families legalisation can express in simpler IR. A
// backend lists in `caps.native` the ones it renders itself; core rewrites the
// rest (rules.ts), so the backend only ever sees their simple forms.

export const NATIVE_OPS = [
  /** Integer truncdiv/floordiv/rem with JS's results for x / 0 and INT_MIN / -1. Without it: plain division by a divisor made safe. */
  'int-division',
  /** shl/shr/ushr by any count (masked by 31). Without it: counts are in [0, 31]. */
  'shift-count',
  /** Float min/max: NaN if either is NaN, -0 below +0. Without it: selects over ordered comparisons. */
  'float-minmax',
  /** float → bool is JS truthiness (false for ±0 and NaN). Without it: comparisons. */
  'truthiness',
  /** float → i32/u32 is ToInt32/ToUint32 (wrap mod 2^32, NaN/±Infinity → 0). Without it: only values in [0, 2^32) are converted, to u32. */
  'float-to-int',
  /** Math.round (half up, -0 kept) and Math.sign (NaN, ±0 kept). Without them: floor and selects. */
  'math-round', 'math-sign',
  /** Math.pow with JS's NaN cases (x ** NaN, (±1) ** ±Infinity). Without it: C's pow plus a select (f64 without 'math-f64-v8': core's library, V8's pow). */
  'math-pow',
  /**
   * cuda.erf/erfc/gamma/lgamma on f32 from the target's own math library (libm's erff,
   * libdevice). Without it: core's f32 implementations (erf-gamma-f32.ts). f64 forms
   * always come from the target (a target without f64 refuses them with the rest of f64).
   */
  'math-erf-gamma',
  /** Float `%` is JS's exact fmod (x % ±Infinity is x, no fused or rounded quotient). Without it: a call of the target's exact fmod library function (the hidden Math entry `fmod`). */
  'float-rem',
  /** cuda.umulhi: the high word of the 64-bit u32 product in one instruction (a 64-bit multiply). Without it: 16-bit pieces in u32 arithmetic. */
  'umulhi',
  /**
   * Atomic min/max on f32/f64 with Math.min/max's meaning (NaN propagates, -0 below +0) as one
   * target operation. Without it: a compare-and-swap loop over the target's float `cas`.
   */
  'atomic-float-minmax',
  /**
   * A store into an i8/u8/i16/u16 array keeps the value's low 8/16 bits by itself (a truncating
   * store: ToInt8/ToUint8/ToInt16/ToUint16). Without it: the value arrives already wrapped into
   * the element's range (i32 shifts and masks), so the target only places the bits; a load of
   * such an element is the element's value, sign- or zero-extended by the target as its layout
   * dictates (both are the element's value once every store is in range).
   */
  'narrow-store',
  /** Math's f64 functions with V8's bits (its fdlibm port). Without it: core's f64 library (fdlibm.ts) for the ones it covers. */
  'math-f64-v8',
  /**
   * The target's own f64 exp, log, sin and cos, within 2 ulp, for calls marked `ulp` (MathExpr:
   * core's random library). Without it: such calls get V8's bits like any other (fdlibm.ts).
   */
  'math-f64-ulp',
] as const;
export type NativeOp = (typeof NATIVE_OPS)[number];

/** Everything native: what the simulator (the oracle, running semantics.ts directly) declares. */
export const ALL_NATIVE: readonly NativeOp[] = NATIVE_OPS;
