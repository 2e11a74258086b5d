// numba's math.* functions JS's Math lacks, reached as cuda.<name> (intrinsics.ts
// declares them), plus what needs more than one intrinsic: cuda.frexp's two
// results, and the NaN/finiteness tests Number.isNaN, Number.isFinite, isNaN and
// isFinite (with the Number constants kernels use).

import type { LowerContext, N } from './context.js';
import type { ScalarVal, Val } from './values.js';
import { isFloat } from '../types.js';
import { bin } from './ir-build.js';
import { scalarsInOrder } from './expressions.js';
import { mathCall } from './math.js';

/** Number.<name> constants, literals of the default float (or i32 where integral). */
const NUMBER_CONSTANTS: Record<string, number> = {
  EPSILON: Number.EPSILON, MAX_VALUE: Number.MAX_VALUE, MIN_VALUE: Number.MIN_VALUE,
  MAX_SAFE_INTEGER: Number.MAX_SAFE_INTEGER, MIN_SAFE_INTEGER: Number.MIN_SAFE_INTEGER,
  POSITIVE_INFINITY: Infinity, NEGATIVE_INFINITY: -Infinity, NaN: NaN,
};
const NUMBER_TESTS = ['isNaN', 'isFinite'];

/** `Number.<prop>`: a constant, or isNaN / isFinite (a namespace path to call). */
export function numberMember(cx: LowerContext, node: N, prop: string): Val {
  if (prop in NUMBER_CONSTANTS) return cx.lit(NUMBER_CONSTANTS[prop], node);
  if (NUMBER_TESTS.includes(prop)) return { k: 'ns', path: `Number.${prop}` };
  return cx.fail(node, `Number.${prop}`, `Number.${prop} is not supported in kernels (have: ${[...NUMBER_TESTS, ...Object.keys(NUMBER_CONSTANTS)].join(', ')})`);
}

/**
 * Number.isNaN(x), Number.isFinite(x), isNaN(x), isFinite(x) on a number or
 * boolean. JS's global forms convert a boolean to a number first (isFinite(true)
 * is true); the Number forms say false for anything that is not a number.
 */
export function numberTest(cx: LowerContext, node: N, path: string, args: N[]): ScalarVal {
  if (args.length !== 1) cx.fail(node, path, `${path} takes one argument`);
  const [v] = scalarsInOrder(cx, args, `the argument of ${path}`);
  const nan = path.endsWith('isNaN');
  const t = v.e.type;
  if (v.lit !== undefined && typeof v.lit === 'number') return cx.lit(nan ? Number.isNaN(v.lit) : Number.isFinite(v.lit), node);
  if (t === 'bool') return cx.lit(nan ? false : !path.startsWith('Number.'), node);
  if (!isFloat(t)) return cx.lit(!nan, node);
  const x = cx.stable(cx.coerce(v, t));
  // NaN is the one value unequal to itself; x - x is 0 exactly for finite x (NaN for ±Infinity and NaN).
  return { k: 'scalar', e: nan ? bin('ne', t, 'bool', x, x) : bin('eq', t, 'bool', bin('sub', t, t, x, x), { kind: 'const', type: t, value: 0 }) };
}

/** cuda.frexp(x): [mantissa in [0.5, 1) with x's sign, exponent (i32)], destructured `const [m, e] = cuda.frexp(x)`. */
export function frexp(cx: LowerContext, node: N, args: N[]): Val {
  if (args.length !== 1) cx.fail(node, 'cuda.frexp', 'cuda.frexp takes one argument');
  const [v] = scalarsInOrder(cx, args, 'the argument of cuda.frexp');
  const m = mathCall(cx, node, 'frexpMant', [v]);
  const x: ScalarVal = m.e.kind === 'math' ? { k: 'scalar', e: cx.stable(m.e.args[0]) } : v;
  if (m.e.kind === 'math') m.e.args[0] = x.e;
  return { k: 'tuple', items: [m, mathCall(cx, node, 'frexpExp', [x])] };
}
