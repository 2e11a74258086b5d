// Scalar building blocks with JavaScript's exact meaning (core/src/ir/ops.ts,
// core/src/ir/semantics.ts): wrapping integer arithmetic, division and
// remainder guarded against the cases LLVM leaves undefined, ToInt32, JS
// Math.round / Math.sign / Math.min / Math.max, and calls of intrinsics and
// external functions by name. Everything is branch-free, so loops over
// threads stay vectorisable.

import type { BinaryOp, ElemType, ScalarType, UnaryOp } from '@numbat/core';
import type { LLVM, LLVMNS } from './bindings.js';
import { binary64, const64, convert64, unary64 } from './int64.js';

type Value = LLVMNS.Value;
type Type = LLVMNS.Type;

export class Emitter {
  readonly i1: Type; readonly i8: Type; readonly i16: Type; readonly i32: Type; readonly i64: Type;
  readonly f32: Type; readonly f64: Type; readonly void: Type;

  constructor(readonly llvm: LLVM, readonly ctx: LLVMNS.LLVMContext, readonly module: LLVMNS.Module, readonly b: LLVMNS.IRBuilder) {
    this.i1 = b.getInt1Ty(); this.i8 = b.getInt8Ty(); this.i16 = b.getInt16Ty(); this.i32 = b.getInt32Ty(); this.i64 = b.getInt64Ty();
    this.f32 = b.getFloatTy(); this.f64 = b.getDoubleTy(); this.void = b.getVoidTy();
  }

  // ---- types and constants ----

  /** Register type of a scalar: bool is i1. */
  scalar(t: ScalarType): Type {
    switch (t) {
      case 'bool': return this.i1;
      case 'i32': case 'u32': return this.i32;
      case 'f32': return this.f32;
      case 'f64': return this.f64;
      case 'i64': case 'u64': return this.i64;
    }
  }

  /** Memory type of an array element. */
  elem(e: ElemType): Type {
    switch (e) {
      case 'i8': case 'u8': return this.i8;
      case 'i16': case 'u16': return this.i16;
      case 'i32': case 'u32': return this.i32;
      case 'f32': return this.f32;
      case 'f64': return this.f64;
      case 'i64': case 'u64': return this.i64;
    }
  }

  ptr(t: Type, addrSpace = 0): LLVMNS.PointerType {
    return this.llvm.PointerType.get(t, addrSpace);
  }

  int(v: number, t: Type = this.i32): Value {
    return this.llvm.ConstantInt.get(t, v, true);
  }

  i64c(v: number): Value { return this.int(v, this.i64); }

  float(v: number, t: ScalarType): Value {
    const type = t === 'f32' ? this.f32 : this.f64;
    // A NaN folded at compile time may carry V8's payload (Math.pow(-2, -1.3) is
    // 0x7FFC...), which reaches LLVM as a signalling NaN: later folds then treat
    // it differently from a computed NaN (pow(x, 0) gave NaN, not 1). JS has one NaN.
    if (Number.isNaN(v)) return this.llvm.ConstantFP.getNaN(type);
    return this.llvm.ConstantFP.get(type, v);
  }

  bool(v: boolean): Value {
    return v ? this.llvm.ConstantInt.getTrue(this.ctx) : this.llvm.ConstantInt.getFalse(this.ctx);
  }

  constant(t: ScalarType, v: number | boolean | bigint): Value {
    if (t === 'bool') return this.bool(Boolean(v));
    if (t === 'i64' || t === 'u64') return const64(this, BigInt(v));
    const n = typeof v === 'boolean' ? (v ? 1 : 0) : Number(v);
    if (t === 'i32') return this.int(n | 0);
    if (t === 'u32') return this.int((n >>> 0) | 0);
    return this.float(n, t);
  }

  zero(t: ScalarType): Value { return this.constant(t, 0); }

  // ---- calls ----

  /** Declares (once) and calls a function by name. */
  call(name: string, ret: Type, args: Value[], argTypes?: Type[]): Value {
    const fnTy = this.llvm.FunctionType.get(ret, argTypes ?? args.map((a) => a.getType()), false);
    const callee = this.module.getOrInsertFunction(name, fnTy);
    return this.b.CreateCall(callee, args);
  }

