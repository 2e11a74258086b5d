// Vector forms of the library math functions for lane groups (see
// lane-vectors.ts). Functions without one here run lane by lane through the
// scalar lowering (libm).

import type { MathFn, ScalarType } from '@numbat/core';
import type { LLVMNS } from '@numbat/llvm';
import type { VectorEmitter } from './lane-vectors.js';

/** A vector kernel for `fn` on `t`, or undefined (then the caller goes lane by lane). */
export function vectorMathKernel(_ve: VectorEmitter, _fn: MathFn, _t: ScalarType, _args: LLVMNS.Value[]): LLVMNS.Value | undefined {
  return undefined;
}
