// KernelIR → one LLVM function `numbat_run_*` (see abi.ts) that runs a range of
// blocks. Inside a block, threads are loops ("work-item loops"): the body is
// split at barriers into regions (regions.ts), each region a loop nest over
// threadIdx z/y/x with x innermost, so LLVM can vectorise across threads
// (thread-loops.ts; lockstep lane groups: lane-group.ts, lanes.ts). Barriers
// and the uniform if/loop statements around them run once per block
// (block-level.ts). Where data lives: storage.ts; the shared lowering's
// questions: target-hooks.ts; the state all of them share: context.ts.

import type { KernelIR, ScalarType } from '@numbat/core';
import { analyzeUniformity, blockDrawLoops, continueToElse, flattenRetryLoops, forEachStmt, keepThreadStatesInLocals, localScopes, lookaheadDraws, scalarizeLocalArrays, someStmt, wrapToGuard } from '@numbat/core';
import type { LLVM, LLVMNS } from '@numbat/llvm';
import { Emitter, KernelLowerer, moduleBytes, moduleText } from '@numbat/llvm';
import { entryName, INFO, type KernelPlan } from './abi.js';
import { containsReturn, planStorage, threadIdxAliases, type Region } from './regions.js';
import { boundTest } from './bound-guard.js';
import { analyzeLaneUniformity } from './lane-uniformity.js';
import { closeModule, openModule } from './module-memory.js';
import { KernelStorage } from './storage.js';
import { cpuTargetHooks } from './target-hooks.js';
import { kernelPairedTrig } from './lane-trig-pairs.js';
import { blockLevel } from './block-level.js';
import { narrowTailsOf, region, regionLanes } from './thread-loops.js';
import { handOverOf, laneLinearLocals, regionLaneCost, withinLaneBudget } from './lane-budget.js';
import { analysisMemo, type BlockFrame, type CpuCodegen, type CpuCodegenOptions, type FunctionUnit, type SplitRole, type Thread } from './context.js';

export type { CpuCodegenOptions } from './context.js';

export interface CpuModule {
  /** The module as built (before linking helpers and optimising): bitcode, or text where no bitcode file can be written (@numbat/llvm moduleBytes). */
  bytes: Buffer | string;
  /** Its text, printed when first read (tests, scripts/dump-ir.mjs). */
  readonly text: string;
  plan: KernelPlan;
  atomics: KernelLowerer<Thread>['atomicsUsed'];
  /** The functions the module declares (the helper and vector math modules define them). */
  declared?: readonly string[];
  /** A split kernel's second function (context.ts SplitRole), in a module of its own: `bytes` holds the entry point that calls it. */
  rest?: { bytes: Buffer | string; readonly text: string; atomics: KernelLowerer<Thread>['atomicsUsed'] };
}

/** The two functions of a split kernel: the entry point ('main') and the second function ('rest'). */
export type SplitPart = 'main' | 'rest';

/**
 * The kernel's IR as the code generator builds it and the analyses it asks of it: plain
 * JavaScript, no LLVM, so a first compile makes them while LLVM's libraries finish loading
 * (the cpu backend's pipeline). One per compile (its memo learns the compile's options).
 */
export interface AnalysedKernel {
  readonly analyses: Omit<KernelAnalyses, 'opts'>;
}

