// Where a kernel's data lives on the cpu, computed once in the entry block of
// `numbat_run_*` (see abi.ts): launch constants, scalar arguments, array
// pointers and lengths, the worker's scratch memory partitioned into shared
// memory (static arrays, then dynamic ones), per-thread areas (one slot per
// thread: locals and local arrays live across barriers, the exit flags) and the
// local arrays of one thread at a time; allocas for private locals and block
// scalars. regions.ts decides which local lives where; this file makes it so
// and answers, for a given thread, where a local or an element is.

import type { ArrayRef, ElemType, KernelArray, KernelIR, ScalarType } from '@numbat/core';
import { ELEM_BYTES, localOf } from '@numbat/core';
import type { Emitter, LLVM, LLVMNS } from '@numbat/llvm';
import { INFO, align16, type KernelPlan } from './abi.js';
import type { StorageLayout } from './regions.js';
import type { Thread } from './context.js';

type Value = LLVMNS.Value;

export class KernelStorage {
  /** The launch's info words (abi.ts INFO). */
  readonly info: Value;
  readonly gridDim: readonly Value[];
  readonly blockDim: readonly Value[];
  /** Threads per block. */
  readonly nthreads: Value;
  /** Per-thread exit flags (one i8 per thread) and their count, when threads can return before a barrier. */
  readonly exited?: Value;
  readonly exitedCount?: Value;
  /** Private locals' allocas (one scalar reused by every thread), made when first asked for (privateLocal). */
  private readonly privateAllocas = new Map<number, Value>();
  private readonly privateIds = new Set<number>();
  /** Block scalars' allocas (one value per block). */
  readonly blockScalarPtrs = new Map<number, Value>();
  private readonly scalarArgs = new Map<number, Value>();
  private readonly lengths = new Map<number, Value>();
  private readonly arrayPtrs = new Map<number, Value>();
  private readonly sharedPtrs = new Map<number, Value>();
  private readonly sharedLens = new Map<number, Value>();
  private readonly perThreadPtrs = new Map<string, Value>();
  private readonly privateArrays = new Map<number, Value>();
  private readonly constArrays = new Map<number, Value>();
  private readonly laneArrays = new Map<string, Value>();
  private readonly sharedBytes: Value;
  private readonly perThreadStart: Value;
  private readonly scratchEnd: Value;
  private readonly entry: LLVMNS.BasicBlock;
  private entryBuilder?: LLVMNS.IRBuilder;

