// Which expressions have the same value in every lane of a lane group (W
// threads with consecutive threadIdx.x and the same threadIdx.y/z, run in
// lockstep by lanes.ts). Core's block uniformity (analyzeUniformity) is
// stricter: threadIdx.y/z vary across a block but not across a lane group.
// Same rules otherwise: a local is lane-uniform when every assignment stores
// a lane-uniform value under lane-uniform control (fixpoint).

import type { Expr, KernelIR, Stmt } from '@numbat/core';

export interface LaneUniformity {
  isUniform(e: Expr): boolean;
  uniformLocals: ReadonlySet<number>;
  /** Loops whose trip count may differ between lanes (varying condition, or break/continue under varying control). */
  varyingLoops: ReadonlySet<Stmt>;
}

export function analyzeLaneUniformity(ir: KernelIR): LaneUniformity {
  const uniform = new Set(ir.locals.map((l) => l.id));
  const varyingLoops = new Set<Stmt>();
  const isUniform = (e: Expr): boolean => exprLaneUniform(e, uniform);
  let changed = true;
  while (changed) {
    changed = false;
    const visit = (stmts: readonly Stmt[], varying: boolean): void => {
      for (const s of stmts) {
        if (s.kind === 'assign' && uniform.has(s.local) && (varying || !isUniform(s.value))) {
          uniform.delete(s.local);
          changed = true;
        } else if (s.kind === 'if') {
          const v = varying || !isUniform(s.cond);
          visit(s.then, v);
          visit(s.else, v);
        } else if (s.kind === 'loop') {
          const v = varying || (s.cond !== undefined && !isUniform(s.cond)) || exitsUnderVaryingControl(s, isUniform);
          if (v && !varyingLoops.has(s)) { varyingLoops.add(s); changed = true; }
          visit(s.body, v);
          visit(s.update, v);
        }
      }
    };
    visit(ir.body, false);
  }
  return { isUniform, uniformLocals: uniform, varyingLoops };
}

function exprLaneUniform(e: Expr, locals: ReadonlySet<number>): boolean {
  const u = (x: Expr): boolean => exprLaneUniform(x, locals);
  switch (e.kind) {
    case 'const': case 'param': case 'length': return true;
    case 'special': return !(e.reg === 'threadIdx' && e.dim === 0);
    case 'local': return locals.has(e.id);
    case 'unary': case 'convert': return u(e.x);
    case 'binary': case 'logical': return u(e.a) && u(e.b);
    case 'cond': case 'select': return u(e.c) && u(e.a) && u(e.b);
    case 'load': return e.array.space !== 'local' && u(e.index);
    case 'math': return e.args.every(u);
    case 'atomic': return false;
  }
}

/** A break/continue of this loop under a varying if inside it (returns only retire lanes). */
function exitsUnderVaryingControl(loop: Stmt & { kind: 'loop' }, isUniform: (e: Expr) => boolean): boolean {
  const walk = (stmts: readonly Stmt[], varying: boolean, depth: number): boolean =>
    stmts.some((s) => {
      switch (s.kind) {
        case 'break': case 'continue': return varying && depth === 0;
        case 'if': { const v = varying || !isUniform(s.cond); return walk(s.then, v, depth) || walk(s.else, v, depth); }
        case 'loop': return walk(s.body, varying, depth + 1) || walk(s.update, varying, depth + 1);
        default: return false;
      }
    });
  return walk(loop.body, false, 0) || walk(loop.update, false, 0);
}
