// How much code a region's lane lowering (lanes.ts) would build, to fall back
// to the one-thread-at-a-time loop before it blows up. Under lane-varying
// control each masked operation ANDs the masks of every enclosing varying
// `if`, `?:`, `&&`/`||` and loop, so the code grows with the nesting depth:
// an else-if chain of n thread-dependent tests is n levels deep, quadratic in
// n, and LLVM's optimisation time grows faster still (120 branches: 7 s,
// a 200-term `?:` chain: 114 s, against 0.3 s as a thread loop).

import { childExprs, type Expr, type Stmt } from '@numbat/core';
import type { LaneUniformity } from './lane-uniformity.js';

/**
 * Masked lane operations times lanes above which a region falls back to the
 * thread loop. Measured (AVX2, W = 8): the heaviest kernels in the corpus,
 * tests and examples reach 242 × 8 (Philox draws), 118 × 8 (option pricing);
 * a 20-branch thread-dependent else-if chain is 401 × 8 (+0.7 s to compile),
 * 30 branches 901 × 8 (+1.4 s), 60 branches 3601 × 8 (+4 s).
 */
export const LANE_BUDGET = 4096;

export function withinLaneBudget(stmts: readonly Stmt[], uni: LaneUniformity, W: number): boolean {
  return laneWork(stmts, uni) * W <= LANE_BUDGET;
}

/**
 * The mask work of a region's lane lowering per lane: each masked operation
 * (assignment, store, load, atomic, varying test or loop, lazy operand)
 * counts its depth of lane-varying control.
 */
export function laneWork(stmts: readonly Stmt[], uni: LaneUniformity): number {
  let work = 0;
  const ex = (e: Expr, depth: number): void => {
    if (uni.isUniform(e)) return;
    if (e.kind === 'load' || e.kind === 'atomic') work += depth;
    if (e.kind === 'logical' || e.kind === 'cond') {
      // the lazy operands run under a mask of their own
      work += depth;
      childExprs(e).forEach((c, k) => ex(c, k === 0 ? depth : depth + 1));
      return;
    }
    for (const c of childExprs(e)) ex(c, depth);
  };
  const st = (list: readonly Stmt[], depth: number): void => {
    for (const s of list) {
      switch (s.kind) {
        case 'assign': ex(s.value, depth); work += depth; break;
        case 'store': ex(s.index, depth); ex(s.value, depth); work += depth; break;
        case 'expr': ex(s.expr, depth); break;
        case 'if': {
          ex(s.cond, depth);
          const d = uni.isUniform(s.cond) ? depth : depth + 1;
          work += depth;
          st(s.then, d); st(s.else, d);
          break;
        }
        case 'loop': {
          if (s.cond) ex(s.cond, depth);
          const d = uni.varyingLoops.has(s) ? depth + 1 : depth;
          work += depth;
          st(s.body, d); st(s.update, d);
          break;
        }
        default: work += depth;
      }
    }
  };
  st(stmts, 0);
  return work;
}
