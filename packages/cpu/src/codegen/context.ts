// The explicit state of the cpu code generator. What is fixed for the whole
// kernel (module, storage, analyses, the block being run) is one `CpuCodegen`,
// built once and never changed; where code runs is a `Thread`, a value passed
// to whatever lowers per-thread code (the shared lowering hands it to the
// target hooks); where a region's break/continue of a block-level loop go is a
// `BarrierLoop`, passed down the block-level walk.

import type { KernelIR, Stmt, UniformityInfo } from '@numbat/core';
import type { Emitter, KernelLowerer, LLVM, LLVMNS } from '@numbat/llvm';
import type { KernelPlan } from './abi.js';
import type { LaneUniformity } from './lane-uniformity.js';
import type { Region, StorageLayout } from './regions.js';
import type { KernelStorage } from './storage.js';

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
  /** May the kernel be built as two functions in two modules (SplitRole), which compile.ts can optimise and emit on two cores? */
  split?: boolean;
  /**
   * A split kernel's second function runs a row's remainder in lane groups of the base width
   * (thread-loops.ts groupsThenThreads), else thread by thread: the launcher runs the variant
   * with them for blocks whose width leaves a remainder (abi.ts KernelPlan.wideGroups).
   */
  narrowTails?: boolean;
}

/** The thread whose values the code being lowered computes. */
export interface Thread {
  readonly tx: Value; readonly ty: Value; readonly tz: Value;
  /** Linear id in the block (the per-thread storage's slot). */
  readonly tid: Value;
  /** Where `return` goes: the next thread of the work-item loop (absent in block-level and lane-uniform code). */
  readonly next?: BasicBlock;
  /** threadIdx.x an out-of-bounds report names, when not tx (lane-uniform code of a lane group: its first active lane). */
  readonly reportTx?: Value;
}

/** The block being run: values of the block loop around everything else. */
export interface BlockFrame {
  /** The linear id of the block. */
  readonly blk: Value;
  readonly blockIdx: readonly Value[];
  /** Where a block ends (every thread returned, or the code ran to its end). */
  readonly blockDone: BasicBlock;
  /** Leaves the kernel with status 1 (a reported error, a stop request). */
  readonly errorExit: BasicBlock;
}

/**
 * Block-level loop around a region: where a region's break/continue lead (flags
 * the region sets, read once per block after it when the plan says the region
 * can set them: Region.leaves).
 */
export interface BarrierLoop { readonly brk: Value; readonly cont: Value; readonly exit: BasicBlock; readonly latch: BasicBlock }

/** The function being built: its builder, emitter, and new blocks appended to it. */
export interface FunctionUnit {
  readonly llvm: LLVM;
  readonly ctx: LLVMNS.LLVMContext;
  readonly fn: LLVMNS.Function;
  readonly e: Emitter;
  block(name: string): BasicBlock;
}

/**
 * The kernel as two functions (kernel.ts splitRegion, thread-loops.ts groupsThenRest): `main`, the
 * entry point, runs the kernel, but of `region` only the full lane groups of its wide groups, and
 * calls `rest` (its own module, emitted on another core) for the rest of the threads and for
 * groups that fall back; `rest` runs threadIdx.x in [lo, hi) of row (ty, tz) of one block through
 * `region`, in groups of the base width, then thread by thread.
 */
export type SplitRole =
  | { readonly role: 'main'; readonly restName: string; readonly region: Region }
  | { readonly role: 'rest'; readonly ty: Value; readonly tz: Value; readonly lo: Value; readonly hi: Value; readonly region: Region };

/** What the code generator's functions share: fixed for one kernel. */
export interface CpuCodegen extends FunctionUnit {
  readonly b: LLVMNS.IRBuilder;
  readonly ir: KernelIR;
  readonly opts: CpuCodegenOptions;
  /** The shared lowering, in the context of a thread. */
  readonly low: KernelLowerer<Thread>;
  readonly storage: KernelStorage;
  readonly frame: BlockFrame;
  /** What the runtime needs to know (bounds-check sites and barrier lines are appended as code is generated). */
  readonly plan: KernelPlan;
  readonly layout: StorageLayout;
  readonly laneUni: LaneUniformity;
  readonly blockUni: UniformityInfo;
  /** Locals that always hold threadIdx.x (`const t = cuda.threadIdx.x`). */
  readonly txAliases: ReadonlySet<number>;
  /** Threads can return before a barrier (exit flags per thread are kept). */
  readonly tracksExit: boolean;
  /** Each local's scope in the kernel's body (core's localScopes), computed once. */
  readonly bodyScopes: ReadonlyMap<number, readonly Stmt[]>;
  /**
   * An analysis of `key` (a statement list of the IR) made once per compile:
   * a region's lane groups of each width and their lowerings ask the same
   * questions (each walk of the IR costs milliseconds on a kernel with inlined draws).
   */
  memo<T>(kind: string, key: object, make: () => T): T;
  /** This function's part of a split kernel (absent: the kernel is one function). */
  readonly split?: SplitRole;
}

/** CpuCodegen.memo's store for one compile. */
export function analysisMemo(): CpuCodegen['memo'] {
  const kinds = new Map<string, WeakMap<object, unknown>>();
  return <T>(kind: string, key: object, make: () => T): T => {
    let m = kinds.get(kind);
    if (!m) kinds.set(kind, (m = new WeakMap()));
    if (m.has(key)) return m.get(key) as T;
    const v = make();
    m.set(key, v);
    return v;
  };
}
