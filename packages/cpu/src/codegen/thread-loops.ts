// Work-item loops: a region (regions.ts) runs as a loop nest over threadIdx
// z/y/x with x innermost, so LLVM can vectorise across threads; full groups
// of W consecutive threads run in lockstep (lane-group.ts) where that pays,
// the rest thread by thread. Each thread's pass gets its own `Thread`.

import type { Expr, Stmt } from '@numbat/core';
import { ELEM_BYTES, forEachExpr, forEachStmt, stmtExprs } from '@numbat/core';
import type { LLVMNS, LoopTargets } from '@numbat/llvm';
import type { Region } from './regions.js';
import type { BarrierLoop, CpuCodegen } from './context.js';
import { handOverOf, laneLinearLocals, loopsWithoutFastCopies, withinBudgetWithoutFastCopies, withinLaneBudget } from './lane-budget.js';
import { plainWidth, regionLaneWidth } from './lane-width.js';
import { laneGroup } from './lane-group.js';
import { representative } from './block-level.js';

type Value = LLVMNS.Value;
type BasicBlock = LLVMNS.BasicBlock;

/**
 * When a region runs as lockstep lane groups: every region, but for those using local arrays
 * that live across a barrier (a slot per thread) or take atomics (lanes.ts has neither); a
 * region's own local arrays are held per lane in rows of <W x T> (lane-group.ts).
 * Loop-free regions between barriers (reduction trees) ran as plain thread loops until
 * 2026-12-03, for LLVM's loop vectoriser, which the bounds checks' early exit stops (a thread
 * loop of `sh[t] += sh[t + s]` stayed scalar); in groups, the seed's one-element-per-thread
 * block reduction (256 threads, 2^24 f32) went from 196–323 to 90–96 ns per block.
 */
function jamWorthIt(stmts: readonly Stmt[], perThreadArrays: ReadonlySet<number>): boolean {
  let laneless = false;
  forEachStmt(stmts as Stmt[], (s) => {
    if (s.kind === 'store' && s.array.space === 'local' && perThreadArrays.has(s.array.id)) laneless = true;
    for (const x of stmtExprs(s)) forEachExpr(x, (y) => {
      if ((y.kind === 'load' || y.kind === 'atomic') && y.array.space === 'local' && (y.kind === 'atomic' || perThreadArrays.has(y.array.id))) laneless = true;
    });
  });
  return !laneless;
}

/**
 * The most stack the lane groups give local arrays (each lane's copy: size × W elements, an
 * alloca: storage.ts laneArray): launches run on koffi's async stack, 8 MiB where numbat raised
 * it and 128 KiB where an application loaded a library through koffi first (koffi-stack.ts).
 * Counted over every region's arrays (their allocas share the entry function's frame) at the
 * region's width, and the base width's for its remainder: over it, the base width, or thread by thread.
 */
const LANE_ARRAY_BYTES = 16384;

/** Bytes of one thread's copy of the kernel's region-private local arrays (regions.ts privateArraysOf). */
function privateArrayBytes(cg: Pick<CpuCodegen, 'ir' | 'layout' | 'memo'>): number {
  return cg.memo('privateArrayBytes', cg.ir, () => {
    let bytes = 0;
    for (const ids of cg.layout.privateArraysOf.values()) {
      for (const id of ids) {
        const a = cg.ir.arrays.find((x) => x.id === id)!;
        bytes += Math.max(a.size, 1) * ELEM_BYTES[a.elem];
      }
    }
    return bytes;
  });
}

/**
 * How a region's threads run: in lockstep groups of W lanes (`jam`), a wide region's remainder
 * in groups of the base width first (`narrowW`). The same for both functions of a split kernel
 * (kernel.ts asks it first, to decide the split): made once per compile.
 */
