// KernelIR statements and expressions → LLVM IR (llvm-bindings), for any
// target. Where the answer depends on the target (index registers, where an
// array or a local lives, barriers, what `return` means, math names, bounds
// failures) the lowering asks its TargetHooks. Locals are memory (hooks.localPtr);
// mem2reg/SROA turn the ones in allocas into SSA values.
//
// `C` is the target's context of the code being lowered (the CPU: which thread
// of its work-item loops; CUDA: none, `void`): every function that lowers
// per-thread code takes it and hands it to the hooks, so nothing here depends on
// state a target changes between calls. The lowering itself holds no position:
// the loop targets of break/continue are passed down the statement walk.

import { localOf, quadLoadAt, type ArrayRef, type AtomicExpr, type ElemType, type Expr, type KernelIR, type Loc, type MathFn, type QuadLoad, type ScalarType, type Stmt } from '@numbat/core';
import type { LLVM, LLVMNS } from './bindings.js';
import { Emitter } from './emit.js';
import { inlineMathExtra } from './math-extra.js';
import type { TargetHooks } from './hooks.js';
import type { MathImpl } from './math.js';
import { atomicHelperName, type AtomicUse } from './atomics.js';

type Value = LLVMNS.Value;
type BasicBlock = LLVMNS.BasicBlock;

export interface LowerOptions {
  /** Check every array index; failures go to hooks.boundsFail. */
  boundscheck: boolean;
}

/** Where `break` and `continue` of the innermost enclosing loop go (each emits a terminator). */
export interface LoopTargets {
  brk(): void;
  cont(): void;
}

export class KernelLowerer<C = void> {
  readonly e: Emitter;
  readonly b: LLVMNS.IRBuilder;
  /** Atomic helper functions this module calls; the target links their definitions. */
  readonly atomicsUsed = new Map<string, AtomicUse>();

  constructor(
    readonly llvm: LLVM,
    readonly ctx: LLVMNS.LLVMContext,
    readonly module: LLVMNS.Module,
    builder: LLVMNS.IRBuilder,
    readonly fn: LLVMNS.Function,
    readonly ir: KernelIR,
    readonly hooks: TargetHooks<C>,
    readonly opts: LowerOptions,
  ) {
    this.b = builder;
    this.e = new Emitter(llvm, ctx, module, builder);
  }

  // ---- blocks ----

  block(name: string): BasicBlock {
    return this.llvm.BasicBlock.Create(this.ctx, name, this.fn);
  }

  /** True when the insertion block already ends in a terminator (code after it is dead). */
  terminated(): boolean {
    const bb = this.b.GetInsertBlock();
    return bb !== null && bb.getTerminator() !== null;
  }

  /** Branch to `bb` unless the current block is already terminated. */
  jump(bb: BasicBlock): void {
    if (!this.terminated()) this.b.CreateBr(bb);
  }

  // ---- statements ----

  /**
   * Lowers a list in context `at`; stops after a statement that always leaves
   * (break/continue/return). `loops`: the break/continue targets around it,
   * innermost last (a target may pass its own: the CPU's barrier loops).
   */
  stmts(list: readonly Stmt[], at: C, loops: readonly LoopTargets[] = []): void {
    for (let k = 0; k < list.length; k++) {
      if (this.terminated()) return;
      // Four consecutive loads as one vector, where the target reads vectors (hooks.quadLoad) and indices are unchecked.
      const quad = this.hooks.quadLoad && !this.opts.boundscheck ? quadLoadAt(list as Stmt[], k) : undefined;
      if (quad && this.quadLoad(quad, at)) { k += 3; continue; }
      this.stmt(list[k], at, loops);
    }
  }

  /** The group's four elements through hooks.quadLoad, into its locals; false for element types it does not take. */
  private quadLoad(q: QuadLoad, at: C): boolean {
    const ref: ArrayRef = { space: 'global', param: q.param };
    const elem = this.elemOf(ref);
    if (elem !== 'f32' && elem !== 'i32' && elem !== 'u32') return false;
    const values = this.hooks.quadLoad!(ref, this.index(ref, q.index, q.stmts[0].loc, at), at, elem);
    q.stmts.forEach((s, k) => {
      const local = localOf(this.ir, s.local);
      const v = values[k];
      this.b.CreateStore(local && local.type !== s.value.type ? this.e.convert(v, s.value.type, local.type) : v, this.hooks.localPtr(s.local, at));
    });
    return true;
  }

