// KernelIR → one LLVM function `numbat_run_*` (see abi.ts) that runs a range of
// blocks. Inside a block, threads are loops ("work-item loops"): the body is
// split at barriers into regions (regions.ts), each region a loop nest over
// threadIdx z/y/x with x innermost, so LLVM can vectorise across threads.
// Barriers and the uniform if/loop statements around them run once per block;
// their conditions are evaluated for one representative thread (the first
// that has not returned) since they are block-uniform.

import type { KernelArray, KernelIR, Loc, ScalarType, Stmt } from '@numbat/core';
import { ELEM_BYTES, analyzeUniformity, forEachExpr, forEachStmt, localScopes, stmtExprs, type Expr, type UniformityInfo } from '@numbat/core';
import type { LLVM, LLVMNS } from '@numbat/llvm';
import { KernelLowerer, type LoopTargets } from '@numbat/llvm';
import type { TargetHooks } from '@numbat/llvm';
import { LIBM_MATH } from '@numbat/llvm';
import { INFO, entryName, align16, type BoundsSite, type KernelPlan } from './abi.js';
import { assignedBeforeUse, containsBarrier, containsReturn, planStorage, threadIdxAliases, type Region, type StorageLayout } from './regions.js';
import { analyzeLaneUniformity, type LaneUniformity } from './lane-uniformity.js';
import { withinLaneBudget } from './lane-budget.js';
import { regionLaneWidth } from './lane-width.js';
import { LaneLowerer, linearLocals, mayRetire, type LaneEnv } from './lanes.js';
import { laneVectorTypes } from './lane-vectors.js';
import { closeModule, openModule, type CodegenUnit } from './module-memory.js';

type Value = LLVMNS.Value;
type BasicBlock = LLVMNS.BasicBlock;

export interface CpuCodegenOptions {
  boundscheck: boolean;
  /** Threads per lane group (lanes.ts); 1 turns lockstep execution off. */
  laneWidth?: number;
  /**
   * The stoppable variant: every loop back-edge polls the launch's error flag
   * (set by the runtime when a launch's signal aborts) and leaves the kernel
   * when it is set, so a thread that never ends can be stopped. Only launches
   * with a signal/timeout run it; ordinary launches keep loops without polls.
   */
  poll?: boolean;
}

/**
 * When a region runs as lockstep lane groups (measured on vector add, the
 * block reduction and Monte Carlo pi):
 * - a region with a loop inside: always (LLVM's loop vectoriser only handles
 *   innermost loops, and per-thread loops are the innermost ones);
 * - a kernel without barriers: yes (with bounds checks on, a group needs one
 *   range test where a thread loop has an early exit that stops LLVM);
 * - loop-free regions between barriers (reduction trees): no, the thread loop
 *   is faster there;
 * - regions using local arrays: no (not supported by lanes.ts).
 */
function jamWorthIt(stmts: readonly Stmt[], ir: KernelIR): boolean {
  let loop = false, localArray = false;
  forEachStmt(stmts as Stmt[], (s) => {
    if (s.kind === 'loop') loop = true;
    if (s.kind === 'store' && s.array.space === 'local') localArray = true;
    for (const x of stmtExprs(s)) forEachExpr(x, (y) => {
      if ((y.kind === 'load' || y.kind === 'length' || y.kind === 'atomic') && y.array.space === 'local') localArray = true;
    });
  });
  if (localArray) return false;
  if (process.env.NUMBAT_CPU_JAM === 'always') return true;
  return loop || !ir.hasBarrier;
}

export interface CpuModule {
  /** Textual IR as built (before linking helpers and optimising). */
  text: string;
  plan: KernelPlan;
  atomics: KernelLowerer['atomicsUsed'];
}

/** The thread whose values the code at the insertion point computes. */
interface ThreadCtx {
  tx: Value; ty: Value; tz: Value; tid: Value; next?: BasicBlock;
  /** threadIdx.x an out-of-bounds report names, when not tx (lane-uniform code of a lane group: its first active lane). */
  reportTx?: Value;
}

/** Block-level loop around a region: where a region's break/continue lead. */
interface BarrierLoop { brk: Value; cont: Value; exit: BasicBlock; latch: BasicBlock; usedBrk: boolean; usedCont: boolean }

export function buildCpuModule(llvm: LLVM, ir: KernelIR, opts: CpuCodegenOptions): CpuModule {
  const unit = openModule(llvm, ir.name); // one shared module, emptied after each compile (module-memory.ts)
  let text: string | undefined;
  try {
    const built = new CpuKernelBuilder(llvm, ir, opts, unit).build();
    text = built.text;
    return built;
  } finally {
    closeModule(unit, text);
  }
}

class CpuKernelBuilder {
  private readonly ctx: LLVMNS.LLVMContext;
  private readonly module: LLVMNS.Module;
  private readonly b: LLVMNS.IRBuilder;
  private readonly fn: LLVMNS.Function;
  private readonly low: KernelLowerer;
  private readonly layout: StorageLayout;
  private readonly tracksExit: boolean;
  private readonly plan: KernelPlan;
  private readonly laneUni: LaneUniformity;
  private readonly blockUni: UniformityInfo;
  /** Locals that always hold threadIdx.x (`const t = cuda.threadIdx.x`). */
  private readonly txAliases: Set<number>;

  // values computed once in the entry block
  private info!: Value;
  private blockDim: Value[] = [];
  private gridDim: Value[] = [];
  private nthreads!: Value;
  private lengths = new Map<number, Value>();
  private arrayPtrs = new Map<number, Value>();
  private sharedPtrs = new Map<number, Value>();
  private sharedLens = new Map<number, Value>();
  private perThreadPtrs = new Map<string, Value>();
  private privateLocals = new Map<number, Value>();
  private blockScalarPtrs = new Map<number, Value>();
  private privateArrays = new Map<number, Value>();
  private constArrays = new Map<number, Value>();
  private exited?: Value;
  private exitedCount?: Value;
  // per block
  private blockIdx: Value[] = [];
  private blockDone!: BasicBlock;
  /** The linear id of the block being run. */
  private blk!: Value;
  private errorExit!: BasicBlock;
  // per region / block-level code
  private cur!: ThreadCtx;
  private regionIndex = 0;
  private readonly scalarArgs = new Map<number, Value>();

