// KernelIR → the LLVM module of one CUDA kernel (llvm-bindings), through the
// shared lowering of @numbat/llvm with NVPTX target hooks: one thread per
// invocation, index registers from llvm.nvvm.read.ptx.sreg.*, global arrays in
// addrspace(1), shared arrays in addrspace(3) and const tables in addrspace(4)
// (both defined by the helper module), local arrays and locals as allocas,
// syncthreads as llvm.nvvm.barrier0. Indices stay i32 until the address.

import type { ArrayRef, KernelArray, KernelIR, Loc, SpecialReg, Stmt } from '@numbat/core';
import { ELEM_BYTES, flattenRetryLoops, hoistBoundsChecks, keepThreadStatesInLocals } from '@numbat/core';
import { allocaLocals, KernelLowerer, moduleBytes, type LLVM, type LLVMNS, type MathTable, type TargetHooks } from '@numbat/llvm';
import { align16, entryName, type CudaPlan, type PlanParam } from './abi.js';
import { warpPtx } from './warp.js';
import { constPtrFn, quadLoadFn, DYNAMIC_SHARED_FN, EXIT_CHECK_FN, EXIT_INIT_FN, EXIT_MARK_FN, REPORT_OOB_FN, sharedPtrFn } from './helpers-ir.js';

type Value = LLVMNS.Value;

export interface CudaCodegenOptions {
  boundscheck: boolean;
  fastmath: boolean;
  arch: string;
  math: MathTable;
}

export interface CudaModule {
  /** The kernel module (helpers not yet linked) as bitcode, or text where bitcode cannot be written (@numbat/llvm moduleBytes). */
  bytes: Buffer | string;
  plan: CudaPlan;
  atomics: KernelLowerer['atomicsUsed'];
  /** Element types (IR names) of the four-element loads the kernel calls (helpers-ir.ts quadLoadIR). */
  quads: Set<'float' | 'i32'>;
}

const SREG: Record<SpecialReg, string> = { threadIdx: 'tid', blockIdx: 'ctaid', blockDim: 'ntid', gridDim: 'nctaid' };
const XYZ = ['x', 'y', 'z'] as const;

export function buildCudaModule(llvm: LLVM, source: KernelIR, opts: CudaCodegenOptions): CudaModule {
  // Loops of random draws keep the thread's state words in registers (core's keepThreadStatesInLocals).
  // A rejection sampler's retry loop inside a counted loop becomes one loop (core's
  // flattenRetryLoops): a warp's threads then wait for each other once per try, not per draw.
  const ir = keepThreadStatesInLocals(flattenRetryLoops(source));
  // With bounds checks on, accesses proven inside their arrays go unchecked (core's hoistBoundsChecks).
  return new CudaKernelBuilder(llvm, opts.boundscheck ? hoistBoundsChecks(ir) : ir, opts).build();
}

function containsReturn(list: readonly Stmt[]): boolean {
  return list.some((s) => s.kind === 'return' || (s.kind === 'if' && (containsReturn(s.then) || containsReturn(s.else))) || (s.kind === 'loop' && (containsReturn(s.body) || containsReturn(s.update))));
}

class CudaKernelBuilder {
  private readonly ctx: LLVMNS.LLVMContext;
  private readonly module: LLVMNS.Module;
  private readonly b: LLVMNS.IRBuilder;
  private readonly fn: LLVMNS.Function;
  private readonly low: KernelLowerer;
  private readonly plan: CudaPlan;
  /** IR parameter index → its first LLVM argument. */
  private readonly argIndex: number[] = [];
  private hidden!: { claim: Value; rec: Value; tag: Value; dyn: Value };
  private readonly scalars = new Map<number, Value>();
  private locals = new Map<number, Value>();
  private readonly arrayBase = new Map<number, Value>();
  private readonly arrayLen = new Map<number, Value>();

