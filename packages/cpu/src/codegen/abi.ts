// The contract between generated code and the CPU runtime: the signature of
// the exported entry point, the launch-info words, error kinds and the layout
// of each worker's scratch memory. Both sides import these numbers.
//
//   int32_t numbat_run_<kernel>_<unique>(int32_t *info, int32_t block_begin, int32_t block_end,
//                      uint8_t *scratch, <one argument per kernel parameter>)
//
// runs blocks [block_begin, block_end) (linear block ids, x fastest) one after
// another and returns 0, or an ERR_* code after recording the failure in info.
// Where info[CHUNK] is not 0, the workers of a launch share that range: each
// claims the next CHUNK blocks from info[NEXT_BLOCK] until none is left, so a
// worker that starts late or runs on a busier core takes fewer blocks.
// Array parameters are data pointers, i32/u32/bool scalars int32_t, f32 float,
// f64 double.

import type { ScalarType } from '@numbat/core';

/** Prefix of the entry point's name; each compile gets a unique name (`plan.entry`) so many kernels share one JIT. */
export const ENTRY_PREFIX = 'numbat_run_';

export function entryName(kernel: string): string {
  const safe = kernel.replace(/[^A-Za-z0-9_]/g, '_').slice(0, 40);
  return `${ENTRY_PREFIX}${safe}_${process.pid.toString(36)}_${(entryCounter++).toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
}
let entryCounter = 0;

/** Int32 words of the launch-info array. */
export const INFO = {
  GRID: 0, // 3 words
  BLOCK: 3, // 3 words
  DYN_SHARED: 6, // bytes of dynamic shared memory per dynamic shared array
  ERR_FLAG: 7, // 0, or 1 once a worker has claimed the error record
  ERR_KIND: 8,
  ERR_SITE: 9, // bounds: index into plan.sites; barrier: index into plan.barrierLines
  ERR_INDEX: 10,
  ERR_THREAD: 11, // 3 words
  ERR_BLOCK: 14, // 3 words
  ERR_OTHER: 17, // 3 words: for barrier errors, a thread that waits
  // Grid barrier (cuda.cg.this_grid().sync(), helpers-ir.ts): one block per worker, all resident.
  GRID_BLOCKS: 20, // blocks in the launch (set by the runtime)
  GRID_COUNT: 21, // arrivals at the current grid barrier plus blocks that have finished
  GRID_GEN: 22, // grid barriers passed
  GRID_LEFT: 23, // blocks that have finished
  // Dynamic scheduling (launch.ts runAsync): the next unclaimed block, and blocks per claim (0: the call's own range).
  NEXT_BLOCK: 24,
  CHUNK: 25,
  LENGTHS: 26, // one word per kernel parameter: array length (0 for scalars)
} as const;

export const ERR_NONE = 0;
export const ERR_BOUNDS = 1;
export const ERR_BARRIER_EXIT = 2;
/** A block finished while others wait at a grid barrier (ERR_THREAD: that block, linear; ERR_OTHER: a waiting block or -1). */
export const ERR_GRID_EXIT = 4;
/** Set by the runtime, not the generated code: the launch was stopped (signal/timeout); workers stop at their next block. */
export const ERR_CANCELLED = 3;

/** Round up to 16 bytes (every scratch area starts 16-aligned). */
export const align16 = (n: number): number => Math.ceil(n / 16) * 16;

/** What the runtime needs to know about a compiled kernel (also stored in the disk cache). */
export interface KernelPlan {
  name: string;
  /** The entry point's symbol. */
  entry: string;
  /** Scalar parameter types (null for arrays; JSON-safe), in parameter order. */
  scalarTypes: (ScalarType | null)[];
  /** Static shared memory: total bytes (16-aligned areas). */
  staticSharedBytes: number;
  /** How many shared arrays are sized at launch (each gets `sharedMem` bytes, as in the simulator). */
  dynamicSharedArrays: number;
  /** Per-thread storage entries, bytes per thread each (each area 16-aligned). */
  perThreadSizes: number[];
  /** Local arrays of the thread being run (after everything else; not per thread). */
  privateArrayBytes: number;
  /** Whether the kernel keeps one "exited" byte per thread (return + barriers). */
  tracksExit: boolean;
  /** Bounds-check sites: array name, source line, and how to know its length for the message. */
  sites: BoundsSite[];
  /** Barrier source lines. */
  barrierLines: number[];
  /** The kernel has a grid barrier: every block runs as its own native call, all at once. */
  gridSync?: boolean;
  /**
   * A kernel built without narrow tails (CpuCodegenOptions.narrowTails): the width of its widest
   * lane groups that have none. A block whose width is not a multiple of it would run its
   * remainder thread by thread: such a launch runs the kernel's variant with narrow tails (index.ts).
   */
  wideGroups?: number;
}

export interface BoundsSite {
  array: string;
  line: number;
  /** Global array: parameter index (length from the launch). */
  param?: number;
  /** Fixed-size shared/local/const array. */
  size?: number;
  /** Dynamic shared array: element bytes (length = sharedMem / this). */
  dynElemBytes?: number;
  /** The index is a u32: the runtime reads ERR_INDEX as unsigned. */
  unsigned?: boolean;
}

/** Bytes of scratch memory one worker needs (the generated code partitions it the same way). */
export function scratchBytes(plan: KernelPlan, threadsPerBlock: number, dynSharedBytes: number): number {
  let n = plan.staticSharedBytes + plan.dynamicSharedArrays * align16(dynSharedBytes);
  for (const s of plan.perThreadSizes) n += align16(s * threadsPerBlock);
  if (plan.tracksExit) n += align16(threadsPerBlock);
  n += plan.privateArrayBytes;
  return Math.max(n, 16);
}