  constructor(private readonly llvm: LLVM, private readonly ir: KernelIR, private readonly opts: CpuCodegenOptions, unit: CodegenUnit) {
    ({ ctx: this.ctx, module: this.module, builder: this.b } = unit);
    const b = this.b;
    const i32 = b.getInt32Ty();
    const paramTys = ir.params.map((p) => (p.type.kind === 'array' ? b.getInt8PtrTy() : scalarArgType(b, p.type.type)));
    const fnTy = llvm.FunctionType.get(i32, [llvm.PointerType.getUnqual(i32), i32, i32, b.getInt8PtrTy(), ...paramTys], false);
    const entry = entryName(ir.name);
    this.fn = llvm.Function.Create(fnTy, llvm.Function.LinkageTypes.ExternalLinkage, entry, this.module);
    this.layout = planStorage(ir);
    this.laneUni = analyzeLaneUniformity(ir);
    this.blockUni = analyzeUniformity(ir);
    this.txAliases = threadIdxAliases(ir);
    this.tracksExit = ir.hasBarrier && containsReturn(ir.body);
    this.plan = {
      name: ir.name, entry,
      scalarTypes: ir.params.map((p) => (p.type.kind === 'scalar' ? p.type.type : null)),
      staticSharedBytes: 0, dynamicSharedArrays: 0, perThreadSizes: [], privateArrayBytes: 0, tracksExit: this.tracksExit,
      sites: [], barrierLines: [], gridSync: hasGridBarrier(ir),
    };
    this.low = new KernelLowerer(llvm, this.ctx, this.module, b, this.fn, ir, this.hooks(), { boundscheck: opts.boundscheck });
    this.low.paramValue = (i) => this.scalarArgs.get(i)!;
  }

  private get e() { return this.low.e; }

  build(): CpuModule {
    const b = this.b, e = this.e, llvm = this.llvm;
    const entry = llvm.BasicBlock.Create(this.ctx, 'entry', this.fn);
    b.SetInsertPoint(entry);
    this.entryValues();

    const begin = this.fn.getArg(1), end = this.fn.getArg(2);
    const blockHead = this.low.block('block'), exit = this.low.block('exit');
    this.errorExit = this.low.block('error');
    b.CreateCondBr(b.CreateICmpSLT(begin, end), blockHead, exit);
    this.entry = entry;
    const preheader = b.GetInsertBlock()!;

    // for (blk = begin; blk < end; blk++)
    b.SetInsertPoint(blockHead);
    const blk = b.CreatePHI(e.i32, 2, 'blk');
    this.blk = blk;
    blk.addIncoming(begin, preheader);
    const run = this.low.block('block.run');
    this.blockDone = this.low.block('block.done');
    // Another worker failed: stop early (its error is the launch's).
    const pending = e.call('numbat_error_pending', e.i32, [this.info], [e.ptr(e.i32)]);
    b.CreateCondBr(b.CreateICmpEQ(pending, e.int(0)), run, exit);
    b.SetInsertPoint(run);
    const [gx, gy] = this.gridDim;
    const bx = b.CreateURem(blk, gx), rest = b.CreateUDiv(blk, gx);
    this.blockIdx = [bx, b.CreateURem(rest, gy), b.CreateUDiv(rest, gy)];
    this.startBlock();
    this.cur = { tx: e.int(0), ty: e.int(0), tz: e.int(0), tid: e.int(0) };
    this.blockLevel(this.ir.body, undefined);
    this.low.jump(this.blockDone);

    b.SetInsertPoint(this.blockDone);
    if (this.plan.gridSync) e.call('numbat_grid_leave', e.void, [this.info, blk], [e.ptr(e.i32), e.i32]);
    const nextBlk = b.CreateAdd(blk, e.int(1));
    blk.addIncoming(nextBlk, this.blockDone);
    b.CreateCondBr(b.CreateICmpSLT(nextBlk, end), blockHead, exit);

    b.SetInsertPoint(exit);
    b.CreateRet(e.int(0));
    b.SetInsertPoint(this.errorExit);
    b.CreateRet(e.int(1));

    if (this.layout.regions.length !== this.regionIndex) throw new Error('numbat internal error: region plan and code generation disagree');
    if (llvm.verifyFunction(this.fn)) throw new Error(`numbat internal error: invalid LLVM IR for kernel '${this.ir.name}'${process.env.NUMBAT_CPU_DEBUG ? ':\n' + this.module.print() : ' (NUMBAT_CPU_DEBUG=1 prints it)'}`);
    const text = this.module.print();
    return { text, plan: this.plan, atomics: this.low.atomicsUsed };
  }

  // ---- entry block: launch constants, array pointers, scratch partition ----

