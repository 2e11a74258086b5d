// Vector forms of the library math functions for lane groups (see
// lane-vectors.ts): exp, log, sin and cos call vector kernels of their own
// (lane-math-ir.ts, a helper module compile.ts links in when the kernel
// declares them). Functions without one here run lane by lane through the
// scalar lowering (libm).

import type { MathFn, ScalarType } from '@numbat/core';
import type { LLVMNS } from '@numbat/llvm';
import type { VectorEmitter } from './lane-vectors.js';
import { LANE_MATH_FNS, laneMathName, type LaneMathFn } from './lane-math-ir.js';

/** A vector kernel for `fn` on `t`, or undefined (then the caller goes lane by lane). */
export function vectorMathKernel(ve: VectorEmitter, fn: MathFn, t: ScalarType, args: LLVMNS.Value[]): LLVMNS.Value | undefined {
  if ((t !== 'f32' && t !== 'f64') || !(LANE_MATH_FNS as readonly MathFn[]).includes(fn)) return undefined;
  return ve.call(laneMathName(fn as LaneMathFn, ve.vt.W, t), ve.scalar(t), args);
}
