// How much code a region's lane lowering (lanes.ts) would build, to fall back
// to the one-thread-at-a-time loop before it blows up. Under lane-varying
// control each masked operation ANDs the masks of every enclosing varying
// `if`, `?:`, `&&`/`||` and loop, so the code grows with the nesting depth:
// an else-if chain of n thread-dependent tests is n levels deep, quadratic in
// n, and LLVM's optimisation time grows faster still (120 branches: 7 s,
// a 200-term `?:` chain: 114 s, against 0.3 s as a thread loop).

import { childExprs, forEachExpr, forEachStmt, localOf, someStmt, stmtExprs, type Expr, type Stmt } from '@numbat/core';
import type { CpuCodegen } from './context.js';
import { laneUniformIf, type LaneUniformity } from './lane-uniformity.js';
import { checkOnlyLoad, laneShape, linearLocals, mayRetire, touchesMemory, unreadLocals } from './lane-shape.js';

/**
 * Masked lane operations times lanes above which a region falls back to the
 * thread loop. Measured (AVX2, W = 8): the heaviest kernels in the corpus,
 * tests and examples reach 242 × 8 (Philox draws), 118 × 8 (option pricing);
 * a 20-branch thread-dependent else-if chain is 401 × 8 (+0.7 s to compile),
 * 30 branches 901 × 8 (+1.4 s), 60 branches 3601 × 8 (+4 s).
 */
export const LANE_BUDGET = 4096;

/**
 * Lane-varying expression nodes times the copies lane-stmts.ts makes of them
 * (laneCost), plus the accesses at per-lane indices (PER_LANE_ACCESS), above
 * which a region falls back to the thread loop (a vector operation is one
 * instruction at any width; a gather is not). Measured (AVX2): the bench's
 * kernels reach 847 (normalF64 draws), 610 (option pricing), a Marsaglia-Tsang
 * gamma sampler after `if (i >= n) return` 1 226 (0.2 s to compile). When this
 * budget was set a fuzz kernel of assignments under varying `if`s and `?:`s in
 * varying loops (corpus lazy_share_fuzz_seed_553064) cost 2 694 and took 5 s
 * to compile as a lane group; counted as now (1 347 and its gathers) it stays a
 * thread loop (0.12 s; 0.54 s as a lane group today).
 */
export const LANE_COST_BUDGET = 2048;

/**
 * Whether a lane group can hand its threads to the thread-by-thread code, which reruns the region
 * from its start (rareHandOvers; not where exits are tracked), and `kept`: the locals whose
 * values outlive the region (kept per thread across barriers: regions.ts perThreadLocals) and
 * that a group stores to their slots as it assigns them, which the rerun would find changed: the
 * lane-uniform ones and bools (the group holds the others in registers until its end:
 * groupHoldsKept).
 */
export type HandOver = false | { readonly kept: ReadonlySet<number> };

/** A kernel without barriers: it can hand over, and nothing outlives its one region. */
export const HAND_OVER: HandOver = { kept: new Set() };

/** A kernel's HandOver (one per compile: the budget's measures are kept per region under its answer). */
export function handOverOf(an: Pick<CpuCodegen, 'ir' | 'tracksExit' | 'layout' | 'laneUni' | 'memo'>): HandOver {
  return an.memo('handOver', an.ir, () => {
    if (an.tracksExit) return false;
    return { kept: new Set([...an.layout.perThreadLocals].filter((id) => !groupHoldsKept(an, id))) };
  });
}

/**
 * Whether a lane group holds the kept-per-thread local `id` in registers while it runs, its slots
 * stored at the group's end (lane-group.ts keptLocals): a lane-varying one that is not a bool (a
 * bool's slots are i1s). The others a group stores to every slot as it assigns them (HandOver).
 */
export function groupHoldsKept(an: Pick<CpuCodegen, 'ir' | 'laneUni'>, id: number): boolean {
  return !an.laneUni.uniformLocals.has(id) && localOf(an.ir, id)!.type !== 'bool';
}

/**
 * `handOver`: whether and how the lane group can hand itself to the thread-by-thread code.
 * `linear`: the lane-linear locals (laneLinearLocals), to tell the accesses at per-lane indices apart.
 */