  /** An overloaded LLVM intrinsic on a float or i32 type: `llvm.floor` + f64 → `llvm.floor.f64`. */
  intrinsic(name: string, t: ScalarType, args: Value[]): Value {
    const suffix = t === 'f32' ? 'f32' : t === 'f64' ? 'f64' : 'i32';
    return this.call(`${name}.${suffix}`, this.scalar(t), args);
  }

  // ---- JS semantics ----

  unary(op: UnaryOp, t: ScalarType, x: Value): Value {
    const b = this.b;
    if (t === 'i64' || t === 'u64') return unary64(this, op, x);
    switch (op) {
      case 'neg': return t === 'f32' || t === 'f64' ? b.CreateFNeg(x) : b.CreateSub(this.int(0), x);
      case 'not': return b.CreateXor(x, this.bool(true));
      case 'bitnot': return b.CreateXor(x, this.int(-1));
    }
  }

  binary(op: BinaryOp, t: ScalarType, a: Value, c: Value): Value {
    const b = this.b;
    const float = t === 'f32' || t === 'f64';
    const unsigned = t === 'u32';
    if (t === 'i64' || t === 'u64') return binary64(this, op, t, a, c);
    if (t === 'bool' && (op === 'lt' || op === 'le' || op === 'gt' || op === 'ge')) return this.boolOrder(op, a, c);
    switch (op) {
      case 'add': return float ? b.CreateFAdd(a, c) : b.CreateAdd(a, c);
      case 'sub': return float ? b.CreateFSub(a, c) : b.CreateSub(a, c);
      case 'mul': return float ? b.CreateFMul(a, c) : b.CreateMul(a, c);
      case 'div': return float ? b.CreateFDiv(a, c) : this.intDiv(a, c, unsigned, 'trunc');
      case 'rem': return float ? b.CreateFRem(a, c) : this.intRem(a, c, unsigned);
      case 'idiv': return float ? this.floatDivTo(a, c, t, 'llvm.trunc') : this.intDiv(a, c, unsigned, 'trunc');
      case 'fdiv': return float ? this.floatDivTo(a, c, t, 'llvm.floor') : this.intDiv(a, c, unsigned, 'floor');
      case 'and': return b.CreateAnd(a, c);
      case 'or': return b.CreateOr(a, c);
      case 'xor': return b.CreateXor(a, c);
      case 'shl': return b.CreateShl(a, b.CreateAnd(c, this.int(31)));
      case 'shr': return b.CreateAShr(a, b.CreateAnd(c, this.int(31)));
      case 'ushr': return b.CreateLShr(a, b.CreateAnd(c, this.int(31)));
      case 'eq': return float ? b.CreateFCmpOEQ(a, c) : b.CreateICmpEQ(a, c);
      case 'ne': return float ? b.CreateFCmpUNE(a, c) : b.CreateICmpNE(a, c);
      case 'lt': return float ? b.CreateFCmpOLT(a, c) : unsigned ? b.CreateICmpULT(a, c) : b.CreateICmpSLT(a, c);
      case 'le': return float ? b.CreateFCmpOLE(a, c) : unsigned ? b.CreateICmpULE(a, c) : b.CreateICmpSLE(a, c);
      case 'gt': return float ? b.CreateFCmpOGT(a, c) : unsigned ? b.CreateICmpUGT(a, c) : b.CreateICmpSGT(a, c);
      case 'ge': return float ? b.CreateFCmpOGE(a, c) : unsigned ? b.CreateICmpUGE(a, c) : b.CreateICmpSGE(a, c);
      case 'min': return float ? this.jsMinMax(a, c, t, 'min') : b.CreateSelect(unsigned ? b.CreateICmpULT(a, c) : b.CreateICmpSLT(a, c), a, c);
      case 'max': return float ? this.jsMinMax(a, c, t, 'max') : b.CreateSelect(unsigned ? b.CreateICmpUGT(a, c) : b.CreateICmpSGT(a, c), a, c);
    }
  }