  /** Emits the entry values at the builder's position (the function's entry block) and fills in the plan's memory sizes. */
  constructor(private readonly llvm: LLVM, private readonly e: Emitter, private readonly module: LLVMNS.Module, private readonly fn: LLVMNS.Function,
    private readonly ir: KernelIR, private readonly layout: StorageLayout, plan: KernelPlan) {
    const b = e.b;
    this.entry = b.GetInsertBlock()!;
    this.info = fn.getArg(0);
    const word = (w: number): Value => b.CreateLoad(e.i32, b.CreateGEP(e.i32, this.info, e.int(w)));
    this.gridDim = [0, 1, 2].map((d) => word(INFO.GRID + d));
    this.blockDim = [0, 1, 2].map((d) => word(INFO.BLOCK + d));
    this.nthreads = b.CreateMul(b.CreateMul(this.blockDim[0], this.blockDim[1]), this.blockDim[2]);
    ir.params.forEach((p, i) => {
      const arg = fn.getArg(4 + i);
      if (p.type.kind === 'array') {
        this.lengths.set(i, word(INFO.LENGTHS + i));
        this.arrayPtrs.set(i, b.CreateBitCast(arg, e.ptr(e.elem(p.type.elem))));
      } else {
        this.scalarArgs.set(i, p.type.type === 'bool' ? b.CreateICmpNE(arg, e.int(0)) : arg);
      }
    });

    // Shared memory: static arrays first, then the dynamic ones (sharedMem bytes each).
    const scratch = fn.getArg(3);
    const dynBytes = word(INFO.DYN_SHARED);
    const dynArea = b.CreateMul(b.CreateUDiv(b.CreateAdd(dynBytes, e.int(15)), e.int(16)), e.int(16));
    let offset = 0;
    const shared = ir.arrays.filter((a) => a.space === 'shared');
    for (const a of shared.filter((x) => x.size > 0)) {
      this.sharedPtrs.set(a.id, this.bytePtr(scratch, e.i64c(offset), a));
      this.sharedLens.set(a.id, e.int(a.size));
      offset += align16(a.size * ELEM_BYTES[a.elem]);
    }
    plan.staticSharedBytes = offset;
    let dynOffset: Value = e.i64c(offset);
    for (const a of shared.filter((x) => x.size === 0)) {
      this.sharedPtrs.set(a.id, this.bytePtr(scratch, dynOffset, a));
      this.sharedLens.set(a.id, b.CreateUDiv(dynBytes, e.int(ELEM_BYTES[a.elem])));
      dynOffset = b.CreateAdd(dynOffset, b.CreateZExt(dynArea, e.i64));
      plan.dynamicSharedArrays++;
    }
    this.sharedBytes = dynOffset;

    // Per-thread storage after shared memory: one area per entry, nthreads slots each.
    let ptOffset = dynOffset;
    const n64 = b.CreateZExt(this.nthreads, e.i64);
    const area = (bytesPerThread: number): Value => {
      const start = ptOffset;
      const bytes = b.CreateMul(n64, e.i64c(bytesPerThread));
      ptOffset = b.CreateAdd(start, b.CreateMul(b.CreateUDiv(b.CreateAdd(bytes, e.i64c(15)), e.i64c(16)), e.i64c(16)));
      plan.perThreadSizes.push(bytesPerThread);
      return start;
    };
    this.perThreadStart = dynOffset;
    for (const l of ir.locals) {
      if (!layout.perThreadLocals.has(l.id)) continue;
      const t = e.scalar(l.type);
      const start = area(l.type === 'bool' ? 1 : ELEM_BYTES[l.type]); // (i64/u64: 8 bytes; fuzz seed 8 of the i64 family)
      this.perThreadPtrs.set(`l${l.id}`, b.CreateBitCast(b.CreateGEP(e.i8, scratch, start), e.ptr(t)));
    }
    for (const a of ir.arrays) {
      if (a.space !== 'local' || !layout.perThreadArrays.has(a.id)) continue;
      const start = area(a.size * ELEM_BYTES[a.elem]);
      this.perThreadPtrs.set(`a${a.id}`, b.CreateBitCast(b.CreateGEP(e.i8, scratch, start), e.ptr(e.elem(a.elem))));
    }
    if (plan.tracksExit) {
      this.exited = b.CreateGEP(e.i8, scratch, ptOffset);
      ptOffset = b.CreateAdd(ptOffset, b.CreateMul(b.CreateUDiv(b.CreateAdd(n64, e.i64c(15)), e.i64c(16)), e.i64c(16)));
      this.exitedCount = b.CreateAlloca(e.i32, null, 'exited.count');
    }
    // Local arrays of one thread at a time live in scratch memory too, not on the
    // stack: native code runs on koffi's stack (128 KiB for async calls).
    let privOffset = ptOffset;
    for (const [, ids] of layout.privateArraysOf) {
      for (const id of ids) {
        const a = ir.arrays.find((x) => x.id === id)!;
        const bytes = align16(Math.max(a.size, 1) * ELEM_BYTES[a.elem]);
        this.privateArrays.set(id, b.CreateBitCast(b.CreateGEP(e.i8, scratch, privOffset), e.ptr(e.elem(a.elem))));
        privOffset = b.CreateAdd(privOffset, e.i64c(bytes));
        plan.privateArrayBytes += bytes;
      }
    }
    this.scratchEnd = ptOffset;

    for (const id of layout.blockScalars) {
      const l = localOf(ir, id)!;
      this.blockScalarPtrs.set(id, b.CreateAlloca(e.scalar(l.type), null, `${l.name}.${id}.block`));
    }
    for (const [, ids] of layout.privateLocalsOf) for (const id of ids) this.privateIds.add(id); // (a threadIdx.x alias is private in several regions)
    for (const a of ir.arrays) if (a.space === 'const') this.constArrays.set(a.id, this.constArray(a));
  }