export function withinLaneBudget(stmts: readonly Stmt[], uni: LaneUniformity, W: number, handOver: HandOver = HAND_OVER, linear?: ReadonlySet<number>): boolean {
  if (!withinWorkBudget(stmts, uni, W, handOver)) return false;
  if (!linear) return measured(stmts, uni, `cost${handOver ? 1 : 0}`, () => laneCost(stmts, uni, handOver)) <= LANE_COST_BUDGET;
  const { cost, accesses } = measured(stmts, uni, `parts${handOver ? 1 : 0}`, () => {
    const parts = laneCostParts(stmts, uni, handOver, linear);
    measured(stmts, uni, `cost${handOver ? 1 : 0}`, () => parts.cost); // (the same count: regionLaneCost need not walk again)
    return parts;
  });
  return withinCostBudget(cost, accesses, W);
}

const withinWorkBudget = (stmts: readonly Stmt[], uni: LaneUniformity, W: number, handOver: HandOver): boolean =>
  measured(stmts, uni, `work${handOver ? 1 : 0}`, () => laneWork(stmts, uni, handOver)) * W <= LANE_BUDGET;

const withinCostBudget = (cost: number, accesses: number, W: number): boolean => cost + PER_LANE_ACCESS * W * accesses <= LANE_COST_BUDGET;

/**
 * Whether a region over the budget (withinLaneBudget) fits it with its varying loops built
 * masked only, without the fast copies of lane-stmts.ts varyingLoop (thread-loops.ts
 * regionLanes asks before it gives up on lane groups). Only for regions with few accesses at
 * per-lane indices (MASKED_LOOPS_GATHER_LANES): among 200 fuzz kernels, the 4 that fit so with
 * 43–58 of them (at 8 lanes) compiled 1.2–4.3× slower than thread by thread (0.16 → 0.7 s, 2.0 →
 * 2.8–3.7 s); a rejection sampler's draws have 2 or 3 (its state words are consecutive).
 */
export function withinBudgetWithoutFastCopies(stmts: readonly Stmt[], uni: LaneUniformity, W: number, handOver: HandOver, linear: ReadonlySet<number>): boolean {
  if (!withinWorkBudget(stmts, uni, W, handOver)) return false;
  const { cost, accesses } = measured(stmts, uni, `parts${handOver ? 1 : 0} masked loops`, () => laneCostParts(stmts, uni, handOver, linear, false));
  return accesses * W <= MASKED_LOOPS_GATHER_LANES && withinCostBudget(cost, accesses, W);
}

/** Accesses at per-lane indices times W up to which withinBudgetWithoutFastCopies may answer yes. */
const MASKED_LOOPS_GATHER_LANES = 32;

/**
 * The varying loops a compile builds without their fast copies (thread-loops.ts regionLanes adds a
 * region's loops where only that keeps it within the budget; lane-stmts.ts fastable reads it).
 */
export function loopsWithoutFastCopies(cg: Pick<CpuCodegen, 'ir' | 'memo'>): Set<Stmt> {
  return cg.memo('loopsWithoutFastCopies', cg.ir, () => new Set<Stmt>());
}

/**
 * What an access at a per-lane index (not uniform, not consecutive: a gather or a scatter) adds to
 * a region's laneCost per copy of it, times W: its lanes' bounds checks, the report of the first
 * lane out and the gather make a dozen instructions and two blocks where a vector operation is one.
 * Measured: `r += a[(i + 5k) & 63] * (k + 1)` for n values of k in a thread-dependent loop and
 * `if`, after `if (i >= n) return`, compiled as a lane group in 0.3 s (10 terms), 0.7-0.9 s (20),
 * 1.2-1.5 s (30), 4.5 s (60), against 0.1-0.2 s thread by thread; the count without these let in
 * 30 terms (877 + 93 accesses: 2 737 with them), with them up to 20 (607 + 63: 1 867).
 */
const PER_LANE_ACCESS = 2.5;

/** The lane-linear locals of a kernel (linearLocals over its body, and the thread index's aliases), made once per compile: for the budget's accesses and lane-width.ts. */
export function laneLinearLocals(an: Pick<CpuCodegen, 'ir' | 'laneUni' | 'txAliases' | 'bodyScopes' | 'memo'>): ReadonlySet<number> {
  return an.memo('kernelLinear', an.ir, () => new Set([...linearLocals(an.ir, an.laneUni, an.ir.body, new Set(), () => true, an.bodyScopes), ...an.txAliases]));
}