export function analyseKernel(source: KernelIR): AnalysedKernel {
  // A body ending in `if (i < n) { … }` gets the guard `if (!(i < n)) return;` instead (core's
  // wrapToGuard, bound-guard.ts: the lane groups run what follows a guard unmasked). A loop's `if (c) continue;`
  // becomes an else arm (a uniform loop for the lane groups: core's
  // continueToElse); local arrays used at constant indices become locals (registers, where lane
  // groups keep other local arrays in memory: scalarizeLocalArrays); loops of random draws keep the thread's state words in registers
  // (keepThreadStatesInLocals) and draw in whole Philox blocks where a lane group's threads are at a
  // block boundary (blockDrawLoops).
  // ... and the trips of a blocked loop made one by one keep a lookahead block per thread at their
  // refills (lookaheadDraws), for lane groups whose threads stand at different positions.
  const inLocals = keepThreadStatesInLocals(scalarizeLocalArrays(continueToElse(flattenRetryLoops(wrapToGuard(source, boundTest(source))))));
  const blocked = blockDrawLoops(inLocals);
  if (blocked !== inLocals) {
    // Blocks are a loop's body five times, and a lookahead adds to each refill: not where that would
    // take a region over its lane budget (it would run thread by thread) at the width a Philox loop
    // gets (wider ones check again). (Loops that are not blocked get a lookahead only as below:
    // given to all, option pricing's compile made two analyses, its lane budget failing at 16
    // lanes, for nothing in its aligned groups: docs/random.md.)
    // (Only the regions with blocks: another region's code is the same either way.)
    for (const ir of new Set([lookaheadDraws(blocked), blocked])) {
      const an = kernelAnalyses(ir);
      if (markedRegionsFit(an, 'groupWide')) return { analyses: an };
    }
  }
  // Loops not in blocks get a lookahead only where a draw sits under an `if` or in an inner loop of
  // the loop's own (a second draw when the first is small, a rejection sampler, a path's steps left
  // by a `break`): their threads part within the loop whatever their positions before it. Measured
  // (65 536 threads × 1 024 trips, a second uniform when the first is below 0.5): 0.37 → 0.72–0.74
  // G trips/s; the bench's barrier option 4.9–5.2 → 6.5–6.6 M paths/s, its cold compile ~+10 ms.
  // (The bench's gamma sampler is such a loop, over the budget with it: it keeps its code, for one
  // more analysis, ~4 ms.)
  const ahead = lookaheadDraws(inLocals, 'conditional');
  if (ahead !== inLocals) {
    const an = kernelAnalyses(ahead);
    if (markedRegionsFit(an, 'anyLane')) return { analyses: an };
  }
  return { analyses: kernelAnalyses(inLocals) };
}

/**
 * Whether every region with an `if` marked `flag` stays within its lane budget at the width a
 * Philox loop gets: loops in blocks (core's blockDrawLoops marks its test of the block boundary
 * groupWide), lookahead blocks (lookaheadDraws marks its refill anyLane).
 */
function markedRegionsFit(an: Omit<KernelAnalyses, 'opts'>, flag: 'groupWide' | 'anyLane'): boolean {
  return an.layout.regions.every((r) => !someStmt(r.stmts, (s) => s.kind === 'if' && !!s[flag])
    || withinLaneBudget(r.stmts, an.laneUni, PHILOX_LANES, handOverOf(an), laneLinearLocals(an)));
}

/** A Philox loop's lane groups on AVX2 (twice the base width of 8: lane-width.ts); AVX-512's check their own. */
const PHILOX_LANES = 16;

/**
 * `handOff`: given a split kernel's module that is the larger to finish as soon as it is built
 * (before the other one is), with which of the two it is; the returned module is the entry
 * point's, with `rest`.
 */
export function buildCpuModule(llvm: LLVM, source: KernelIR | AnalysedKernel, opts: CpuCodegenOptions, handOff?: (first: CpuModule, part: SplitPart) => void): CpuModule {
  const analyses = 'analyses' in source ? source.analyses : analyseKernel(source).analyses;
  const ir = analyses.ir;
  const plan = newPlan(ir, analyses.tracksExit);
  const whole: KernelAnalyses = { ...analyses, opts };
  const split = opts.split ? splitRegion(ir, whole, !!plan.gridSync) : undefined;
  if (!split) return buildIn(llvm, ir, opts, whole, plan, undefined);
  // Narrow tails always where the rows' ranges depend on the kernel's values (thread-loops.ts
  // threadRange): a launch cannot tell whether they leave a remainder.
  const stmts = split.stmts;
  // A region of base-width groups has no narrower ones: its second function is the
  // thread-by-thread code only, for a block of any width.
  const { W, narrowW } = regionLanes(whole, stmts);
  const narrowTails = narrowTailsOf({ opts, plan, txAliases: analyses.txAliases }, stmts, W, narrowW) !== undefined;
  const o = { ...opts, narrowTails }, an: KernelAnalyses = { ...analyses, opts: o };
  // The larger to finish first, so another thread can finish it while this one builds and
  // finishes the other: with narrow tails the second function (groups of the base width and the
  // thread-by-thread code, against the entry point's wide groups), without them the entry point.
  const first: SplitPart = narrowTails ? 'rest' : 'main';
  const built = { [first]: buildIn(llvm, ir, o, an, plan, first, split) } as Record<SplitPart, CpuModule>;
  handOff?.(built[first], first);
  const second: SplitPart = first === 'rest' ? 'main' : 'rest';
  built[second] = buildIn(llvm, ir, o, an, plan, second, split);
  const { main, rest } = built;
  main.rest = { bytes: rest.bytes, get text() { return rest.text; }, atomics: rest.atomics }; // (not spread: that would print the text)
  return main;
}

