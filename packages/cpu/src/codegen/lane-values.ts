// The values of a lane group (lanes.ts): the lowering's context (LaneEnv), the
// shapes a value takes across the lanes (LV), and the moves between them: one
// <W x T> vector, W scalars, a lane-0 base for lane-linear values (the moves
// are calls of lane-moves-ir.ts's always-inlined functions).

import type { ArrayRef, ElemType, Loc, ScalarType, Stmt } from '@numbat/core';
import type { KernelLowerer, LLVMNS } from '@numbat/llvm';
import type { BarrierLoop, CpuCodegen, Thread } from './context.js';
import { laneVectorTypes, VectorEmitter, type LaneVectorTypes } from './lane-vectors.js';
import { pollStop } from './target-hooks.js';
import { laneMoveName, type MoveKind, type MoveType } from './lane-moves-ir.js';

type Value = LLVMNS.Value;
type BasicBlock = LLVMNS.BasicBlock;

/** The id of a local array's reference (lane groups keep only local arrays of their own). */
function localId(ref: ArrayRef): number {
  if (ref.space !== 'local') throw new Error(`numbat internal error: a ${ref.space} array has no lane rows`);
  return ref.id;
}

/**
 * A value in a lane group: one scalar for all lanes (`c`: its constant), one
 * scalar per lane, lane 0's value + lane, or one <W x T> vector.
 */
export type LV = { u: Value; c?: number | boolean | bigint } | { l: Value[] } | { lin: Value } | { v: Value; t: LaneType; all?: Value };
/** A lane value's type: an IR scalar type, or i64 (array indices). */
export type LaneType = ScalarType | 'i64';

/** The threads of one lane group (lane-group.ts), and where they go when they are done. */
export interface LaneGroupThreads {
  readonly W: number;
  /** threadIdx.x of each lane (consecutive). */
  readonly tx: readonly Value[];
  /** Linear thread id of each lane (consecutive). */
  readonly tid: readonly Value[];
  /** The thread lane-uniform code is lowered for (lane 0). */
  readonly lane0: Thread;
  /** The end of the group's pass through the region (taken when no lane is left). */
  readonly end: BasicBlock;
  /** The block-level loop around the region: lanes that break/continue it leave the region and set its flag. */
  readonly loop?: BarrierLoop;
}

/** Where each lane's locals live in the region (lane-group.ts). */
export interface LaneLocals {
  /** Locals that are lane-linear in this region (value in lane l = lane 0's + l); see linearLocals(). */
  readonly linear: ReadonlySet<number>;
  /** Is the local private to this region (not kept per thread)? */
  isPrivate(id: number): boolean;
  /** Storage of local `id` for lane `lane` (its private alloca or its per-thread slot). */
  lanePtr(id: number, lane: number): Value;
  /** The <W x T> storage of a private local (its lanes are lanePtr's slots; bools: <W x i8>), if it has one: see loadLocal/storeLocal. */
  vectorPtr(id: number): Value | undefined;
  /** Storage lane-uniform locals use (shared by all lanes), or per-lane slots to fill when per-thread. */
  uniformPtrs(id: number): Value[];
  /** The rows of a private local array (storage.ts laneArray: row k holds element k of every lane). */
  arrayRows(id: number): Value;
}

/** The thread-by-thread code that can take over from the lanes (thread-loops.ts; it lowers the region as scalar code). */
export interface LaneFallbacks {
  /** Hands the group's threads to the region's scalar code (thread-loops.ts: the same copy the block's tail threads run), which runs them one by one and goes on to the next group; ends the current block. */
  scalarGroup?(): void;
  /** Each thread of the group runs `rest` (the tail of the region) on its own, from its lane's state; then the group's end. */
  scalarFinish?(rest: readonly Stmt[]): void;
}

/**
 * The lane lowering's context for one group: the kernel's code generator
 * (lowering, storage, analyses, options), the group's threads, its locals'
 * storage, and the scalar fallbacks. Everything else is derived from these.
 */
export interface LaneEnv {
  readonly cg: CpuCodegen;
  readonly group: LaneGroupThreads;
  readonly locals: LaneLocals;
  readonly fallbacks: LaneFallbacks;
}

/** The group's values: vectors, lanes, and its context's memory, reports and exits. */
export class LaneValues {
  protected readonly b: LLVMNS.IRBuilder;
  protected readonly cg: CpuCodegen;
  protected readonly g: LaneGroupThreads;
  protected readonly vt: LaneVectorTypes;
  /** emit.ts's JS semantics on <W x T> values. */
  protected readonly ve: VectorEmitter;
  private dummy?: Value;

  constructor(protected readonly env: LaneEnv) {
    this.cg = env.cg;
    this.g = env.group;
    this.b = env.cg.b;
    const low = env.cg.low;
    this.vt = laneVectorTypes(low.llvm, low.ctx, env.group.W);
    this.ve = new VectorEmitter(low.llvm, low.ctx, low.module, low.b, this.vt);
  }

