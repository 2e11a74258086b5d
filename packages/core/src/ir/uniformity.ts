// Which values are the same for every thread of a group. A barrier under a
// condition that can differ between threads deadlocks (or is undefined) on a
// GPU, and the CPU backend's work-item-loop transform needs every barrier's
// enclosing conditions to be block-uniform, so both use this analysis.
//
// One analysis, parameterised by its leaf predicate (`UniformityRules`): what
// "the group" is and which memory can be trusted differ per use (a block here;
// a CPU lane group; WGSL's stricter rules), the fixpoint does not.
//
// Block rules (the default): uniform are literals, scalar params,
// blockIdx/blockDim/gridDim, array lengths, loads from global/shared/const
// arrays at a uniform index, and locals only ever assigned uniform values under
// uniform control. Varying: threadIdx (hence cuda.grid), atomics' results,
// local-array loads, and anything derived.

import { localScopes } from './local-scopes.js';
import type { Expr, KernelIR, LoadExpr, SpecialExpr, Stmt } from './nodes.js';

export interface UniformityInfo {
  uniformLocals: ReadonlySet<number>;
  isUniform(e: Expr): boolean;
  /** Loops (by identity) whose trip count can differ between threads. */
  varyingLoops: ReadonlySet<Stmt>;
}

/** The leaves of the analysis: everything else is uniform when its operands are. */
export interface UniformityRules {
  /** Is this special register the same for every thread of the group? */
  special(e: SpecialExpr): boolean;
  /** Is this array's memory the same for every thread (the index is checked separately)? */
  load(e: LoadExpr): boolean;
  /**
   * Does a `return` under varying control inside a loop make the loop's trip
   * count vary? Yes for a block; no for a lane group, where a return only retires lanes.
   */
  returnVaries: boolean;
  /**
   * Lane groups (lockstep, masked): a local with a scope (local-scopes.ts: its
   * value on entry to a statement list is never read) stays uniform when
   * assigned uniform values under varying control outside that list (lanes
   * that skip the list never read it), and a loop under varying control varies
   * only by its own condition and exits (the active lanes run the same trips).
   */
  scopedLocals?: boolean;
  /**
   * Lane groups: an `if` marked groupWide or anyLane is uniform control (the group tests its
   * condition over all its lanes and runs one arm for all of them), whatever its condition.
   */
  groupWideIfs?: boolean;
}

/** Uniform across the threads of one block. */
export const BLOCK_UNIFORMITY: UniformityRules = {
  special: (e) => e.reg !== 'threadIdx',
  load: (e) => e.array.space !== 'local',
  returnVaries: true,
};

/** Uniform across the whole grid (grid barriers): blockIdx and shared memory vary too. */
export const GRID_UNIFORMITY: UniformityRules = {
  special: (e) => e.reg === 'blockDim' || e.reg === 'gridDim',
  load: (e) => e.array.space !== 'local' && e.array.space !== 'shared',
  returnVaries: true,
};

