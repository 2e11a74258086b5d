// The meaning of IR operations on i64/u64, as JavaScript source over BigInt
// operands: BigInt arithmetic wrapped to 64 bits (BigInt.asIntN / asUintN), so a
// result equals what JS computes and then stores into a BigInt64Array /
// BigUint64Array. Where JS has no value the IR defines one (documented in
// docs/language.md, "64-bit integers"): x / 0n and x % 0n are 0n (JS throws a
// RangeError); shift counts are not masked (BigInt's meaning): `1n << 64n` wraps
// to 0n, a negative count shifts the other way. Each operand appears exactly
// once (the simulator substitutes effectful expressions), hence the arrow
// functions applied to the operands.

import type { BinaryOp, UnaryOp } from './ops.js';
import type { Int64Type, ScalarType } from '../types.js';
import { CONVERT_JS, is64 } from '../types.js';

/** Wrap a BigInt expression to t's 64 bits. */
export const wrap64 = (t: Int64Type, x: string): string => `BigInt.as${t === 'i64' ? 'Int' : 'Uint'}N(64, ${x})`;

export function binary64Js(op: BinaryOp, t: Int64Type, a: string, b: string): string {
  const w = (x: string) => wrap64(t, x);
  switch (op) {
    case 'add': return w(`${a} + ${b}`);
    case 'sub': return w(`${a} - ${b}`);
    case 'mul': return w(`${a} * ${b}`);
    // BigInt `/` truncates; the frontend lowers it to idiv ('div' only for completeness).
    case 'div': case 'truncdiv': return `((x, y) => y === 0n ? 0n : ${w('x / y')})(${a}, ${b})`;
    case 'floordiv': return `((x, y) => y === 0n ? 0n : ${w('x / y - ((x % y !== 0n) && ((x < 0n) !== (y < 0n)) ? 1n : 0n)')})(${a}, ${b})`;
    case 'rem': return `((x, y) => y === 0n ? 0n : ${w('x % y')})(${a}, ${b})`;
    case 'and': return w(`${a} & ${b}`);
    case 'or': return w(`${a} | ${b}`);
    case 'xor': return w(`${a} ^ ${b}`);
    // Counts beyond ±63 are decided before shifting (1n << 2n**40n would not fit in memory).
    case 'shl': return `((x, y) => y >= 64n ? 0n : y <= -64n ? (x < 0n ? -1n : 0n) : ${w('x << y')})(${a}, ${b})`;
    case 'shr': case 'ushr': return `((x, y) => y >= 64n ? (x < 0n ? -1n : 0n) : y <= -64n ? 0n : ${w('x >> y')})(${a}, ${b})`;
    case 'eq': return `(${a} === ${b})`;
    case 'ne': return `(${a} !== ${b})`;
    case 'lt': return `(${a} < ${b})`;
    case 'le': return `(${a} <= ${b})`;
    case 'gt': return `(${a} > ${b})`;
    case 'ge': return `(${a} >= ${b})`;
    case 'min': return `((x, y) => (x < y ? x : y))(${a}, ${b})`;
    case 'max': return `((x, y) => (x > y ? x : y))(${a}, ${b})`;
  }
}

export function unary64Js(op: UnaryOp, t: Int64Type, a: string): string {
  switch (op) {
    case 'neg': return wrap64(t, `-${a}`);
    case 'not': return `(!${a})`;
    case 'bitnot': return wrap64(t, `~${a}`);
  }
}

/**
 * Conversions to and from i64/u64: 64↔64 reinterprets the bits, 64→i32/u32 keeps
 * the low 32 bits, 64→float is Number(x) (f32: then Math.fround, JS's double
 * rounding), 64→bool is x !== 0n; numbers→64 truncate and wrap (CONVERT_JS.i64).
 */
export function convert64Js(from: ScalarType, to: ScalarType, a: string): string {
  if (is64(to)) {
    if (is64(from)) return wrap64(to, a);
    if (from === 'bool') return `(${a} ? 1n : 0n)`;
    if (from === 'i32' || from === 'u32') return wrap64(to, `BigInt(${a})`);
    return CONVERT_JS[to](a);
  }
  switch (to) {
    case 'bool': return `(${a} !== 0n)`;
    case 'i32': return `Number(BigInt.asIntN(32, ${a}))`;
    case 'u32': return `Number(BigInt.asUintN(32, ${a}))`;
    case 'f64': return `Number(${a})`;
    case 'f32': return `Math.fround(Number(${a}))`;
  }
  return a;
}

/** A 64-bit constant as JS source. */
export const const64Js = (v: bigint): string => `(${v}n)`;
