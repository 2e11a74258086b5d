// The cpu's answers to the shared LLVM lowering (@numbat/llvm TargetHooks),
// each for the thread the code is lowered for: threadIdx is that thread's
// work-item loop counters, locals and local arrays its storage (storage.ts),
// `return` leaves it for the next thread, an out-of-bounds access reports it
// (through the function's one report block, oob-report.ts) and leaves the kernel.

import { ELEM_BYTES, type Expr, type KernelIR } from '@numbat/core';
import { LIBM_MATH, sincosPart, type TargetHooks } from '@numbat/llvm';
import type { BoundsSite, KernelPlan } from './abi.js';
import type { BlockFrame, FunctionUnit, Thread } from './context.js';
import type { KernelStorage } from './storage.js';
import { oobReport } from './oob-report.js';

/** `paired`: the kernel's f32 sin and cos calls whose argument it takes the other of too (lane-trig-pairs.ts). */
export function cpuTargetHooks(f: FunctionUnit, ir: KernelIR, storage: KernelStorage, frame: BlockFrame, plan: KernelPlan, poll: boolean, paired: () => ReadonlySet<Expr>): TargetHooks<Thread> {
  const { llvm, e } = f, b = e.b;
  const report = oobReport(f, storage, frame);
  return {
    param: (index) => storage.param(index),
    special(reg, dim, thread) {
      switch (reg) {
        case 'threadIdx': return [thread.tx, thread.ty, thread.tz][dim];
        case 'blockIdx': return frame.blockIdx[dim];
        case 'blockDim': return storage.blockDim[dim];
        case 'gridDim': return storage.gridDim[dim];
      }
    },
    localPtr: (id, thread) => storage.localPtr(id, thread),
    elementPtr: (ref, index, thread) => storage.elementPtr(ref, index, thread),
    arrayLength: (ref) => storage.arrayLength(ref),
    boundsFail(ref, index, loc, unsigned, thread) {
      const site: BoundsSite = { array: ref.space === 'global' ? ir.params[ref.param].name : ir.arrays.find((x) => x.id === ref.id)!.name, line: loc?.line ?? 0 };
      if (unsigned) site.unsigned = true;
      if (ref.space === 'global') site.param = ref.param;
      else {
        const a = ir.arrays.find((x) => x.id === ref.id)!;
        if (a.space === 'shared' && a.size === 0) site.dynElemBytes = ELEM_BYTES[a.elem];
        else site.size = a.space === 'const' ? (a.values?.length ?? a.size) : a.size;
      }
      plan.sites.push(site);
      report.jump(plan.sites.length - 1, index, [thread.reportTx ?? thread.tx, thread.ty, thread.tz]);
    },
    barrier() {
      throw new Error('numbat internal error: a barrier reached the per-thread lowering');
    },
    returnFromKernel(thread) {
      if (!thread.next) throw new Error('numbat internal error: return outside a work-item loop');
      if (storage.exited) {
        b.CreateStore(llvm.ConstantInt.get(e.i8, 1), b.CreateGEP(e.i8, storage.exited, b.CreateZExt(thread.tid, e.i64)));
        b.CreateStore(b.CreateAdd(b.CreateLoad(e.i32, storage.exitedCount!), e.int(1)), storage.exitedCount!);
      }
      b.CreateBr(thread.next);
    },
    addressSpace: () => 0,
    // A block's threads run on one worker, one after another: its shared memory (and a thread's
    // local arrays) are never touched by two OS threads at once, so their atomics need no lock.
    plainAtomics: (ref) => ref.space === 'shared' || ref.space === 'local',
    math: LIBM_MATH,
    // Such a sin and cos (Box-Muller's) call one libm sincosf (helpers-ir.ts), whose values are
    // sinf's and cosf's: one argument reduction, as lane groups pair their vector kernels. Not a
    // lone sin: libm's sincosf is a call, which would compute the cos for nothing.
    mathFor: (x) => (x.type === 'f32' && (x.fn === 'sin' || x.fn === 'cos') && paired().has(x) ? sincosPart(x.fn === 'sin' ? 0 : 1) : undefined),
    loopBackEdge: poll ? () => pollStop(f, storage, frame) : undefined,
  };
}

/**
 * The stoppable variant's poll (a relaxed load of the launch's error flag):
 * when set (the launch was stopped, or another worker failed) the worker
 * leaves at once; its launch has already settled or will reject.
 */
export function pollStop(f: FunctionUnit, storage: KernelStorage, frame: BlockFrame): void {
  const e = f.e, b = e.b;
  const go = f.block('stop.no');
  const flag = e.call('numbat_stop_requested', e.i32, [storage.info], [e.ptr(e.i32)]);
  b.CreateCondBr(b.CreateICmpEQ(flag, e.int(0)), go, frame.errorExit);
  b.SetInsertPoint(go);
}