  /**
   * Booleans ordered as 0/1 (JS), written as logic: a < b is !a & b, a >= b is a | !b.
   * LLVM 14's InstCombine miscompiled the i1 compares: `a === false || a >= false`
   * (icmp eq i1 + icmp uge i1) became `a === false`.
   */
  private boolOrder(op: 'lt' | 'le' | 'gt' | 'ge', a: Value, c: Value): Value {
    const b = this.b, yes = this.bool(true);
    switch (op) {
      case 'lt': return b.CreateAnd(b.CreateXor(a, yes), c);
      case 'le': return b.CreateOr(b.CreateXor(a, yes), c);
      case 'gt': return b.CreateAnd(a, b.CreateXor(c, yes));
      case 'ge': return b.CreateOr(a, b.CreateXor(c, yes));
    }
  }

  /** x / 0 → 0; INT_MIN / -1 → INT_MIN (the divisor is swapped for 1 so LLVM sees no UB). */
  private intDiv(a: Value, c: Value, unsigned: boolean, round: 'trunc' | 'floor'): Value {
    const b = this.b;
    const zero = b.CreateICmpEQ(c, this.int(0));
    const bad = unsigned ? zero : b.CreateOr(zero, b.CreateAnd(b.CreateICmpEQ(a, this.int(-2147483648)), b.CreateICmpEQ(c, this.int(-1))));
    const d = b.CreateSelect(bad, this.int(1), c);
    let q = unsigned ? b.CreateUDiv(a, d) : b.CreateSDiv(a, d);
    if (round === 'floor' && !unsigned) {
      // Round toward -inf: subtract one when the remainder is nonzero and its sign differs from the divisor's.
      const r = b.CreateSRem(a, d);
      const adjust = b.CreateAnd(b.CreateICmpNE(r, this.int(0)), b.CreateICmpSLT(b.CreateXor(r, d), this.int(0)));
      q = b.CreateSub(q, b.CreateZExt(adjust, this.i32));
    }
    return b.CreateSelect(zero, this.int(0), q);
  }

  /** JS `%` on ints: x % 0 → 0, INT_MIN % -1 → 0, sign of the dividend. */
  private intRem(a: Value, c: Value, unsigned: boolean): Value {
    const b = this.b;
    const zero = b.CreateICmpEQ(c, this.int(0));
    const bad = unsigned ? zero : b.CreateOr(zero, b.CreateICmpEQ(c, this.int(-1)));
    const d = b.CreateSelect(bad, this.int(1), c);
    const r = unsigned ? b.CreateURem(a, d) : b.CreateSRem(a, d);
    return b.CreateSelect(bad, this.int(0), r);
  }

  /** Float idiv/fdiv: trunc/floor(a / b), and 0 when b is 0 (as the simulator). */
  private floatDivTo(a: Value, c: Value, t: ScalarType, fn: string): Value {
    const b = this.b;
    const q = this.intrinsic(fn, t, [b.CreateFDiv(a, c)]);
    return b.CreateSelect(b.CreateFCmpOEQ(c, this.zero(t)), this.zero(t), q);
  }

  /** llvm-bindings has no `fcmp uno`: x != x is true exactly for NaN. */
  eitherNaN(a: Value, c: Value): Value {
    return this.b.CreateOr(this.b.CreateFCmpUNE(a, a), this.b.CreateFCmpUNE(c, c));
  }

  /** Math.min/max: NaN if either is NaN; min(-0, +0) = -0, max(-0, +0) = +0. */
  jsMinMax(a: Value, c: Value, t: ScalarType, which: 'min' | 'max'): Value {
    const b = this.b;
    const it = t === 'f32' ? this.i32 : this.i64;
    const pick = b.CreateSelect(which === 'min' ? b.CreateFCmpOLT(a, c) : b.CreateFCmpOGT(a, c), a, c);
    // Equal operands (only ±0 can differ): combine sign bits, OR for min, AND for max.
    const ab = b.CreateBitCast(a, it), cb = b.CreateBitCast(c, it);
    const eqv = b.CreateBitCast(which === 'min' ? b.CreateOr(ab, cb) : b.CreateAnd(ab, cb), this.scalar(t));
    const r = b.CreateSelect(b.CreateFCmpOEQ(a, c), eqv, pick);
    return b.CreateSelect(this.eitherNaN(a, c), b.CreateFAdd(a, c), r);
  }

