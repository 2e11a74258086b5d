// The contract between generated PTX and the CUDA runtime: the kernel's
// parameter list, the error record's layout, and the plan (everything the
// runtime must know about a compiled kernel; JSON-safe, stored in the cache so
// a cached kernel runs without the compiler).
//
// Kernel parameters, in order:
//   per KernelIR parameter: array  → T addrspace(1)* data, i32 length
//                           scalar → i32 (bool, i32, u32), i64 (i64, u64), float (f32), double (f64)
//   then: i32 addrspace(1)* errorRecord, i32 tag, i32 dynamicSharedBytes

import type { ElemType, ScalarType } from '@numbat/core';

export type PlanParam =
  | { kind: 'array'; name: string; elem: ElemType; written: boolean }
  | { kind: 'scalar'; name: string; type: ScalarType };

export interface BoundsSite { array: string; line: number }

export interface CudaPlan {
  /** The user's kernel name. */
  name: string;
  /** The PTX entry point. */
  entry: string;
  /** The sm_XX the PTX was generated for. */
  arch: string;
  params: PlanParam[];
  /** Shared arrays sized at launch; each gets `sharedMem` bytes (16-aligned), as in the simulator. */
  dynamicSharedArrays: number;
  /** Bytes of static shared memory the kernel declares. */
  staticSharedBytes: number;
  sites: BoundsSite[];
  barrierLines: number[];
  /** The kernel records a thread that returns while others wait at a barrier. */
  tracksExit: boolean;
  /** The kernel has cuda.cg.this_grid().sync(): launched cooperatively (every block resident). */
  gridSync?: boolean;
  boundscheck: boolean;
  fastmath: boolean;
}

/** Int32 words of an error record (one per stream, in host memory mapped into the device). */
export const ERR = {
  FLAG: 0, // 0, or 1 once a thread has claimed the record
  KIND: 1,
  TAG: 2, // the launching kernel's tag (runtime-assigned)
  SITE: 3, // bounds: index into plan.sites; barrier: index into plan.barrierLines
  INDEX: 4,
  LENGTH: 5,
  THREAD: 6, // 3 words; barrier errors: word 0 = linear id of the exited thread
  BLOCK: 9, // 3 words
  OTHER: 12, // barrier errors: linear id of a waiting thread
  WORDS: 16,
} as const;

export const ERR_BOUNDS = 1;
export const ERR_BARRIER_EXIT = 2;

/** PTX identifiers: [A-Za-z_$][A-Za-z0-9_$]*; JS names may hold other characters. */
export function entryName(kernel: string): string {
  return `numbat_${kernel.replace(/[^A-Za-z0-9_]/g, (c) => `_${c.codePointAt(0)!.toString(16)}_`)}`;
}

export const align16 = (n: number): number => Math.ceil(n / 16) * 16;

/** Bytes of dynamic shared memory a launch requests. */
export function dynamicSharedBytes(plan: CudaPlan, sharedMem: number): number {
  return plan.dynamicSharedArrays * align16(sharedMem);
}