  constructor(private readonly llvm: LLVM, private readonly ir: KernelIR, private readonly opts: CudaCodegenOptions) {
    this.ctx = new llvm.LLVMContext();
    this.module = new llvm.Module(ir.name, this.ctx);
    this.b = new llvm.IRBuilder(this.ctx);
    const b = this.b;
    const i32 = b.getInt32Ty();
    const tys: LLVMNS.Type[] = [];
    const params: PlanParam[] = [];
    ir.params.forEach((p, i) => {
      this.argIndex[i] = tys.length;
      if (p.type.kind === 'array') {
        tys.push(llvm.PointerType.get(this.elemTy(p.type.elem), 1), i32);
        params.push({ kind: 'array', name: p.name, elem: p.type.elem, written: p.written || p.atomic });
      } else {
        const t = p.type.type;
        tys.push(t === 'f32' ? b.getFloatTy() : t === 'f64' ? b.getDoubleTy() : t === 'i64' || t === 'u64' ? b.getInt64Ty() : i32);
        params.push({ kind: 'scalar', name: p.name, type: t });
      }
    });
    const hiddenAt = tys.length;
    tys.push(llvm.PointerType.get(i32, 1), llvm.PointerType.get(i32, 1), i32, i32);
    const entry = entryName(ir.name);
    this.fn = llvm.Function.Create(llvm.FunctionType.get(b.getVoidTy(), tys, false), llvm.Function.LinkageTypes.ExternalLinkage, entry, this.module);
    this.plan = {
      name: ir.name, entry, arch: opts.arch, params,
      dynamicSharedArrays: ir.arrays.filter((a) => a.space === 'shared' && a.size === 0).length,
      staticSharedBytes: ir.arrays.filter((a) => a.space === 'shared' && a.size > 0).reduce((n, a) => n + align16(a.size * ELEM_BYTES[a.elem]), 0),
      sites: [], barrierLines: [],
      tracksExit: ir.hasBarrier && containsReturn(ir.body),
      boundscheck: opts.boundscheck, fastmath: opts.fastmath,
    };
    this.low = new KernelLowerer(llvm, this.ctx, this.module, b, this.fn, ir, this.hooks(), { boundscheck: opts.boundscheck });
    this.hiddenAt = hiddenAt;
  }

  private readonly hiddenAt: number;
  private readonly quads = new Set<'float' | 'i32'>();

  private get e() { return this.low.e; }

  private elemTy(elem: KernelArray['elem']): LLVMNS.Type {
    const b = this.b;
    switch (elem) {
      case 'i8': case 'u8': return b.getInt8Ty();
      case 'i16': case 'u16': return b.getInt16Ty();
      case 'i32': case 'u32': return b.getInt32Ty();
      case 'f32': return b.getFloatTy();
      case 'f64': return b.getDoubleTy();
      case 'i64': case 'u64': return b.getInt64Ty();
    }
  }

  build(): CudaModule {
    const b = this.b, e = this.e, llvm = this.llvm;
    b.SetInsertPoint(llvm.BasicBlock.Create(this.ctx, 'entry', this.fn));
    const h = this.hiddenAt;
    this.hidden = { claim: this.fn.getArg(h), rec: this.fn.getArg(h + 1), tag: this.fn.getArg(h + 2), dyn: this.fn.getArg(h + 3) };
    this.ir.params.forEach((p, i) => {
      if (p.type.kind === 'scalar') {
        const v = this.fn.getArg(this.argIndex[i]);
        this.scalars.set(i, p.type.type === 'bool' ? b.CreateICmpNE(v, e.int(0)) : v);
      }
    });
    this.locals = allocaLocals(e, this.ir);
    this.kernelArrays();
    if (this.plan.tracksExit) e.call(EXIT_INIT_FN, e.void, [this.linearTid()]);
    this.low.stmts(this.ir.body);
    if (!this.low.terminated()) b.CreateRetVoid();
    return { bytes: moduleBytes(this.llvm, this.module), plan: this.plan, atomics: this.low.atomicsUsed, quads: this.quads };
  }

