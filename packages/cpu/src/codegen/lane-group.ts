// A lane group: W threads (threadIdx.x = tx0 .. tx0+W-1) through a region in
// lockstep (lanes.ts). This file gives lanes.ts its context (LaneEnv): the
// group's threads, where each lane's locals live, and the thread-by-thread
// code that takes over when lockstep stops paying; everything else lanes.ts
// derives from the code generator (context.ts) and these.

import type { ScalarType, Stmt } from '@numbat/core';
import { ELEM_BYTES, forEachExpr, forEachStmt, localOf, localScopes, stmtExprs } from '@numbat/core';
import { elemTypeOf, type LLVMNS } from '@numbat/llvm';
import { localsAssignedBeforeUse, type Region } from './regions.js';
import type { BarrierLoop, CpuCodegen, Thread } from './context.js';
import { linearLocals, mayRetire } from './lane-shape.js';
import { LaneLowerer } from './lane-stmts.js';
import type { LaneFallbacks, LaneGroupThreads, LaneLocals } from './lane-values.js';
import { laneVectorTypes } from './lane-vectors.js';
import { groupHoldsKept } from './lane-budget.js';
import { rangeLoop } from './thread-loops.js';

type Value = LLVMNS.Value;
/** Where lane `i` of a private local lives. */
type LaneSlots = (i: number) => Value;

