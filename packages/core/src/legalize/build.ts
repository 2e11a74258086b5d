// Small constructors for the IR the rules build (each keeps the rewritten node's source position).

import type { BinaryOp, UnaryOp } from '../ir/ops.js';
import { COMPARE_OPS } from '../ir/ops.js';
import type { Expr, Loc } from '../ir/nodes.js';
import type { MathFn } from '../intrinsics.js';
import type { ScalarType } from '../types.js';

export class Build {
  constructor(readonly loc: Loc | undefined) {}
  k(type: ScalarType, value: number | boolean): Expr {
    return { kind: 'const', type, value, loc: this.loc };
  }
  bin(op: BinaryOp, t: ScalarType, a: Expr, b: Expr): Expr {
    return { kind: 'binary', op, opType: t, type: COMPARE_OPS.has(op) ? 'bool' : t, a, b, loc: this.loc };
  }
  un(op: UnaryOp, x: Expr): Expr {
    return { kind: 'unary', op, type: op === 'not' ? 'bool' : x.type, x, loc: this.loc };
  }
  sel(c: Expr, a: Expr, b: Expr): Expr {
    return { kind: 'select', type: a.type, c, a, b, loc: this.loc };
  }
  /** Both true, branch-free (`&&` would be lazy). */
  both(a: Expr, b: Expr): Expr {
    return this.sel(a, b, this.k('bool', false));
  }
  /** Either true, branch-free. */
  either(a: Expr, b: Expr): Expr {
    return this.sel(a, this.k('bool', true), b);
  }
  convert(to: ScalarType, x: Expr): Expr {
    return { kind: 'convert', type: to, x, loc: this.loc };
  }
  math(fn: MathFn, t: ScalarType, ...args: Expr[]): Expr {
    return { kind: 'math', fn, type: t, args, loc: this.loc };
  }
  isNaN(x: Expr): Expr {
    return this.bin('ne', x.type, x, x);
  }
}