export function regionLanes(cg: Pick<CpuCodegen, 'ir' | 'opts' | 'layout' | 'laneUni' | 'txAliases' | 'bodyScopes' | 'tracksExit' | 'memo'>, stmts: readonly Stmt[]): { jam: boolean; W: number; narrowW?: number } {
  return cg.memo('regionLanes', stmts, () => {
    const { opts } = cg;
    let jam = (opts.laneWidth ?? 1) > 1 && jamWorthIt(stmts, cg.layout.perThreadArrays);
    // NUMBAT_CPU_LANES (diagnosis) fixes the width of every region
    const linear = laneLinearLocals(cg), base = opts.laneWidth!, handOver = handOverOf(cg);
    let { W, budgetW } = !jam ? plainWidth(1) : process.env.NUMBAT_CPU_LANES ? plainWidth(base) : regionLaneWidth(stmts, base, cg.ir, cg.laneUni, linear, handOver);
    const arrayBytes = jam ? privateArrayBytes(cg) : 0;
    const stack = (w: number): number => arrayBytes * (w > base ? w + base : w);
    if (stack(W) > LANE_ARRAY_BYTES) {
      if (stack(base) <= LANE_ARRAY_BYTES) W = budgetW = base;
      else { jam = false; W = budgetW = 1; }
    }
    // Deeply nested thread-dependent control (long else-if or ?: chains) would
    // build code quadratic in the depth: such a region runs thread by thread.
    if (jam && !withinLaneBudget(stmts, cg.laneUni, budgetW, handOver, linear)) {
      // What is over may be the fast copies of its varying loops (lane-stmts.ts varyingLoop: two
      // unmasked trips per turn beside the masked loop, three copies of the body): then the loops
      // are built masked only, still a lane group (a rejection sampler written as one loop that
      // counts its accepted draws: 3.4× the thread-by-thread speed). Or a wider width than the
      // base (lane-width.ts, which does not count the accesses at per-lane indices): then the base.
      const masked = (w: number): boolean => withinBudgetWithoutFastCopies(stmts, cg.laneUni, w, handOver, linear);
      if (masked(budgetW)) maskedLoops(cg, stmts);
      else if (W > base && withinLaneBudget(stmts, cg.laneUni, base, handOver, linear)) W = base;
      else if (W > base && masked(base)) { W = base; maskedLoops(cg, stmts); }
      else { jam = false; W = 1; }
    }
    return { jam, W, narrowW: W > base && !process.env.NUMBAT_CPU_LANES ? base : undefined };
  });
}

/** `stmts`' loops built without their fast copies (lane-budget.ts loopsWithoutFastCopies). */
function maskedLoops(cg: Pick<CpuCodegen, 'ir' | 'memo'>, stmts: readonly Stmt[]): void {
  const slow = loopsWithoutFastCopies(cg);
  forEachStmt(stmts as Stmt[], (s) => { if (s.kind === 'loop') slow.add(s); });
}

