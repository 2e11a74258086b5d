// `f32Bits(x)` and `bitsF32(w)` (random/float-bits.ts), core's random library
// only: an f32's bits as a u32 and back, as the IR's `bitcast`.

import type { LowerContext, N } from './context.js';
import type { Val } from './values.js';
import { coerce } from './typing.js';
import { lowerExpr } from './expressions.js';
import { wrappedValue } from './wrapping.js';

export const F32_BITS_PATH = 'random.f32Bits';
export const BITS_F32_PATH = 'random.bitsF32';

export function floatBits(cx: LowerContext, node: N, path: string, args: N[]): Val {
  const name = path === F32_BITS_PATH ? 'f32Bits' : 'bitsF32';
  if (args.length !== 1) cx.fail(node, name, `${name}(x) takes one argument`);
  if (path === F32_BITS_PATH) {
    const x = coerce(cx.scalar(lowerExpr(cx, args[0]), args[0], `the argument of ${name}()`), 'f32');
    return { k: 'scalar', e: { kind: 'bitcast', type: 'u32', x } };
  }
  const w = coerce(cx.scalar(wrappedValue(cx, args[0], 'u32'), args[0], `the argument of ${name}()`), 'u32');
  return { k: 'scalar', e: { kind: 'bitcast', type: 'f32', x: w } };
}
