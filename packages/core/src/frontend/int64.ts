// 64-bit integers (BigInt) in kernels: literals (`1n`), BigInt operators with
// 64-bit wrapping, the refusals JavaScript itself makes (mixing BigInt and
// number is a TypeError), conversions (`BigInt(x)`, `Number(b)`,
// `BigInt.asIntN(64, x)`, `i64(x)`, `u64(x)`) and 64-bit array indices.
// A BigInt literal is typed i64 (u64 when only u64 holds it) and adopts the
// other operand's 64-bit type, as number literals adopt i32/u32.

import type { Expr } from '../ir/nodes.js';
import type { Int64Type, ScalarType } from '../types.js';
import { is64 } from '../types.js';
import type { LowerContext, N } from './context.js';
import type { ScalarVal, Val } from './values.js';
import { bin, constExpr, conv } from './ir-build.js';
import { ARITHMETIC, BITWISE, COMPARE } from './typing.js';
import { scalarsInOrder } from './expressions.js';

export const BIGINT_MIX = 'TypeError: Cannot mix BigInt and other types, use explicit conversions';
const TO_NUMBER = 'TypeError: Cannot convert a BigInt value to a number';

const RANGE: Record<Int64Type, [bigint, bigint]> = { i64: [-(2n ** 63n), 2n ** 63n - 1n], u64: [0n, 2n ** 64n - 1n] };
export const fits64 = (v: bigint, t: Int64Type): boolean => v >= RANGE[t][0] && v <= RANGE[t][1];

/** A BigInt literal: i64, or u64 when only u64 holds it; beyond 64 bits it is refused. */
export function bigLiteral(cx: LowerContext, v: bigint, node: N): ScalarVal {
  const t: Int64Type | undefined = fits64(v, 'i64') ? 'i64' : fits64(v, 'u64') ? 'u64' : undefined;
  if (!t) return cx.fail(node, `BigInt literal ${v}n`, `the BigInt literal ${v}n does not fit in 64 bits (kernels hold BigInts as i64 or u64)`);
  return { k: 'scalar', e: constExpr(t, v), big: v, at: { node, frame: cx.frame } };
}

/** The common type of two operands of which one at least is 64-bit; `mix` says what JS or the kernel refuses. */
export function operandType64(a: ScalarVal, b: ScalarVal): { type: ScalarType; mix?: 'bigint-number' | 'i64-u64' } {
  const ta = a.e.type, tb = b.e.type;
  if (!is64(ta) || !is64(tb)) return { type: is64(ta) ? ta : tb, mix: 'bigint-number' };
  if (a.big !== undefined && b.big === undefined) return { type: tb };
  if (b.big !== undefined && a.big === undefined) return { type: ta };
  if (ta === tb) return { type: ta };
  // Two literals: u64 if one needs it; two typed values: i64 with u64 is refused, as i32 with u32.
  return a.big !== undefined ? { type: 'u64' } : { type: 'u64', mix: 'i64-u64' };
}

/** A 64-bit operand in type t: a literal that t cannot hold is refused (JS would keep its exact value). */
export function operand64(cx: LowerContext, v: ScalarVal, t: ScalarType): Expr {
  if (v.big !== undefined && is64(t)) {
    if (!fits64(v.big, t) && v.at) cx.typeFail(v.at.node, `BigInt literal ${v.big}n as ${t}`, `the BigInt literal ${v.big}n does not fit ${t}, the type of the other operand; convert explicitly (BigInt.asUintN(64, …) / BigInt.asIntN(64, …))`);
    return constExpr(t, t === 'u64' ? BigInt.asUintN(64, v.big) : BigInt.asIntN(64, v.big));
  }
  return conv(v.e, t);
}

/** A binary operator with a 64-bit operand: BigInt's operators, 64-bit wrapping. */
export function binary64(cx: LowerContext, node: N, op: string, a: ScalarVal, b: ScalarVal): ScalarVal {
  const compare = op in COMPARE;
  const r = operandType64(a, b);
  if (r.mix === 'bigint-number') {
    cx.typeFail(node, 'BigInt and number mixed', compare
      ? `operator ${op} compares a BigInt with a number; kernels do not mix them (convert one explicitly: Number(b), BigInt(x) or i64(x))`
      : `${BIGINT_MIX} (operator ${op}; convert with BigInt(x) / i64(x), or Number(b))`);
  } else if (r.mix) cx.typeFail(node, 'i64/u64 mix', `operator ${op} mixes i64 and u64 operands; convert one explicitly (BigInt.asIntN(64, x) gives i64, BigInt.asUintN(64, x) gives u64)`);
  const t = r.type;
  const x = operand64(cx, a, t), y = operand64(cx, b, t);
  if (compare) return { k: 'scalar', e: bin(COMPARE[op], t, 'bool', x, y) };
  switch (op) {
    case '/': return { k: 'scalar', e: bin('truncdiv', t, t, x, y) }; // BigInt division truncates
    case '+': case '-': case '*': case '%': return { k: 'scalar', e: bin(ARITHMETIC[op], t, t, x, y) };
    case '&': case '|': case '^': case '<<': case '>>': return { k: 'scalar', e: bin(BITWISE[op], t, t, x, y) };
    case '>>>': return cx.fail(node, '>>> on BigInt', 'TypeError: BigInts have no unsigned right shift, use >> instead');
    case '**': return cx.fail(node, '** on BigInt', 'BigInt exponentiation (**) is not supported in kernels; multiply in a loop');
    default: return cx.fail(node, `operator ${op} on BigInt`, `operator ${op} is not supported on BigInt`);
  }
}