  /** Scalar kernel parameter `index` (bool as i1). */
  param(index: number): Value {
    return this.scalarArgs.get(index)!;
  }

  /**
   * The alloca of private local `id` (promoted to a register by SROA), or undefined where the local
   * is not private. Made when first asked for: an entry point of lane groups, which keep their
   * lanes' values in vectors of their own, asks for few of them (the normal sums' two functions
   * had 280 allocas, 82 of them never used; now 198).
   */
  privateLocal(id: number): Value | undefined {
    let p = this.privateAllocas.get(id);
    if (!p && this.privateIds.has(id)) {
      const l = localOf(this.ir, id)!;
      this.privateAllocas.set(id, (p = this.entryAlloca(this.e.scalar(l.type), `${l.name}.${id}`)));
    }
    return p;
  }

  /** An alloca in the entry block (only those are promoted to registers). */
  entryAlloca(t: LLVMNS.Type, name: string): Value {
    return this.atEntry((eb) => eb.CreateAlloca(t, null, name));
  }

  /**
   * `make(eb)` emitted with `eb`, a builder at the end of the entry block (where its values dominate
   * every use); the kernel's builder stays where it is. A builder of its own rather than moving the
   * kernel's there and back: lane groups make hundreds of allocas, and each move is native calls.
   */
  atEntry<T>(make: (eb: LLVMNS.IRBuilder) => T): T {
    // (the entry block's branch, made after the constructor, is never replaced)
    this.entryBuilder ??= new this.llvm.IRBuilder(this.entry.getTerminator()!);
    return make(this.entryBuilder);
  }

  /** Start of a block: zero shared memory and per-thread storage (the simulator's fresh state). */
  zeroForBlock(): void {
    const b = this.e.b, e = this.e;
    const scratch = this.fn.getArg(3);
    const memset = (start: Value, bytes: Value): void => {
      e.call('llvm.memset.p0i8.i64', e.void, [b.CreateGEP(e.i8, scratch, start), this.llvm.ConstantInt.get(e.i8, 0), bytes, e.bool(false)]);
    };
    if (this.ir.arrays.some((a) => a.space === 'shared')) memset(e.i64c(0), this.sharedBytes);
    if (this.layout.perThreadLocals.size || this.layout.perThreadArrays.size || this.exited) {
      memset(this.perThreadStart, b.CreateSub(this.scratchEnd, this.perThreadStart));
    }
    if (this.exitedCount) b.CreateStore(e.int(0), this.exitedCount);
    for (const [id, p] of this.blockScalarPtrs) b.CreateStore(e.zero(this.localType(id)), p);
  }

  /** The scratch area of a local array of one thread at a time (regions.ts privateArraysOf). */
  privateArray(id: number): Value {
    return this.privateArrays.get(id)!;
  }

  /**
   * A lane group's copy of the private local array `id` (lane-group.ts): `size` rows of `rowType`
   * (<W x T>), row k holding element k of every lane, as a pointer to the first row. An alloca
   * (a few KiB at most: thread-loops.ts LANE_ARRAY_BYTES), so that LLVM keeps an array used at
   * constant indices in registers; one per array and width.
   */
  laneArray(id: number, W: number, rowType: LLVMNS.Type): Value {
    const key = `${id}:${W}`;
    let rows = this.laneArrays.get(key);
    if (!rows) {
      const a = this.ir.arrays.find((x) => x.id === id)!;
      const all = this.atEntry((eb) => eb.CreateAlloca(this.llvm.ArrayType.get(rowType, Math.max(a.size, 1)), null, `${a.name}.${id}.lanes`));
      rows = this.atEntry((eb) => eb.CreateBitCast(all, this.e.ptr(rowType)));
      this.laneArrays.set(key, rows);
    }
    return rows;
  }