/** `scalarGroup`: hands the group's threads over to the thread-by-thread code (thread-loops.ts), if it can. */
export function laneGroup(cg: CpuCodegen, region: Region, stmts: readonly Stmt[], loop: BarrierLoop | undefined, tx0: Value, ty: Value, tz: Value, W: number, scalarGroup: (() => void) | undefined): void {
  const { b, e, ir, storage } = cg;
  const [bdx, bdy] = storage.blockDim;
  const tid0 = b.CreateAdd(b.CreateMul(b.CreateAdd(b.CreateMul(tz, bdy), ty), bdx), tx0);
  const tx = Array.from({ length: W }, (_, l) => (l ? b.CreateAdd(tx0, e.int(l)) : tx0));
  const tid = Array.from({ length: W }, (_, l) => (l ? b.CreateAdd(tid0, e.int(l)) : tid0));
  const groupEnd = cg.block('group.end');
  // Across barriers, threads that returned do not run.
  const initialMask = cg.tracksExit
    ? tid.map((t) => b.CreateICmpEQ(b.CreateLoad(e.i8, b.CreateGEP(e.i8, storage.exited!, b.CreateZExt(t, e.i64))), cg.llvm.ConstantInt.get(e.i8, 0)))
    : undefined;
  // Lane-uniform code runs through the ordinary lowering as the group's first
  // live lane: uniform locals are uniform across the live lanes only, and a
  // lane that returned earlier missed the thread-by-thread regions since
  // (its slots are stale). A group with no live lane has nothing to run.
  let first: Value = e.int(0);
  if (initialMask) {
    const live = cg.block('group.live');
    b.CreateCondBr(initialMask.reduce((x, y) => b.CreateOr(x, y)), live, groupEnd);
    b.SetInsertPoint(live);
    first = e.int(W - 1);
    for (let i = W - 2; i >= 0; i--) first = b.CreateSelect(initialMask[i], e.int(i), first);
  }
  // A lane's slot of a <W x T> alloca, made (in the entry block) when first asked for: most locals are only used whole.
  const vectorSlots = (vec: Value, type: ScalarType): LaneSlots => {
    const made: Value[] = [];
    const t = e.scalar(type);
    const slots = (i: number): Value => {
      if (made[i]) return made[i];
      const base = i ? slots(0) : vec; // made first, so that it comes before its use
      return (made[i] = storage.atEntry((eb) => (i ? eb.CreateGEP(t, base, e.i64c(i)) : eb.CreateBitCast(vec, e.ptr(t)))));
    };
    return slots;
  };
  const lane0: Thread = initialMask ? { tx: b.CreateAdd(tx0, first), ty, tz, tid: b.CreateAdd(tid0, first) } : { tx: tx0, ty, tz, tid: tid0 };
  const privates = cg.layout.privateLocalsOf.get(region) ?? [];
  const laneSlots = new Map<number, LaneSlots>();
  // Private locals live in one <W x T> alloca (lanes.ts loads and stores them whole; its lanes are the slots).
  const laneVecs = new Map<number, Value>();
  const vt = W > 1 ? laneVectorTypes(cg.llvm, cg.ctx, W) : undefined;
  for (const id of privates) {
    const l = localOf(ir, id)!;
    if (cg.laneUni.uniformLocals.has(id)) { b.CreateStore(e.zero(l.type), storage.privateLocal(id)!); continue; }
    let slots: LaneSlots;
    if (vt) {
      // bools as bytes (<W x i8>): a lane's slot is then its i1 at byte i, as a scalar bool local's
      const vty = vt[vecKind(l.type)];
      const vec = storage.entryAlloca(vty, `${l.name}.${id}.lanes`);
      slots = vectorSlots(vec, l.type);
      laneVecs.set(id, vec);
      if (!cg.layout.txAliases.has(id)) b.CreateStore(cg.llvm.Constant.getNullValue(vty), vec); // all lanes 0 at once
    } else {
      const allocas = Array.from({ length: W }, (_, i) => storage.entryAlloca(e.scalar(l.type), `${l.name}.${id}.lane${i}`));
      slots = (i) => allocas[i];
      if (!cg.layout.txAliases.has(id)) allocas.forEach((p) => b.CreateStore(e.zero(l.type), p));
    }
    if (cg.layout.txAliases.has(id)) tx.forEach((x, i) => b.CreateStore(x, slots(i)));
    laneSlots.set(id, slots);
  }
  const privateLanes = new Set(laneSlots.keys());
  // Locals kept per thread across barriers (regions.ts perThreadLocals) that the region uses,
  // lane-varying: while the group runs they live in a <W x T> alloca as the private ones do, loaded
  // from the threads' slots (tid0 .. tid0 + W - 1: consecutive) at its start and stored back at
  // its end (`keptOut`): an accumulation in a loop (a tiled matrix product's sum) stays in
  // registers, not W stores per trip. (A group handed to the thread-by-thread code leaves the
  // slots as they were at its start: the rerun finds them so.)
  const kept = vt ? keptLocals(cg, stmts) : { used: [], assigned: [] };
  // the W threads' slots as one <W x T> (element-aligned: masked load and store, all lanes on)
  const keptSlots = (id: number): { p: Value; vty: LLVMNS.Type; name: string; align: Value; all: Value } => {
    const t = storage.localType(id), vty = vt![vecKind(t)];
    return {
      p: b.CreateBitCast(storage.perThreadLocalPtr(id, tid0), e.ptr(vty)), vty, name: `v${W}${vecKind(t)}`,
      align: e.int(ELEM_BYTES[t as keyof typeof ELEM_BYTES]), all: cg.llvm.Constant.getAllOnesValue(vt!.i1),
    };
  };
  for (const id of kept.used) {
    const l = localOf(ir, id)!, { p, vty, name, align, all } = keptSlots(id);
    const vec = storage.entryAlloca(vty, `${l.name}.${id}.kept`);
    b.CreateStore(e.call(`llvm.masked.load.${name}.p0${name}`, vty, [p, align, all, cg.llvm.Constant.getNullValue(vty)]), vec);
    laneVecs.set(id, vec);
    laneSlots.set(id, vectorSlots(vec, l.type));
  }
  const keptOut = kept.assigned.length ? cg.block('group.kept') : undefined;
  // Private local arrays: each lane's copy in rows of <W x T> (storage.ts laneArray), all zero at
  // the start as a thread's array is (thread-loops.ts threadBody).
  const rows = new Map<number, Value>();
  const laneTypes = laneVectorTypes(cg.llvm, cg.ctx, W);
  for (const id of cg.layout.privateArraysOf.get(region) ?? []) {
    const a = ir.arrays.find((x) => x.id === id)!;
    const rowType = elemTypeOf(laneTypes, a.elem);
    const p = storage.laneArray(id, W, rowType);
    e.call('llvm.memset.p0i8.i64', e.void, [b.CreateBitCast(p, b.getInt8PtrTy()), cg.llvm.ConstantInt.get(e.i8, 0), e.i64c(Math.max(a.size, 1) * W * ELEM_BYTES[a.elem]), e.bool(false)]);
    rows.set(id, p);
  }
  // Lane-linear locals held once: private ones assigned before any use in this region (never read as the implicit 0),
  // and lane-linear only through each other (a filter after the analysis left `b = t + 1` linear with t not).
  // (the same for every width: made once per region)
  const linear = cg.memo('laneLinear', stmts, () => {
    const regionScopes = localScopes(stmts); // locals the region sets before reading them, in loops too
    const assignedFirst = localsAssignedBeforeUse(stmts);
    return linearLocals(ir, cg.laneUni, ir.body, cg.txAliases, (id) => privateLanes.has(id) && (regionScopes.has(id) || assignedFirst.has(id)), cg.bodyScopes);
  });
  const group: LaneGroupThreads = { W, tx, tid, lane0, end: keptOut ?? groupEnd, loop };
  const locals: LaneLocals = {
    linear,
    isPrivate: (id) => laneSlots.has(id),
    lanePtr: (id, lane) => laneSlots.get(id)?.(lane) ?? storage.perThreadLocalPtr(id, tid[lane]),
    vectorPtr: (id) => laneVecs.get(id),
    uniformPtrs: (id) => {
      const p = storage.privateLocal(id) ?? storage.blockScalarPtrs.get(id);
      return p ? [p] : tid.map((t) => storage.perThreadLocalPtr(id, t));
    },
    arrayRows: (id) => {
      const p = rows.get(id);
      if (!p) throw new Error(`numbat internal error: local array ${id} has no lane rows in this region`);
      return p;
    },
  };
  const fallbacks: LaneFallbacks = {
    // Each thread finishes the region on its own, from its lane's values.
    scalarFinish: (rest) => {
      rangeLoop(cg, e.int(0), e.int(W), 1, 'lane', (l) => {
        const next = cg.block('lane.next');
        const thread: Thread = { tx: b.CreateAdd(tx0, l), ty, tz, tid: b.CreateAdd(tid0, l), next };
        // this lane's values into the scalar storage of the region's locals
        for (const [id, slots] of laneSlots) {
          const t = e.scalar(storage.localType(id));
          let v: Value;
          if (linear.has(id)) v = b.CreateAdd(b.CreateLoad(t, slots(0)), l);
          else {
            v = b.CreateLoad(t, slots(W - 1));
            for (let i = W - 2; i >= 0; i--) v = b.CreateSelect(b.CreateICmpEQ(l, e.int(i)), b.CreateLoad(t, slots(i)), v);
          }
          b.CreateStore(v, privateLanes.has(id) ? storage.privateLocal(id)! : storage.perThreadLocalPtr(id, thread.tid));
        }
        // and its elements of the region's local arrays into the thread's own
        for (const [id, p] of rows) {
          const a = ir.arrays.find((x) => x.id === id)!, et = e.elem(a.elem);
          const from = b.CreateBitCast(p, e.ptr(et)), to = storage.privateArray(id);
          rangeLoop(cg, e.int(0), e.int(a.size), 1, 'lane.array', (k) => {
            const k64 = b.CreateZExt(k, e.i64);
            b.CreateStore(b.CreateLoad(et, b.CreateGEP(et, from, b.CreateAdd(b.CreateMul(k64, e.i64c(W)), b.CreateZExt(l, e.i64)))), b.CreateGEP(et, to, k64));
          });
        }
        cg.low.stmts(rest, thread);
        cg.low.jump(next);
        b.SetInsertPoint(next);
      });
      b.CreateBr(groupEnd);
    },
    scalarGroup,
  };
  const lanes = new LaneLowerer({ cg, group, locals, fallbacks }, stmts.some((x) => mayRetire(x)), initialMask);
  lanes.region(stmts);
  cg.low.jump(group.end);
  if (keptOut) {
    b.SetInsertPoint(keptOut);
    for (const id of kept.assigned) {
      const { p, vty, name, align, all } = keptSlots(id);
      e.call(`llvm.masked.store.${name}.p0${name}`, e.void, [b.CreateLoad(vty, laneVecs.get(id)!), p, align, all]);
    }
    b.CreateBr(groupEnd);
  }
  b.SetInsertPoint(groupEnd);
}