/** The IR analyses the code generator asks of a kernel, made once for both functions of a split kernel. */
type KernelAnalyses = Pick<CpuCodegen, 'ir' | 'opts' | 'layout' | 'tracksExit' | 'laneUni' | 'blockUni' | 'txAliases' | 'bodyScopes' | 'memo'>;

export function kernelAnalyses(ir: KernelIR): Omit<KernelAnalyses, 'opts'> {
  const bodyScopes = localScopes(ir.body), txAliases = threadIdxAliases(ir);
  return {
    ir, layout: planStorage(ir, txAliases), tracksExit: ir.hasBarrier && containsReturn(ir.body),
    laneUni: analyzeLaneUniformity(ir, bodyScopes), blockUni: analyzeUniformity(ir), txAliases,
    bodyScopes, memo: analysisMemo(),
  };
}

function newPlan(ir: KernelIR, tracksExit: boolean): KernelPlan {
  return {
    name: ir.name, entry: entryName(ir.name),
    scalarTypes: ir.params.map((p) => (p.type.kind === 'scalar' ? p.type.type : null)),
    staticSharedBytes: 0, dynamicSharedArrays: 0, perThreadSizes: [], privateArrayBytes: 0, tracksExit,
    sites: [], barrierLines: [], gridSync: hasGridBarrier(ir),
  };
}

/** One function built in the shared module (module-memory.ts), handed over as bytes. */
function buildIn(llvm: LLVM, ir: KernelIR, opts: CpuCodegenOptions, an: KernelAnalyses, plan: KernelPlan, role: 'main' | 'rest' | undefined, splitAt?: Region): CpuModule {
  const unit = openModule(llvm, role === 'rest' ? `${ir.name}.rest` : ir.name); // one shared module, emptied after each compile (module-memory.ts)
  let built: CpuModule | undefined;
  try {
    built = buildKernel(llvm, unit.ctx, unit.module, unit.builder, ir, opts, an, plan, role, splitAt);
  } finally {
    const symbols = closeModule(unit, built?.bytes);
    if (built) built.declared = symbols.declared;
  }
  return built;
}

/**
 * The laneCost (lane-budget.ts) from which a region of base-width groups is split: the random
 * draws' and option pricing's regions measure 584–847 (guarded regions, counted once), where the
 * scalar copy is ~30 ms of `optimize` + `emit` (option pricing on AVX2); saxpy 54, the Monte
 * Carlo pi LCG 53, where a second module's fixed cost (its helpers linked, a pool job) would only
 * add CPU time. (400 when a guarded region was counted twice.)
 */
const SPLIT_BASE_COST = 200;

/**
 * The region a kernel runs in two functions (context.ts SplitRole), or undefined: the kernel is
 * one function. Its costliest region whose lane groups are wide with a remainder in narrower ones
 * (thread-loops.ts regionLanes), or of the base width with code enough (SPLIT_BASE_COST) that its
 * thread-by-thread copy, the second function then, is worth a module of its own. A kernel
 * without barriers is one region. In a kernel with barriers the region lies at the top of the
 * block level (not in a block-level loop or if, whose flags are the entry point's) and reads no
 * block scalar (the entry point's allocas); no kernel that tracks returned threads or waits for
 * the grid splits. All else a region uses lives in the launch's scratch memory (shared memory,
 * per-thread storage, the local arrays of one thread at a time: storage.ts), which both
 * functions lay out alike. (Kernels with barriers split since 2026-12-03: a loop of normals
 * summed per thread, then reduced in shared memory, compiled its one function's 32-lane groups,
 * tails and tree in ~70 ms of LLVM on one core.)
 */