/** A region's laneCost (a group that can hand itself over: a kernel without barriers), made once per compile. */
export function regionLaneCost(stmts: readonly Stmt[], uni: LaneUniformity): number {
  return measured(stmts, uni, 'cost1', () => laneCost(stmts, uni, HAND_OVER));
}

/** A region's unread locals (lane-shape.ts unreadLocals), made once per compile: for the count and for lane-stmts.ts. */
export function regionUnreadLocals(stmts: readonly Stmt[], uni: LaneUniformity): ReadonlySet<number> {
  return measured(stmts, uni, 'unread', () => unreadLocals(stmts));
}

/**
 * A region's laneWork, laneCost and per-lane accesses, made once per compile (`uni` is one
 * compile's): none depends on W, and lane-width.ts and thread-loops.ts ask for every width they try.
 */
const measures = new WeakMap<LaneUniformity, WeakMap<readonly Stmt[], Map<string, unknown>>>();
function measured<T>(stmts: readonly Stmt[], uni: LaneUniformity, kind: string, make: () => T): T {
  let byList = measures.get(uni);
  if (!byList) measures.set(uni, (byList = new WeakMap()));
  let m = byList.get(stmts);
  if (!m) byList.set(stmts, (m = new Map()));
  if (!m.has(kind)) m.set(kind, make());
  return m.get(kind) as T;
}

/**
 * The rarely taken `if`s (IfStmt.rare: the f64 library's huge-argument reduction of sin, cos and
 * tan, about 400 statements) that a lane group hands to the thread-by-thread code when one of
 * its lanes takes it (lane-stmts.ts), instead of a masked vector copy (which took LLVM 2 to 5 s):
 * those reached before anything with an effect (a store, atomic, warp op, barrier, fence, break,
 * an assignment of a `kept` local: HandOver; in a loop, anything in its body), so the group's
 * threads can rerun the region from its start one by one.
 * Neither budget counts their arm.
 */
export function rareHandOvers(stmts: readonly Stmt[], kept: ReadonlySet<number> = NONE): Set<Stmt> {
  const out = new Set<Stmt>();
  let clean = true;
  // each statement's answer once (a statement is asked again for every list around it)
  const deep = new Map<Stmt, boolean>();
  const effectsWithin = (s: Stmt): boolean => {
    let any = deep.get(s);
    if (any === undefined) {
      any = !EFFECT_FREE.has(s.kind) || hasAtomic(s) || (s.kind === 'assign' && kept.has(s.local))
        || (s.kind === 'if' && (s.then.some(effectsWithin) || s.else.some(effectsWithin)))
        || (s.kind === 'loop' && (s.body.some(effectsWithin) || s.update.some(effectsWithin)));
      deep.set(s, any);
    }
    return any;
  };
  const leaves = new Map<Stmt, boolean>();
  const leavesLoopAround = (s: Stmt): boolean => {
    let any = leaves.get(s);
    if (any === undefined) leaves.set(s, (any = leavesLoop(s, leavesLoopAround)));
    return any;
  };
  const effects = (list: readonly Stmt[]): boolean => list.some((s) => effectsWithin(s) || leavesLoopAround(s));
  const visit = (list: readonly Stmt[], inLoop: boolean): void => {
    for (const s of list) {
      if (s.kind === 'if' && s.rare && clean && !inLoop && !effects(s.then)) { out.add(s); if (effects(s.else)) clean = false; continue; }
      if (s.kind === 'if') { const before = clean; visit(s.then, inLoop); const afterThen = clean; clean = before; visit(s.else, inLoop); clean = clean && afterThen; }
      // in a loop, what follows the `if` in the body ran before its next trip
      if (s.kind === 'loop') { const loops = inLoop || effects(s.body) || effects(s.update); visit(s.body, loops); visit(s.update, loops); }
      if (effects([s])) clean = false;
    }
  };
  visit(stmts, false);
  return out;
}

const NONE: ReadonlySet<number> = new Set();

/**
 * Whether `stmts` assign a `kept` local (HandOver): a value kept per thread across barriers,
 * `acc += 1`, which the threads' rerun of the region would update again (a guard's prefix:
 * lane-stmts.ts region; a rare arm: rareHandOvers).
 */
