// Vector forms of the library math functions for lane groups (see
// lane-vectors.ts): exp, log, sin and cos call vector kernels of their own
// (lane-math-ir.ts, a helper module compile.ts links in when the kernel
// declares them). Functions without one here run lane by lane through the
// scalar lowering (libm).

import type { MathFn, ScalarType } from '@numbat/core';
import type { LLVMNS } from '@numbat/llvm';
import type { VectorEmitter } from './lane-vectors.js';
import { LANE_MATH_FNS, laneMathName, sinCosName, umulhiName, type LaneMathFn } from './lane-math-ir.js';
import { hostTarget } from './target.js';

/**
 * A vector kernel for `fn` on `t`, or undefined (then the caller goes lane by lane). `paired`:
 * an f32 sin or cos the kernel also takes the other of, same argument (lane-trig-pairs.ts):
 * its part of the sin-and-cos kernel, which the partner calls too (one call after CSE).
 */
export function vectorMathKernel(ve: VectorEmitter, fn: MathFn, t: ScalarType, args: LLVMNS.Value[], paired = false): LLVMNS.Value | undefined {
  if ((t !== 'f32' && t !== 'f64') || !(LANE_MATH_FNS as readonly MathFn[]).includes(fn)) return undefined;
  if (paired && t === 'f32' && (fn === 'sin' || fn === 'cos')) {
    const both = ve.call(sinCosName(ve.vt.W), ve.llvm.StructType.get(ve.ctx, [ve.vt.f32, ve.vt.f32]), args);
    return ve.b.CreateExtractValue(both, [fn === 'sin' ? 0 : 1]);
  }
  return ve.call(laneMathName(fn as LaneMathFn, ve.vt.W, t), ve.scalar(t), args);
}

/**
 * cuda.umulhi of two <W x i32> vectors: on x86 the even/odd product kernel
 * (lane-math-ir.ts: one vpmuludq per register at any W), elsewhere the
 * widening multiply (AArch64 matches it to umull/umull2).
 */
export function vectorUmulhi(ve: VectorEmitter, b: LLVMNS.IRBuilder, x: LLVMNS.Value, y: LLVMNS.Value): LLVMNS.Value {
  const { W } = ve.vt;
  if (W % 2 === 0 && /^x86_64/.test(hostTarget().triple)) return ve.call(umulhiName(W), ve.vt.i32, [x, y]);
  const p = b.CreateMul(b.CreateZExt(x, ve.vt.i64), b.CreateZExt(y, ve.vt.i64));
  return b.CreateTrunc(b.CreateLShr(p, ve.int(32, ve.vt.i64)), ve.vt.i32);
}
