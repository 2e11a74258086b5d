// KernelIR → one LLVM function `numbat_run_*` (see abi.ts) that runs a range of
// blocks. Inside a block, threads are loops ("work-item loops"): the body is
// split at barriers into regions (regions.ts), each region a loop nest over
// threadIdx z/y/x with x innermost, so LLVM can vectorise across threads
// (thread-loops.ts; lockstep lane groups: lane-group.ts, lanes.ts). Barriers
// and the uniform if/loop statements around them run once per block
// (block-level.ts). Where data lives: storage.ts; the shared lowering's
// questions: target-hooks.ts; the state all of them share: context.ts.

import type { KernelIR, ScalarType } from '@numbat/core';
import { analyzeUniformity, forEachStmt, keepThreadStatesInLocals, localScopes } from '@numbat/core';
import type { LLVM, LLVMNS } from '@numbat/llvm';
import { Emitter, KernelLowerer, moduleBytes, moduleText } from '@numbat/llvm';
import { entryName, type KernelPlan } from './abi.js';
import { containsReturn, planStorage, threadIdxAliases } from './regions.js';
import { analyzeLaneUniformity } from './lane-uniformity.js';
import { closeModule, openModule } from './module-memory.js';
import { KernelStorage } from './storage.js';
import { cpuTargetHooks } from './target-hooks.js';
import { blockLevel } from './block-level.js';
import { analysisMemo, type BlockFrame, type CpuCodegen, type CpuCodegenOptions, type FunctionUnit, type SplitRole, type Thread } from './context.js';

export type { CpuCodegenOptions } from './context.js';

export interface CpuModule {
  /** The module as built (before linking helpers and optimising): bitcode, or text where no bitcode file can be written (@numbat/llvm moduleBytes). */
  bytes: Buffer | string;
  /** Its text, printed when first read (tests, scripts/dump-ir.mjs). */
  readonly text: string;
  plan: KernelPlan;
  atomics: KernelLowerer<Thread>['atomicsUsed'];
  /** A split kernel's second function (context.ts SplitRole), in a module of its own: `bytes` holds the entry point that calls it. */
  rest?: { bytes: Buffer | string; readonly text: string; atomics: KernelLowerer<Thread>['atomicsUsed'] };
}

/** `handOff`: given a split kernel's first module as soon as it is built (before the second is). */
export function buildCpuModule(llvm: LLVM, source: KernelIR, opts: CpuCodegenOptions, handOff?: (main: CpuModule) => void): CpuModule {
  // Loops of random draws keep the thread's state words in registers (core's keepThreadStatesInLocals).
  const ir = keepThreadStatesInLocals(source);
  const main = buildIn(llvm, ir, opts, opts.split ? 'main' : undefined);
  if (!main.restUsed) return main.module;
  handOff?.(main.module);
  const rest = buildIn(llvm, ir, opts, 'rest', main.module.plan).module;
  main.module.rest = { bytes: rest.bytes, get text() { return rest.text; }, atomics: rest.atomics }; // (not spread: that would print the text)
  return main.module;
}

/** One function built in the shared module (module-memory.ts), handed over as bytes. */
function buildIn(llvm: LLVM, ir: KernelIR, opts: CpuCodegenOptions, role: 'main' | 'rest' | undefined, plan?: KernelPlan): { module: CpuModule; restUsed: boolean } {
  const unit = openModule(llvm, role === 'rest' ? `${ir.name}.rest` : ir.name); // one shared module, emptied after each compile (module-memory.ts)
  let bytes: Buffer | string | undefined;
  try {
    const built = buildKernel(llvm, unit.ctx, unit.module, unit.builder, ir, opts, role, plan);
    bytes = built.module.bytes;
    return built;
  } finally {
    closeModule(unit, bytes);
  }
}

/**
 * Whether the kernel can run as two functions (context.ts SplitRole): one region (no barriers),
 * so a row's threads can run in another function; and nothing per block that `rest` would
 * have to share (shared memory, per-thread storage, block scalars, grid barriers, exit flags).
 */
function splittable(ir: KernelIR, layout: ReturnType<typeof planStorage>, tracksExit: boolean, gridSync: boolean): boolean {
  return !ir.hasBarrier && !tracksExit && !gridSync && layout.body.length === 1 && layout.body[0].kind === 'region'
    && !ir.arrays.some((a) => a.space === 'shared') && !layout.perThreadLocals.size && !layout.perThreadArrays.size && !layout.blockScalars.size;
}