/** Every thread of the block through `region` (`loop`: the block-level loop around it, if any). */
export function region(cg: CpuCodegen, region: Region, loop: BarrierLoop | undefined): void {
  const { b, e, opts } = cg;
  const stmts = region.stmts;
  const [bdx, bdy, bdz] = cg.storage.blockDim;
  const after = cg.block('region.end');
  const { jam, W, narrowW } = regionLanes(cg, stmts);
  // A region that is one `if (threadIdx.x < s)` (reduction trees, `if (t === 0)`):
  // only the threads that can pass the test are visited (a second function is given the
  // range its entry point computed: it runs the arm alike).
  const range = cg.split?.role === 'rest' ? (rangeTest(cg, stmts) ? [cg.split.lo, cg.split.hi] : undefined) : threadRange(cg, stmts);
  // Every thread in the range passes the (pure) test: run its arm directly.
  const body = range ? (stmts[0] as Stmt & { kind: 'if' }).then : stmts;
  const split = cg.split;
  if (split?.role === 'rest') {
    // A split kernel's second function: one row's range [lo, hi), in groups of the base width
    // (the variant with narrow tails), then thread by thread.
    if (!jam) throw new Error(`numbat internal error: the second function of kernel '${cg.ir.name}' has no lane groups`);
    if (cg.opts.narrowTails && narrowW) groupsThenThreads(cg, region, body, loop, split.lo, split.hi, split.ty, split.tz, narrowW, undefined);
    else rangeLoop(cg, split.lo, split.hi, 1, 'tx', (tx) => threadBody(cg, region, body, loop, tx, split.ty, split.tz));
    b.CreateBr(after);
  } else {
    threadLoop(cg, bdz, 'tz', after, (tz) => threadLoop(cg, bdy, 'ty', undefined, (ty) => {
      const [lo, hi] = range ?? [e.int(0), bdx];
      if (!jam) {
        if (range) rangeLoop(cg, lo, hi, 1, 'tx', (tx) => threadBody(cg, region, body, loop, tx, ty, tz));
        else threadLoop(cg, bdx, 'tx', undefined, (tx) => threadBody(cg, region, body, loop, tx, ty, tz));
        return;
      }
      if (split?.role === 'main' && split.region === region) groupsThenRest(cg, region, body, loop, lo, hi, ty, tz, W, split.restName);
      else groupsThenThreads(cg, region, body, loop, lo, hi, ty, tz, W, narrowTailsOf(cg, stmts, W, narrowW));
    }));
  }
  b.SetInsertPoint(after);
  if (loop && (region.leaves.brk || region.leaves.cont)) {
    // break/continue of a block-level loop: every thread took it (it is uniform); act once for the block.
    for (const [flag, target, used] of [[loop.brk, loop.exit, region.leaves.brk], [loop.cont, loop.latch, region.leaves.cont]] as const) {
      if (!used) continue;
      const go = cg.block('uloop.jump'), stay = cg.block('uloop.stay');
      b.CreateCondBr(b.CreateLoad(e.i1, flag), go, stay);
      b.SetInsertPoint(go);
      b.CreateStore(e.bool(false), flag);
      b.CreateBr(target);
      b.SetInsertPoint(stay);
    }
  }
}

/**
 * threadIdx.x in [lo, hi): full groups of W threads in lockstep (SIMD), then
 * the rest one by one (a masked group would need a whole masked copy of the
 * region: more code for LLVM to optimise than the scalar loop). A group whose
 * lanes fall back to thread-by-thread code (a guard some lane fails) and the
 * tail share one copy of the scalar region, entered with different bounds:
 * the region's scalar code (with the random draws' inlined Philox refill) was
 * built and optimised twice. A region wider than the base width (32 lanes:
 * lane-width.ts) runs the rest in groups of the base width first (`narrowW`):
 * without them a block of 16 or 48 threads ran all or a third of its threads
 * one by one (option pricing, M paths per CPU-second: blockDim.x 16: 25–27 →
 * 143–149, 48: 65 → 205–210; 256: unchanged), at the cost of a second lane-group
 * copy (its cold compile 748 → 1 113 CPU ms, median of 5).
 *
 *   tx0 = lo; while (tx0 < hi) {
 *     if (tx0 < full) { lane group; on fallback { end = tx0 + W; goto scalar } tx0 += W; continue }
 *     if (tx0 < fullN) { narrowW-lane group, likewise }
 *     end = hi;
 *     scalar: for (tx = tx0; tx < end; tx++) thread; tx0 = end;
 *   }
 */
