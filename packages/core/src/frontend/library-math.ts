// `ulpLog`, `ulpSin`, `ulpCos` (random/library-math.ts), core's random library
// only: f64 Math.log, Math.sin, Math.cos marked `ulp` (ir/nodes.ts MathExpr).

import type { MathFn } from '../intrinsics.js';
import type { LowerContext, N } from './context.js';
import type { Val } from './values.js';
import { coerce } from './typing.js';
import { lowerExpr } from './expressions.js';

/** The library's ulp-accurate functions by builtin path. */
export const LIBRARY_MATH_PATHS: ReadonlyMap<string, MathFn> = new Map([['random.ulpLog', 'log'], ['random.ulpSin', 'sin'], ['random.ulpCos', 'cos']]);

export function libraryMath(cx: LowerContext, node: N, path: string, args: N[]): Val {
  const fn = LIBRARY_MATH_PATHS.get(path)!;
  if (args.length !== 1) cx.fail(node, path, `${path}() takes one argument`);
  const x = coerce(cx.scalar(lowerExpr(cx, args[0]), args[0], `the argument of ${path}()`), 'f64');
  return { k: 'scalar', e: { kind: 'math', fn, type: 'f64', args: [x], ulp: true } };
}