/** `role`: a split kernel's part (`plan`: the main part's, which the rest shares); undefined: the kernel in one function. */
function buildKernel(llvm: LLVM, ctx: LLVMNS.LLVMContext, module: LLVMNS.Module, b: LLVMNS.IRBuilder, ir: KernelIR, opts: CpuCodegenOptions,
  role: 'main' | 'rest' | undefined, mainPlan?: KernelPlan): { module: CpuModule; restUsed: boolean } {
  const i32 = b.getInt32Ty();
  const paramTys = ir.params.map((p) => (p.type.kind === 'array' ? b.getInt8PtrTy() : scalarArgType(b, p.type.type)));
  // rest: the entry point's arguments, then the row and range (ty, tz, lo, hi)
  const fnTy = llvm.FunctionType.get(i32, [llvm.PointerType.getUnqual(i32), i32, i32, b.getInt8PtrTy(), ...paramTys, ...(role === 'rest' ? [i32, i32, i32, i32] : [])], false);
  const entryFn = role === 'rest' ? restName(mainPlan!.entry) : entryName(ir.name);
  const fn = llvm.Function.Create(fnTy, llvm.Function.LinkageTypes.ExternalLinkage, entryFn, module);
  const layout = planStorage(ir);
  const tracksExit = ir.hasBarrier && containsReturn(ir.body);
  const plan: KernelPlan = mainPlan ?? {
    name: ir.name, entry: entryFn,
    scalarTypes: ir.params.map((p) => (p.type.kind === 'scalar' ? p.type.type : null)),
    staticSharedBytes: 0, dynamicSharedArrays: 0, perThreadSizes: [], privateArrayBytes: 0, tracksExit,
    sites: [], barrierLines: [], gridSync: hasGridBarrier(ir),
  };
  const restArg = (k: number): LLVMNS.Value => fn.getArg(4 + ir.params.length + k);
  const split: SplitRole | undefined = role === 'rest' ? { role, ty: restArg(0), tz: restArg(1), lo: restArg(2), hi: restArg(3) }
    : role === 'main' && splittable(ir, layout, tracksExit, !!plan.gridSync) ? { role, restName: restName(entryFn), used: false } : undefined;
  const e = new Emitter(llvm, ctx, module, b);
  const block = (name: string): LLVMNS.BasicBlock => llvm.BasicBlock.Create(ctx, name, fn);
  const f: FunctionUnit = { llvm, ctx, fn, e, block };

  const entry = block('entry');
  b.SetInsertPoint(entry);
  const storage = new KernelStorage(llvm, e, module, fn, ir, layout, plan);

  const begin = fn.getArg(1), end = fn.getArg(2);
  const blockHead = block('block'), exit = block('exit');
  const errorExit = block('error');
  b.CreateCondBr(b.CreateICmpSLT(begin, end), blockHead, exit);
  const preheader = b.GetInsertBlock()!;

  // for (blk = begin; blk < end; blk++)
  b.SetInsertPoint(blockHead);
  const blk = b.CreatePHI(e.i32, 2, 'blk');
  blk.addIncoming(begin, preheader);
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

  const low = new KernelLowerer<Thread>(llvm, ctx, module, b, fn, ir, cpuTargetHooks(f, ir, storage, frame, plan, !!opts.poll), { boundscheck: opts.boundscheck });
  const cg: CpuCodegen = {
    ...f, b, ir, opts, low, storage, frame, plan, layout, tracksExit,
    laneUni: analyzeLaneUniformity(ir), blockUni: analyzeUniformity(ir), txAliases: threadIdxAliases(ir),
    bodyScopes: localScopes(ir.body), memo: analysisMemo(), split,
  };
  blockLevel(cg, layout.body, undefined);
  low.jump(blockDone);

  b.SetInsertPoint(blockDone);
  if (plan.gridSync) e.call('numbat_grid_leave', e.void, [storage.info, blk], [e.ptr(e.i32), e.i32]);
  const nextBlk = b.CreateAdd(blk, e.int(1));
  blk.addIncoming(nextBlk, blockDone);
  b.CreateCondBr(b.CreateICmpSLT(nextBlk, end), blockHead, exit);

  b.SetInsertPoint(exit);
  b.CreateRet(e.int(0));
  b.SetInsertPoint(errorExit);
  b.CreateRet(e.int(1));

  if (llvm.verifyFunction(fn)) throw new Error(`numbat internal error: invalid LLVM IR for kernel '${ir.name}'${process.env.NUMBAT_CPU_DEBUG ? ':\n' + module.print() : ' (NUMBAT_CPU_DEBUG=1 prints it)'}`);
  const bytes = moduleBytes(llvm, module);
  let text: string | undefined;
  return { module: { bytes, get text() { return (text ??= moduleText(bytes, ir.name)); }, plan, atomics: low.atomicsUsed }, restUsed: split?.role === 'main' && split.used };
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
