// WGSL's uniformity analysis is stricter than core's: it never trusts loads
// from workgroup or read_write storage memory to be uniform. Barriers (and
// workgroupUniformLoad) must sit under WGSL-uniform control, so the emitter
// needs to know where core's "uniform" is not WGSL's. This is a conservative
// version of WGSL's rules over the IR (flow-insensitive for locals); where it
// says "not uniform" but core says "uniform", the emitter broadcasts the value
// through workgroup memory with workgroupUniformLoad.

import { analyzeUniformity, type Expr, type KernelIR, type Stmt, type UniformityInfo } from '@numbat/core';

export interface WgslUniformity {
  core: UniformityInfo;
  /** Would WGSL's analysis accept `e` as uniform? (Conservative: false when unsure.) */
  strict(e: Expr): boolean;
  /** Loops whose trip count WGSL may consider non-uniform. */
  strictVaryingLoops: ReadonlySet<Stmt>;
}

/** `rwGlobal(p)`: is array parameter p bound read_write (WGSL: non-uniform loads)? */
export function analyzeWgslUniformity(ir: KernelIR, rwGlobal: (param: number) => boolean, privateConst: (id: number) => boolean): WgslUniformity {
  const core = analyzeUniformity(ir);
  const uniformLocals = new Set(ir.locals.map((l) => l.id));
  const varyingLoops = new Set<Stmt>();
  const strict = (e: Expr): boolean => strictExpr(e, uniformLocals, rwGlobal, privateConst);

  let changed = true;
  while (changed) {
    changed = false;
    const visit = (stmts: Stmt[], varying: boolean): void => {
      for (const s of stmts) {
        if (s.kind === 'assign') {
          if (uniformLocals.has(s.local) && (varying || !strict(s.value))) { uniformLocals.delete(s.local); changed = true; }
        } else if (s.kind === 'if') {
          const v = varying || !strict(s.cond);
          visit(s.then, v); visit(s.else, v);
        } else if (s.kind === 'loop') {
          const v = varying || (s.cond !== undefined && !strict(s.cond)) || exitsUnderVaryingControl(s, strict);
          if (v && !varyingLoops.has(s)) { varyingLoops.add(s); changed = true; }
          visit(s.body, v); visit(s.update, v);
        }
      }
    };
    visit(ir.body, false);
  }
  return { core, strict, strictVaryingLoops: varyingLoops };
}

function strictExpr(e: Expr, locals: ReadonlySet<number>, rwGlobal: (p: number) => boolean, privateConst: (id: number) => boolean): boolean {
  const u = (x: Expr): boolean => strictExpr(x, locals, rwGlobal, privateConst);
  switch (e.kind) {
    case 'const': case 'param': case 'length': return true;
    case 'special': return e.reg !== 'threadIdx';
    case 'local': return locals.has(e.id);
    case 'unary': case 'convert': return u(e.x);
    case 'binary': case 'logical': return u(e.a) && u(e.b);
    case 'cond': case 'select': return u(e.c) && u(e.a) && u(e.b);
    case 'math': return e.args.every(u);
    case 'atomic': return false;
    case 'load':
      switch (e.array.space) {
        case 'global': return !rwGlobal(e.array.param) && u(e.index);
        case 'const': return !privateConst(e.array.id) && u(e.index);
        default: return false; // workgroup and function-scope memory
      }
  }
}

function exitsUnderVaryingControl(loop: Stmt & { kind: 'loop' }, uniform: (e: Expr) => boolean): boolean {
  const walk = (stmts: Stmt[], varying: boolean, depth: number): boolean =>
    stmts.some((s) => {
      switch (s.kind) {
        case 'break': case 'continue': return varying && depth === 0;
        case 'return': return varying;
        case 'if': { const v = varying || !uniform(s.cond); return walk(s.then, v, depth) || walk(s.else, v, depth); }
        case 'loop': return walk(s.body, varying, depth + 1) || walk(s.update, varying, depth + 1);
        default: return false;
      }
    });
  return walk(loop.body, false, 0) || walk(loop.update, false, 0);
}

export function containsBarrier(stmts: Stmt[]): boolean {
  return stmts.some((s) => s.kind === 'barrier' || (s.kind === 'if' && (containsBarrier(s.then) || containsBarrier(s.else))) || (s.kind === 'loop' && (containsBarrier(s.body) || containsBarrier(s.update))));
}

export function containsReturn(stmts: Stmt[]): boolean {
  return stmts.some((s) => s.kind === 'return' || (s.kind === 'if' && (containsReturn(s.then) || containsReturn(s.else))) || (s.kind === 'loop' && (containsReturn(s.body) || containsReturn(s.update))));
}

/** Does a break/continue at loop depth 0 (relative to `stmts`) occur? */
export function containsLoopExit(stmts: Stmt[]): boolean {
  return stmts.some((s) => s.kind === 'break' || s.kind === 'continue' || (s.kind === 'if' && (containsLoopExit(s.then) || containsLoopExit(s.else))));
}

/**
 * Is there a `return` that WGSL would see under non-uniform control in a kernel
 * with barriers? Such kernels are emitted in "exit-flag" mode (see emit.ts).
 */
export function needsExitFlag(ir: KernelIR, u: WgslUniformity): boolean {
  if (!ir.hasBarrier) return false;
  const walk = (stmts: Stmt[], varying: boolean): boolean =>
    stmts.some((s) => {
      switch (s.kind) {
        case 'return': return varying;
        case 'if': { const v = varying || !u.strict(s.cond); return walk(s.then, v) || walk(s.else, v); }
        case 'loop': { const v = varying || u.strictVaryingLoops.has(s); return walk(s.body, v) || walk(s.update, v); }
        default: return false;
      }
    });
  return walk(ir.body, false);
}