function groupsThenThreads(cg: CpuCodegen, region: Region, body: readonly Stmt[], loop: BarrierLoop | undefined, lo: Value, hi: Value, ty: Value, tz: Value, W: number, narrowW?: number): void {
  const { b, e } = cg;
  const full = b.CreateAdd(lo, b.CreateAnd(b.CreateSub(hi, lo), e.int(~(W - 1))));
  const pre = b.GetInsertBlock()!;
  const head = cg.block('tx0'), group = cg.block('tx0.group'), tail = cg.block('tx0.tail');
  const scalar = cg.block('tx.scalar'), latch = cg.block('tx0.latch'), exit = cg.block('tx0.end');
  // A wide region's remainder (blockDim.x not a multiple of W, or below it) in groups of narrowW first.
  const narrow = narrowW ? cg.block('tx0.narrow') : undefined, narrowGroup = narrowW ? cg.block('tx0.ngroup') : undefined;
  b.CreateBr(head);
  b.SetInsertPoint(head);
  const tx0 = b.CreatePHI(e.i32, 2, 'tx0');
  tx0.addIncoming(lo, pre);
  b.CreateCondBr(b.CreateICmpULT(tx0, full), group, narrow ?? tail);
  if (narrow && narrowGroup) {
    b.SetInsertPoint(narrow);
    const fullN = b.CreateAdd(lo, b.CreateAnd(b.CreateSub(hi, lo), e.int(~(narrowW! - 1))));
    b.CreateCondBr(b.CreateICmpULT(tx0, fullN), narrowGroup, tail);
  }
  b.SetInsertPoint(scalar);
  const end = b.CreatePHI(e.i32, 2, 'tx.end');
  b.SetInsertPoint(latch);
  const next = b.CreatePHI(e.i32, 2, 'tx0.next');
  tx0.addIncoming(next, latch);
  b.CreateBr(head);
  b.SetInsertPoint(tail);
  end.addIncoming(hi, tail);
  b.CreateCondBr(b.CreateICmpULT(tx0, hi), scalar, exit);
  b.SetInsertPoint(group);
  const groupEnd = b.CreateAdd(tx0, e.int(W));
  // Only without exit tracking: the jammed prefix would already have counted returned threads.
  const scalarGroup = cg.tracksExit ? undefined : () => {
    end.addIncoming(groupEnd, b.GetInsertBlock()!);
    b.CreateBr(scalar);
  };
  laneGroup(cg, region, body, loop, tx0, ty, tz, W, scalarGroup);
  if (!cg.low.terminated()) {
    next.addIncoming(groupEnd, b.GetInsertBlock()!);
    b.CreateBr(latch);
  }
  if (narrowGroup) {
    b.SetInsertPoint(narrowGroup);
    const narrowEnd = b.CreateAdd(tx0, e.int(narrowW!));
    const scalarNarrow = cg.tracksExit ? undefined : () => {
      end.addIncoming(narrowEnd, b.GetInsertBlock()!);
      b.CreateBr(scalar);
    };
    laneGroup(cg, region, body, loop, tx0, ty, tz, narrowW!, scalarNarrow);
    if (!cg.low.terminated()) {
      next.addIncoming(narrowEnd, b.GetInsertBlock()!);
      b.CreateBr(latch);
    }
  }
  b.SetInsertPoint(scalar);
  rangeLoop(cg, tx0, end, 1, 'tx', (tx) => threadBody(cg, region, body, loop, tx, ty, tz));
  next.addIncoming(end, b.GetInsertBlock()!);
  b.CreateBr(latch);
  b.SetInsertPoint(exit);
}

/**
 * The width of a wide region's narrow tails in this build, or undefined where it goes without
 * them: the kernel's default variant leaves them out where a launch can tell whether its rows
 * leave a remainder (plan.wideGroups: the launcher compiles the variant with them,
 * CpuCodegenOptions.narrowTails, at the first launch whose blockDim.x is not a multiple of the
 * widest such group). A region bounded by a thread-dependent range (`if (threadIdx.x < s)`:
 * reduction trees) keeps them. Asked of a split kernel's region (kernel.ts) and of every other
 * wide region: they were the region a third time in one function (a kernel that sums normals and
 * then reduces them in shared memory compiled its draw loop at 32 lanes, 8 lanes and thread by thread).
 */
