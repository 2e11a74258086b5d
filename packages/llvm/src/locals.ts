// The simplest storage for locals: one zero-initialised alloca each, in the
// entry block (where mem2reg/SROA promote them to SSA registers). The CUDA
// backend uses this as is; the CPU backend uses it for locals that never
// live across a barrier.

import { localOf, type KernelIR } from '@numbat/core';
import type { LLVMNS } from './bindings.js';
import type { Emitter } from './emit.js';

/**
 * Creates the allocas at the builder's current position (call it at the start
 * of the entry block) and stores zero into each. Returns id → pointer.
 */
export function allocaLocals(e: Emitter, ir: KernelIR, ids: Iterable<number> = ir.locals.map((l) => l.id)): Map<number, LLVMNS.Value> {
  const out = new Map<number, LLVMNS.Value>();
  for (const id of ids) {
    const l = localOf(ir, id);
    if (!l) continue;
    const p = e.b.CreateAlloca(e.scalar(l.type), null, `${l.name}.${l.id}`);
    e.b.CreateStore(e.zero(l.type), p);
    out.set(id, p);
  }
  return out;
}