  stmt(s: Stmt, at: C, loops: readonly LoopTargets[] = []): void {
    const b = this.b;
    switch (s.kind) {
      case 'assign': {
        const local = localOf(this.ir, s.local);
        const v = this.expr(s.value, at);
        b.CreateStore(local && local.type !== s.value.type ? this.e.convert(v, s.value.type, local.type) : v, this.hooks.localPtr(s.local, at));
        return;
      }
      case 'store': {
        const elem = this.elemOf(s.array);
        const idx = this.index(s.array, s.index, s.loc, at, s.inBounds);
        let v = this.expr(s.value, at);
        if (elem === 'i8' || elem === 'u8' || elem === 'i16' || elem === 'u16') v = b.CreateTrunc(v, this.e.elem(elem));
        b.CreateStore(v, this.hooks.elementPtr(s.array, idx, at));
        return;
      }
      case 'expr': this.expr(s.expr, at); return;
      case 'if': {
        // A group-wide test's arms compute the same (IfStmt.groupWide), and its faster arm pays
        // only for a lane group: one thread runs the other, which is the code it replaced.
        if (s.groupWide) { this.stmts(s.else, at, loops); return; }
        const c = this.expr(s.cond, at);
        const thenBB = this.block('then'), elseBB = s.else.length ? this.block('else') : undefined, join = this.block('endif');
        b.CreateCondBr(c, thenBB, elseBB ?? join);
        b.SetInsertPoint(thenBB);
        this.stmts(s.then, at, loops);
        this.jump(join);
        if (elseBB) {
          b.SetInsertPoint(elseBB);
          this.stmts(s.else, at, loops);
          this.jump(join);
        }
        b.SetInsertPoint(join);
        return;
      }
      case 'loop': {
        const head = this.block('loop'), body = this.block('body'), latch = this.block('latch'), exit = this.block('endloop');
        b.CreateBr(head);
        b.SetInsertPoint(head);
        if (s.cond) b.CreateCondBr(this.expr(s.cond, at), body, exit);
        else b.CreateBr(body);
        b.SetInsertPoint(body);
        const inner = [...loops, { brk: () => b.CreateBr(exit), cont: () => b.CreateBr(latch) }];
        this.stmts(s.body, at, inner);
        this.jump(latch);
        b.SetInsertPoint(latch);
        this.stmts(s.update, at, inner);
        if (!this.terminated()) this.hooks.loopBackEdge?.(at);
        this.jump(head);
        b.SetInsertPoint(exit);
        return;
      }
      case 'break': loopTarget(loops, s.loc).brk(); return;
      case 'continue': loopTarget(loops, s.loc).cont(); return;
      case 'return': this.hooks.returnFromKernel(at); return;
      case 'barrier': this.hooks.barrier(s, at); return;
      case 'warp': {
        if (!this.hooks.warp) throw new Error(`numbat internal error: warp.${s.op} reached a target without native warps`);
        const ev = (x: Expr | undefined): Value | undefined => (x ? this.expr(x, at) : undefined);
        const mask = ev(s.mask), value = ev(s.value), lane = ev(s.lane);
        const r = this.hooks.warp(s, mask, value, lane, at);
        if (s.local !== undefined) b.CreateStore(r.result!, this.hooks.localPtr(s.local, at));
        if (s.pred !== undefined) b.CreateStore(r.pred!, this.hooks.localPtr(s.pred, at));
        return;
      }
      // The target's helper module defines numbat_fence_<scope> (llvm/atomics.ts fenceHelperIR).
      case 'fence': this.e.call(`numbat_fence_${s.scope}`, this.e.void, []); return;
    }
  }

  // ---- expressions ----