  private entryValues(): void {
    const b = this.b, e = this.e, ir = this.ir;
    this.info = this.fn.getArg(0);
    const word = (w: number): Value => b.CreateLoad(e.i32, b.CreateGEP(e.i32, this.info, e.int(w)));
    this.gridDim = [0, 1, 2].map((d) => word(INFO.GRID + d));
    this.blockDim = [0, 1, 2].map((d) => word(INFO.BLOCK + d));
    this.nthreads = b.CreateMul(b.CreateMul(this.blockDim[0], this.blockDim[1]), this.blockDim[2]);
    ir.params.forEach((p, i) => {
      const arg = this.fn.getArg(4 + i);
      if (p.type.kind === 'array') {
        this.lengths.set(i, word(INFO.LENGTHS + i));
        this.arrayPtrs.set(i, b.CreateBitCast(arg, e.ptr(e.elem(p.type.elem))));
      } else {
        this.scalarArgs.set(i, p.type.type === 'bool' ? b.CreateICmpNE(arg, e.int(0)) : arg);
      }
    });

    // Shared memory: static arrays first, then the dynamic ones (sharedMem bytes each).
    const scratch = this.fn.getArg(3);
    const dynBytes = word(INFO.DYN_SHARED);
    const dynArea = b.CreateMul(b.CreateUDiv(b.CreateAdd(dynBytes, e.int(15)), e.int(16)), e.int(16));
    let offset = 0;
    const shared = ir.arrays.filter((a) => a.space === 'shared');
    for (const a of shared.filter((x) => x.size > 0)) {
      this.sharedPtrs.set(a.id, this.bytePtr(scratch, e.i64c(offset), a));
      this.sharedLens.set(a.id, e.int(a.size));
      offset += align16(a.size * ELEM_BYTES[a.elem]);
    }
    this.plan.staticSharedBytes = offset;
    let dynOffset: Value = e.i64c(offset);
    for (const a of shared.filter((x) => x.size === 0)) {
      this.sharedPtrs.set(a.id, this.bytePtr(scratch, dynOffset, a));
      this.sharedLens.set(a.id, b.CreateUDiv(dynBytes, e.int(ELEM_BYTES[a.elem])));
      dynOffset = b.CreateAdd(dynOffset, b.CreateZExt(dynArea, e.i64));
      this.plan.dynamicSharedArrays++;
    }
    this.sharedBytes = dynOffset;

    // Per-thread storage after shared memory: one area per entry, nthreads slots each.
    let ptOffset = dynOffset;
    const n64 = b.CreateZExt(this.nthreads, e.i64);
    const area = (bytesPerThread: number): Value => {
      const start = ptOffset;
      const bytes = b.CreateMul(n64, e.i64c(bytesPerThread));
      ptOffset = b.CreateAdd(start, b.CreateMul(b.CreateUDiv(b.CreateAdd(bytes, e.i64c(15)), e.i64c(16)), e.i64c(16)));
      this.plan.perThreadSizes.push(bytesPerThread);
      return start;
    };
    this.perThreadStart = dynOffset;
    for (const l of ir.locals) {
      if (!this.layout.perThreadLocals.has(l.id)) continue;
      const t = e.scalar(l.type);
      const start = area(l.type === 'f64' ? 8 : l.type === 'bool' ? 1 : 4);
      this.perThreadPtrs.set(`l${l.id}`, b.CreateBitCast(b.CreateGEP(e.i8, scratch, start), e.ptr(t)));
    }
    for (const a of ir.arrays) {
      if (a.space !== 'local' || !this.layout.perThreadArrays.has(a.id)) continue;
      const start = area(a.size * ELEM_BYTES[a.elem]);
      this.perThreadPtrs.set(`a${a.id}`, b.CreateBitCast(b.CreateGEP(e.i8, scratch, start), e.ptr(e.elem(a.elem))));
    }
    if (this.tracksExit) {
      this.exited = b.CreateGEP(e.i8, scratch, ptOffset);
      ptOffset = b.CreateAdd(ptOffset, b.CreateMul(b.CreateUDiv(b.CreateAdd(n64, e.i64c(15)), e.i64c(16)), e.i64c(16)));
      this.exitedCount = b.CreateAlloca(e.i32, null, 'exited.count');
    }
    // Local arrays of one thread at a time live in scratch memory too, not on the
    // stack: native code runs on koffi's stack (128 KiB for async calls).
    let privOffset = ptOffset;
    for (const [, ids] of this.layout.privateArraysOf) {
      for (const id of ids) {
        const a = ir.arrays.find((x) => x.id === id)!;
        const bytes = align16(Math.max(a.size, 1) * ELEM_BYTES[a.elem]);
        this.privateArrays.set(id, b.CreateBitCast(b.CreateGEP(e.i8, scratch, privOffset), e.ptr(e.elem(a.elem))));
        privOffset = b.CreateAdd(privOffset, e.i64c(bytes));
        this.plan.privateArrayBytes += bytes;
      }
    }
    this.scratchEnd = ptOffset;

    for (const id of this.layout.blockScalars) {
      const l = ir.locals.find((x) => x.id === id)!;
      this.blockScalarPtrs.set(id, b.CreateAlloca(e.scalar(l.type), null, `${l.name}.${id}.block`));
    }
    // Private storage: allocas (promoted to registers by mem2reg/SROA).
    for (const [, ids] of this.layout.privateLocalsOf) {
      for (const id of ids) {
        if (this.privateLocals.has(id)) continue; // a threadIdx.x alias is private in several regions
        const l = ir.locals.find((x) => x.id === id)!;
        this.privateLocals.set(id, b.CreateAlloca(e.scalar(l.type), null, `${l.name}.${id}`));
      }
    }
    for (const a of ir.arrays) if (a.space === 'const') this.constArrays.set(a.id, this.constArray(a));
  }

  private sharedBytes!: Value;
  private entry!: BasicBlock;

  /** An alloca in the entry block (only those are promoted to registers). */
  private entryAlloca(t: LLVMNS.Type, name: string): Value {
    const b = this.b;
    // Code is always appended at the end of the current block, so that is where to come back to.
    const here = b.GetInsertBlock()!;
    b.SetInsertPoint(this.entry.getTerminator()!);
    const a = b.CreateAlloca(t, null, name);
    b.SetInsertPoint(here);
    return a;
  }
  private perThreadStart!: Value;
  private scratchEnd!: Value;

  private bytePtr(base: Value, offset: Value, a: KernelArray): Value {
    const e = this.e;
    return this.b.CreateBitCast(this.b.CreateGEP(e.i8, base, offset), e.ptr(e.elem(a.elem)));
  }

  private constArray(a: KernelArray): Value {
    const llvm = this.llvm, e = this.e;
    const et = e.elem(a.elem);
    const values = (a.values ?? []).map((v) => (a.elem === 'f32' || a.elem === 'f64' ? (Number.isNaN(v) ? llvm.ConstantFP.getNaN(et) : llvm.ConstantFP.get(et, v)) : llvm.ConstantInt.get(et, v, true)));
    const ty = llvm.ArrayType.get(et, values.length);
    const g = new llvm.GlobalVariable(this.module, ty, true, llvm.GlobalValue.LinkageTypes.PrivateLinkage, llvm.ConstantArray.get(ty, values), `const.${a.name}`);
    return this.b.CreateBitCast(g, e.ptr(et));
  }