/** A local's lane vector type: bools as bytes (see the private locals). */
const vecKind = (t: string): 'i8' | 'i32' | 'i64' | 'f32' | 'f64' => (t === 'u32' || t === 'i32' ? 'i32' : t === 'u64' || t === 'i64' ? 'i64' : t === 'bool' ? 'i8' : (t as 'f32' | 'f64'));

/** The locals kept per thread across barriers that `stmts` use and a group holds in registers (lane-budget.ts groupHoldsKept), and those it assigns. */
function keptLocals(cg: CpuCodegen, stmts: readonly Stmt[]): { used: number[]; assigned: number[] } {
  return cg.memo('keptLocals', stmts, () => {
    const used = new Set<number>(), assigned = new Set<number>();
    const held = new Set([...cg.layout.perThreadLocals].filter((id) => groupHoldsKept(cg, id))); // (not a search of the locals per reference)
    const keep = (id: number): boolean => held.has(id);
    forEachStmt(stmts as Stmt[], (s) => {
      if (s.kind === 'assign' && keep(s.local)) { used.add(s.local); assigned.add(s.local); }
      for (const x of stmtExprs(s)) forEachExpr(x, (y) => { if (y.kind === 'local' && keep(y.id)) used.add(y.id); });
    });
    return { used: [...used], assigned: [...assigned] };
  });
}