/** `bodyScopes`: localScopes(ir.body), when the caller has it (scopedLocals rules need it). */
export function analyzeUniformity(ir: KernelIR, rules: UniformityRules = BLOCK_UNIFORMITY, bodyScopes?: ReadonlyMap<number, readonly Stmt[]>): UniformityInfo {
  const uniform = new Set(ir.locals.map((l) => l.id));
  const varyingLoops = new Set<Stmt>();
  // `uniform` only shrinks, so a varying expression stays varying: each is judged once
  const knownVarying = new Set<Expr>();
  const isUniform = (e: Expr): boolean => {
    if (knownVarying.has(e)) return false;
    const u = exprUniform(e, uniform, rules, isUniform);
    if (!u) knownVarying.add(e);
    return u;
  };

  const scopes = rules.scopedLocals ? bodyScopes ?? localScopes(ir.body) : undefined;
  // `varying`: how many thread-dependent ifs and loops enclose a statement;
  // `entry`: that count where each statement list starts (for scoped locals).
  const entry = new Map<readonly Stmt[], number>();

  let changed = true;
  while (changed) {
    changed = false;
    const visit = (stmts: readonly Stmt[], varying: number): void => {
      entry.set(stmts, varying);
      for (const s of stmts) {
        switch (s.kind) {
          case 'assign': {
            const scope = scopes?.get(s.local);
            const varyingCtl = varying > (scope ? entry.get(scope)! : 0);
            if (uniform.has(s.local) && (varyingCtl || !isUniform(s.value))) {
              uniform.delete(s.local);
              changed = true;
            }
            break;
          }
          case 'warp':
            // A lane's result depends on its lane (and on the other lanes' values).
            for (const l of [s.local, s.pred]) if (l !== undefined && uniform.has(l)) { uniform.delete(l); changed = true; }
            break;
          case 'if': {
            const v = varying + (uniformIf(s, isUniform, rules) ? 0 : 1);
            visit(s.then, v);
            visit(s.else, v);
            break;
          }
          case 'loop': {
            const own = (s.cond !== undefined && !isUniform(s.cond)) || exitsUnderVaryingControl(s, isUniform, rules);
            const v = own || (varying > 0 && !scopes);
            if (v && !varyingLoops.has(s)) { varyingLoops.add(s); changed = true; }
            visit(s.body, varying + (v ? 1 : 0));
            visit(s.update, varying + (v ? 1 : 0));
            break;
          }
          default:
            break;
        }
      }
    };
    visit(ir.body, 0);
  }
  // The answers are final now: each expression's once (the backends ask again of each operand).
  const known = new Map<Expr, boolean>();
  const isUniformFinal = (e: Expr): boolean => {
    let u = known.get(e);
    if (u === undefined) known.set(e, (u = !knownVarying.has(e) && exprUniform(e, uniform, rules, isUniformFinal)));
    return u;
  };
  return { uniformLocals: uniform, isUniform: isUniformFinal, varyingLoops };
}

/** `u`: the same question of an operand (default: this function's answer, walking its operands again). */
export function exprUniform(e: Expr, uniformLocals: ReadonlySet<number>, rules: UniformityRules = BLOCK_UNIFORMITY,
  u: (x: Expr) => boolean = (x) => exprUniform(x, uniformLocals, rules)): boolean {
  switch (e.kind) {
    case 'const': case 'param': case 'length': return true;
    case 'special': return rules.special(e);
    case 'local': return uniformLocals.has(e.id);
    case 'unary': case 'convert': case 'bitcast': return u(e.x);
    case 'binary': case 'logical': return u(e.a) && u(e.b);
    case 'cond': case 'select': return u(e.c) && u(e.a) && u(e.b);
    case 'load': return rules.load(e) && u(e.index);
    case 'math': return e.args.every(u);
    case 'atomic': return false;
  }
}

/** Whether an `if` is uniform control under `rules` (its condition, or a group-wide test). */
export function uniformIf(s: Stmt & { kind: 'if' }, isUniform: (e: Expr) => boolean, rules: UniformityRules): boolean {
  return (!!rules.groupWideIfs && (!!s.groupWide || !!s.anyLane)) || isUniform(s.cond);
}

/** Does a break/continue of this loop (or, when `returnVaries`, a return) sit under a varying `if` inside it? */
function exitsUnderVaryingControl(loop: Stmt & { kind: 'loop' }, isUniform: (e: Expr) => boolean, rules: UniformityRules): boolean {
  const { returnVaries } = rules;
  const walk = (stmts: readonly Stmt[], varying: boolean, depth: number): boolean =>
    stmts.some((s) => {
      switch (s.kind) {
        case 'break': case 'continue': return varying && depth === 0;
        case 'return': return varying && returnVaries;
        case 'if': { const v = varying || !uniformIf(s, isUniform, rules); return walk(s.then, v, depth) || walk(s.else, v, depth); }
        case 'loop': return walk(s.body, varying, depth + 1) || walk(s.update, varying, depth + 1);
        default: return false;
      }
    });
  return walk(loop.body, false, 0) || walk(loop.update, false, 0);
}