  protected get low() { return this.cg.low; }
  protected get e() { return this.cg.e; }
  protected get W() { return this.g.W; }
  protected entryAlloca(t: LLVMNS.Type, name: string): Value { return this.cg.storage.entryAlloca(t, name); }

  // ---- the group's memory, reports and exits (answered from the code generator and the group's threads) ----

  protected elementPtr(ref: ArrayRef, index64: Value): Value {
    return this.cg.storage.elementPtr(ref, index64, this.g.lane0);
  }

  /** Row `index` (i64) of a private local array: its element in every lane, one <W x T>. */
  protected laneRowPtr(ref: ArrayRef, index64: Value): Value {
    return this.b.CreateGEP(this.ve.elem(this.low.elemOf(ref)), this.env.locals.arrayRows(localId(ref)), index64);
  }

  /** Each lane's element of a private local array at its own index (`idx`: i64): a vector of pointers, lane l's at row idx[l], lane l. */
  protected laneElementPtrs(ref: ArrayRef, idx: LV): Value {
    const b = this.b, e = this.e, et = e.elem(this.low.elemOf(ref));
    const first = b.CreateBitCast(this.env.locals.arrayRows(localId(ref)), e.ptr(et));
    const iv = 'lin' in idx ? this.linearVec(idx.lin, 'i64') : 'v' in idx ? idx.v : this.fromLanes(this.lanesOf(idx), 'i64');
    const lanes = this.linearVec(e.i64c(0), 'i64');
    return b.CreateGEP(et, first, b.CreateAdd(b.CreateMul(iv, this.move('splat', 'i64', [e.i64c(this.W)])), lanes));
  }

  protected arrayLength(ref: ArrayRef): Value {
    return this.cg.storage.arrayLength(ref);
  }

  /** `lane0` whose out-of-bounds reports name `lane` (lane-uniform code run for the first active lane). */
  protected laneThread(lane: Value): Thread {
    return { ...this.g.lane0, reportTx: this.b.CreateAdd(this.g.tx[0], lane) };
  }

  /** Reports an out-of-bounds access of `lane` and leaves the kernel (terminates the block). */
  protected boundsFail(ref: ArrayRef, index: Value, lane: Value, loc: Loc | undefined, unsigned?: boolean): void {
    this.low.hooks.boundsFail(ref, index, loc, unsigned ?? false, { ...this.g.lane0, tx: this.b.CreateAdd(this.g.tx[0], lane) });
  }

  /** The stoppable variant: poll for a stop request at a loop back-edge (may leave the kernel; continues in a fresh block). */
  protected poll(): void {
    if (this.cg.opts.poll) pollStop(this.cg, this.cg.storage, this.cg.frame);
  }

  /** Exited bookkeeping across barriers for the lanes that `return` (`retiring`, a <W x i1>). */
  protected recordReturn(retiring: Value): void {
    const { b, e, cg } = this, storage = cg.storage;
    if (!cg.tracksExit) return;
    this.toLanes(retiring, 'bool').forEach((r, l) => {
      const p = b.CreateGEP(e.i8, storage.exited!, b.CreateZExt(this.g.tid[l], e.i64));
      b.CreateStore(b.CreateSelect(r, cg.llvm.ConstantInt.get(e.i8, 1), b.CreateLoad(e.i8, p)), p);
      b.CreateStore(b.CreateAdd(b.CreateLoad(e.i32, storage.exitedCount!), b.CreateZExt(r, e.i32)), storage.exitedCount!);
    });
  }

  // ---- vectors ----

  /** The vector type of a scalar type. */
  protected vty(t: LaneType): LLVMNS.Type {
    return t === 'i64' ? this.vt.i64 : this.ve.scalar(t);
  }

  /** A private local's vector from its <W x T> storage (env.locals.vectorPtr). */
  protected loadLocal(vp: Value, t: LaneType): Value {
    if (t !== 'bool') return this.b.CreateLoad(this.vty(t), vp);
    return this.b.CreateTrunc(this.b.CreateLoad(this.vt.i8, vp), this.vt.i1);
  }

  protected storeLocal(v: Value, vp: Value, t: LaneType): void {
    this.b.CreateStore(t === 'bool' ? this.b.CreateZExt(v, this.vt.i8) : v, vp);
  }

  /** The scalar (lane) type. */
  protected sty(t: LaneType): LLVMNS.Type {
    return t === 'i64' ? this.e.i64 : this.e.scalar(t);
  }

  /** The failing indices of an out-of-bounds report (checkVec). */
  protected oobIndices?: Value;
  /** A call of a move between lanes and vectors (lane-moves-ir.ts: always inlined, one insert/extract each). */
  private move(kind: MoveKind, t: LaneType, args: Value[]): Value {
    const v = this.vty(t), x = this.sty(t);
    const [ret, params] = kind === 'lane' ? [x, [v, this.e.i32]] : kind === 'pack' ? [v, new Array(this.W).fill(x)] : [v, [x]];
    return this.e.call(laneMoveName(kind, this.W, moveType(t)), ret, args, params);
  }