  /** Expression `x` evaluated in context `at`. */
  expr(x: Expr, at: C): Value {
    const b = this.b, e = this.e;
    switch (x.kind) {
      case 'const': return e.constant(x.type, x.value);
      case 'param': return this.hooks.param(x.index, x.type);
      case 'local': return b.CreateLoad(e.scalar(x.type), this.hooks.localPtr(x.id, at));
      case 'special': return this.hooks.special(x.reg, x.dim, at);
      case 'unary': return e.unary(x.op, x.type, this.expr(x.x, at));
      case 'binary': return e.binary(x.op, x.opType, this.expr(x.a, at), this.expr(x.b, at));
      case 'logical': {
        // Lazy: `m >= 0 && v[m] > k` must not evaluate v[-1].
        const a = this.expr(x.a, at);
        const from = b.GetInsertBlock()!;
        const rhs = this.block(x.op === 'and' ? 'and.rhs' : 'or.rhs'), join = this.block('logic');
        if (x.op === 'and') b.CreateCondBr(a, rhs, join); else b.CreateCondBr(a, join, rhs);
        b.SetInsertPoint(rhs);
        const c = this.expr(x.b, at);
        const rhsEnd = b.GetInsertBlock()!;
        b.CreateBr(join);
        b.SetInsertPoint(join);
        const phi = b.CreatePHI(e.i1, 2);
        phi.addIncoming(e.bool(x.op === 'or'), from);
        phi.addIncoming(c, rhsEnd);
        return phi;
      }
      case 'cond': {
        const c = this.expr(x.c, at);
        const tb = this.block('cond.a'), fb = this.block('cond.b'), join = this.block('cond');
        b.CreateCondBr(c, tb, fb);
        b.SetInsertPoint(tb);
        const av = this.expr(x.a, at);
        const aEnd = b.GetInsertBlock()!;
        b.CreateBr(join);
        b.SetInsertPoint(fb);
        const bv = this.expr(x.b, at);
        const bEnd = b.GetInsertBlock()!;
        b.CreateBr(join);
        b.SetInsertPoint(join);
        const phi = b.CreatePHI(e.scalar(x.type), 2);
        phi.addIncoming(av, aEnd);
        phi.addIncoming(bv, bEnd);
        return phi;
      }
      case 'select': {
        const c = this.expr(x.c, at), av = this.expr(x.a, at), bv = this.expr(x.b, at);
        return b.CreateSelect(c, av, bv);
      }
      case 'convert': return e.convert(this.expr(x.x, at), x.x.type, x.type);
      case 'bitcast': return b.CreateBitCast(this.expr(x.x, at), e.scalar(x.type));
      case 'load': {
        const elem = this.elemOf(x.array);
        const idx = this.index(x.array, x.index, x.loc, at, x.inBounds);
        const v = b.CreateLoad(e.elem(elem), this.hooks.elementPtr(x.array, idx, at));
        switch (elem) {
          case 'i8': case 'i16': return b.CreateSExt(v, e.i32);
          case 'u8': case 'u16': return b.CreateZExt(v, e.i32);
          default: return v;
        }
      }
      case 'length': return this.hooks.arrayLength(x.array);
      case 'math': return this.mathOf(x.fn, x.type, x.args.map((a) => this.expr(a, at)), this.hooks.mathFor?.(x));
      case 'atomic': return this.atomic(x, at);
    }
  }

  elemOf(ref: ArrayRef): ElemType {
    if (ref.space === 'global') {
      const p = this.ir.params[ref.param].type;
      if (p.kind !== 'array') throw new Error(`numbat internal error: parameter ${ref.param} is not an array`);
      return p.elem;
    }
    const a = this.ir.arrays.find((x) => x.id === ref.id);
    if (!a) throw new Error(`numbat internal error: no array ${ref.id}`);
    return a.elem;
  }

  arrayName(ref: ArrayRef): string {
    return ref.space === 'global' ? this.ir.params[ref.param].name : this.ir.arrays.find((x) => x.id === ref.id)!.name;
  }

  /** Evaluates an index, checks it (when on, and not proven inside: ir/hoist-bounds.ts) and returns it as i64 for addressing. */
  index(ref: ArrayRef, index: Expr, loc: Loc | undefined, at: C, inBounds = false): Value {
    const b = this.b;
    const i = this.expr(index, at);
    if (this.opts.boundscheck && !inBounds) {
      // Unsigned compare: a negative i32 is huge, so one test covers both ends.
      const ok = b.CreateICmpULT(i, this.hooks.arrayLength(ref));
      const good = this.block('inbounds'), bad = this.block('oob');
      b.CreateCondBr(ok, good, bad);
      b.SetInsertPoint(bad);
      this.hooks.boundsFail(ref, i, loc, index.type === 'u32', at);
      if (!this.terminated()) b.CreateUnreachable();
      b.SetInsertPoint(good);
    }
    // In bounds means 0 <= i < 2^31, so zero-extension is exact for i32 and u32 alike.
    return b.CreateZExt(i, this.e.i64);
  }