  /** Start of a block: zero shared memory and per-thread storage (the simulator's fresh state). */
  private startBlock(): void {
    const b = this.b, e = this.e;
    const scratch = this.fn.getArg(3);
    const memset = (start: Value, bytes: Value): void => {
      e.call('llvm.memset.p0i8.i64', e.void, [b.CreateGEP(e.i8, scratch, start), this.llvm.ConstantInt.get(e.i8, 0), bytes, e.bool(false)]);
    };
    if (this.ir.arrays.some((a) => a.space === 'shared')) memset(e.i64c(0), this.sharedBytes);
    if (this.layout.perThreadLocals.size || this.layout.perThreadArrays.size || this.tracksExit) {
      memset(this.perThreadStart, b.CreateSub(this.scratchEnd, this.perThreadStart));
    }
    if (this.exitedCount) b.CreateStore(e.int(0), this.exitedCount);
    for (const [id, p] of this.blockScalarPtrs) b.CreateStore(e.zero(this.localType(id)), p);
  }

  // ---- block-level statements: regions, barriers, uniform if/loop ----

  private blockLevel(list: readonly Stmt[], loop: BarrierLoop | undefined): void {
    let pending: Stmt[] = [];
    const flush = (): void => {
      if (!pending.length) return;
      this.region(pending, loop);
      pending = [];
    };
    for (const s of list) {
      if (this.low.terminated()) return;
      if (this.layout.hoisted.has(s)) {
        // a block scalar's assignment: once per block, between regions
        flush();
        if (this.low.terminated()) return;
        this.cur = this.representative();
        this.low.stmt(s);
        continue;
      }
      if (!this.ir.hasBarrier || !containsBarrier(s)) { pending.push(s); continue; }
      flush();
      if (this.low.terminated()) return;
      switch (s.kind) {
        case 'barrier': this.barrier(s.loc); if (s.grid) this.gridBarrier(this.blk); break;
        case 'if': this.uniformIf(s, loop); break;
        case 'loop': this.uniformLoop(s); break;
        default: throw new Error(`numbat internal error: barrier inside ${s.kind}`);
      }
    }
    flush();
  }

  /** The first thread that has not returned (all threads when none can return). */
  private representative(): ThreadCtx {
    const b = this.b, e = this.e;
    if (!this.tracksExit) return { tx: e.int(0), ty: e.int(0), tz: e.int(0), tid: e.int(0) };
    // Every thread returned: the block is finished (and its uniform conditions meaningless).
    const live = this.low.block('live');
    b.CreateCondBr(b.CreateICmpEQ(b.CreateLoad(e.i32, this.exitedCount!), this.nthreads), this.blockDone, live);
    b.SetInsertPoint(live);
    const tid = e.call('numbat_first_alive', e.i32, [this.exited!, this.nthreads], [e.ptr(e.i8), e.i32]);
    const [bx, by] = this.blockDim;
    const rest = b.CreateUDiv(tid, bx);
    return { tid, tx: b.CreateURem(tid, bx), ty: b.CreateURem(rest, by), tz: b.CreateUDiv(rest, by) };
  }

  private barrier(loc: Loc | undefined): void {
    const b = this.b, e = this.e;
    this.plan.barrierLines.push(loc?.line ?? 0);
    if (!this.tracksExit) return; // the region boundary is the barrier
    // Some threads returned and others wait here: undefined on a GPU, an error here (as in the simulator).
    const count = b.CreateLoad(e.i32, this.exitedCount!);
    const some = this.low.block('barrier.exited'), fine = this.low.block('barrier.ok'), partial = this.low.block('barrier.partial');
    b.CreateCondBr(b.CreateICmpEQ(count, e.int(0)), fine, some);
    b.SetInsertPoint(some);
    b.CreateCondBr(b.CreateICmpEQ(count, this.nthreads), this.blockDone, partial);
    b.SetInsertPoint(partial);
    e.call('numbat_report_barrier_exit', e.void,
      [this.info, e.int(this.plan.barrierLines.length - 1), this.exited!, this.nthreads, ...this.blockIdx],
      [e.ptr(e.i32), e.i32, e.ptr(e.i8), e.i32, e.i32, e.i32, e.i32]);
    b.CreateBr(this.errorExit);
    b.SetInsertPoint(fine);
  }

  /** After the block's own barrier: wait for every block of the grid (helpers-ir.ts); stop when the launch failed. */
  private gridBarrier(blk: Value): void {
    const b = this.b, e = this.e;
    const stop = e.call('numbat_grid_sync', e.i32, [this.info, blk], [e.ptr(e.i32), e.i32]);
    const go = this.low.block('grid.passed');
    b.CreateCondBr(b.CreateICmpEQ(stop, e.int(0)), go, this.errorExit);
    b.SetInsertPoint(go);
  }

  private uniformIf(s: Stmt & { kind: 'if' }, loop: BarrierLoop | undefined): void {
    const b = this.b;
    this.cur = this.representative();
    const c = this.low.expr(s.cond);
    const thenBB = this.low.block('uif.then'), elseBB = this.low.block('uif.else'), join = this.low.block('uif.end');
    b.CreateCondBr(c, thenBB, elseBB);
    b.SetInsertPoint(thenBB);
    this.blockLevel(s.then, loop);
    this.low.jump(join);
    b.SetInsertPoint(elseBB);
    this.blockLevel(s.else, loop);
    this.low.jump(join);
    b.SetInsertPoint(join);
  }