  /** Base pointers and lengths of shared, local and const arrays, computed once in the entry block. */
  private kernelArrays(): void {
    const b = this.b, e = this.e, llvm = this.llvm;
    let dynBase: Value | undefined, dynStride: Value | undefined, dynK = 0;
    for (const a of this.ir.arrays) {
      const t = this.elemTy(a.elem);
      if (a.space === 'shared' && a.size === 0) {
        if (!dynBase) {
          dynBase = e.call(DYNAMIC_SHARED_FN, b.getInt8PtrTy(3), []);
          // Each dynamic array gets sharedMem bytes rounded up to 16 (as the runtime requests).
          dynStride = b.CreateAnd(b.CreateAdd(this.hidden.dyn, e.int(15)), e.int(-16));
        }
        const off = b.CreateZExt(b.CreateMul(dynStride!, e.int(dynK++)), e.i64);
        const p = b.CreateGEP(e.i8, dynBase, off);
        this.arrayBase.set(a.id, b.CreateBitCast(p, llvm.PointerType.get(t, 3)));
        this.arrayLen.set(a.id, b.CreateUDiv(this.hidden.dyn, e.int(ELEM_BYTES[a.elem])));
      } else if (a.space === 'shared') {
        this.arrayBase.set(a.id, e.call(sharedPtrFn(a.id), llvm.PointerType.get(t, 3), []));
      } else if (a.space === 'const') {
        this.arrayBase.set(a.id, e.call(constPtrFn(a.id), llvm.PointerType.get(t, 4), []));
      } else {
        // Per-thread array: an alloca (local memory, or registers after SROA), zeroed like every local.
        const arr = b.CreateAlloca(llvm.ArrayType.get(t, Math.max(a.size, 1)), null, `${a.name}.${a.id}`);
        const bytes = a.size * ELEM_BYTES[a.elem];
        const i8p = b.CreateBitCast(arr, b.getInt8PtrTy());
        e.call('llvm.memset.p0i8.i64', e.void, [i8p, llvm.ConstantInt.get(e.i8, 0), e.i64c(bytes), e.bool(false)]);
        this.arrayBase.set(a.id, b.CreateBitCast(arr, llvm.PointerType.get(t, 0)));
      }
    }
  }

  private sreg(reg: SpecialReg, dim: 0 | 1 | 2): Value {
    return this.e.call(`llvm.nvvm.read.ptx.sreg.${SREG[reg]}.${XYZ[dim]}`, this.e.i32, []);
  }

  /** threadIdx as one number, x fastest. */
  private linearTid(): Value {
    const b = this.b;
    const [tx, ty, tz] = [0, 1, 2].map((d) => this.sreg('threadIdx', d as 0 | 1 | 2));
    const [nx, ny] = [0, 1].map((d) => this.sreg('blockDim', d as 0 | 1));
    return b.CreateAdd(tx, b.CreateMul(nx, b.CreateAdd(ty, b.CreateMul(ny, tz))));
  }

  /** blockDim.x * blockDim.y * blockDim.z. */
  private blockThreads(): Value {
    const b = this.b;
    const [nx, ny, nz] = [0, 1, 2].map((d) => this.sreg('blockDim', d as 0 | 1 | 2));
    return b.CreateMul(nx, b.CreateMul(ny, nz));
  }

  private blockIdx(): Value[] {
    return [0, 1, 2].map((d) => this.sreg('blockIdx', d as 0 | 1 | 2));
  }

  private array(ref: ArrayRef): KernelArray {
    if (ref.space === 'global') throw new Error('numbat internal error: not a kernel array');
    const a = this.ir.arrays.find((x) => x.id === ref.id);
    if (!a) throw new Error(`numbat internal error: no array ${ref.id}`);
    return a;
  }