  private iW?: LLVMNS.Type;
  /** The W-bit integer a mask's bits make (asked for by every "any lane?" test). */
  protected intW(): LLVMNS.Type {
    return (this.iW ??= this.low.llvm.IntegerType.get(this.low.ctx, this.W));
  }

  /** The lanes of a vector. */
  protected toLanes(v: Value, t: LaneType): Value[] {
    return Array.from({ length: this.W }, (_, l) => this.laneOfVec(v, t, l));
  }

  /** Lane `l` of a vector. */
  protected laneOfVec(v: Value, t: LaneType, l: number): Value {
    return this.move('lane', t, [v, this.e.int(l)]);
  }

  /** A vector of the lanes' scalars (a splat when they are one value). */
  protected fromLanes(ls: Value[], t: ScalarType): Value {
    return ls.every((x) => x === ls[0]) ? this.move('splat', t, [ls[0]]) : this.move('pack', t, ls);
  }

  /** <b, b+1, .., b+W-1> of an integer `b` (i32 or i64). */
  protected linearVec(base: Value, t: 'i32' | 'u32' | 'i64'): Value {
    return this.move('linear', t, [base]);
  }

  /** `v` as a <W x T> vector (`t`: its IR type). */
  protected vecOf(v: LV, t: ScalarType): Value {
    if ('v' in v) return v.v;
    if ('u' in v) return v.c !== undefined ? this.ve.constant(t, v.c) : this.move('splat', t, [v.u]);
    if ('lin' in v && (t === 'i32' || t === 'u32')) return this.linearVec(v.lin, t);
    return this.fromLanes(this.lanesOf(v), t);
  }

  /** A mask, all true when undefined (lane-masks.ts: a mask is a <W x i1>). */
  protected maskVec(m: Value | undefined): Value {
    return m ?? this.ve.bool(true);
  }

  /**
   * Lane `lane` (an i32 Value, not a constant) of `v`, whose lanes are `t`s: for code that runs
   * lane by lane in a loop (lane-masks.ts forActiveLanes). A vector or lanes go to the stack once.
   */
  protected laneReader(v: LV, t: ScalarType, name: string): (lane: Value) => Value {
    const b = this.b, e = this.e;
    if ('u' in v) return () => v.u;
    if ('lin' in v) return (lane) => b.CreateAdd(v.lin, b.CreateZExtOrTrunc(lane, v.lin.getType()));
    const et = e.scalar(t), slot = this.entryAlloca(this.vty(t), name);
    if ('v' in v) b.CreateStore(v.v, slot);
    const at = b.CreateBitCast(slot, e.ptr(et));
    if ('l' in v) v.l.forEach((x, l) => b.CreateStore(x, b.CreateGEP(et, at, e.int(l))));
    return (lane) => b.CreateLoad(et, b.CreateGEP(et, at, lane));
  }

  protected lanesOf(v: LV): Value[] {
    if ('u' in v) return new Array(this.W).fill(v.u);
    if ('l' in v) return v.l;
    if ('v' in v) return this.toLanes(v.v, v.t);
    const base = v.lin, llvm = this.low.llvm;
    return Array.from({ length: this.W }, (_, l) => (l ? this.b.CreateAdd(base, llvm.ConstantInt.get(base.getType(), l, false)) : base));
  }


  protected dummyPtr(t: LLVMNS.Type): Value {
    const e = this.e;
    this.dummy ??= this.entryAlloca(e.f64, 'lane.dummy');
    return this.b.CreateBitCast(this.dummy, e.ptr(t));
  }

  protected llvmZero(t: LLVMNS.Type): Value {
    return this.low.llvm.Constant.getNullValue(t);
  }
}

/** The element type of a lane type's vectors. */
function moveType(t: LaneType): MoveType {
  switch (t) {
    case 'bool': return 'i1';
    case 'i32': case 'u32': return 'i32';
    case 'i64': case 'u64': return 'i64';
    case 'f32': return 'f32';
    case 'f64': return 'f64';
  }
}

export function vecSuffix(elem: ElemType): string {
  switch (elem) {
    case 'i8': case 'u8': return 'i8';
    case 'i16': case 'u16': return 'i16';
    case 'i32': case 'u32': return 'i32';
    case 'i64': case 'u64': return 'i64';
    case 'f32': return 'f32';
    case 'f64': return 'f64';
  }
}

export function elemBytes(elem: ElemType): number {
  return { i8: 1, u8: 1, i16: 2, u16: 2, i32: 4, u32: 4, i64: 8, u64: 8, f32: 4, f64: 8 }[elem];
}

/** Narrow elements to i32 registers (scalars or vectors: `e` gives the types). */
export function widen(b: LLVMNS.IRBuilder, e: KernelLowerer<Thread>['e'], elem: ElemType, v: Value): Value {
  switch (elem) {
    case 'i8': case 'i16': return b.CreateSExt(v, e.i32);
    case 'u8': case 'u16': return b.CreateZExt(v, e.i32);
    default: return v;
  }
}
