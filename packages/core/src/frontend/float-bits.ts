// `f32Bits(x)`, `bitsF32(w)`, `f64Hi(x)`, `f64Lo(x)` and `bitsF64(hi, lo)`
// (random/float-bits.ts), core's random library only: a float's bits as u32
// words and back, as the IR's `bitcast` (and u64 shifts for an f64's halves).

import type { Expr } from '../ir/nodes.js';
import type { LowerContext, N } from './context.js';
import type { Val } from './values.js';
import { bin, constExpr, conv } from './ir-build.js';
import { coerce } from './typing.js';
import { lowerExpr } from './expressions.js';
import { wrappedValue } from './wrapping.js';

/** The library's bit functions by builtin path, with their arity. */
export const FLOAT_BITS_PATHS: ReadonlyMap<string, number> = new Map([
  ['random.f32Bits', 1], ['random.bitsF32', 1], ['random.f64Hi', 1], ['random.f64Lo', 1], ['random.bitsF64', 2],
]);

export function floatBits(cx: LowerContext, node: N, path: string, args: N[]): Val {
  const name = path.slice('random.'.length);
  if (args.length !== FLOAT_BITS_PATHS.get(path)) cx.fail(node, name, `${name}() takes ${FLOAT_BITS_PATHS.get(path)} argument(s)`);
  const float = (k: number, t: 'f32' | 'f64'): Expr => coerce(cx.scalar(lowerExpr(cx, args[k]), args[k], `an argument of ${name}()`), t);
  const word = (k: number): Expr => coerce(cx.scalar(wrappedValue(cx, args[k], 'u32'), args[k], `an argument of ${name}()`), 'u32');
  const scalar = (e: Expr): Val => ({ k: 'scalar', e });
  const bits64 = (x: Expr): Expr => ({ kind: 'bitcast', type: 'u64', x });
  switch (name) {
    case 'f32Bits': return scalar({ kind: 'bitcast', type: 'u32', x: float(0, 'f32') });
    case 'bitsF32': return scalar({ kind: 'bitcast', type: 'f32', x: word(0) });
    case 'f64Hi': return scalar(conv(bin('shr', 'u64', 'u64', bits64(float(0, 'f64')), constExpr('u64', 32n)), 'u32'));
    case 'f64Lo': return scalar(conv(bits64(float(0, 'f64')), 'u32'));
    default: {
      const hi = bin('shl', 'u64', 'u64', conv(word(0), 'u64'), constExpr('u64', 32n));
      return scalar({ kind: 'bitcast', type: 'f64', x: bin('or', 'u64', 'u64', hi, conv(word(1), 'u64')) });
    }
  }
}