function splitRegion(ir: KernelIR, an: KernelAnalyses, gridSync: boolean): Region | undefined {
  const { layout } = an;
  if (an.tracksExit || gridSync) return undefined;
  let best: Region | undefined, bestCost = -1;
  for (const item of layout.body) {
    if (item.kind !== 'region') continue;
    const r = item.region;
    if (layout.blockScalars.size && [...layout.localsOf.get(r) ?? []].some((id) => layout.blockScalars.has(id))) continue;
    const { jam, W, narrowW } = regionLanes(an, r.stmts);
    if (!jam || W <= 1) continue;
    const cost = regionLaneCost(r.stmts, an.laneUni);
    if ((narrowW !== undefined || cost >= SPLIT_BASE_COST) && cost > bestCost) { best = r; bestCost = cost; }
  }
  return best;
}

/**
 * `role`: a split kernel's part (both share `plan`); undefined: the kernel in one function.
 * `splitAt`: a split kernel's region whose threads the two share (splitRegion).
 */
function buildKernel(llvm: LLVM, ctx: LLVMNS.LLVMContext, module: LLVMNS.Module, b: LLVMNS.IRBuilder, ir: KernelIR, opts: CpuCodegenOptions,
  an: KernelAnalyses, plan: KernelPlan, role: 'main' | 'rest' | undefined, splitAt?: Region): CpuModule {
  const i32 = b.getInt32Ty();
  const paramTys = ir.params.map((p) => (p.type.kind === 'array' ? b.getInt8PtrTy() : scalarArgType(b, p.type.type)));
  // rest: the entry point's arguments, then the row and range (ty, tz, lo, hi)
  const fnTy = llvm.FunctionType.get(i32, [llvm.PointerType.getUnqual(i32), i32, i32, b.getInt8PtrTy(), ...paramTys, ...(role === 'rest' ? [i32, i32, i32, i32] : [])], false);
  const fn = llvm.Function.Create(fnTy, llvm.Function.LinkageTypes.ExternalLinkage, role === 'rest' ? restName(plan.entry) : plan.entry, module);
  const { layout, tracksExit } = an;
  const restArg = (k: number): LLVMNS.Value => fn.getArg(4 + ir.params.length + k);
  const split: SplitRole | undefined = role === 'rest' ? { role, ty: restArg(0), tz: restArg(1), lo: restArg(2), hi: restArg(3), region: splitAt! }
    : role === 'main' ? { role, restName: restName(plan.entry), region: splitAt! } : undefined;
  const e = new Emitter(llvm, ctx, module, b);
  const block = (name: string): LLVMNS.BasicBlock => llvm.BasicBlock.Create(ctx, name, fn);
  const f: FunctionUnit = { llvm, ctx, fn, e, block };

  const entry = block('entry');
  b.SetInsertPoint(entry);
  // (the memory sizes are the plan's once: the second function lays out the same memory)
  const storage = new KernelStorage(llvm, e, module, fn, ir, layout, role === 'rest' ? structuredClone(plan) : plan);

  const begin = fn.getArg(1), end = fn.getArg(2);
  const blockHead = block('block'), exit = block('exit');
  const errorExit = block('error');
  // Blocks [lo, hi) at a time: the call's own range, or (abi.ts CHUNK, not for a split kernel's
  // second function, which runs part of one block, nor a grid barrier's one block per call)
  // chunks claimed from the range the launch's workers share.
  const claims = role !== 'rest' && !plan.gridSync ? block('claim') : undefined;
  let chunk: LLVMNS.Value | undefined;
  if (claims) {
    chunk = b.CreateLoad(e.i32, b.CreateGEP(e.i32, storage.info, e.int(INFO.CHUNK)), 'chunk');
    const own = block('own.range');
    b.CreateCondBr(b.CreateICmpEQ(chunk, e.int(0)), own, claims);
    b.SetInsertPoint(own);
  }
  b.CreateCondBr(b.CreateICmpSLT(begin, end), blockHead, exit);
  const preheader = b.GetInsertBlock()!;

  // for (blk = lo; blk < hi; blk++)
  b.SetInsertPoint(blockHead);
  const blk = b.CreatePHI(e.i32, 3, 'blk'), hi = b.CreatePHI(e.i32, 3, 'hi');
  blk.addIncoming(begin, preheader);
  hi.addIncoming(end, preheader);
  if (claims) {
    // lo = the next chunk's first block; hi = min(lo + chunk, end); none left once lo ≥ end (unsigned: the count may pass 2^31).
    const here = b.GetInsertBlock()!;
    b.SetInsertPoint(claims);
    const lo = e.call('numbat_claim_blocks', e.i32, [storage.info, chunk!], [e.ptr(e.i32), e.i32]);
    const top = b.CreateAdd(lo, chunk!);
    const chunkEnd = b.CreateSelect(b.CreateICmpULT(top, end), top, end);
    blk.addIncoming(lo, claims);
    hi.addIncoming(chunkEnd, claims);
    b.CreateCondBr(b.CreateICmpULT(lo, end), blockHead, exit);
    b.SetInsertPoint(here);
  }
  const run = block('block.run');
  const blockDone = block('block.done');
  // Another worker failed: stop early (its error is the launch's).
  const pending = e.call('numbat_error_pending', e.i32, [storage.info], [e.ptr(e.i32)]);
  b.CreateCondBr(b.CreateICmpEQ(pending, e.int(0)), run, exit);
  b.SetInsertPoint(run);
  const [gx, gy] = storage.gridDim;
  const bx = b.CreateURem(blk, gx), rest = b.CreateUDiv(blk, gx);
  const frame: BlockFrame = { blk, blockIdx: [bx, b.CreateURem(rest, gy), b.CreateUDiv(rest, gy)], blockDone, errorExit };
  if (split?.role !== 'rest') storage.zeroForBlock(); // rest runs threads of a block main has begun (and has nothing to zero: splittable)

  const low = new KernelLowerer<Thread>(llvm, ctx, module, b, fn, ir, cpuTargetHooks(f, ir, storage, frame, plan, !!opts.poll, () => kernelPairedTrig(an)), { boundscheck: opts.boundscheck });
  const cg: CpuCodegen = { ...an, ...f, b, ir, opts, low, storage, frame, plan, split };
  // (the second function runs rows of the split region only: the block level is the entry point's)
  if (split?.role === 'rest') region(cg, split.region, undefined);
  else blockLevel(cg, layout.body, undefined);
  low.jump(blockDone);

  b.SetInsertPoint(blockDone);
  if (plan.gridSync) e.call('numbat_grid_leave', e.void, [storage.info, blk], [e.ptr(e.i32), e.i32]);
  const nextBlk = b.CreateAdd(blk, e.int(1));
  blk.addIncoming(nextBlk, blockDone);
  hi.addIncoming(hi, blockDone);
  // The range's last block done: the next claim (a dynamic launch), else the end.
  const rangeDone = claims ? block('range.done') : exit;
  b.CreateCondBr(b.CreateICmpSLT(nextBlk, hi), blockHead, rangeDone);
  if (claims) {
    b.SetInsertPoint(rangeDone);
    b.CreateCondBr(b.CreateICmpEQ(chunk!, e.int(0)), exit, claims);
  }

  b.SetInsertPoint(exit);
  b.CreateRet(e.int(0));
  b.SetInsertPoint(errorExit);
  b.CreateRet(e.int(1));

  if (llvm.verifyFunction(fn)) throw new Error(`numbat internal error: invalid LLVM IR for kernel '${ir.name}'${process.env.NUMBAT_CPU_DEBUG ? ':\n' + module.print() : ' (NUMBAT_CPU_DEBUG=1 prints it)'}`);
  const bytes = moduleBytes(llvm, module);
  let text: string | undefined;
  return { bytes, get text() { return (text ??= moduleText(bytes, ir.name)); }, plan, atomics: low.atomicsUsed };
}

/** The name of a split kernel's second function (context.ts SplitRole), unique as its entry point's. */
export function restName(entry: string): string {
  return `${entry}_rest`;
}

function scalarArgType(b: LLVMNS.IRBuilder, t: ScalarType): LLVMNS.Type {
  return t === 'f32' ? b.getFloatTy() : t === 'f64' ? b.getDoubleTy() : t === 'i64' || t === 'u64' ? b.getInt64Ty() : b.getInt32Ty();
}

function hasGridBarrier(ir: KernelIR): boolean {
  let grid = false;
  forEachStmt(ir.body, (s) => { if (s.kind === 'barrier' && s.grid) grid = true; });
  return grid;
}