  private uniformLoop(s: Stmt & { kind: 'loop' }): void {
    const b = this.b, e = this.e;
    const head = this.low.block('uloop'), body = this.low.block('uloop.body'), latch = this.low.block('uloop.latch'), exit = this.low.block('uloop.end');
    const loop: BarrierLoop = { brk: this.entryAlloca(e.i1, 'brk'), cont: this.entryAlloca(e.i1, 'cont'), exit, latch, usedBrk: false, usedCont: false };
    b.CreateStore(e.bool(false), loop.brk);
    b.CreateStore(e.bool(false), loop.cont);
    b.CreateBr(head);
    b.SetInsertPoint(head);
    this.cur = this.representative();
    if (s.cond) b.CreateCondBr(this.low.expr(s.cond), body, exit);
    else b.CreateBr(body);
    b.SetInsertPoint(body);
    this.blockLevel(s.body, loop);
    this.low.jump(latch);
    b.SetInsertPoint(latch);
    this.blockLevel(s.update, loop);
    if (!this.low.terminated()) this.hooks().loopBackEdge?.();
    this.low.jump(head);
    b.SetInsertPoint(exit);
  }

  // ---- regions: loops over the block's threads ----

  private region(stmts: Stmt[], loop: BarrierLoop | undefined): void {
    const b = this.b, e = this.e;
    const region: Region = this.layout.regions[this.regionIndex++];
    if (!region || region.stmts[0] !== stmts[0]) throw new Error('numbat internal error: region plan mismatch');
    const [bdx, bdy, bdz] = this.blockDim;
    const after = this.low.block('region.end');
    let jam = (this.opts.laneWidth ?? 1) > 1 && jamWorthIt(stmts, this.ir);
    // NUMBAT_CPU_LANES (diagnosis) fixes the width of every region
    let W = !jam ? 1 : process.env.NUMBAT_CPU_LANES ? this.opts.laneWidth! : regionLaneWidth(stmts, this.opts.laneWidth!, this.ir, this.laneUni, this.txAliases);
    // Deeply nested thread-dependent control (long else-if or ?: chains) would
    // build code quadratic in the depth: such a region runs thread by thread.
    if (jam && !withinLaneBudget(stmts, this.laneUni, W)) { jam = false; W = 1; }
    // A region that is one `if (threadIdx.x < s)` (reduction trees, `if (t === 0)`):
    // only the threads that can pass the test are visited.
    const range = this.threadRange(stmts);
    // Every thread in the range passes the (pure) test: run its arm directly.
    const body = range ? (stmts[0] as Stmt & { kind: 'if' }).then : stmts;
    this.threadLoop(bdz, 'tz', after, (tz) => this.threadLoop(bdy, 'ty', undefined, (ty) => {
      const [lo, hi] = range ?? [e.int(0), bdx];
      if (!jam) {
        if (range) this.rangeLoop(lo, hi, 1, 'tx', (tx) => this.threadBody(region, body, loop, tx, ty, tz));
        else this.threadLoop(bdx, 'tx', undefined, (tx) => this.threadBody(region, body, loop, tx, ty, tz));
        return;
      }
      // Full groups of W threads in lockstep (SIMD), then the rest one by one (a
      // masked group would need a whole masked copy of the region: more code
      // for LLVM to optimise than the scalar loop).
      const full = b.CreateAdd(lo, b.CreateAnd(b.CreateSub(hi, lo), e.int(~(W - 1))));
      this.rangeLoop(lo, full, W, 'tx0', (tx0) => this.laneGroup(region, body, loop, tx0, ty, tz, W));
      this.rangeLoop(full, hi, 1, 'tx', (tx) => this.threadBody(region, body, loop, tx, ty, tz));
    }));
    b.SetInsertPoint(after);
    if (loop && (loop.usedBrk || loop.usedCont)) {
      // break/continue of a block-level loop: every thread took it (it is uniform); act once for the block.
      for (const [flag, target, used] of [[loop.brk, loop.exit, loop.usedBrk], [loop.cont, loop.latch, loop.usedCont]] as const) {
        if (!used) continue;
        const go = this.low.block('uloop.jump'), stay = this.low.block('uloop.stay');
        b.CreateCondBr(b.CreateLoad(e.i1, flag), go, stay);
        b.SetInsertPoint(go);
        b.CreateStore(e.bool(false), flag);
        b.CreateBr(target);
        b.SetInsertPoint(stay);
      }
    }
  }

  /**
   * [lo, hi) of threadIdx.x for a region that is a single `if` without else
   * whose condition bounds threadIdx.x by a pure block-uniform value; both
   * clamped to [0, blockDim.x] and evaluated once per region (the same value
   * every thread would compute). undefined otherwise.
   */
  private threadRange(stmts: readonly Stmt[]): [Value, Value] | undefined {
    if (stmts.length !== 1 || stmts[0].kind !== 'if' || stmts[0].else.length) return undefined;
    const c = stmts[0].cond;
    if (c.kind !== 'binary' || c.opType !== 'i32') return undefined;
    const isX = (x: Expr): boolean => (x.kind === 'special' && x.reg === 'threadIdx' && x.dim === 0) || (x.kind === 'local' && this.txAliases.has(x.id));
    const pure = (x: Expr): boolean => {
      if (!this.blockUni.isUniform(x)) return false;
      let ok = true;
      forEachExpr(x, (y) => { if (y.kind === 'load' || y.kind === 'atomic') ok = false; });
      return ok;
    };
    let op = c.op, u: Expr;
    if (isX(c.a) && pure(c.b)) u = c.b;
    else if (isX(c.b) && pure(c.a)) { u = c.a; op = ({ lt: 'gt', le: 'ge', gt: 'lt', ge: 'le', eq: 'eq' } as Record<string, typeof op>)[op] ?? 'ne'; }
    else return undefined;
    if (op !== 'lt' && op !== 'le' && op !== 'eq') return undefined;
    const b = this.b, e = this.e;
    this.cur = this.representative();
    // in 64 bits: u + 1 must not wrap
    const v = b.CreateSExt(this.low.expr(u), e.i64);
    const [lo64, hi64] = op === 'lt' ? [e.i64c(0), v] : op === 'le' ? [e.i64c(0), b.CreateAdd(v, e.i64c(1))] : [v, b.CreateAdd(v, e.i64c(1))];
    const n = b.CreateZExt(this.blockDim[0], e.i64);
    const clamp = (x: Value): Value => {
      const pos = b.CreateSelect(b.CreateICmpSLT(x, e.i64c(0)), e.i64c(0), x);
      return b.CreateTrunc(b.CreateSelect(b.CreateICmpSGT(pos, n), n, pos), e.i32);
    };
    const lo = clamp(lo64), hi = clamp(hi64);
    return [lo, b.CreateSelect(b.CreateICmpULT(hi, lo), lo, hi)];
  }

