// Inline lowerings of the cuda.* math functions that are bit operations rather
// than library calls (shared by the CPU and CUDA targets): copysign with JS's
// view of the sign, and frexp's two halves.

import type { LLVMNS } from './bindings.js';
import type { MathFn, ScalarType } from '@numbat/core';
import type { Emitter } from './emit.js';

type Value = LLVMNS.Value;

/** The lowering of `fn` when it is one of these, else undefined. `t` is the result type. */
export function inlineMathExtra(e: Emitter, fn: MathFn, t: ScalarType, args: Value[]): Value | undefined {
  const b = e.b;
  switch (fn) {
    case 'copysign': {
      // JS cannot see a NaN's sign: a NaN y counts as positive on every target.
      const [x, y] = args;
      const abs = e.intrinsic('llvm.fabs', t, [x]);
      return b.CreateSelect(b.CreateFCmpUNE(y, y), abs, e.intrinsic('llvm.copysign', t, [x, y]));
    }
    case 'frexpMant': case 'frexpExp': {
      // frexp's exponent is an i32 of a float argument: its type says which float.
      const f64 = fn === 'frexpMant' ? t === 'f64' : args[0].getType().isDoubleTy();
      const argFloat: ScalarType = f64 ? 'f64' : 'f32';
      const [x] = args;
      const it = f64 ? e.i64 : e.i32, int = (v: number): Value => e.int(v, it);
      const mbits = f64 ? 52 : 23, bias = f64 ? 1022 : 126, scale = f64 ? 54 : 25;
      const a = e.intrinsic('llvm.fabs', argFloat, [x]);
      const finiteNonzero = b.CreateAnd(b.CreateFCmpOGT(a, e.zero(argFloat)), b.CreateFCmpOLT(a, e.float(Infinity, argFloat)));
      // Subnormals are scaled into the normal range first.
      const sub = b.CreateFCmpOLT(a, e.float(f64 ? 2 ** -1022 : 2 ** -126, argFloat));
      const xs = b.CreateSelect(sub, b.CreateFMul(x, e.float(2 ** scale, argFloat)), x);
      const bits = b.CreateBitCast(xs, it);
      const field = b.CreateAnd(bits, int((f64 ? 0x7ff : 0xff) * 2 ** mbits));
      if (fn === 'frexpExp') {
        const ex = b.CreateTrunc(b.CreateLShr(field, int(mbits)), e.i32);
        const exp = b.CreateSub(ex, b.CreateSelect(sub, e.int(bias + scale), e.int(bias)));
        return b.CreateSelect(finiteNonzero, exp, e.int(0));
      }
      const m = b.CreateBitCast(b.CreateOr(b.CreateXor(bits, field), int(bias * 2 ** mbits)), e.scalar(argFloat));
      return b.CreateSelect(finiteNonzero, m, x);
    }
    default: return undefined;
  }
}