export function assignsKept(stmts: readonly Stmt[], kept: ReadonlySet<number>): boolean {
  if (!kept.size) return false;
  let any = false;
  forEachStmt(stmts as Stmt[], (s) => { if (s.kind === 'assign' && kept.has(s.local)) any = true; });
  return any;
}

/** Statement kinds without an effect of their own, but for assignments of kept locals (rareHandOvers). */
const EFFECT_FREE: ReadonlySet<Stmt['kind']> = new Set(['assign', 'if', 'loop', 'break', 'continue', 'return']);

/**
 * Whether `s` is or holds a break or continue of a loop around it (`inner`: the same question of
 * a statement in its arms). A return only ends the thread: rerunning it is harmless; a break
 * inside a loop of its own leaves only that loop.
 */
function leavesLoop(s: Stmt, inner: (x: Stmt) => boolean): boolean {
  switch (s.kind) {
    case 'break': case 'continue': return true;
    case 'if': return s.then.some(inner) || s.else.some(inner);
    default: return false;
  }
}

function hasAtomic(s: Stmt): boolean {
  let any = false;
  for (const x of stmtExprs(s)) forEachExpr(x, (y) => { if (y.kind === 'atomic') any = true; });
  return any;
}

/**
 * The mask work of a region's lane lowering per lane: each masked operation
 * (assignment, store, load, atomic, varying test or loop, lazy operand)
 * counts its depth of lane-varying control.
 */