  /** One thread's pass through a region (the scalar path). */
  private threadBody(region: Region, stmts: Stmt[], loop: BarrierLoop | undefined, tx: Value, ty: Value, tz: Value): void {
    const b = this.b, e = this.e;
    const [bdx, bdy] = this.blockDim;
    const tid = b.CreateAdd(b.CreateMul(b.CreateAdd(b.CreateMul(tz, bdy), ty), bdx), tx);
    const next = this.low.block('thread.next');
    this.cur = { tx, ty, tz, tid, next };
    if (this.tracksExit) {
      const run = this.low.block('thread.run');
      const flag = b.CreateLoad(e.i8, b.CreateGEP(e.i8, this.exited!, b.CreateZExt(tid, e.i64)));
      b.CreateCondBr(b.CreateICmpEQ(flag, this.llvm.ConstantInt.get(e.i8, 0)), run, next);
      b.SetInsertPoint(run);
    }
    for (const id of this.layout.privateLocalsOf.get(region) ?? []) {
      const l = this.ir.locals.find((x) => x.id === id)!;
      b.CreateStore(this.layout.txAliases.has(id) ? tx : e.zero(l.type), this.privateLocals.get(id)!);
    }
    for (const id of this.layout.privateArraysOf.get(region) ?? []) {
      const a = this.ir.arrays.find((x) => x.id === id)!;
      const p = b.CreateBitCast(this.privateArrays.get(id)!, b.getInt8PtrTy());
      e.call('llvm.memset.p0i8.i64', e.void, [p, this.llvm.ConstantInt.get(e.i8, 0), e.i64c(Math.max(a.size, 1) * ELEM_BYTES[a.elem]), e.bool(false)]);
    }
    const saved = this.low.loops.splice(0);
    if (loop) {
      this.low.loops.push({
        brk: () => { loop.usedBrk = true; b.CreateStore(e.bool(true), loop.brk); b.CreateBr(next); },
        cont: () => { loop.usedCont = true; b.CreateStore(e.bool(true), loop.cont); b.CreateBr(next); },
      } satisfies LoopTargets);
    }
    this.low.stmts(stmts);
    this.low.loops.splice(0, this.low.loops.length, ...saved);
    this.low.jump(next);
    b.SetInsertPoint(next);
  }