  private hooks(): TargetHooks {
    const self = this;
    const hooks: TargetHooks = {
      param: (i) => self.scalars.get(i)!,
      special: (reg, dim) => self.sreg(reg, dim),
      localPtr(id) {
        const p = self.locals.get(id);
        if (!p) throw new Error(`numbat internal error: no local ${id}`);
        return p;
      },
      elementPtr(ref, index) {
        const b = self.b;
        if (ref.space === 'global') {
          const p = self.ir.params[ref.param].type;
          if (p.kind !== 'array') throw new Error(`numbat internal error: parameter ${ref.param} is not an array`);
          return b.CreateGEP(self.elemTy(p.elem), self.fn.getArg(self.argIndex[ref.param]), index);
        }
        const a = self.array(ref);
        return b.CreateGEP(self.elemTy(a.elem), self.arrayBase.get(a.id)!, index);
      },
      arrayLength(ref) {
        if (ref.space === 'global') return self.fn.getArg(self.argIndex[ref.param] + 1);
        const a = self.array(ref);
        return self.arrayLen.get(a.id) ?? self.e.int(a.space === 'const' ? (a.values?.length ?? a.size) : a.size);
      },
      boundsFail(ref, index, loc: Loc | undefined) {
        const e = self.e;
        self.plan.sites.push({ array: self.low.arrayName(ref), line: loc?.line ?? 0 });
        const site = e.int(self.plan.sites.length - 1);
        const t = [0, 1, 2].map((d) => self.sreg('threadIdx', d as 0 | 1 | 2));
        const { claim, rec, tag } = self.hidden;
        e.call(REPORT_OOB_FN, e.void, [claim, rec, tag, site, index, hooks.arrayLength(ref), ...t, ...self.blockIdx()]);
        self.b.CreateRetVoid();
      },
      barrier(s) {
        const e = self.e, b = self.b;
        e.call('llvm.nvvm.barrier0', e.void, []);
        self.plan.barrierLines.push(s.loc?.line ?? 0);
        // A grid barrier: this block's barrier (and exit check), then the grid's (helpers-ir.ts).
        const grid = (): void => { if (s.grid) { self.plan.gridSync = true; e.call('numbat_grid_sync', e.void, []); } };
        if (!self.plan.tracksExit) return grid();
        const { claim, rec, tag } = self.hidden;
        const site = e.int(self.plan.barrierLines.length - 1);
        const bad = e.call(EXIT_CHECK_FN, e.i1, [claim, rec, tag, site, self.linearTid(), ...self.blockIdx()]);
        const stop = self.low.block('barrier.exited'), go = self.low.block('barrier.ok');
        b.CreateCondBr(bad, stop, go);
        b.SetInsertPoint(stop);
        b.CreateRetVoid();
        b.SetInsertPoint(go);
        grid();
      },
      warp: (s, mask, value, lane) => warpPtx(self.e, s, mask, value, lane, { linearTid: () => self.linearTid(), blockThreads: () => self.blockThreads() }),
      returnFromKernel() {
        if (self.plan.tracksExit) self.e.call(EXIT_MARK_FN, self.e.void, [self.linearTid()]);
        self.b.CreateRetVoid();
      },
      quadLoad(ref, index, _at, elem) {
        // One ld.global.v4 where the first element is 16-byte aligned (helpers-ir.ts).
        const t = elem === 'f32' ? 'float' : 'i32';
        self.quads.add(t);
        const p = hooks.elementPtr(ref, index, undefined);
        const et = p.getType().getPointerElementType();
        const r = self.e.call(quadLoadFn(t), self.llvm.StructType.get(self.ctx, [et, et, et, et]), [p]);
        return [0, 1, 2, 3].map((k) => self.b.CreateExtractValue(r, [k])) as [LLVMNS.Value, LLVMNS.Value, LLVMNS.Value, LLVMNS.Value];
      },
      addressSpace(ref) {
        if (ref.space === 'global') return 1;
        const a = self.array(ref);
        return a.space === 'shared' ? 3 : a.space === 'const' ? 4 : 0;
      },
      math: this.opts.math,
    };
    return hooks;
  }
}

