// Integer sums consumed by a 32-bit conversion. JS computes `(0xfffffff0 + i) >>> 0`
// as the exact sum, then ToUint32; typed by the ordinary rules the sum would be a
// float (the literal fits neither i32 with `i`), which in f32 rounds the literal
// and loses the low bits. When every term of a chain of + and - is a 32-bit
// integer (i32, u32, bool or an integer literal of at most 2^32 in magnitude)
// the exact sum stays below 2^53, so JS's f64 arithmetic is exact and its
// ToInt32/ToUint32 equals the sum computed with 32-bit wrapping. Not for `*`:
// a product of two 32-bit values is not exact in f64.
//
// The consumers that convert mod 2^32: the operands of `& | ^ << >> >>>` and
// `~`, `i32(x)`/`u32(x)`, and stores into integer arrays.

import type { ScalarType } from '../types.js';
import { isInt } from '../types.js';
import type { LowerContext, N } from './context.js';
import type { ScalarVal, Val } from './values.js';
import { bin, conv, constExpr } from './ir-build.js';
import { convertValue, literalFits } from './values.js';
import { lowerExpr, scalarsInOrder } from './expressions.js';
import { binary } from './operators.js';

type Chain = { leaf: number } | { node: N; op: '+' | '-'; a: Chain; b: Chain };

const MAX_LITERAL = 2 ** 32;

/**
 * `node` as a value that is then converted to `t` (i32 or u32) by ToInt32 /
 * ToUint32 (or a narrower wrap): a + / - chain of 32-bit integers is summed
 * with wrapping in `t`; anything else is lowered as usual.
 */
export function wrappedValue(cx: LowerContext, node: N, t: 'i32' | 'u32'): Val {
  const leaves: N[] = [];
  const chain = chainOf(node, leaves);
  if ('leaf' in chain) return lowerExpr(cx, node);
  // Terms left to right, as JS reads them: each read before a later term's effects.
  const vals = scalarsInOrder(cx, leaves, 'an operand of + or -');
  const wraps = vals.every((v) => (v.lit !== undefined
    ? typeof v.lit === 'number' && Number.isInteger(v.lit) && Math.abs(v.lit) <= MAX_LITERAL
    : isInt(v.e.type) || v.e.type === 'bool'));
  if (wraps && !sameIntType(vals)) return fold(cx, chain, vals, t);
  return rebuild(cx, chain, vals);
}

/** Do the ordinary rules already type the chain as one integer type (which wraps, the same bits)? */
function sameIntType(vals: ScalarVal[]): boolean {
  const types = new Set(vals.filter((v) => v.lit === undefined).map((v) => (v.e.type === 'bool' ? 'i32' : v.e.type)));
  if (types.size !== 1) return types.size === 0;
  const [t] = types;
  return vals.every((v) => v.lit === undefined || literalFits(v.lit, t));
}

/** The tree of + and - above the terms (parentheses are transparent); terms are appended to `leaves`. */
function chainOf(node: N, leaves: N[]): Chain {
  let n = node;
  while (n.type === 'ParenthesizedExpression') n = n.expression;
  if (n.type === 'BinaryExpression' && (n.operator === '+' || n.operator === '-')) {
    const a = chainOf(n.left, leaves);
    const b = chainOf(n.right, leaves);
    return { node: n, op: n.operator, a, b };
  }
  leaves.push(node);
  return { leaf: leaves.length - 1 };
}

/** The wrapping sum in t; subtrees of literals alone fold exactly first (JS's value). */
function fold(cx: LowerContext, c: Chain, vals: ScalarVal[], t: ScalarType): ScalarVal {
  if ('leaf' in c) return vals[c.leaf];
  const a = fold(cx, c.a, vals, t), b = fold(cx, c.b, vals, t);
  if (a.lit !== undefined && b.lit !== undefined) return binary(cx, c.node, c.op, a, b);
  const term = (v: ScalarVal) => (v.lit !== undefined ? constExpr(t, convertValue(v.lit, t)) : conv(v.e, t));
  return { k: 'scalar', e: bin(c.op === '+' ? 'add' : 'sub', t, t, term(a), term(b)) };
}

/** Not all 32-bit integers: the ordinary operators, on the terms already read. */
function rebuild(cx: LowerContext, c: Chain, vals: ScalarVal[]): ScalarVal {
  if ('leaf' in c) return vals[c.leaf];
  return binary(cx, c.node, c.op, rebuild(cx, c.a, vals), rebuild(cx, c.b, vals));
}
