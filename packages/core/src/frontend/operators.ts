// Operators with JavaScript's meaning: unary, binary (literals adapt to the
// other operand, see typing.ts), the integer division idioms, conditions,
// short-circuit && / || and the lazy ?:.

import type { Expr } from '../ir/nodes.js';
import type { BinaryOp } from '../ir/ops.js';
import type { ScalarType } from '../types.js';
import { is64, isFloat, isInt } from '../types.js';
import type { LowerContext, N } from './context.js';
import type { ScalarVal, Val } from './values.js';
import { bin, constExpr, conv, not } from './ir-build.js';
import { ARITHMETIC, BITWISE, COMPARE, coerce, foldLiterals } from './typing.js';
import { joinContributions } from './local-types.js';
import { lowerExpr, scalarsInOrder } from './expressions.js';
import { mathCall } from './math.js';
import { wrappedValue } from './wrapping.js';
import { binary64, unary64 } from './int64.js';

export function unary(cx: LowerContext, node: N): Val {
  const op: string = node.operator;
  if (op === 'typeof' || op === 'void' || op === 'delete') cx.fail(node, op, `'${op}' is not supported in kernels`);
  if (op === '!') return { k: 'scalar', e: not(condition(cx, node.argument)) };
  const v = cx.scalar(op === '~' ? wrappedValue(cx, node.argument, 'i32') : lowerExpr(cx, node.argument), node.argument, `the operand of ${op}`);
  if (is64(v.e.type)) return unary64(cx, node, op, v);
  if (v.lit !== undefined) {
    const x = v.lit as number;
    return cx.lit(op === '-' ? -x : op === '+' ? +x : ~x, node);
  }
  if (op === '+') return v.e.type === 'bool' ? { k: 'scalar', e: conv(v.e, 'i32') } : v;
  if (op === '~') return { k: 'scalar', e: { kind: 'unary', op: 'bitnot', x: cx.coerce(v, 'i32'), type: 'i32' } };
  if (op === '-') {
    const t = v.e.type === 'bool' || v.e.type === 'u32' ? 'i32' : v.e.type;
    if (v.e.type === 'u32') cx.typeFail(node, 'negation of u32', 'negating a u32 value is ambiguous (JS gives a negative number); convert first: -(x | 0) or -(x * 1.0)');
    return { k: 'scalar', e: { kind: 'unary', op: 'neg', x: conv(v.e, t), type: t } };
  }
  return cx.fail(node, `unary ${op}`, `unary ${op} is not supported`);
}

/** Arithmetic/bitwise/comparison with JS meaning; literals adapt to the other operand. */
export function binary(cx: LowerContext, node: N, op: string, a: ScalarVal, b: ScalarVal): ScalarVal {
  if (is64(a.e.type) || is64(b.e.type)) return binary64(cx, node, op, a, b);
  if (a.lit !== undefined && b.lit !== undefined) {
    const folded = foldLiterals(op, a.lit, b.lit);
    if (folded === undefined) cx.fail(node, `operator ${op}`, `operator ${op} is not supported`);
    // `x >>> 0` is how a u32 is written: its constant is typed u32, not an abstract literal
    // (which alone is i32), so `const v = 2 >>> 0; u + v` stays u32 arithmetic.
    if (op === '>>>') return { k: 'scalar', e: constExpr('u32', folded as number) };
    return cx.lit(folded, node);
  }
  switch (op) {
    case '&': case '|': case '^': case '<<': case '>>':
      return { k: 'scalar', e: bin(BITWISE[op], 'i32', 'i32', cx.coerce(a, 'i32'), cx.coerce(b, 'i32')) };
    case '>>>':
      return { k: 'scalar', e: bin('ushr', 'u32', 'u32', cx.coerce(a, 'u32'), cx.coerce(b, 'u32')) };
    case '+': case '-': case '*': case '%': case '/': {
      let t = cx.operandType(node, op, a, b);
      // `/` is always a float division in JS (integer idioms are matched in intDivision).
      if (op === '/' && !isFloat(t)) t = cx.float;
      return { k: 'scalar', e: bin(ARITHMETIC[op], t, t, cx.coerce(a, t), cx.coerce(b, t)) };
    }
    case '<': case '<=': case '>': case '>=': case '==': case '===': case '!=': case '!==': {
      const t = cx.operandType(node, op, a, b, true);
      return { k: 'scalar', e: bin(COMPARE[op], t, 'bool', cx.coerce(a, t), cx.coerce(b, t)) };
    }
    case '**': return mathCall(cx, node, 'pow', [a, b]);
    case 'in': case 'instanceof': return cx.fail(node, op, `'${op}' is not supported in kernels`);
    default: return cx.fail(node, `operator ${op}`, `operator ${op} is not supported`);
  }
}

