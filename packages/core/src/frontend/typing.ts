// JavaScript's typing rules for operators, as pure functions of operand types:
// which IR op an operator is, the common type of two operands (literals are
// abstract and adopt the other side's type), literal folding and coercion.
// The joins of a local's assignments are in local-types.ts.

import type { Expr } from '../ir/nodes.js';
import type { BinaryOp } from '../ir/ops.js';
import type { ScalarType } from '../types.js';
import { is64, isFloat, isInt } from '../types.js';
import { operandType64 } from './int64.js';
import type { ScalarVal } from './values.js';
import { convertValue, literalFits, literalType } from './values.js';
import { constExpr, conv } from './ir-build.js';

export const BITWISE: Record<string, BinaryOp> = { '&': 'and', '|': 'or', '^': 'xor', '<<': 'shl', '>>': 'shr' };
export const ARITHMETIC: Record<string, BinaryOp> = { '+': 'add', '-': 'sub', '*': 'mul', '%': 'rem', '/': 'div' };
export const COMPARE: Record<string, BinaryOp> = { '<': 'lt', '<=': 'le', '>': 'gt', '>=': 'ge', '==': 'eq', '===': 'eq', '!=': 'ne', '!==': 'ne' };

/** Constant folding of two abstract literals: exactly what JS computes (undefined: not an operator kernels have). */
export function foldLiterals(op: string, a: number | boolean, b: number | boolean): number | boolean | undefined {
  const x = a as number, y = b as number;
  switch (op) {
    case '+': return x + y; case '-': return x - y; case '*': return x * y; case '/': return x / y; case '%': return x % y;
    case '**': return x ** y;
    case '&': return x & y; case '|': return x | y; case '^': return x ^ y;
    case '<<': return x << y; case '>>': return x >> y; case '>>>': return x >>> y;
    case '<': return x < y; case '<=': return x <= y; case '>': return x > y; case '>=': return x >= y;
    case '==': case '===': return x === y; case '!=': case '!==': return x !== y;
    default: return undefined;
  }
}

/** The type a literal takes against an operand of type t. */
export function literalAgainst(v: number | boolean, t: ScalarType, compare: boolean, float: 'f32' | 'f64'): ScalarType {
  if (typeof v === 'boolean') return t === 'bool' ? 'bool' : t;
  if (t === 'bool') return compare && (v === 0 || v === 1) ? 'i32' : literalType(v, float) === 'u32' ? 'u32' : literalFits(v, 'i32') ? 'i32' : float;
  if (isFloat(t)) return t;
  return literalFits(v, t) ? t : float;
}

/**
 * The common type of two operands (bool counts as i32 outside comparisons).
 * `mix` when one is i32 and the other u32: JS keeps both exactly, so the caller
 * refuses it; the type is then u32, to carry on with.
 */
export function operandType(a: ScalarVal, b: ScalarVal, compare: boolean, float: 'f32' | 'f64'): { type: ScalarType; mix?: true | 'bigint-number' | 'i64-u64' } {
  if (is64(a.e.type) || is64(b.e.type)) return operandType64(a, b);
  const norm = (t: ScalarType): ScalarType => (t === 'bool' && !compare ? 'i32' : t);
  if (a.lit !== undefined) return { type: literalAgainst(a.lit, norm(b.e.type), compare, float) };
  if (b.lit !== undefined) return { type: literalAgainst(b.lit, norm(a.e.type), compare, float) };
  let ta = norm(a.e.type), tb = norm(b.e.type);
  if (compare && (ta === 'bool') !== (tb === 'bool')) { ta = ta === 'bool' ? 'i32' : ta; tb = tb === 'bool' ? 'i32' : tb; }
  if (ta === tb) return { type: ta };
  if (isInt(ta) && isInt(tb)) return { type: 'u32', mix: true };
  if (ta === 'f64' || tb === 'f64') return { type: 'f64' };
  return { type: 'f32' };
}

/** A value converted to type t with JS's meaning; literals become constants. */
export function coerce(v: ScalarVal, t: ScalarType): Expr {
  if (v.lit !== undefined) return constExpr(t, convertValue(v.lit, t));
  return conv(v.e, t);
}
