// WGSL's uniformity analysis is stricter than core's: it never trusts loads
// from workgroup or read_write storage memory to be uniform. Barriers (and
// workgroupUniformLoad) must sit under WGSL-uniform control, so the emitter
// needs to know where core's "uniform" is not WGSL's. This is a conservative
// version of WGSL's rules over the IR (flow-insensitive for locals); where it
// says "not uniform" but core says "uniform", the emitter broadcasts the value
// through workgroup memory with workgroupUniformLoad.

import { analyzeUniformity, type Expr, type KernelIR, type Stmt, type UniformityInfo, type UniformityRules } from '@numbat/core';

export interface WgslUniformity {
  core: UniformityInfo;
  /** Would WGSL's analysis accept `e` as uniform? (Conservative: false when unsure.) */
  strict(e: Expr): boolean;
  /** Loops whose trip count WGSL may consider non-uniform. */
  strictVaryingLoops: ReadonlySet<Stmt>;
}

/** WGSL's leaves: loads only from read-only storage and module-scope const arrays. */
export function wgslUniformityRules(rwGlobal: (param: number) => boolean, privateConst: (id: number) => boolean): UniformityRules {
  return {
    special: (e) => e.reg !== 'threadIdx',
    load: (e) => {
      switch (e.array.space) {
        case 'global': return !rwGlobal(e.array.param);
        case 'const': return !privateConst(e.array.id);
        default: return false; // workgroup and function-scope memory
      }
    },
    returnVaries: true,
  };
}

/** `rwGlobal(p)`: is array parameter p bound read_write (WGSL: non-uniform loads)? */
export function analyzeWgslUniformity(ir: KernelIR, rwGlobal: (param: number) => boolean, privateConst: (id: number) => boolean): WgslUniformity {
  const strict = analyzeUniformity(ir, wgslUniformityRules(rwGlobal, privateConst));
  return { core: analyzeUniformity(ir), strict: strict.isUniform, strictVaryingLoops: strict.varyingLoops };
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
