// The block level of a kernel with barriers: the walk over regions.ts's
// block-level plan. Regions become work-item loops (thread-loops.ts);
// barriers, block scalars' assignments and the if/loop statements around
// barriers run once per block, their block-uniform conditions evaluated for
// one representative thread (the first that has not returned).

import type { Loc } from '@numbat/core';
import type { BlockItem } from './regions.js';
import type { BarrierLoop, CpuCodegen, Thread } from './context.js';
import { pollStop } from './target-hooks.js';
import { region } from './thread-loops.js';

export function blockLevel(cg: CpuCodegen, items: readonly BlockItem[], loop: BarrierLoop | undefined): void {
  for (const item of items) {
    if (cg.low.terminated()) return;
    switch (item.kind) {
      case 'region': region(cg, item.region, loop); break;
      // a block scalar's assignment: once per block, between regions
      case 'hoisted': cg.low.stmt(item.stmt, representative(cg)); break;
      case 'barrier': barrier(cg, item.stmt.loc); if (item.stmt.grid) gridBarrier(cg); break;
      case 'if': uniformIf(cg, item, loop); break;
      case 'loop': uniformLoop(cg, item); break;
    }
  }
}

/** The first thread that has not returned (all threads when none can return). */
export function representative(cg: CpuCodegen): Thread {
  const { b, e, storage } = cg;
  if (!cg.tracksExit) return { tx: e.int(0), ty: e.int(0), tz: e.int(0), tid: e.int(0) };
  // Every thread returned: the block is finished (and its uniform conditions meaningless).
  const live = cg.block('live');
  b.CreateCondBr(b.CreateICmpEQ(b.CreateLoad(e.i32, storage.exitedCount!), storage.nthreads), cg.frame.blockDone, live);
  b.SetInsertPoint(live);
  const tid = e.call('numbat_first_alive', e.i32, [storage.exited!, storage.nthreads], [e.ptr(e.i8), e.i32]);
  const [bx, by] = storage.blockDim;
  const rest = b.CreateUDiv(tid, bx);
  return { tid, tx: b.CreateURem(tid, bx), ty: b.CreateURem(rest, by), tz: b.CreateUDiv(rest, by) };
}

function barrier(cg: CpuCodegen, loc: Loc | undefined): void {
  const { b, e, storage, plan } = cg;
  plan.barrierLines.push(loc?.line ?? 0);
  if (!cg.tracksExit) return; // the region boundary is the barrier
  // Some threads returned and others wait here: undefined on a GPU, an error here (as in the simulator).
  const count = b.CreateLoad(e.i32, storage.exitedCount!);
  const some = cg.block('barrier.exited'), fine = cg.block('barrier.ok'), partial = cg.block('barrier.partial');
  b.CreateCondBr(b.CreateICmpEQ(count, e.int(0)), fine, some);
  b.SetInsertPoint(some);
  b.CreateCondBr(b.CreateICmpEQ(count, storage.nthreads), cg.frame.blockDone, partial);
  b.SetInsertPoint(partial);
  e.call('numbat_report_barrier_exit', e.void,
    [storage.info, e.int(plan.barrierLines.length - 1), storage.exited!, storage.nthreads, ...cg.frame.blockIdx],
    [e.ptr(e.i32), e.i32, e.ptr(e.i8), e.i32, e.i32, e.i32, e.i32]);
  b.CreateBr(cg.frame.errorExit);
  b.SetInsertPoint(fine);
}

/** After the block's own barrier: wait for every block of the grid (helpers-ir.ts); stop when the launch failed. */
function gridBarrier(cg: CpuCodegen): void {
  const { b, e } = cg;
  const stop = e.call('numbat_grid_sync', e.i32, [cg.storage.info, cg.frame.blk], [e.ptr(e.i32), e.i32]);
  const go = cg.block('grid.passed');
  b.CreateCondBr(b.CreateICmpEQ(stop, e.int(0)), go, cg.frame.errorExit);
  b.SetInsertPoint(go);
}

function uniformIf(cg: CpuCodegen, item: BlockItem & { kind: 'if' }, loop: BarrierLoop | undefined): void {
  const b = cg.b;
  const c = cg.low.expr(item.stmt.cond, representative(cg));
  const thenBB = cg.block('uif.then'), elseBB = cg.block('uif.else'), join = cg.block('uif.end');
  b.CreateCondBr(c, thenBB, elseBB);
  b.SetInsertPoint(thenBB);
  blockLevel(cg, item.then, loop);
  cg.low.jump(join);
  b.SetInsertPoint(elseBB);
  blockLevel(cg, item.else, loop);
  cg.low.jump(join);
  b.SetInsertPoint(join);
}

function uniformLoop(cg: CpuCodegen, item: BlockItem & { kind: 'loop' }): void {
  const { b, e } = cg, s = item.stmt;
  const head = cg.block('uloop'), body = cg.block('uloop.body'), latch = cg.block('uloop.latch'), exit = cg.block('uloop.end');
  const loop: BarrierLoop = { brk: cg.storage.entryAlloca(e.i1, 'brk'), cont: cg.storage.entryAlloca(e.i1, 'cont'), exit, latch };
  b.CreateStore(e.bool(false), loop.brk);
  b.CreateStore(e.bool(false), loop.cont);
  b.CreateBr(head);
  b.SetInsertPoint(head);
  const rep = representative(cg);
  if (s.cond) b.CreateCondBr(cg.low.expr(s.cond, rep), body, exit);
  else b.CreateBr(body);
  b.SetInsertPoint(body);
  blockLevel(cg, item.body, loop);
  cg.low.jump(latch);
  b.SetInsertPoint(latch);
  blockLevel(cg, item.update, loop);
  if (!cg.low.terminated() && cg.opts.poll) pollStop(cg, cg.storage, cg.frame);
  cg.low.jump(head);
  b.SetInsertPoint(exit);
}