  /** W threads (threadIdx.x = tx0 .. tx0+W-1) through a region in lockstep (lanes.ts). */
  private laneGroup(region: Region, stmts: Stmt[], loop: BarrierLoop | undefined, tx0: Value, ty: Value, tz: Value, W: number): void {
    const b = this.b, e = this.e, ir = this.ir;
    const [bdx, bdy] = this.blockDim;
    const tid0 = b.CreateAdd(b.CreateMul(b.CreateAdd(b.CreateMul(tz, bdy), ty), bdx), tx0);
    const tx = Array.from({ length: W }, (_, l) => (l ? b.CreateAdd(tx0, e.int(l)) : tx0));
    const tid = Array.from({ length: W }, (_, l) => (l ? b.CreateAdd(tid0, e.int(l)) : tid0));
    // Lane-uniform code runs through the ordinary lowering as lane 0.
    this.cur = { tx: tx0, ty, tz, tid: tid0 };
    const groupEnd = this.low.block('group.end');
    const privates = this.layout.privateLocalsOf.get(region) ?? [];
    const laneSlots = new Map<number, Value[]>();
    // Private numeric locals live in one <W x T> alloca (lanes.ts loads and stores them whole; its lanes are the slots).
    const laneVecs = new Map<number, Value>();
    const vt = W > 1 ? laneVectorTypes(this.llvm, this.ctx, W) : undefined;
    for (const id of privates) {
      const l = ir.locals.find((x) => x.id === id)!;
      if (this.laneUni.uniformLocals.has(id)) { b.CreateStore(e.zero(l.type), this.privateLocals.get(id)!); continue; }
      let slots: Value[];
      if (vt && l.type !== 'bool') {
        const vec = this.entryAlloca(vt[l.type === 'u32' ? 'i32' : l.type === 'u64' ? 'i64' : l.type], `${l.name}.${id}.lanes`);
        const base = b.CreateBitCast(vec, e.ptr(e.scalar(l.type)));
        slots = Array.from({ length: W }, (_, i) => (i ? b.CreateGEP(e.scalar(l.type), base, e.i64c(i)) : base));
        laneVecs.set(id, vec);
      } else {
        slots = Array.from({ length: W }, (_, i) => this.entryAlloca(e.scalar(l.type), `${l.name}.${id}.lane${i}`));
      }
      slots.forEach((p, i) => b.CreateStore(this.layout.txAliases.has(id) ? tx[i] : e.zero(l.type), p));
      laneSlots.set(id, slots);
    }
    const perThread = (id: number, lane: number): Value => {
      const base = this.perThreadPtrs.get(`l${id}`);
      if (!base) throw new Error(`numbat internal error: local ${id} has no storage`);
      return b.CreateGEP(e.scalar(this.localType(id)), base, b.CreateZExt(tid[lane], e.i64));
    };
    // Across barriers, threads that returned do not run.
    const initialMask = this.tracksExit
      ? tid.map((t) => b.CreateICmpEQ(b.CreateLoad(e.i8, b.CreateGEP(e.i8, this.exited!, b.CreateZExt(t, e.i64))), this.llvm.ConstantInt.get(e.i8, 0)))
      : undefined;
    const self = this;
    const regionScopes = localScopes(stmts); // locals the region sets before reading them, in loops too
    const env: LaneEnv = {
      W, ir, low: this.low, uni: this.laneUni, boundscheck: this.opts.boundscheck, tx, tid, groupEnd,
      // Lane-linear locals held once: private ones assigned before any use in this region (never read as the implicit 0),
      // and lane-linear only through each other (a filter after the analysis left `b = t + 1` linear with t not).
      linearLocals: linearLocals(ir, this.laneUni, ir.body, new Set(), (id) => laneSlots.has(id) && (assignedBeforeUse(id, stmts) || regionScopes.has(id))),
      isPrivate: (id) => laneSlots.has(id),
      txAliases: this.txAliases,
      scalarFinish: (rest) => {
        // The lockstep code after the loop (when every lane left it together) is
        // lowered after this and must not see a thread of this loop as the current one.
        const groupCur = this.cur;
        this.rangeLoop(e.int(0), e.int(W), 1, 'lane', (l) => {
          const next = this.low.block('lane.next');
          this.cur = { tx: b.CreateAdd(tx0, l), ty, tz, tid: b.CreateAdd(tid0, l), next };
          // this lane's values into the scalar storage of the region's locals
          for (const [id, slots] of laneSlots) {
            const t = e.scalar(this.localType(id));
            let v: Value;
            if (env.linearLocals.has(id)) v = b.CreateAdd(b.CreateLoad(t, slots[0]), l);
            else {
              v = b.CreateLoad(t, slots[W - 1]);
              for (let i = W - 2; i >= 0; i--) v = b.CreateSelect(b.CreateICmpEQ(l, e.int(i)), b.CreateLoad(t, slots[i]), v);
            }
            b.CreateStore(v, this.privateLocals.get(id)!);
          }
          this.low.stmts(rest);
          this.low.jump(next);
          b.SetInsertPoint(next);
        });
        b.CreateBr(groupEnd);
        this.cur = groupCur;
      },
      // Only without exit tracking: the jammed prefix would already have counted returned threads.
      scalarGroup: this.tracksExit ? undefined : () => {
        const groupCur = this.cur;
        this.rangeLoop(tx0, b.CreateAdd(tx0, e.int(W)), 1, 'tx.fallback', (t) => this.threadBody(region, stmts, loop, t, ty, tz));
        b.CreateBr(groupEnd);
        this.cur = groupCur;
      },
      laneLocalPtr: (id, lane) => laneSlots.get(id)?.[lane] ?? perThread(id, lane),
      laneVectorPtr: (id) => laneVecs.get(id),
      uniformLocalPtrs: (id) => {
        const p = self.privateLocals.get(id) ?? self.blockScalarPtrs.get(id);
        return p ? [p] : tid.map((_, lane) => perThread(id, lane));
      },
      elementPtr: (ref, idx) => this.hooks().elementPtr(ref, idx),
      arrayLength: (ref) => this.hooks().arrayLength(ref),
      boundsFail: (ref, index, lane, loc, unsigned) => {
        const saved = self.cur;
        self.cur = { ...saved, tx: b.CreateAdd(tx0, lane) };
        self.hooks().boundsFail(ref, index, loc, unsigned);
        self.cur = saved;
      },
      asLane: (lane, lower) => {
        const saved = self.cur;
        self.cur = { ...saved, reportTx: b.CreateAdd(tx0, lane) };
        try { return lower(); } finally { self.cur = saved; }
      },
      atomic: (x, idx, value, expected) => this.low.atomicOf(x, idx, value, expected),
      poll: this.opts.poll ? () => this.pollStop() : undefined,
      outerLoopExit: loop ? (kind) => {
        if (kind === 'brk') { loop.usedBrk = true; b.CreateStore(e.bool(true), loop.brk); }
        else { loop.usedCont = true; b.CreateStore(e.bool(true), loop.cont); }
      } : undefined,
      onReturn: this.tracksExit ? (retiring) => {
        retiring.forEach((r, l) => {
          const p = b.CreateGEP(e.i8, this.exited!, b.CreateZExt(tid[l], e.i64));
          b.CreateStore(b.CreateSelect(r, this.llvm.ConstantInt.get(e.i8, 1), b.CreateLoad(e.i8, p)), p);
          b.CreateStore(b.CreateAdd(b.CreateLoad(e.i32, this.exitedCount!), b.CreateZExt(r, e.i32)), this.exitedCount!);
        });
      } : undefined,
    };
    const lanes = new LaneLowerer(env, (t, name) => this.entryAlloca(t, name), stmts.some((x) => mayRetire(x)), initialMask);
    const saved = this.low.loops.splice(0);
    lanes.region(stmts);
    this.low.loops.splice(0, this.low.loops.length, ...saved);
    this.low.jump(groupEnd);
    b.SetInsertPoint(groupEnd);
  }

  /** for (v = start; v < end; v += step) body(v), top-tested. */
  private rangeLoop(start: Value, end: Value, step: number, name: string, body: (v: Value) => void): void {
    const b = this.b, e = this.e;
    const pre = b.GetInsertBlock()!;
    const head = this.low.block(name), run = this.low.block(`${name}.body`), latch = this.low.block(`${name}.latch`), exit = this.low.block(`${name}.end`);
    b.CreateBr(head);
    b.SetInsertPoint(head);
    const v = b.CreatePHI(e.i32, 2, name);
    v.addIncoming(start, pre);
    b.CreateCondBr(b.CreateICmpULT(v, end), run, exit);
    b.SetInsertPoint(run);
    body(v);
    this.low.jump(latch);
    b.SetInsertPoint(latch);
    v.addIncoming(b.CreateAdd(v, e.int(step)), latch);
    b.CreateBr(head);
    b.SetInsertPoint(exit);
  }

