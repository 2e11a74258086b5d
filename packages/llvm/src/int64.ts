// i64/u64 (BigInt) operations in LLVM with the IR's meaning
// (core/src/ir/semantics64.ts): wrapping arithmetic, x / 0n and x % 0n = 0n,
// INT64_MIN / -1n = INT64_MIN, BigInt's unmasked shifts (counts ≥ 64 give 0 or
// the sign, negative counts shift the other way), and the conversions: numbers
// truncate and wrap modulo 2^64 (NaN/±Inf → 0), 64→f32 rounds through f64 as
// JS's Math.fround(Number(b)) does. Branch-free, as the rest of emit.ts.

import type { BinaryOp, Int64Type, ScalarType, UnaryOp } from '@numbat/core';
import type { LLVMNS } from './bindings.js';
import type { Emitter } from './emit.js';

type Value = LLVMNS.Value;

/** An exact 64-bit constant (ConstantInt.get takes a double): hi · 2^32 + lo, folded by the builder. */
export function const64(e: Emitter, v: bigint): Value {
  const hi = Number(BigInt.asIntN(32, v >> 32n)), lo = Number(BigInt.asUintN(32, v));
  const b = e.b;
  return b.CreateOr(b.CreateShl(e.llvm.ConstantInt.get(e.i64, hi, true), e.llvm.ConstantInt.get(e.i64, 32, false)), e.llvm.ConstantInt.get(e.i64, lo, false));
}

const c64 = (e: Emitter, v: number | bigint): Value => e.int64(BigInt(v));

export function unary64(e: Emitter, op: UnaryOp, x: Value): Value {
  const b = e.b;
  switch (op) {
    case 'neg': return b.CreateSub(c64(e, 0), x);
    case 'not': return b.CreateXor(x, e.bool(true));
    case 'bitnot': return b.CreateXor(x, c64(e, -1));
  }
}

export function binary64(e: Emitter, op: BinaryOp, t: Int64Type, a: Value, c: Value): Value {
  const b = e.b;
  const u = t === 'u64';
  switch (op) {
    case 'add': return b.CreateAdd(a, c);
    case 'sub': return b.CreateSub(a, c);
    case 'mul': return b.CreateMul(a, c);
    case 'div': case 'truncdiv': return div64(e, a, c, u, false);
    case 'floordiv': return div64(e, a, c, u, true);
    case 'rem': {
      const zero = b.CreateICmpEQ(c, c64(e, 0));
      const bad = u ? zero : b.CreateOr(zero, b.CreateICmpEQ(c, c64(e, -1)));
      const d = b.CreateSelect(bad, c64(e, 1), c);
      return b.CreateSelect(bad, c64(e, 0), u ? b.CreateURem(a, d) : b.CreateSRem(a, d));
    }
    case 'and': return b.CreateAnd(a, c);
    case 'or': return b.CreateOr(a, c);
    case 'xor': return b.CreateXor(a, c);
    case 'shl': return shift64(e, a, c, u, 'left');
    case 'shr': case 'ushr': return shift64(e, a, c, u, 'right');
    case 'eq': return b.CreateICmpEQ(a, c);
    case 'ne': return b.CreateICmpNE(a, c);
    case 'lt': return u ? b.CreateICmpULT(a, c) : b.CreateICmpSLT(a, c);
    case 'le': return u ? b.CreateICmpULE(a, c) : b.CreateICmpSLE(a, c);
    case 'gt': return u ? b.CreateICmpUGT(a, c) : b.CreateICmpSGT(a, c);
    case 'ge': return u ? b.CreateICmpUGE(a, c) : b.CreateICmpSGE(a, c);
    case 'min': return b.CreateSelect(u ? b.CreateICmpULT(a, c) : b.CreateICmpSLT(a, c), a, c);
    case 'max': return b.CreateSelect(u ? b.CreateICmpUGT(a, c) : b.CreateICmpSGT(a, c), a, c);
  }
}

/** Truncating (or floor) division; ÷0 → 0, INT64_MIN / -1 → INT64_MIN (the divisor becomes 1: no UB). */
function div64(e: Emitter, a: Value, c: Value, u: boolean, floor: boolean): Value {
  const b = e.b;
  const zero = b.CreateICmpEQ(c, c64(e, 0));
  const bad = u ? zero : b.CreateOr(zero, b.CreateAnd(b.CreateICmpEQ(a, c64(e, -(2n ** 63n))), b.CreateICmpEQ(c, c64(e, -1))));
  const d = b.CreateSelect(bad, c64(e, 1), c);
  let q = u ? b.CreateUDiv(a, d) : b.CreateSDiv(a, d);
  if (floor && !u) {
    const r = b.CreateSRem(a, d);
    const adjust = b.CreateAnd(b.CreateICmpNE(r, c64(e, 0)), b.CreateICmpSLT(b.CreateXor(r, d), c64(e, 0)));
    q = b.CreateSub(q, b.CreateZExt(adjust, e.i64));
  }
  return b.CreateSelect(zero, c64(e, 0), q);
}