  /** Storage of local `id` for `thread`: its private or block alloca, or the thread's slot. */
  localPtr(id: number, thread: Thread): Value {
    return this.privateLocal(id) ?? this.blockScalarPtrs.get(id) ?? this.perThreadLocalPtr(id, thread.tid);
  }

  /** The slot of per-thread local `id` of the thread with linear id `tid`. */
  perThreadLocalPtr(id: number, tid: Value): Value {
    const b = this.e.b, e = this.e;
    const base = this.perThreadPtrs.get(`l${id}`);
    if (!base) throw new Error(`numbat internal error: local ${id} has no storage`);
    return b.CreateGEP(e.scalar(this.localType(id)), base, b.CreateZExt(tid, e.i64));
  }

  /** Element `index` (i64) of an array, for `thread` (local arrays kept per thread have a slot per thread). */
  elementPtr(ref: ArrayRef, index: Value, thread: Thread): Value {
    const b = this.e.b, e = this.e;
    const et = e.elem(this.elemOf(ref));
    switch (ref.space) {
      case 'global': return b.CreateGEP(et, this.arrayPtrs.get(ref.param)!, index);
      case 'shared': return b.CreateGEP(et, this.sharedPtrs.get(ref.id)!, index);
      case 'const': return b.CreateGEP(et, this.constArrays.get(ref.id)!, index);
      case 'local': {
        const p = this.privateArrays.get(ref.id);
        if (p) return b.CreateGEP(et, p, index);
        const a = this.ir.arrays.find((x) => x.id === ref.id)!;
        const slot = b.CreateMul(b.CreateZExt(thread.tid, e.i64), e.i64c(a.size));
        return b.CreateGEP(et, this.perThreadPtrs.get(`a${ref.id}`)!, b.CreateAdd(slot, index));
      }
    }
  }

  /** Element count of an array (i32). */
  arrayLength(ref: ArrayRef): Value {
    if (ref.space === 'global') return this.lengths.get(ref.param)!;
    if (ref.space === 'shared') return this.sharedLens.get(ref.id)!;
    const a = this.ir.arrays.find((x) => x.id === ref.id)!;
    return this.e.int(a.space === 'const' ? (a.values?.length ?? a.size) : a.size);
  }

  localType(id: number): ScalarType {
    return localOf(this.ir, id)!.type;
  }

  private elemOf(ref: ArrayRef): ElemType {
    if (ref.space !== 'global') return this.ir.arrays.find((x) => x.id === ref.id)!.elem;
    const p = this.ir.params[ref.param].type;
    if (p.kind !== 'array') throw new Error(`numbat internal error: parameter ${ref.param} is not an array`);
    return p.elem;
  }

  private bytePtr(base: Value, offset: Value, a: KernelArray): Value {
    const e = this.e;
    return e.b.CreateBitCast(e.b.CreateGEP(e.i8, base, offset), e.ptr(e.elem(a.elem)));
  }

  private constArray(a: KernelArray): Value {
    const llvm = this.llvm, e = this.e;
    const et = e.elem(a.elem);
    const values = (a.values ?? []).map((v) => (a.elem === 'f32' || a.elem === 'f64' ? (Number.isNaN(v) ? llvm.ConstantFP.getNaN(et) : llvm.ConstantFP.get(et, v)) : llvm.ConstantInt.get(et, v, true)));
    const ty = llvm.ArrayType.get(et, values.length);
    const g = new llvm.GlobalVariable(this.module, ty, true, llvm.GlobalValue.LinkageTypes.PrivateLinkage, llvm.ConstantArray.get(ty, values), `const.${a.name}`);
    return e.b.CreateBitCast(g, e.ptr(et));
  }
}
