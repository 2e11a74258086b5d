// JS `%` on floats is the exact fmod. LLVM's NVPTX back end expands `frem`
// to x - trunc(x / y) * y, which is inexact for large quotients, lets the
// multiply and subtract fuse, and gives NaN for a finite x % Infinity (JS: x).
// Before lowering, float `rem` nodes become calls of libdevice's exact
// `__nv_fmodf` / `__nv_fmod`, through a math entry the shared lowering
// already knows how to call (an extern by name). The caller's IR is not
// touched: `inspect('ir')` still shows `rem`.

import type { Expr, KernelIR, MathFn, Stmt } from '@numbat/core';

/** Not a Math.* function users can call: the name under which the float `%` is lowered. */
export const FMOD = 'fmod' as MathFn;

function hasFloatRem(e: Expr): boolean {
  if (e.kind === 'binary' && e.op === 'rem' && (e.opType === 'f32' || e.opType === 'f64')) return true;
  switch (e.kind) {
    case 'unary': case 'convert': return hasFloatRem(e.x);
    case 'binary': case 'logical': return hasFloatRem(e.a) || hasFloatRem(e.b);
    case 'cond': case 'select': return hasFloatRem(e.c) || hasFloatRem(e.a) || hasFloatRem(e.b);
    case 'load': return hasFloatRem(e.index);
    case 'math': return e.args.some(hasFloatRem);
    case 'atomic': return hasFloatRem(e.index) || hasFloatRem(e.value) || (e.expected ? hasFloatRem(e.expected) : false);
    default: return false;
  }
}

function stmtHas(s: Stmt): boolean {
  switch (s.kind) {
    case 'assign': return hasFloatRem(s.value);
    case 'store': return hasFloatRem(s.index) || hasFloatRem(s.value);
    case 'expr': return hasFloatRem(s.expr);
    case 'if': return hasFloatRem(s.cond) || s.then.some(stmtHas) || s.else.some(stmtHas);
    case 'loop': return (s.cond ? hasFloatRem(s.cond) : false) || s.body.some(stmtHas) || s.update.some(stmtHas);
    default: return false;
  }
}

function mapExpr(e: Expr): Expr {
  switch (e.kind) {
    case 'unary': return { ...e, x: mapExpr(e.x) };
    case 'convert': return { ...e, x: mapExpr(e.x) };
    case 'binary': {
      const a = mapExpr(e.a), b = mapExpr(e.b);
      if (e.op === 'rem' && (e.opType === 'f32' || e.opType === 'f64')) return { kind: 'math', fn: FMOD, args: [a, b], type: e.type, loc: e.loc };
      return { ...e, a, b };
    }
    case 'logical': return { ...e, a: mapExpr(e.a), b: mapExpr(e.b) };
    case 'cond': case 'select': return { ...e, c: mapExpr(e.c), a: mapExpr(e.a), b: mapExpr(e.b) };
    case 'load': return { ...e, index: mapExpr(e.index) };
    case 'math': return { ...e, args: e.args.map(mapExpr) };
    case 'atomic': return { ...e, index: mapExpr(e.index), value: mapExpr(e.value), ...(e.expected ? { expected: mapExpr(e.expected) } : {}) };
    default: return e;
  }
}

function mapStmt(s: Stmt): Stmt {
  switch (s.kind) {
    case 'assign': return { ...s, value: mapExpr(s.value) };
    case 'store': return { ...s, index: mapExpr(s.index), value: mapExpr(s.value) };
    case 'expr': return { ...s, expr: mapExpr(s.expr) };
    case 'if': return { ...s, cond: mapExpr(s.cond), then: s.then.map(mapStmt), else: s.else.map(mapStmt) };
    case 'loop': return { ...s, ...(s.cond ? { cond: mapExpr(s.cond) } : {}), body: s.body.map(mapStmt), update: s.update.map(mapStmt) };
    default: return s;
  }
}

/** `ir` itself when it has no float `%`, else a copy with every float `%` as an fmod call. */
export function exactFloatRem(ir: KernelIR): KernelIR {
  if (!ir.body.some(stmtHas)) return ir;
  return { ...ir, body: ir.body.map(mapStmt) };
}