/**
 * BigInt shifts: the count is not masked. For i64 a negative count (a huge u64
 * count never is) shifts the other way; |count| ≥ 64 shifts everything out
 * (left: 0; right: the sign for i64, 0 for u64).
 */
function shift64(e: Emitter, a: Value, c: Value, u: boolean, dir: 'left' | 'right'): Value {
  const b = e.b;
  const neg = u ? e.bool(false) : b.CreateICmpSLT(c, c64(e, 0));
  const mag = b.CreateSelect(neg, b.CreateSub(c64(e, 0), c), c);
  // |count| as unsigned: ≥ 64 (INT64_MIN's magnitude included) means everything is shifted out.
  const out = b.CreateICmpUGE(mag, c64(e, 64));
  const n = b.CreateSelect(out, c64(e, 0), mag);
  const sign = u ? c64(e, 0) : b.CreateAShr(a, c64(e, 63));
  const left = b.CreateSelect(out, c64(e, 0), b.CreateShl(a, n));
  const right = b.CreateSelect(out, sign, u ? b.CreateLShr(a, n) : b.CreateAShr(a, n));
  const goesLeft = dir === 'left' ? b.CreateXor(neg, e.bool(true)) : neg;
  return b.CreateSelect(goesLeft, left, right);
}

/** Conversions to and from i64/u64 (semantics64.ts convert64Js). */
export function convert64(e: Emitter, x: Value, from: ScalarType, to: ScalarType): Value {
  const b = e.b;
  if (to === 'i64' || to === 'u64') {
    if (from === 'i64' || from === 'u64') return x;
    if (from === 'bool') return b.CreateZExt(x, e.i64);
    if (from === 'i32') return b.CreateSExt(x, e.i64);
    if (from === 'u32') return b.CreateZExt(x, e.i64);
    return floatToInt64(e, x, from);
  }
  switch (to) {
    case 'bool': return b.CreateICmpNE(x, c64(e, 0));
    case 'i32': case 'u32': return b.CreateTrunc(x, e.i32);
    case 'f64': return from === 'u64' ? b.CreateUIToFP(x, e.f64) : b.CreateSIToFP(x, e.f64);
    case 'f32': return b.CreateFPTrunc(from === 'u64' ? b.CreateUIToFP(x, e.f64) : b.CreateSIToFP(x, e.f64), e.f32);
  }
  return x;
}

/**
 * A float to 64 bits as ToInt32 does to 32: truncate, wrap modulo 2^64, NaN/±Inf → 0.
 * |x| < 2^63: fptosi. Otherwise x is an integer m · 2^k (m the 53-bit significand, k ≥ 11):
 * the low 64 bits are m << k (0 once k ≥ 64), negated for negative x.
 */
function floatToInt64(e: Emitter, x: Value, from: ScalarType): Value {
  const b = e.b;
  const d = from === 'f32' ? b.CreateFPExt(x, e.f64) : x;
  const t = e.intrinsic('llvm.trunc', 'f64', [d]);
  const abs = e.intrinsic('llvm.fabs', 'f64', [t]);
  const small = b.CreateFCmpOLT(abs, e.float(2 ** 63, 'f64'));
  const safe = b.CreateSelect(small, t, e.float(0, 'f64'));
  const direct = b.CreateFPToSI(safe, e.i64);
  const bits = b.CreateBitCast(d, e.i64);
  const k = b.CreateSub(b.CreateAnd(b.CreateLShr(bits, c64(e, 52)), c64(e, 0x7ff)), c64(e, 1075));
  const m = b.CreateOr(b.CreateAnd(bits, c64(e, 2n ** 52n - 1n)), c64(e, 2n ** 52n));
  const big = b.CreateSelect(b.CreateICmpSGE(k, c64(e, 64)), c64(e, 0), b.CreateShl(m, b.CreateAnd(k, c64(e, 63))));
  const signed = b.CreateSelect(b.CreateICmpSLT(bits, c64(e, 0)), b.CreateSub(c64(e, 0), big), big);
  const finite = b.CreateFCmpOLT(abs, e.float(Infinity, 'f64'));
  return b.CreateSelect(small, direct, b.CreateSelect(finite, signed, c64(e, 0)));
}
