// Scalar building blocks: types, constants, calls of intrinsics and external
// functions by name, and the simple operations. The JS-exact ones (division by
// zero, ToInt32, NaN-aware min/max, Math.round/sign/pow, shift counts) reach
// this file already written as simple ones by core's legalisation stage
// (core/src/legalize), so this renders each IR op as one or two LLVM instructions.

import type { BinaryOp, ElemType, ScalarType, UnaryOp } from '@numbat/core';
import type { LLVM, LLVMNS } from './bindings.js';
import { binary64, const64, convert64, unary64 } from './int64.js';

type Value = LLVMNS.Value;
type Type = LLVMNS.Type;

/** The type among `types` (scalars, or a lane group's vectors of them) that holds an array element of type `e`. */
export function elemTypeOf<T>(types: { i8: T; i16: T; i32: T; i64: T; f32: T; f64: T }, e: ElemType): T {
  switch (e) {
    case 'i8': case 'u8': return types.i8;
    case 'i16': case 'u16': return types.i16;
    case 'i32': case 'u32': return types.i32;
    case 'f32': return types.f32;
    case 'f64': return types.f64;
    case 'i64': case 'u64': return types.i64;
  }
}

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
    return elemTypeOf(this, e);
  }

  ptr(t: Type, addrSpace = 0): LLVMNS.PointerType {
    return this.llvm.PointerType.get(t, addrSpace);
  }

  /** Integer constants made so far, by type (wrapper identity) and value: codegen asks for the same few thousands of times. */
  private readonly ints = new Map<Type, Map<number, Value>>();

  int(v: number, t: Type = this.i32): Value {
    let byValue = this.ints.get(t);
    if (!byValue) this.ints.set(t, (byValue = new Map()));
    let c = byValue.get(v);
    if (!c) byValue.set(v, (c = this.llvm.ConstantInt.get(t, v, true)));
    return c;
  }

  i64c(v: number): Value { return this.int(v, this.i64); }

  /** Float and 64-bit constants made so far (as `ints`; -0 keyed apart from +0, which a Map would merge). */
  private readonly floats = new Map<string, Value>();
  private readonly int64s = new Map<bigint, Value>();

  float(v: number, t: ScalarType): Value {
    const key = `${t}${Object.is(v, -0) ? '-0' : v}`;
    let c = this.floats.get(key);
    if (c) return c;
    const type = t === 'f32' ? this.f32 : this.f64;
    // A NaN folded at compile time may carry V8's payload (Math.pow(-2, -1.3) is
    // 0x7FFC...), which reaches LLVM as a signalling NaN: later folds then treat
    // it differently from a computed NaN (pow(x, 0) gave NaN, not 1). JS has one NaN.
    c = Number.isNaN(v) ? this.llvm.ConstantFP.getNaN(type) : this.llvm.ConstantFP.get(type, v);
    this.floats.set(key, c);
    return c;
  }

  /** An exact i64 constant (int64.ts const64), made once per value. */
  int64(v: bigint): Value {
    let c = this.int64s.get(v);
    if (!c) this.int64s.set(v, (c = const64(this, v)));
    return c;
  }

  bool(v: boolean): Value {
    return v ? this.llvm.ConstantInt.getTrue(this.ctx) : this.llvm.ConstantInt.getFalse(this.ctx);
  }

  constant(t: ScalarType, v: number | boolean | bigint): Value {
    if (t === 'bool') return this.bool(Boolean(v));
    if (t === 'i64' || t === 'u64') return this.int64(BigInt(v));
    const n = typeof v === 'boolean' ? (v ? 1 : 0) : Number(v);
    if (t === 'i32') return this.int(n | 0);
    if (t === 'u32') return this.int((n >>> 0) | 0);
    return this.float(n, t);
  }

  zero(t: ScalarType): Value { return this.constant(t, 0); }

  // ---- calls ----

  /** The functions called so far, by name (a name is one signature: intrinsics spell their types in it). */
  private readonly callees = new Map<string, LLVMNS.FunctionCallee>();

  /**
   * Declares (once) and calls a function by name. The declaration is looked up once per name: a
   * lane group's code calls its lane moves and masked loads thousands of times, and each lookup
   * was three or more calls into llvm-bindings (~2 µs each: a new wrapper object every time).
   */
  call(name: string, ret: Type, args: Value[], argTypes?: Type[]): Value {
    let callee = this.callees.get(name);
    if (!callee) {
      const fnTy = this.llvm.FunctionType.get(ret, argTypes ?? args.map((a) => a.getType()), false);
      this.callees.set(name, (callee = this.module.getOrInsertFunction(name, fnTy)));
    }
    return this.b.CreateCall(callee, args);
  }

  /** An overloaded LLVM intrinsic on a float or i32 type: `llvm.floor` + f64 → `llvm.floor.f64`. */
  intrinsic(name: string, t: ScalarType, args: Value[]): Value {
    const suffix = t === 'f32' ? 'f32' : t === 'f64' ? 'f64' : 'i32';
    return this.call(`${name}.${suffix}`, this.scalar(t), args);
  }

  // ---- the simple operations (legalisation, core/src/legalize, wrote the JS-exact ones) ----

  unary(op: UnaryOp, t: ScalarType, x: Value): Value {
    const b = this.b;
    if (t === 'i64' || t === 'u64') return unary64(this, op, x);
    switch (op) {
      case 'neg': return t === 'f32' || t === 'f64' ? b.CreateFNeg(x) : b.CreateSub(this.int(0), x);
      case 'not': return b.CreateXor(x, this.bool(true));
      case 'bitnot': return b.CreateXor(x, this.int(-1));
    }
  }

  /** Integer divisors are never 0 or (signed) -1 and shift counts are in [0, 31] here: legalisation made them so. */
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
      case 'div': return b.CreateFDiv(a, c);
      case 'rem': return float ? b.CreateFRem(a, c) : unsigned ? b.CreateURem(a, c) : b.CreateSRem(a, c);
      case 'truncdiv': return unsigned ? b.CreateUDiv(a, c) : b.CreateSDiv(a, c);
      case 'floordiv': throw new Error('numbat internal error: floordiv reached the LLVM lowering (legalisation writes it as truncdiv)');
      case 'and': return b.CreateAnd(a, c);
      case 'or': return b.CreateOr(a, c);
      case 'xor': return b.CreateXor(a, c);
      case 'shl': return b.CreateShl(a, c);
      case 'shr': return b.CreateAShr(a, c);
      case 'ushr': return b.CreateLShr(a, c);
      case 'eq': return float ? b.CreateFCmpOEQ(a, c) : b.CreateICmpEQ(a, c);
      case 'ne': return float ? b.CreateFCmpUNE(a, c) : b.CreateICmpNE(a, c);
      case 'lt': return float ? b.CreateFCmpOLT(a, c) : unsigned ? b.CreateICmpULT(a, c) : b.CreateICmpSLT(a, c);
      case 'le': return float ? b.CreateFCmpOLE(a, c) : unsigned ? b.CreateICmpULE(a, c) : b.CreateICmpSLE(a, c);
      case 'gt': return float ? b.CreateFCmpOGT(a, c) : unsigned ? b.CreateICmpUGT(a, c) : b.CreateICmpSGT(a, c);
      case 'ge': return float ? b.CreateFCmpOGE(a, c) : unsigned ? b.CreateICmpUGE(a, c) : b.CreateICmpSGE(a, c);
      // Integers only: float min/max are legalised into selects.
      case 'min': return b.CreateSelect(this.binary('lt', t, a, c), a, c);
      case 'max': return b.CreateSelect(this.binary('gt', t, a, c), a, c);
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

  /** Floats reaching an integer conversion are in [0, 2^32) and floats reaching bool are numbers (legalisation). */
  convert(x: Value, from: ScalarType, to: ScalarType): Value {
    const b = this.b;
    if (from === to) return x;
    if (from === 'i64' || from === 'u64' || to === 'i64' || to === 'u64') return convert64(this, x, from, to);
    const fromFloat = from === 'f32' || from === 'f64';
    if (to === 'bool') return fromFloat ? b.CreateFCmpUNE(x, this.zero(from)) : b.CreateICmpNE(x, this.zero(from));
    if (from === 'bool') return to === 'i32' || to === 'u32' ? b.CreateZExt(x, this.i32) : b.CreateUIToFP(x, this.scalar(to));
    // [0, 2^32) through i64: x86 has no vector float → u32 before AVX-512.
    if (to === 'i32' || to === 'u32') return fromFloat ? b.CreateTrunc(b.CreateFPToSI(x, this.i64), this.i32) : x; // i32 <-> u32 keep the bits
    if (!fromFloat) return from === 'u32' ? b.CreateUIToFP(x, this.scalar(to)) : b.CreateSIToFP(x, this.scalar(to));
    return to === 'f32' ? b.CreateFPTrunc(x, this.f32) : b.CreateFPExt(x, this.f64);
  }
}