export function narrowTailsOf(cg: Pick<CpuCodegen, 'opts' | 'plan' | 'txAliases'>, stmts: readonly Stmt[], W: number, narrowW: number | undefined): number | undefined {
  if (narrowW === undefined || cg.opts.narrowTails || rangeShaped(stmts, cg.txAliases)) return narrowW;
  cg.plan.wideGroups = Math.max(cg.plan.wideGroups ?? 0, W);
  return undefined;
}

/**
 * groupsThenThreads of a split kernel's entry point (context.ts SplitRole): the full groups of W
 * threads here; the rest of the range, and the threads of a group that falls back, through the
 * kernel's second function (`rest`: thread by thread, or in the variant with narrow tails, groups
 * of the base width first: CpuCodegenOptions.narrowTails), which
 * compile.ts builds, optimises and emits in a module of its own on another core. A group falls
 * back before any effect (lane-stmts.ts), so its threads may run there in narrower groups.
 *
 *   tx0 = lo; while (tx0 < full) { lane group; on fallback { rest(tx0, tx0 + W) } tx0 += W }
 *   if (tx0 < hi) rest(tx0, hi)
 */
function groupsThenRest(cg: CpuCodegen, region: Region, body: readonly Stmt[], loop: BarrierLoop | undefined, lo: Value, hi: Value, ty: Value, tz: Value, W: number, restName: string): void {
  const { b, e } = cg;
  const full = b.CreateAdd(lo, b.CreateAnd(b.CreateSub(hi, lo), e.int(~(W - 1))));
  const pre = b.GetInsertBlock()!;
  const head = cg.block('tx0'), group = cg.block('tx0.group'), tail = cg.block('tx0.tail'), latch = cg.block('tx0.latch'), exit = cg.block('tx0.end');
  b.CreateBr(head);
  b.SetInsertPoint(head);
  const tx0 = b.CreatePHI(e.i32, 2, 'tx0');
  tx0.addIncoming(lo, pre);
  b.CreateCondBr(b.CreateICmpULT(tx0, full), group, tail);
  b.SetInsertPoint(latch);
  const next = b.CreatePHI(e.i32, 2, 'tx0.next');
  tx0.addIncoming(next, latch);
  b.CreateBr(head);
  b.SetInsertPoint(tail);
  const restRun = cg.block('tx0.rest');
  b.CreateCondBr(b.CreateICmpULT(tx0, hi), restRun, exit);
  b.SetInsertPoint(restRun);
  callRest(cg, restName, ty, tz, tx0, hi);
  b.CreateBr(exit);
  b.SetInsertPoint(group);
  const groupEnd = b.CreateAdd(tx0, e.int(W));
  laneGroup(cg, region, body, loop, tx0, ty, tz, W, () => {
    callRest(cg, restName, ty, tz, tx0, groupEnd);
    next.addIncoming(groupEnd, b.GetInsertBlock()!);
    b.CreateBr(latch);
  });
  if (!cg.low.terminated()) {
    next.addIncoming(groupEnd, b.GetInsertBlock()!);
    b.CreateBr(latch);
  }
  b.SetInsertPoint(exit);
}

/** rest(the entry point's arguments, block blk only, ty, tz, lo, hi); a failure (status 1: error recorded, or stopped) leaves the kernel. */
function callRest(cg: CpuCodegen, restName: string, ty: Value, tz: Value, lo: Value, hi: Value): void {
  const { b, e, fn, frame } = cg;
  const args: Value[] = Array.from({ length: 4 + cg.ir.params.length }, (_, k) => fn.getArg(k));
  args[1] = frame.blk;
  args[2] = b.CreateAdd(frame.blk, e.int(1));
  const status = e.call(restName, e.i32, [...args, ty, tz, lo, hi]);
  const ok = cg.block('rest.ok');
  b.CreateCondBr(b.CreateICmpEQ(status, e.int(0)), ok, frame.errorExit);
  b.SetInsertPoint(ok);
}

/**
 * A region that threadRange may bound: a single `if` without else comparing threadIdx.x (or an
 * alias) in i32. Its rows' ranges then depend on a value known only as the kernel runs.
 */