/** Unary -, ~ and + on a 64-bit operand (`!` is a condition). */
export function unary64(cx: LowerContext, node: N, op: string, v: ScalarVal): Val {
  if (op === '+') return cx.fail(node, 'unary + on BigInt', `${TO_NUMBER} (unary +); use Number(b)`);
  if (op === '-' && v.big !== undefined) return bigLiteral(cx, -v.big, node);
  if (op === '-' || op === '~') return { k: 'scalar', e: { kind: 'unary', op: op === '-' ? 'neg' : 'bitnot', x: v.e, type: v.e.type } };
  return cx.fail(node, `unary ${op} on BigInt`, `unary ${op} is not supported on BigInt`);
}

/** A number value used where JS needs a BigInt, or a BigInt where it needs a number: JS's TypeError. */
export function checkNoMix(cx: LowerContext, node: N, v: ScalarVal, t: ScalarType, where: string): void {
  if (t === 'bool' || v.e.type === 'bool' || is64(t) === is64(v.e.type)) return;
  cx.typeFail(node, 'BigInt and number mixed', is64(t)
    ? `TypeError: Cannot convert a number to a BigInt (${where} holds ${t}); convert with BigInt(x) or i64(x)`
    : `${TO_NUMBER} (${where} holds ${t}); convert with Number(b)`);
}

/**
 * A 64-bit array index (JS accepts `a[5n]`): within i32 it is the index;
 * beyond, an index the bounds check reports (-1), never a wrapped one.
 */
export function index64(cx: LowerContext, e: Expr): Expr {
  const x = cx.stable(e);
  const inRange = bin('lt', 'u64', 'bool', conv(x, 'u64'), constExpr('u64', 2n ** 31n));
  return { kind: 'cond', c: inRange, a: conv(x, 'i32'), b: constExpr('i32', -1), type: 'i32' };
}

/** `BigInt(x)`, `Number(b)`, `BigInt.asIntN(n, x)`, `BigInt.asUintN(n, x)`. */
export function bigIntCall(cx: LowerContext, node: N, path: string, args: N[]): Val {
  const want = path === 'BigInt' || path === 'Number' ? 1 : 2;
  if (args.length !== want) cx.fail(node, `${path}()`, `${path}() takes ${want} argument(s) in kernels`);
  const vals = scalarsInOrder(cx, args, `an argument of ${path}`);
  const v = vals[want - 1];
  const typed: Expr = v.lit !== undefined ? constExpr(typeof v.lit === 'boolean' ? 'bool' : 'f64', v.lit) : v.e;
  switch (path) {
    // JS's BigInt(1.5) throws a RangeError; kernels truncate as i64(x) does (docs/language.md).
    case 'BigInt': return { k: 'scalar', e: is64(typed.type) ? typed : conv(typed, 'i64') };
    case 'Number': return { k: 'scalar', e: is64(typed.type) ? conv(typed, cx.float === 'f32' ? 'f32' : 'f64') : typed.type === 'bool' ? conv(typed, 'i32') : typed, lit: v.lit };
    case 'BigInt.asIntN': case 'BigInt.asUintN': {
      const bits = vals[0].lit;
      if (bits !== 64 && bits !== 32) cx.fail(args[0], `${path} width`, `${path}(bits, x) takes bits = 32 or 64 in kernels`);
      if (!is64(typed.type)) cx.typeFail(args[1], 'number to BigInt.asIntN', `TypeError: Cannot convert a number to a BigInt (${path} takes a BigInt); use BigInt(x)`);
      // asUintN(32, x) is typed i64: its value fits, and i64 does not mix with u64.
      if (bits === 32) return { k: 'scalar', e: conv(conv(typed, path === 'BigInt.asIntN' ? 'i32' : 'u32'), 'i64') };
      return { k: 'scalar', e: conv(typed, path === 'BigInt.asIntN' ? 'i64' : 'u64') };
    }
  }
  return cx.fail(node, path, `${path} is not supported in kernels`);
}

export function isBigIntPath(path: string): boolean {
  return path === 'BigInt' || path === 'Number' || path === 'BigInt.asIntN' || path === 'BigInt.asUintN';
}
