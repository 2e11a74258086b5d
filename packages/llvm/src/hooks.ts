// The target hooks: everything the shared KernelIR → LLVM lowering asks of a
// target. The CPU backend answers with work-item-loop storage and a per-worker
// shared buffer; the CUDA backend with NVVM special registers and address
// spaces. See README.md in this folder for the contract of each hook.
//
// `C` is the target's context of the code being lowered, passed to every hook
// whose answer depends on where that code runs (the CPU: the thread of its
// work-item loops the code computes for; CUDA: none, `void`).

import type { ArrayRef, BarrierStmt, Loc, MathExpr, ScalarType, SpecialReg, WarpStmt } from '@numbat/core';
import type { LLVMNS } from './bindings.js';
import type { MathImpl, MathTable } from './math.js';

type Value = LLVMNS.Value;

export interface TargetHooks<C = void> {
  /** Scalar kernel parameter `index` (of IR type `type`; bool as i1). */
  param(index: number, type: ScalarType): Value;
  /** i32 value of threadIdx/blockIdx/blockDim/gridDim `.x/.y/.z` in context `at`. */
  special(reg: SpecialReg, dim: 0 | 1 | 2, at: C): Value;
  /** Pointer to the storage of local `id` in context `at` (pointee: the local's scalar type; bool is i1). */
  localPtr(id: number, at: C): Value;
  /**
   * Pointer to element `index` (an i64, already bounds-checked when checks are
   * on) of an array. The pointee is the element's memory type (i8/i16/i32/float/double).
   */
  elementPtr(ref: ArrayRef, index: Value, at: C): Value;
  /**
   * Optional: elements index .. index + 3 (index an i64 multiple of 4) of a
   * global array of 4-byte elements, read together where the target has vector
   * loads (core's quadLoadAt finds the groups; used only without bounds checks).
   */
  quadLoad?(ref: ArrayRef, index: Value, at: C, elem: 'f32' | 'i32' | 'u32'): [Value, Value, Value, Value];
  /** Element count of an array as i32. */
  arrayLength(ref: ArrayRef): Value;
  /**
   * Called in a fresh block reached when `index` (i32) is out of bounds of `ref`;
   * `unsigned` when the index is a u32 (so 0xffffffff is reported as 4294967295, not -1).
   * Must report the failure and end the block with a terminator (ret, br, unreachable).
   */
  boundsFail(ref: ArrayRef, index: Value, loc: Loc | undefined, unsigned: boolean, at: C): void;
  /** A barrier reached by the plain lowering (the CPU backend splits kernels at barriers instead). */
  barrier(s: BarrierStmt, at: C): void;
  /**
   * Optional: a warp collective, on targets with native warps (caps.warp 'native';
   * core rewrites them away for 'emulated' ones). Operands are already evaluated
   * (mask and lane as i32, a predicate as i1); returns the result (and match_all's i1 predicate).
   */
  warp?(s: WarpStmt, mask: Value | undefined, value: Value | undefined, lane: Value | undefined, at: C): { result?: Value; pred?: Value };
  /** `return` from the kernel: must end the current block with a terminator. */
  returnFromKernel(at: C): void;
  /** Address space of pointers to `ref`'s elements (atomic helpers are named after it). */
  addressSpace(ref: ArrayRef): number;
  /**
   * Optional: whether atomics on `ref` may be ordinary read-modify-writes (atomics.ts
   * AtomicHelperOptions.plain): memory that one OS thread at a time reads and writes.
   */
  plainAtomics?(ref: ArrayRef): boolean;
  /** One lowering per MathFn. */
  readonly math: MathTable;
  /** Optional: the lowering of one call, where the target chooses by call (a sin paired with a cos of its argument), else `math`'s. */
  mathFor?(x: MathExpr): MathImpl | undefined;
  /**
   * Optional: called in each loop's latch, after the update, before the back-edge.
   * May branch away (the CPU's poll for a stop request) but must leave the
   * builder in a block that continues the loop.
   */
  loopBackEdge?(at: C): void;
}