export function laneWork(stmts: readonly Stmt[], uni: LaneUniformity, handOver: HandOver = HAND_OVER): number {
  let work = 0;
  const handed = handOver ? rareHandOvers(stmts, handOver.kept) : new Set<Stmt>();
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
          const d = laneUniformIf(uni, s) ? depth : depth + 1;
          work += depth;
          if (!handed.has(s)) st(s.then, d);
          st(s.else, d);
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

/**
 * What a region's lane lowering builds per lane, in expression nodes: every
 * lane-varying node once per copy of the code it is in (the unmasked copy for
 * full groups and the masked one, or the rest once after a guard; the two
 * unrolled trips of a varying loop's fast path and its masked copy, or the
 * masked copy only for a loop its lanes leave by a break, continue or return;
 * the unmasked copy of a varying `if` that touches memory, in a loop or in a
 * region without loops: at most two such levels, as lane-stmts.ts does), each
 * masked one with the mask ANDs of its
 * depth of varying control.
 */
export function laneCost(stmts: readonly Stmt[], uni: LaneUniformity, handOver: HandOver = HAND_OVER): number {
  return laneCostParts(stmts, uni, handOver).cost;
}

/**
 * laneCost, and (`linear` given) the copies of accesses at per-lane indices (PER_LANE_ACCESS);
 * `fastLoops` false: the varying loops without their fast copies (withinBudgetWithoutFastCopies).
 */
function laneCostParts(stmts: readonly Stmt[], uni: LaneUniformity, handOver: HandOver, linear?: ReadonlySet<number>, fastLoops = true): { cost: number; accesses: number } {
  let cost = 0, accesses = 0;
  const perLane = (index: Expr): boolean => !!linear && laneShape(index, uni.isUniform, linear) === 'v';
  const handed = handOver ? rareHandOvers(stmts, handOver.kept) : new Set<Stmt>();
  const assigned = new Map<number, number>();
  forEachStmt(stmts as Stmt[], (s) => { if (s.kind === 'assign') assigned.set(s.local, (assigned.get(s.local) ?? 0) + 1); });
  // A load into a local the region never reads (a random draw's thread check) leaves only its
  // bounds check, one vector compare: LLVM drops the gather (a conditional draw before a loop of
  // uniforms, at 16 lanes: 3 gathers built, none left after optimisation), and it is no memory
  // for an unmasked copy (lane-stmts.ts). Its index's own loads are read.
  const unread = regionUnreadLocals(stmts, uni);
  // `once`: the nodes of values computed once into a local of their own (see the end)
  let once = 0, inOnce = false, deepest = 0, checkLoad: Expr | undefined;
  const ex = (e: Expr, depth: number, copies: number): void => {
    if (uni.isUniform(e)) return;
    deepest = Math.max(deepest, depth);
    if (inOnce) once += copies;
    cost += copies * (1 + (e.kind === 'load' || e.kind === 'atomic' || e.kind === 'logical' || e.kind === 'cond' ? depth : 0));
    if ((e.kind === 'load' || e.kind === 'atomic') && e !== checkLoad && perLane(e.index)) accesses += copies;
    const lazy = e.kind === 'logical' || e.kind === 'cond';
    childExprs(e).forEach((c, k) => ex(c, lazy && k > 0 ? depth + 1 : depth, copies));
  };
  // `fast`: copies of unmasked code already around (lane-stmts.ts stops adding them at 2);
  // `inLoop`: within a loop (outside the loops of a region that has some, lane-stmts.ts makes no
  // unmasked copy of a varying `if`: it runs once per group)
  const regionLoops = someStmt(stmts, (x) => x.kind === 'loop');
  const st = (list: readonly Stmt[], depth: number, copies: number, fast: number, inLoop = false): void => {
    for (const s of list) {
      deepest = Math.max(deepest, depth);
      cost += copies * (1 + depth);
      switch (s.kind) {
        case 'assign':
          inOnce = assigned.get(s.local) === 1;
          checkLoad = checkOnlyLoad(s, unread);
          ex(s.value, depth, copies);
          inOnce = false; checkLoad = undefined;
          break;
        case 'store':
          if (perLane(s.index)) accesses += copies;
          ex(s.index, depth, copies); ex(s.value, depth, copies);
          break;
        case 'expr': ex(s.expr, depth, copies); break;
        case 'if': {
          ex(s.cond, depth, copies);
          if (handed.has(s)) { st(s.else, depth + 1, copies, fast, inLoop); break; }
          if (laneUniformIf(uni, s)) { st(s.then, depth, copies, fast, inLoop); st(s.else, depth, copies, fast, inLoop); break; }
          const twice = fast < 2 && (inLoop || !regionLoops) && touchesMemory(s.then, false, unread);
          st(s.then, depth + 1, twice ? 2 * copies : copies, twice ? fast + 1 : fast, inLoop);
          st(s.else, depth + 1, copies, fast, inLoop);
          break;
        }
        case 'loop': {
          if (s.cond) ex(s.cond, depth, copies);
          if (!uni.varyingLoops.has(s)) { st(s.body, depth, copies, fast, true); st(s.update, depth, copies, fast, true); break; }
          // (lane-stmts.ts fastable: not a loop its lanes can leave by a break, continue or return)
          const thrice = fastLoops && fast < 2 && s.cond !== undefined && !s.body.some((x) => mayRetire(x)) && !s.update.some((x) => mayRetire(x));
          const c = thrice ? 3 * copies : copies, f = thrice ? fast + 1 : fast;
          st(s.body, depth + 1, c, f, true); st(s.update, depth + 1, c, f, true);
          break;
        }
      }
    }
  };
  // The region: an unmasked copy for full groups and a masked one; after a guard such as
  // `if (i >= n) return` in a group that can hand itself over, the guard masked and the rest once,
  // unmasked (lane-stmts.ts region: a group with a lane out hands itself to the thread-by-thread code).
  const r = stmts.findIndex((x) => mayRetire(x));
  const guarded = !!handOver && r >= 0 && r < stmts.length - 1 && !stmts.slice(r + 1).some((x) => mayRetire(x)) && !touchesMemory(stmts.slice(0, r + 1), true) && !assignsKept(stmts.slice(0, r + 1), handOver.kept);
  st(stmts, 0, guarded ? 1 : 2, 1);
  // A region under at most one varying test (the f64 library's straight-line code in
  // `if (i < n)`, its rare huge-argument arm handed over) builds no nested masks: there a
  // node of a value computed once into a local of its own costs half. Measured: f64 pow (2 704
  // in full, 1 710 so) compiles as a lane group in 0.36 s against 0.24 s thread by thread; the
  // fuzz kernels near the budget are nested and keep their full cost (seed 553071: 2 108, 3.3 s
  // of CPU to compile as a lane group against 1.9 s; halving there would let it in).
  return { cost: deepest <= 1 ? cost - once / 2 : cost, accesses };
}