  /** for (v = 0; v < bound; v++) body(v) — bottom-tested (bound >= 1 always). */
  private threadLoop(bound: Value, name: string, exitTo: BasicBlock | undefined, body: (v: Value) => void): void {
    const b = this.b, e = this.e;
    const pre = b.GetInsertBlock()!;
    const loop = this.low.block(name), latch = this.low.block(`${name}.latch`), exit = exitTo ?? this.low.block(`${name}.end`);
    b.CreateBr(loop);
    b.SetInsertPoint(loop);
    const v = b.CreatePHI(e.i32, 2, name);
    v.addIncoming(e.int(0), pre);
    body(v);
    this.low.jump(latch);
    b.SetInsertPoint(latch);
    const nv = b.CreateAdd(v, e.int(1));
    v.addIncoming(nv, latch);
    b.CreateCondBr(b.CreateICmpULT(nv, bound), loop, exit);
    b.SetInsertPoint(exit);
  }

  // ---- hooks ----

  private hooksObj?: TargetHooks;
  private hooks(): TargetHooks {
    if (this.hooksObj) return this.hooksObj;
    const self = this;
    return this.hooksObj = {
      special(reg, dim) {
        switch (reg) {
          case 'threadIdx': return [self.cur.tx, self.cur.ty, self.cur.tz][dim];
          case 'blockIdx': return self.blockIdx[dim];
          case 'blockDim': return self.blockDim[dim];
          case 'gridDim': return self.gridDim[dim];
        }
      },
      localPtr(id) {
        const p = self.privateLocals.get(id) ?? self.blockScalarPtrs.get(id);
        if (p) return p;
        const base = self.perThreadPtrs.get(`l${id}`);
        if (!base) throw new Error(`numbat internal error: local ${id} has no storage`);
        return self.b.CreateGEP(self.e.scalar(self.localType(id)), base, self.b.CreateZExt(self.cur.tid, self.e.i64));
      },
      elementPtr(ref, index) {
        const b = self.b, e = self.e;
        const et = e.elem(self.low.elemOf(ref));
        switch (ref.space) {
          case 'global': return b.CreateGEP(et, self.arrayPtrs.get(ref.param)!, index);
          case 'shared': return b.CreateGEP(et, self.sharedPtrs.get(ref.id)!, index);
          case 'const': return b.CreateGEP(et, self.constArrays.get(ref.id)!, index);
          case 'local': {
            const p = self.privateArrays.get(ref.id);
            if (p) return b.CreateGEP(et, p, index);
            const a = self.ir.arrays.find((x) => x.id === ref.id)!;
            const slot = b.CreateMul(b.CreateZExt(self.cur.tid, e.i64), e.i64c(a.size));
            return b.CreateGEP(et, self.perThreadPtrs.get(`a${ref.id}`)!, b.CreateAdd(slot, index));
          }
        }
      },
      arrayLength(ref) {
        if (ref.space === 'global') return self.lengths.get(ref.param)!;
        if (ref.space === 'shared') return self.sharedLens.get(ref.id)!;
        const a = self.ir.arrays.find((x) => x.id === ref.id)!;
        return self.e.int(a.space === 'const' ? (a.values?.length ?? a.size) : a.size);
      },
      boundsFail(ref, index, loc, unsigned) {
        const e = self.e;
        const site: BoundsSite = { array: self.low.arrayName(ref), line: loc?.line ?? 0 };
        if (unsigned) site.unsigned = true;
        if (ref.space === 'global') site.param = ref.param;
        else {
          const a = self.ir.arrays.find((x) => x.id === ref.id)!;
          if (a.space === 'shared' && a.size === 0) site.dynElemBytes = ELEM_BYTES[a.elem];
          else site.size = a.space === 'const' ? (a.values?.length ?? a.size) : a.size;
        }
        self.plan.sites.push(site);
        e.call('numbat_report_oob', e.void,
          [self.info, e.int(self.plan.sites.length - 1), index, self.cur.reportTx ?? self.cur.tx, self.cur.ty, self.cur.tz, ...self.blockIdx],
          [e.ptr(e.i32), e.i32, e.i32, e.i32, e.i32, e.i32, e.i32, e.i32, e.i32]);
        self.b.CreateBr(self.errorExit);
      },
      barrier() {
        throw new Error('numbat internal error: a barrier reached the per-thread lowering');
      },
      returnFromKernel() {
        const b = self.b, e = self.e;
        if (!self.cur.next) throw new Error('numbat internal error: return outside a work-item loop');
        if (self.tracksExit) {
          b.CreateStore(self.llvm.ConstantInt.get(e.i8, 1), b.CreateGEP(e.i8, self.exited!, b.CreateZExt(self.cur.tid, e.i64)));
          b.CreateStore(b.CreateAdd(b.CreateLoad(e.i32, self.exitedCount!), e.int(1)), self.exitedCount!);
        }
        b.CreateBr(self.cur.next);
      },
      addressSpace: () => 0,
      math: LIBM_MATH,
      loopBackEdge: self.opts.poll ? () => self.pollStop() : undefined,
    };
  }

  /**
   * The stoppable variant's poll (a relaxed load of the launch's error flag):
   * when set (the launch was stopped, or another worker failed) the worker
   * leaves at once; its launch has already settled or will reject.
   */
  private pollStop(): void {
    const b = this.b, e = this.e;
    const go = this.low.block('stop.no');
    const flag = e.call('numbat_stop_requested', e.i32, [this.info], [e.ptr(e.i32)]);
    b.CreateCondBr(b.CreateICmpEQ(flag, e.int(0)), go, this.errorExit);
    b.SetInsertPoint(go);
  }

  private localType(id: number): ScalarType {
    return this.ir.locals.find((l) => l.id === id)!.type;
  }
}

function scalarArgType(b: LLVMNS.IRBuilder, t: ScalarType): LLVMNS.Type {
  return t === 'f32' ? b.getFloatTy() : t === 'f64' ? b.getDoubleTy() : t === 'i64' || t === 'u64' ? b.getInt64Ty() : b.getInt32Ty();
}

function hasGridBarrier(ir: KernelIR): boolean {
  let grid = false;
  forEachStmt(ir.body, (s) => { if (s.kind === 'barrier' && s.grid) grid = true; });
  return grid;
}