  /**
   * JS ToInt32 of a float (the result's bits are also ToUint32's): truncate,
   * reduce mod 2^32 exactly (floor-based, valid for every finite double), NaN/±Inf → 0.
   */
  toInt32(x: Value, from: ScalarType): Value {
    const b = this.b;
    const d = from === 'f32' ? b.CreateFPExt(x, this.f64) : x;
    const t = this.intrinsic('llvm.trunc', 'f64', [d]);
    const k = this.intrinsic('llvm.floor', 'f64', [b.CreateFMul(t, this.float(2 ** -32, 'f64'))]);
    const r = b.CreateFSub(t, b.CreateFMul(k, this.float(2 ** 32, 'f64')));
    const bits = b.CreateTrunc(b.CreateFPToSI(r, this.i64), this.i32);
    const finite = b.CreateFCmpOLT(this.intrinsic('llvm.fabs', 'f64', [d]), this.float(Infinity, 'f64'));
    return b.CreateSelect(finite, bits, this.int(0));
  }

  convert(x: Value, from: ScalarType, to: ScalarType): Value {
    const b = this.b;
    if (from === to) return x;
    if (from === 'i64' || from === 'u64' || to === 'i64' || to === 'u64') return convert64(this, x, from, to);
    const fromFloat = from === 'f32' || from === 'f64';
    if (to === 'bool') return fromFloat ? b.CreateFCmpONE(x, this.zero(from)) : b.CreateICmpNE(x, this.zero(from));
    if (from === 'bool') return to === 'i32' || to === 'u32' ? b.CreateZExt(x, this.i32) : b.CreateUIToFP(x, this.scalar(to));
    if (to === 'i32' || to === 'u32') return fromFloat ? this.toInt32(x, from) : x; // i32 <-> u32 keep the bits
    if (!fromFloat) return from === 'u32' ? b.CreateUIToFP(x, this.scalar(to)) : b.CreateSIToFP(x, this.scalar(to));
    return to === 'f32' ? b.CreateFPTrunc(x, this.f32) : b.CreateFPExt(x, this.f64);
  }

  /** JS Math.round: floor(x + 0.5) without the rounding error of the addition; -0 stays -0, (-0.5, 0) → -0. */
  jsRound(x: Value, t: ScalarType): Value {
    const b = this.b;
    const f = this.intrinsic('llvm.floor', t, [x]);
    const up = b.CreateFCmpOGE(b.CreateFSub(x, f), this.float(0.5, t));
    const r = b.CreateSelect(up, b.CreateFAdd(f, this.float(1, t)), f);
    return b.CreateSelect(b.CreateFCmpOEQ(r, this.zero(t)), this.intrinsic('llvm.copysign', t, [this.zero(t), x]), r);
  }

  /** JS Math.sign: NaN → NaN, ±0 → ±0, else ±1 (ints: -1/0/1). */
  jsSign(x: Value, t: ScalarType): Value {
    const b = this.b;
    if (t === 'f32' || t === 'f64') {
      const neg = b.CreateSelect(b.CreateFCmpOLT(x, this.zero(t)), this.float(-1, t), x);
      return b.CreateSelect(b.CreateFCmpOGT(x, this.zero(t)), this.float(1, t), neg);
    }
    if (t === 'u32') return b.CreateZExt(b.CreateICmpNE(x, this.int(0)), this.i32);
    const neg = b.CreateSelect(b.CreateICmpSLT(x, this.int(0)), this.int(-1), this.int(0));
    return b.CreateSelect(b.CreateICmpSGT(x, this.int(0)), this.int(1), neg);
  }

  /** JS Math.pow differs from C pow: pow(x, NaN) is NaN even for x = 1, and pow(±1, ±Inf) is NaN. */
  jsPowFixup(a: Value, c: Value, r: Value, t: ScalarType): Value {
    const b = this.b;
    const absA = this.intrinsic('llvm.fabs', t, [a]);
    const oneInf = b.CreateAnd(b.CreateFCmpOEQ(absA, this.float(1, t)), b.CreateFCmpOEQ(this.intrinsic('llvm.fabs', t, [c]), this.float(Infinity, t)));
    const nan = b.CreateOr(b.CreateFCmpUNE(c, c), oneInf);
    return b.CreateSelect(nan, this.float(NaN, t), r);
  }
}
