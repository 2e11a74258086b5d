// Math.* in kernels: min/max over any number of arguments, fround, the integer
// division idioms Math.floor(a / b) / Math.trunc(a / b), and every intrinsic
// declared in intrinsics.ts (typed by its rule; all-literal calls fold).

import type { ScalarType } from '../types.js';
import { is64, isFloat, isInt } from '../types.js';
import { isMathFn, MATH_DECLS, mathSignature, type MathDecl, type MathFn } from '../intrinsics.js';
import type { LowerContext, N } from './context.js';
import type { ScalarVal, Val } from './values.js';
import { literalType } from './values.js';
import { bin, conv } from './ir-build.js';
import { coerce, literalAgainst } from './typing.js';
import { lowerExpr, scalarsInOrder } from './expressions.js';
import { intDivision } from './operators.js';
import { evalMath } from '../ir/semantics.js';
import { hypotN } from './math-hypot.js';

export function math(cx: LowerContext, node: N, fn: string, args: N[]): Val {
  if (fn === 'min' || fn === 'max') {
    if (args.length === 0) return cx.lit(fn === 'min' ? Infinity : -Infinity);
    const vals = scalarsInOrder(cx, args, `an argument of Math.${fn}`);
    let acc = vals[0];
    if (acc.e.type === 'bool') acc = { k: 'scalar', e: conv(acc.e, 'i32') };
    if (vals.some((v) => is64(v.e.type))) cx.typeFail(node, `Math.${fn} of a BigInt`, `TypeError: Cannot convert a BigInt value to a number (Math.${fn}); compare BigInts with < and ?: instead`);
    for (const b of vals.slice(1)) {
      if (acc.lit !== undefined && b.lit !== undefined) { acc = cx.lit(Math[fn](acc.lit as number, b.lit as number), node); continue; }
      const t = cx.operandType(node, `Math.${fn}`, acc, b);
      acc = { k: 'scalar', e: bin(fn, t, t, cx.coerce(acc, t), cx.coerce(b, t)) };
    }
    return acc;
  }
  if (fn === 'fround') {
    if (args.length !== 1) cx.fail(node, 'Math.fround', 'Math.fround takes one argument');
    const v = cx.scalar(lowerExpr(cx, args[0]), args[0], 'the argument of Math.fround');
    return { k: 'scalar', e: coerce(v, 'f32') };
  }
  if ((fn === 'floor' || fn === 'trunc') && args.length === 1) {
    const special = intDivision(cx, args[0], fn);
    if (special) return special;
  }
  if (fn === 'hypot' && args.length !== 2) return hypotN(cx, node, args);
  if (!isMathFn(fn)) return cx.fail(node, `Math.${fn}`, `Math.${fn} is not supported in kernels`);
  const decl = MATH_DECLS[fn];
  if (args.length !== decl.arity) cx.fail(node, `Math.${fn}`, `Math.${fn} takes ${decl.arity} argument(s) in kernels`);
  return mathCall(cx, node, fn, scalarsInOrder(cx, args, `an argument of Math.${fn}`));
}

/** An intrinsic on lowered arguments: typed by its rule, folded when every argument is a literal. */
export function mathCall(cx: LowerContext, node: N, fn: MathFn, vals: ScalarVal[]): ScalarVal {
  const decl: MathDecl = MATH_DECLS[fn];
  const bitRule = decl.rule === 'bits' || decl.rule === 'bitsSame';
  // Bit intrinsics of literals fold later, typed (brev(-1) is an i32).
  if (!bitRule && vals.every((v) => v.lit !== undefined)) {
    // Folded in f64, as JS would; but where an f32 result is not the f64 one rounded (nextafter,
    // fma, ldexp), literals in an f32 kernel give the f32 form, as the same call on values does.
    const atF32 = cx.float === 'f32' && decl.ref?.extraF32 !== undefined && vals.every((v) => typeof v.lit === 'number');
    const lits = vals.map((v) => (atF32 && v.lit !== undefined && (decl.rule !== 'ldexp' || v === vals[0]) ? Math.fround(v.lit as number) : v.lit!));
    return cx.lit(evalMath(fn, atF32 ? 'f32' : 'f64', lits) as number, node);
  }
  const name = decl.cudaOnly ? `cuda.${fn}` : `Math.${fn}`;
  if (!bitRule && vals.some((v) => is64(v.e.type))) cx.typeFail(node, `${name} of a BigInt`, `TypeError: Cannot convert a BigInt value to a number (${name}); convert with Number(b) first`);
  if (bitRule && vals.some((v) => v.lit === undefined && isFloat(v.e.type))) cx.typeFail(node, `${name} of a float`, `${name} takes an integer (i32, u32, i64 or u64), got ${vals[0].e.type}; convert first (x | 0, x >>> 0, BigInt(x))`);
  let types = vals.map((v) => (v.lit !== undefined ? undefined : v.e.type));
  const concrete = types.filter((t): t is ScalarType => t !== undefined);
  if (concrete.length >= 2 && isInt(concrete[0]) && isInt(concrete[1]) && concrete[0] !== concrete[1] && decl.rule === 'numeric') {
    cx.typeFail(node, 'i32/u32 mix', `Math.${fn} mixes i32 and u32 arguments; convert one explicitly`);
    types = types.map(() => 'u32');
    concrete.fill('u32');
  }
  // A literal argument takes the other argument's type (or a float when it is fractional).
  const litTypes = vals.map((v, i) => types[i] ?? literalAgainst(v.lit!, concrete[0] ?? literalType(v.lit!, cx.float), false, cx.float));
  const sig = mathSignature(fn, litTypes, cx.float);
  if (decl.rule === 'numeric' && 'intIdentity' in decl && decl.intIdentity && isInt(sig.arg)) return { k: 'scalar', e: cx.coerce(vals[0], sig.arg) };
  // i32/u32 rules take any number the way JS's ToInt32/ToUint32 would (sig.arg is i32/u32 there).
  const argsE = vals.map((v, i) => cx.coerce(v, sig.args?.[i] ?? sig.arg));
  return { k: 'scalar', e: { kind: 'math', fn, args: argsE, type: sig.result } };
}
