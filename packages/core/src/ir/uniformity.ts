// Which values are the same for every thread of a block. A barrier under a
// condition that can differ between threads deadlocks (or is undefined) on a
// GPU, and the CPU backend's work-item-loop transform needs every barrier's
// enclosing conditions to be block-uniform, so both use this analysis.
//
// Uniform: literals, scalar params, blockIdx/blockDim/gridDim, array lengths,
// loads from global/shared/const arrays at a uniform index, and locals only ever
// assigned uniform values under uniform control. Varying: threadIdx (hence
// cuda.grid), atomics' results, local-array loads, and anything derived.

import type { Expr, KernelIR, Stmt } from './nodes.js';

export interface UniformityInfo {
  uniformLocals: ReadonlySet<number>;
  isUniform(e: Expr): boolean;
  /** Loops (by identity) whose trip count can differ between threads. */
  varyingLoops: ReadonlySet<Stmt>;
}

export function analyzeUniformity(ir: KernelIR): UniformityInfo {
  const uniform = new Set(ir.locals.map((l) => l.id));
  const varyingLoops = new Set<Stmt>();
  const isUniform = (e: Expr): boolean => exprUniform(e, uniform);

  let changed = true;
  while (changed) {
    changed = false;
    const visit = (stmts: Stmt[], varyingCtl: boolean): void => {
      for (const s of stmts) {
        switch (s.kind) {
          case 'assign':
            if (uniform.has(s.local) && (varyingCtl || !isUniform(s.value))) {
              uniform.delete(s.local);
              changed = true;
            }
            break;
          case 'if': {
            const v = varyingCtl || !isUniform(s.cond);
            visit(s.then, v);
            visit(s.else, v);
            break;
          }
          case 'loop': {
            const v = varyingCtl || (s.cond !== undefined && !isUniform(s.cond)) || exitsUnderVaryingControl(s, isUniform);
            if (v && !varyingLoops.has(s)) { varyingLoops.add(s); changed = true; }
            visit(s.body, v);
            visit(s.update, v);
            break;
          }
          default:
            break;
        }
      }
    };
    visit(ir.body, false);
  }
  return { uniformLocals: uniform, isUniform, varyingLoops };
}

export function exprUniform(e: Expr, uniformLocals: ReadonlySet<number>): boolean {
  const u = (x: Expr): boolean => exprUniform(x, uniformLocals);
  switch (e.kind) {
    case 'const': case 'param': case 'length': return true;
    case 'special': return e.reg !== 'threadIdx';
    case 'local': return uniformLocals.has(e.id);
    case 'unary': case 'convert': return u(e.x);
    case 'binary': case 'logical': return u(e.a) && u(e.b);
    case 'cond': case 'select': return u(e.c) && u(e.a) && u(e.b);
    case 'load': return e.array.space !== 'local' && u(e.index);
    case 'math': return e.args.every(u);
    case 'atomic': return false;
  }
}

/** Does a break/continue of this loop (or a return) sit under a varying `if` inside it? */
function exitsUnderVaryingControl(loop: Stmt & { kind: 'loop' }, isUniform: (e: Expr) => boolean): boolean {
  const walk = (stmts: Stmt[], varying: boolean, depth: number): boolean =>
    stmts.some((s) => {
      switch (s.kind) {
        case 'break': case 'continue': return varying && depth === 0;
        case 'return': return varying;
        case 'if': { const v = varying || !isUniform(s.cond); return walk(s.then, v, depth) || walk(s.else, v, depth); }
        case 'loop': return walk(s.body, varying, depth + 1) || walk(s.update, varying, depth + 1);
        default: return false;
      }
    });
  return walk(loop.body, false, 0) || walk(loop.update, false, 0);
}
