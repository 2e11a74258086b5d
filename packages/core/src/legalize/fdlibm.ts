// Core's f64 library: the Math functions V8 computes with its port of fdlibm, bit for
// bit, for targets whose own math library gives other last bits (caps.native lacks
// 'math-f64-v8': cpu, cuda), in files of related functions (fdlibm-*.ts), and V8's own
// Math.hypot (fdlibm-hypot.ts). Tests: test/math-v8.

import type { Expr } from '../ir/nodes.js';
import type { MathFn } from '../intrinsics.js';
import { childExprs } from '../ir/walk.js';
import type { F64 } from './f64-kit.js';
import { fdlibmExpLog } from './fdlibm-exp-log.js';
import { fdlibmTan, fdlibmTrig } from './fdlibm-trig.js';
import { fdlibmCbrt } from './fdlibm-cbrt.js';
import { fdlibmAtan, fdlibmAtan2 } from './fdlibm-atan.js';
import { fdlibmAsin, fdlibmAcos } from './fdlibm-asin-acos.js';
import { cosh, expm1, sinh, tanh } from './fdlibm-hyperbolic.js';
import { acosh, asinh, atanh, log1p } from './fdlibm-log1p.js';
import { log10, log2 } from './fdlibm-log2-10.js';
import { pow } from './fdlibm-pow.js';
import { hypot } from './fdlibm-hypot.js';

export const FDLIBM_FNS = ['exp', 'log', 'sin', 'cos', 'cbrt', 'atan', 'atan2', 'asin', 'acos', 'expm1', 'sinh', 'cosh', 'tanh', 'log1p', 'atanh', 'asinh', 'acosh', 'log2', 'log10', 'tan', 'pow', 'hypot'] as const satisfies readonly MathFn[];
export type FdlibmFn = (typeof FDLIBM_FNS)[number];

export const isFdlibmFn = (fn: MathFn): fn is FdlibmFn => (FDLIBM_FNS as readonly MathFn[]).includes(fn);

/** V8's Math.<fn>(...args) on f64 arguments, as IR. */
export function fdlibmF64(F: F64, fn: FdlibmFn, args: Expr[]): Expr {
  switch (fn) {
    case 'exp': case 'log': return fdlibmExpLog(F, fn, args[0]);
    case 'sin': case 'cos': return fdlibmTrig(F, fn, args[0]);
    case 'cbrt': return fdlibmCbrt(F, args[0]);
    case 'atan': return fdlibmAtan(F, args[0]);
    case 'atan2': return fdlibmAtan2(F, args[0], args[1]);
    case 'asin': return fdlibmAsin(F, args[0]);
    case 'acos': return fdlibmAcos(F, args[0]);
    case 'expm1': return expm1(F, args[0]);
    case 'sinh': return sinh(F, args[0]);
    case 'cosh': return cosh(F, args[0]);
    case 'tanh': return tanh(F, args[0]);
    case 'log1p': return log1p(F, args[0]);
    case 'atanh': return atanh(F, args[0]);
    case 'asinh': return asinh(F, args[0]);
    case 'acosh': return acosh(F, args[0]);
    case 'log2': return log2(F, args[0]);
    case 'log10': return log10(F, args[0]);
    case 'tan': return fdlibmTan(F, args[0]);
    case 'pow': return pow(F, args[0], args[1]);
    case 'hypot': return hypot(F, args);
  }
}

const LEAVES = new Set<Expr['kind']>(['const', 'local', 'param', 'special', 'length']);

/**
 * The library builds a DAG (a value used twice is one node); the IR must be a tree. Each
 * node reached more than once is bound once with `share` (children first), the others
 * stay inline: far fewer locals than binding every step, which a lane group would keep
 * as one masked vector each.
 */
export function asTree(root: Expr, share: (e: Expr) => Expr): Expr {
  const uses = new Map<Expr, number>();
  const count = (e: Expr): void => {
    const n = (uses.get(e) ?? 0) + 1;
    uses.set(e, n);
    if (n === 1) for (const c of childExprs(e)) count(c);
  };
  count(root);
  const built = new Map<Expr, Expr>();
  const bound = (e: Expr): Expr => (LEAVES.has(e.kind) ? e : share(e));
  const build = (e: Expr): Expr => {
    const done = built.get(e);
    if (done) return done;
    let r: Expr;
    switch (e.kind) {
      case 'unary': case 'convert': case 'bitcast': r = { ...e, x: build(e.x) }; break;
      case 'binary': r = { ...e, a: build(e.a), b: build(e.b) }; break;
      case 'select': r = { ...e, c: build(e.c), a: build(e.a), b: build(e.b) }; break;
      // a lazy ?: (none of the library's functions builds one today) keeps only its first arm
      // lazy: its condition and other arm are locals, so a lane group sees a cheap test
      case 'cond': r = { ...e, c: bound(build(e.c)), a: build(e.a), b: bound(build(e.b)) }; break;
      case 'math': r = { ...e, args: e.args.map(build) }; break;
      default: r = LEAVES.has(e.kind) ? { ...e } : e;
    }
    if ((uses.get(e) ?? 0) > 1) r = bound(r);
    built.set(e, r);
    return r;
  };
  return build(root);
}