export function rangeShaped(stmts: readonly Stmt[], txAliases: ReadonlySet<number>): boolean {
  if (stmts.length !== 1 || stmts[0].kind !== 'if' || stmts[0].else.length) return false;
  const c = stmts[0].cond;
  if (c.kind !== 'binary' || c.opType !== 'i32') return false;
  return isThreadX(c.a, txAliases) || isThreadX(c.b, txAliases);
}

/** threadIdx.x, or a local that holds it (regions.ts threadIdxAliases). */
function isThreadX(x: Expr, txAliases: ReadonlySet<number>): boolean {
  return (x.kind === 'special' && x.reg === 'threadIdx' && x.dim === 0) || (x.kind === 'local' && txAliases.has(x.id));
}

/**
 * [lo, hi) of threadIdx.x for a region that is a single `if` without else
 * whose condition bounds threadIdx.x by a pure block-uniform value; both
 * clamped to [0, blockDim.x] and evaluated once per region (the same value
 * every thread would compute). undefined otherwise.
 */
function threadRange(cg: CpuCodegen, stmts: readonly Stmt[]): [Value, Value] | undefined {
  const test = rangeTest(cg, stmts);
  if (!test) return undefined;
  const { u, op } = test;
  const { b, e } = cg;
  // in 64 bits: u + 1 must not wrap
  const v = b.CreateSExt(cg.low.expr(u, representative(cg)), e.i64);
  const [lo64, hi64] = op === 'lt' ? [e.i64c(0), v] : op === 'le' ? [e.i64c(0), b.CreateAdd(v, e.i64c(1))] : [v, b.CreateAdd(v, e.i64c(1))];
  const n = b.CreateZExt(cg.storage.blockDim[0], e.i64);
  const clamp = (x: Value): Value => {
    const pos = b.CreateSelect(b.CreateICmpSLT(x, e.i64c(0)), e.i64c(0), x);
    return b.CreateTrunc(b.CreateSelect(b.CreateICmpSGT(pos, n), n, pos), e.i32);
  };
  const lo = clamp(lo64), hi = clamp(hi64);
  return [lo, b.CreateSelect(b.CreateICmpULT(hi, lo), lo, hi)];
}

/** The bound threadRange evaluates (`threadIdx.x op u`, u pure and block-uniform), or undefined: the region is not bounded so. */
function rangeTest(cg: CpuCodegen, stmts: readonly Stmt[]): { u: Expr; op: 'lt' | 'le' | 'eq' } | undefined {
  if (!rangeShaped(stmts, cg.txAliases)) return undefined;
  const c = (stmts[0] as Stmt & { kind: 'if' }).cond as Expr & { kind: 'binary' };
  const isX = (x: Expr): boolean => isThreadX(x, cg.txAliases);
  const pure = (x: Expr): boolean => {
    if (!cg.blockUni.isUniform(x)) return false;
    let ok = true;
    forEachExpr(x, (y) => { if (y.kind === 'load' || y.kind === 'atomic') ok = false; });
    return ok;
  };
  let op = c.op, u: Expr;
  if (isX(c.a) && pure(c.b)) u = c.b;
  else if (isX(c.b) && pure(c.a)) { u = c.a; op = ({ lt: 'gt', le: 'ge', gt: 'lt', ge: 'le', eq: 'eq' } as Record<string, typeof op>)[op] ?? 'ne'; }
  else return undefined;
  return op === 'lt' || op === 'le' || op === 'eq' ? { u, op } : undefined;
}

/** The break/continue targets of a region's code inside a block-level loop: set its flag, go to the next thread. */
export function barrierLoopTargets(cg: CpuCodegen, loop: BarrierLoop | undefined, next: BasicBlock): LoopTargets[] {
  if (!loop) return [];
  const { b, e } = cg;
  return [{
    brk: () => { b.CreateStore(e.bool(true), loop.brk); b.CreateBr(next); },
    cont: () => { b.CreateStore(e.bool(true), loop.cont); b.CreateBr(next); },
  }];
}

