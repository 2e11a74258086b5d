// Small constructors of IR expressions the lowering builds everywhere.

import type { Expr } from '../ir/nodes.js';
import type { BinaryOp } from '../ir/ops.js';
import { COMPARE_OPS } from '../ir/ops.js';
import type { ScalarType } from '../types.js';
import { evalConvert } from '../ir/semantics.js';

export function constExpr(type: ScalarType, value: number | boolean | bigint): Expr {
  return { kind: 'const', type, value };
}

/** A binary op; comparisons yield bool whatever `type` says. */
export function bin(op: BinaryOp, opType: ScalarType, type: ScalarType, a: Expr, b: Expr): Expr {
  return { kind: 'binary', op, opType, type: COMPARE_OPS.has(op) ? 'bool' : type, a, b };
}

/** e converted to t with JS's meaning; constants are converted now. */
export function conv(e: Expr, t: ScalarType): Expr {
  if (e.type === t) return e;
  if (e.kind === 'const') return constExpr(t, evalConvert(e.type, t, e.value));
  return { kind: 'convert', x: e, type: t };
}

/** Logical not, cancelling a double negation. */
export function not(e: Expr): Expr {
  if (e.kind === 'unary' && e.op === 'not') return e.x;
  return { kind: 'unary', op: 'not', x: e, type: 'bool' };
}