  /** Math.<fn> on already evaluated arguments (of type `t`, the result type). */
  mathOf(fn: MathFn, t: ScalarType, args: Value[], chosen?: MathImpl): Value {
    const e = this.e, b = this.b;
    const float = t === 'f32' || t === 'f64';
    const extra = inlineMathExtra(e, fn, t, args);
    if (extra) return extra;
    // Integer forms (rule 'numeric' on ints, and the i32 functions).
    if (!float) {
      switch (fn) {
        case 'abs': return t === 'u32' ? args[0] : e.call('llvm.abs.i32', e.i32, [args[0], e.bool(false)]);
        case 'floor': case 'ceil': case 'round': case 'trunc': return args[0];
        case 'imul': return b.CreateMul(args[0], args[1]);
        case 'clz32': return e.call('llvm.ctlz.i32', e.i32, [args[0], e.bool(false)]);
        // Bit intrinsics on 32- or 64-bit operands (the width is the operand's); counts are i32.
        case 'popc': case 'bit_count': case 'clz': case 'ffs': case 'brev': {
          const x = args[0];
          const w = x.getType().isIntegerTy(64) ? 64 : 32;
          const ty = w === 64 ? e.i64 : e.i32;
          const count = (v: Value): Value => (w === 64 ? b.CreateTrunc(v, e.i32) : v);
          if (fn === 'brev') return e.call(`llvm.bitreverse.i${w}`, ty, [x]);
          if (fn === 'clz') return count(e.call(`llvm.ctlz.i${w}`, ty, [x, e.bool(false)]));
          if (fn === 'ffs') {
            const tz = count(e.call(`llvm.cttz.i${w}`, ty, [x, e.bool(false)]));
            return b.CreateSelect(b.CreateICmpEQ(x, e.constant(w === 64 ? 'i64' : 'i32', 0)), e.int(0), b.CreateAdd(tz, e.int(1)));
          }
          return count(e.call(`llvm.ctpop.i${w}`, ty, [x]));
        }
        case 'umulhi': {
          // The 64-bit product's high word (PTX: mul.hi.u32; x86: one mul).
          const p = b.CreateMul(b.CreateZExt(args[0], e.i64), b.CreateZExt(args[1], e.i64));
          return b.CreateTrunc(b.CreateLShr(p, e.i64c(32)), e.i32);
        }
        default: throw new Error(`numbat internal error: Math.${fn} on ${t}`);
      }
    }
    const impl = chosen ?? this.hooks.math[fn];
    // Math.round, Math.sign and pow's JS cases arrive legalised (core/src/legalize).
    switch (impl.kind) {
      case 'intrinsic': return e.intrinsic(impl.name, t, args);
      case 'extern': return e.call(t === 'f32' ? impl.f32 : impl.f64, e.scalar(t), args);
      case 'pair': {
        const T = e.scalar(t);
        return b.CreateExtractValue(e.call(t === 'f32' ? impl.f32 : impl.f64, e.llvm.StructType.get(e.ctx, [T, T]), args), [impl.part]);
      }
      case 'inline': throw new Error(`numbat internal error: no inline lowering of Math.${fn} on ${t}`);
    }
  }

  private atomic(x: AtomicExpr, at: C): Value {
    const idx = this.index(x.array, x.index, x.loc, at);
    // Operands in JS argument order: cuda.atomic.cas(array, index, expected, value).
    const expected = x.expected ? this.expr(x.expected, at) : undefined;
    const value = this.expr(x.value, at);
    return this.atomicOf(x, idx, value, expected, at);
  }

  /** The atomic of `x` on already evaluated (and checked) index (i64), value and expected. */
  atomicOf(x: AtomicExpr, index: Value, value: Value, expected: Value | undefined, at: C): Value {
    const elem = this.elemOf(x.array);
    const ptr = this.hooks.elementPtr(x.array, index, at);
    const addrSpace = this.hooks.addressSpace(x.array);
    const plain = this.hooks.plainAtomics?.(x.array) ?? false;
    const name = atomicHelperName(x.op, elem, addrSpace, plain);
    this.atomicsUsed.set(name, { op: x.op, elem, addrSpace, plain });
    const t = this.e.elem(elem);
    const args = x.op === 'cas' ? [ptr, value, expected!] : [ptr, value];
    const types = args.map((a, i) => (i === 0 ? this.e.ptr(t, addrSpace) : t));
    return this.e.call(name, t, args, types);
  }
}

function loopTarget(loops: readonly LoopTargets[], loc?: Loc): LoopTargets {
  const t = loops[loops.length - 1];
  if (!t) throw new Error(`numbat internal error: break/continue outside a loop (line ${loc?.line ?? '?'})`);
  return t;
}