/** One thread's pass through a region (the scalar path). */
export function threadBody(cg: CpuCodegen, region: Region, stmts: readonly Stmt[], loop: BarrierLoop | undefined, tx: Value, ty: Value, tz: Value): void {
  const { b, e, ir, storage } = cg;
  const [bdx, bdy] = storage.blockDim;
  const tid = b.CreateAdd(b.CreateMul(b.CreateAdd(b.CreateMul(tz, bdy), ty), bdx), tx);
  const next = cg.block('thread.next');
  const thread = { tx, ty, tz, tid, next };
  if (cg.tracksExit) {
    const run = cg.block('thread.run');
    const flag = b.CreateLoad(e.i8, b.CreateGEP(e.i8, storage.exited!, b.CreateZExt(tid, e.i64)));
    b.CreateCondBr(b.CreateICmpEQ(flag, cg.llvm.ConstantInt.get(e.i8, 0)), run, next);
    b.SetInsertPoint(run);
  }
  for (const id of cg.layout.privateLocalsOf.get(region) ?? []) {
    b.CreateStore(cg.layout.txAliases.has(id) ? tx : e.zero(storage.localType(id)), storage.privateLocal(id)!);
  }
  for (const id of cg.layout.privateArraysOf.get(region) ?? []) {
    const a = ir.arrays.find((x) => x.id === id)!;
    const p = b.CreateBitCast(storage.privateArray(id), b.getInt8PtrTy());
    e.call('llvm.memset.p0i8.i64', e.void, [p, cg.llvm.ConstantInt.get(e.i8, 0), e.i64c(Math.max(a.size, 1) * ELEM_BYTES[a.elem]), e.bool(false)]);
  }
  cg.low.stmts(stmts, thread, barrierLoopTargets(cg, loop, next));
  cg.low.jump(next);
  b.SetInsertPoint(next);
}

/** for (v = start; v < end; v += step) body(v), top-tested. */
export function rangeLoop(cg: CpuCodegen, start: Value, end: Value, step: number, name: string, body: (v: Value) => void): void {
  const { b, e } = cg;
  const pre = b.GetInsertBlock()!;
  const head = cg.block(name), run = cg.block(`${name}.body`), latch = cg.block(`${name}.latch`), exit = cg.block(`${name}.end`);
  b.CreateBr(head);
  b.SetInsertPoint(head);
  const v = b.CreatePHI(e.i32, 2, name);
  v.addIncoming(start, pre);
  b.CreateCondBr(b.CreateICmpULT(v, end), run, exit);
  b.SetInsertPoint(run);
  body(v);
  cg.low.jump(latch);
  b.SetInsertPoint(latch);
  v.addIncoming(b.CreateAdd(v, e.int(step)), latch);
  b.CreateBr(head);
  b.SetInsertPoint(exit);
}

/** for (v = 0; v < bound; v++) body(v) — bottom-tested (bound >= 1 always). */
function threadLoop(cg: CpuCodegen, bound: Value, name: string, exitTo: BasicBlock | undefined, body: (v: Value) => void): void {
  const { b, e } = cg;
  const pre = b.GetInsertBlock()!;
  const loop = cg.block(name), latch = cg.block(`${name}.latch`), exit = exitTo ?? cg.block(`${name}.end`);
  b.CreateBr(loop);
  b.SetInsertPoint(loop);
  const v = b.CreatePHI(e.i32, 2, name);
  v.addIncoming(e.int(0), pre);
  body(v);
  cg.low.jump(latch);
  b.SetInsertPoint(latch);
  const nv = b.CreateAdd(v, e.int(1));
  v.addIncoming(nv, latch);
  b.CreateCondBr(b.CreateICmpULT(nv, bound), loop, exit);
  b.SetInsertPoint(exit);
}