/** `Math.floor(a / b)`, `Math.trunc(a / b)` and `(a / b) | 0` on integers are integer divisions. */
export function intDivision(cx: LowerContext, node: N, mathFn: 'floor' | 'trunc' | null): ScalarVal | null {
  let div: N | undefined;
  let op: BinaryOp;
  if (mathFn) { div = unparen(node); op = mathFn === 'floor' ? 'floordiv' : 'truncdiv'; }
  else if (node.operator === '|' && isZeroLiteral(node.right)) { div = unparen(node.left); op = 'truncdiv'; }
  else return null;
  if (!div || div.type !== 'BinaryExpression' || div.operator !== '/') return null;
  const saved = cx.mark();
  const [a, b] = scalarsInOrder(cx, [div.left, div.right], 'an operand of /');
  const ta = a.lit !== undefined ? undefined : a.e.type;
  const tb = b.lit !== undefined ? undefined : b.e.type;
  const intLike = (t: ScalarType | undefined, v: ScalarVal) => (t ? isInt(t) : typeof v.lit === 'number' && Number.isInteger(v.lit));
  if (!intLike(ta, a) || !intLike(tb, b) || (ta === undefined && tb === undefined)) {
    // Not an integer division: drop what we emitted and lower normally.
    cx.dropSince(saved);
    return null;
  }
  const t = cx.operandType(div, '/', a, b);
  if (!isInt(t)) { cx.dropSince(saved); return null; }
  const rt = mathFn ? t : 'i32';
  const e = bin(op, t, t, cx.coerce(a, t), cx.coerce(b, t));
  return { k: 'scalar', e: conv(e, rt) };
}

/** A test (if, loops, !, ?:) as a bool: JS truthiness. */
export function condition(cx: LowerContext, node: N): Expr {
  if (node.type === 'LogicalExpression') return logical(cx, node, true).e;
  const v = cx.scalar(lowerExpr(cx, node), node, 'a condition');
  return cx.coerce(v, 'bool');
}

/**
 * && and || with short-circuit evaluation. In a condition they test truthiness;
 * as values they must be booleans (JS returns an operand, which the typed IR
 * cannot express without changing meaning).
 */
export function logical(cx: LowerContext, node: N, asCondition: boolean): ScalarVal {
  if (node.operator === '??') cx.fail(node, '??', 'the ?? operator is not supported in kernels');
  const op = node.operator === '&&' ? 'and' : 'or';
  const side = (n: N): Expr => {
    if (asCondition) return condition(cx, n);
    const v = cx.scalar(lowerExpr(cx, n), n, `an operand of ${node.operator}`);
    if (v.e.type !== 'bool' && v.lit === undefined) cx.typeFail(n, `${node.operator} on numbers`, `${node.operator} on a number returns one of its operands in JavaScript; kernels only allow it on booleans (compare explicitly, e.g. x !== 0)`);
    return cx.coerce(v, 'bool');
  };
  const a = side(node.left);
  let b!: Expr;
  const bStmts = cx.collect(() => { b = side(node.right); });
  if (bStmts.length === 0) return { k: 'scalar', e: { kind: 'logical', op, a, b, type: 'bool' } };
  // The right side has effects: evaluate it only when needed.
  const t = cx.temp('bool', 'sc');
  cx.emit({ kind: 'assign', local: t, value: a });
  const tv: Expr = { kind: 'local', id: t, type: 'bool' };
  cx.emit({ kind: 'if', cond: op === 'and' ? tv : not(tv), then: [...bStmts, { kind: 'assign', local: t, value: b }], else: [] });
  return { k: 'scalar', e: tv };
}

/** `c ? a : b`: a lazy `cond` when the arms have no effects, else an if into a temp. */
export function conditional(cx: LowerContext, node: N): Val {
  const c = condition(cx, node.test);
  let a!: ScalarVal, b!: ScalarVal;
  const aStmts = cx.collect(() => { a = cx.scalar(lowerExpr(cx, node.consequent), node.consequent, 'a branch of ?:'); });
  const bStmts = cx.collect(() => { b = cx.scalar(lowerExpr(cx, node.alternate), node.alternate, 'a branch of ?:'); });
  let t: ScalarType;
  if (a.lit !== undefined && b.lit !== undefined) {
    // Two literals: the type a local assigned both would have.
    const j = joinContributions([{ type: a.e.type, lit: a.lit }, { type: b.e.type, lit: b.lit }], cx.float);
    t = j.ok ? j.type : cx.float;
  } else if (a.e.type === 'bool' && b.e.type === 'bool') t = 'bool';
  else t = cx.operandType(node, '?:', a, b);
  if (aStmts.length === 0 && bStmts.length === 0) {
    return { k: 'scalar', e: { kind: 'cond', c, a: cx.coerce(a, t), b: cx.coerce(b, t), type: t } };
  }
  const tmp = cx.temp(t, 'sel');
  cx.emit({ kind: 'if', cond: c, then: [...aStmts, { kind: 'assign', local: tmp, value: cx.coerce(a, t) }], else: [...bStmts, { kind: 'assign', local: tmp, value: cx.coerce(b, t) }] });
  return { k: 'scalar', e: { kind: 'local', id: tmp, type: t } };
}

function unparen(n: N): N {
  while (n.type === 'ParenthesizedExpression') n = n.expression;
  return n;
}

function isZeroLiteral(n: N): boolean {
  return n.type === 'Literal' && n.value === 0;
}
