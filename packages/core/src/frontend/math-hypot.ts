// Math.hypot with other than two arguments: V8's own algorithm (builtins' math.tq) written out
// as IR: every |a_i| divided by the largest, the squares summed in argument order with Kahan's
// compensation, sqrt(sum) · max; Infinity anywhere beats NaN, all zeros (and no argument) give
// +0. In f64 that is V8's result bit for bit on every target (plain + − × ÷ and sqrt); in f32 the
// same steps in f32. Two arguments stay the `hypot` intrinsic (legalize/fdlibm-hypot.ts has the
// same steps for the f64 targets that need them).

import type { Expr } from '../ir/nodes.js';
import type { ScalarType } from '../types.js';
import { is64 } from '../types.js';
import { mathSignature } from '../intrinsics.js';
import type { LowerContext, N } from './context.js';
import type { Val } from './values.js';
import { literalType } from './values.js';
import { bin } from './ir-build.js';
import { scalarsInOrder } from './expressions.js';

export function hypotN(cx: LowerContext, node: N, args: N[]): Val {
  if (args.length === 0) return cx.lit(0, node);
  const vals = scalarsInOrder(cx, args, 'an argument of Math.hypot');
  if (vals.some((v) => typeof v.lit === 'bigint' || (v.lit === undefined && is64(v.e.type)))) cx.typeFail(node, 'Math.hypot of a BigInt', 'TypeError: Cannot convert a BigInt value to a number (Math.hypot); convert with Number(b) first');
  if (vals.every((v) => typeof v.lit === 'number')) return cx.lit(Math.hypot(...vals.map((v) => v.lit as number)), node);
  const t: ScalarType = mathSignature('hypot', vals.map((v) => (v.lit !== undefined ? literalType(v.lit as number, cx.float) : v.e.type)), cx.float).arg;
  const k = (v: number): Expr => ({ kind: 'const', type: t, value: v });
  const sel = (c: Expr, a: Expr, b: Expr): Expr => ({ kind: 'select', type: t, c, a, b });
  const xs = vals.map((v) => cx.stable(cx.coerce(v, t)));
  const abs = xs.map((x) => cx.stable({ kind: 'math', fn: 'abs', type: t, args: [x] }));
  // the largest |a_i| that is not NaN (NaN compares false), from 0
  let max = k(0);
  for (const a of abs) max = cx.stable(sel(bin('lt', t, 'bool', max, a), a, max));
  let sum = k(0), comp = k(0);
  for (const a of abs) {
    const q = cx.stable(bin('div', t, t, a, max));
    const summand = cx.stable(bin('sub', t, t, bin('mul', t, t, q, q), comp));
    const next = cx.stable(bin('add', t, t, sum, summand));
    comp = cx.stable(bin('sub', t, t, bin('sub', t, t, next, sum), summand));
    sum = next;
  }
  let nan: Expr = { kind: 'const', type: 'bool', value: false };
  for (const x of xs) nan = { kind: 'select', type: 'bool', c: bin('ne', t, 'bool', x, x), a: { kind: 'const', type: 'bool', value: true }, b: nan };
  const value = bin('mul', t, t, { kind: 'math', fn: 'sqrt', type: t, args: [sum] }, max);
  const e = sel(bin('eq', t, 'bool', max, k(Infinity)), k(Infinity), sel(nan, k(NaN), sel(bin('eq', t, 'bool', max, k(0)), k(0), value)));
  return { k: 'scalar', e };
}
