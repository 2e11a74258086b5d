// Lane groups: W threads with consecutive threadIdx.x run one region in
// lockstep. A varying value is one LLVM vector <W x T> (lane-vectors.ts): each
// operation is emitted once for all lanes, whatever the target's SIMD width
// (LLVM splits or legalises the vector). Values that only exist per lane
// (atomics, gathers, library calls) are W scalars, packed into a vector when
// an operation needs one. This is what makes
// regions with inner loops (the Monte Carlo sample loop, grid-stride loops)
// SIMD: LLVM's loop vectoriser only handles innermost loops, and those are
// per-thread, not across threads.
//
// Lane-uniform values (lane-uniformity.ts) are computed once, by the ordinary
// lowering. Varying control flow becomes masks: a varying `if` runs each arm
// (when any lane takes it) under a mask; varying loops run while any lane is
// still inside; `break`/`continue`/`return` retire lanes. Masked loads and
// stores go through a select between the real address and a dummy slot, so a
// lane that is switched off never touches memory it must not (an index a
// guard protects may be out of bounds). Atomics run lane by lane in thread
// order. Bounds checks test all active lanes at once and report the first
// failing lane.
//
// The lowering is a chain by responsibility: lane-values.ts (the group's
// context and values) < lane-masks.ts (masks) < this file (expressions,
// memory accesses, bounds checks) < lane-stmts.ts (statements, loops, the
// region). lane-shape.ts holds the analyses they share.

import type { ArrayRef, ElemType, Expr, Loc, MathFn, ScalarType } from '@numbat/core';
import { forEachExpr } from '@numbat/core';
import type { LLVMNS } from '@numbat/llvm';
import { LIBM_MATH, inlineMathExtra } from '@numbat/llvm';
import { vectorMathKernel, vectorUmulhi } from './lane-math.js';
import { kernelPairedTrig } from './lane-trig-pairs.js';
import { LaneMasks } from './lane-masks.js';
import { elemBytes, vecSuffix, widen, type LV } from './lane-values.js';

type Value = LLVMNS.Value;

/** Lane expressions (see the chain above). */
export class LaneExprs extends LaneMasks {
  protected dynLinear = new Map<number, Value>();

  /** Storage of a lane-linear local's lane-0 value, or undefined. */
  protected linearSlot(id: number): Value | undefined {
    return this.dynLinear.get(id) ?? (this.env.locals.linear.has(id) ? this.env.locals.lanePtr(id, 0) : undefined);
  }

  // ---- expressions ----

  protected expr(x: Expr): LV {
    const low = this.low, b = this.b, e = this.e;
    if (this.cg.laneUni.isUniform(x)) return x.kind === 'const' ? { u: low.expr(x, this.g.lane0), c: x.value } : { u: this.uniformExpr(x) };
    const ve = this.ve;
    /** One vector operation for all lanes (`ts`: the operands' IR types). */
    const vmap = (vs: LV[], ts: ScalarType[], f: (...a: Value[]) => Value): LV => ({ v: f(...vs.map((v, i) => this.vecOf(v, ts[i]))), t: x.type });
    switch (x.kind) {
      case 'local': {
        const t = e.scalar(x.type);
        if (this.cg.txAliases.has(x.id)) return { lin: this.g.tx[0] }; // always threadIdx.x
        const slot = this.linearSlot(x.id);
        if (slot) return { lin: b.CreateLoad(t, slot) };
        const vp = this.env.locals.vectorPtr(x.id);
        if (vp) return { v: this.loadLocal(vp, x.type), t: x.type };
        return { l: Array.from({ length: this.W }, (_, i) => b.CreateLoad(t, this.env.locals.lanePtr(x.id, i))) };
      }
      case 'special': return { lin: this.g.tx[0] }; // threadIdx.x (everything else is uniform)
      case 'unary': return vmap([this.expr(x.x)], [x.x.type], (a) => ve.unary(x.op, x.type, a));
      case 'binary': {
        const a = this.expr(x.a), c = this.expr(x.b);
        if ('lin' in a && 'u' in c && (x.op === 'lt' || x.op === 'le' || x.op === 'gt' || x.op === 'ge') && (x.opType === 'i32' || x.opType === 'u32')) {
          // `i < n` on lane-linear i (a loop condition): all lanes at once from
          // the first and last lane, when no lane wraps around 2^32.
          const v = ve.binary(x.op, x.opType, this.vecOf(a, x.opType), this.vecOf(c, x.opType));
          const signed = x.opType === 'i32';
          const lastOk = b.CreateAdd(a.lin, e.int(this.W - 1));
          const noWrap = signed ? b.CreateICmpSLE(a.lin, e.int(2147483647 - (this.W - 1))) : b.CreateICmpULE(a.lin, e.int(-this.W));
          const probe = x.op === 'lt' || x.op === 'le' ? lastOk : a.lin;
          return { v, t: 'bool', all: b.CreateAnd(noWrap, e.binary(x.op, x.opType, probe, c.u)) };
        }
        // lane-linear ± uniform stays lane-linear (wrapping i32 arithmetic keeps base + lane exact)
        if (x.op === 'add' || x.op === 'sub') {
          if ('lin' in a && 'u' in c) return { lin: e.binary(x.op, x.opType, a.lin, c.u) };
          if (x.op === 'add' && 'u' in a && 'lin' in c) return { lin: e.binary('add', x.opType, a.u, c.lin) };
        }
        return vmap([a, c], [x.opType, x.opType], (p, q) => ve.binary(x.op, x.opType, p, q));
      }
      case 'convert': {
        const a = this.expr(x.x);
        const ints = (t: string) => t === 'i32' || t === 'u32';
        if ('lin' in a && ints(x.x.type) && ints(x.type)) return a; // i32 <-> u32 keep the bits
        return vmap([a], [x.x.type], (v) => ve.convert(v, x.x.type, x.type));
      }
      case 'bitcast': return vmap([this.expr(x.x)], [x.x.type], (v) => b.CreateBitCast(v, this.vty(x.type)));
      case 'math': {
        const args = x.args.map((a) => this.expr(a));
        const vs = args.map((a, i) => this.vecOf(a, x.args[i].type));
        // (the walk for pairs only where there can be one: not for a kernel's other math)
        const paired = x.type === 'f32' && (x.fn === 'sin' || x.fn === 'cos') && kernelPairedTrig(this.cg).has(x);
        const r = this.vectorMath(x.fn, x.type, vs, paired);
        if (r) return { v: r, t: x.type };
        // no vector form: the scalar lowering lane by lane
        const ls = vs.map((v, i) => this.toLanes(v, x.args[i].type));
        return { l: Array.from({ length: this.W }, (_, l) => low.mathOf(x.fn, x.type, ls.map((a) => a[l]))) };
      }
      case 'logical': {
        if (cheapAndSafe(x.b)) {
          // A right side that cannot fail: for every lane, one <W x i1> and/or (no branch, no lanes).
          const av = this.vecOf(this.expr(x.a), 'bool'), bv = this.vecOf(this.expr(x.b), 'bool');
          return { v: x.op === 'and' ? b.CreateAnd(av, bv) : b.CreateOr(av, bv), t: 'bool' };
        }
        // Lazy per lane: the right side runs under the lanes that need it.
        const a = this.vecOf(this.expr(x.a), 'bool');
        const rhs = this.maskedEvalVec(x.op === 'and' ? a : this.not(a), x.b, 'bool');
        return { v: x.op === 'and' ? b.CreateAnd(a, rhs) : b.CreateOr(a, rhs), t: 'bool' };
      }
      case 'cond': {
        const c = this.vecOf(this.expr(x.c), 'bool');
        if (cheapAndSafe(x.a) && cheapAndSafe(x.b)) {
          // Arms that cannot fail and cost a few operations (the draws' position
          // bookkeeping): both for every lane and a select, no branch per arm.
          return { v: b.CreateSelect(c, this.vecOf(this.expr(x.a), x.type), this.vecOf(this.expr(x.b), x.type)), t: x.type };
        }
        const av = this.maskedEvalVec(c, x.a, x.type);
        const bv = this.maskedEvalVec(this.not(c), x.b, x.type);
        return { v: b.CreateSelect(c, av, bv), t: x.type };
      }
      case 'select': {
        const c = this.expr(x.c), a = this.expr(x.a), o = this.expr(x.b);
        return vmap([c, a, o], ['bool', x.type, x.type], (p, q, r) => b.CreateSelect(p, q, r));
      }
      case 'load': {
        const elem = low.elemOf(x.array);
        const idx = this.index(x.array, x.index, x.loc, true, x.inBounds);
        const m = this.mask();
        const et = e.elem(elem);
        if (x.array.space === 'local') return { v: widen(b, ve, elem, this.localArrayLoad(x.array, elem, idx, m)), t: x.type };
        if ('lin' in idx) {
          // consecutive elements: one vector load (lanes outside the mask are not read)
          const v = this.maskedLoad(elem, this.elementPtr(x.array, idx.lin), this.maskVec(m));
          return { v: widen(b, ve, elem, v), t: x.type };
        }
        if ('v' in idx) {
          // per-lane elements: one gather (lanes outside the mask are not read)
          const ptrs = this.elementPtr(x.array, idx.v);
          const gather = () => this.maskedGather(elem, ptrs, this.maskVec(m));
          const v = m ? gather() : this.loadIfConsecutive(x.array, elem, idx.v, gather);
          return { v: widen(b, ve, elem, v), t: x.type };
        }
        const is = this.lanesOf(idx);
        const ml = m && this.toLanes(m, 'bool');
        return { l: is.map((ix, i) => {
          const p = this.elementPtr(x.array, ix);
          return widen(b, e, elem, b.CreateLoad(et, ml ? b.CreateSelect(ml[i], p, this.dummyPtr(et)) : p));
        }) };
      }
      case 'atomic': {
        const idx = this.laneReader(this.index(x.array, x.index, x.loc), 'i64', 'atomic.index');
        // JS argument order: cuda.atomic.cas(array, index, expected, value)
        const ex = x.expected ? this.laneReader(this.expr(x.expected), x.expected.type, 'atomic.expected') : undefined;
        const v = this.laneReader(this.expr(x.value), x.value.type, 'atomic.value');
        // One lane at a time, in thread order, only the active ones; an inactive lane's result is 0.
        const vty = this.vty(x.type), t = e.scalar(x.type);
        const results = this.entryAlloca(vty, 'atomic.results');
        b.CreateStore(this.llvmZero(vty), results);
        const slots = b.CreateBitCast(results, e.ptr(t));
        this.forActiveLanes(this.mask(), (lane) => {
          b.CreateStore(low.atomicOf(x, idx(lane), v(lane), ex?.(lane), this.g.lane0), b.CreateGEP(t, slots, lane));
        });
        return { v: b.CreateLoad(vty, results), t: x.type };
      }
      case 'const': case 'param': case 'length':
        return { u: low.expr(x, this.g.lane0) };
    }
  }

  /**
   * Each lane's element of a private local array (lane-group.ts keeps the lanes' copies as rows:
   * row k holds element k of every lane): one row at an index the lanes share (a loop counter),
   * a gather at per-lane indices (lanes outside the mask are not read).
   */
  private localArrayLoad(ref: ArrayRef, elem: ElemType, idx: LV, m: Value | undefined): Value {
    if ('u' in idx) return this.b.CreateLoad(this.ve.elem(elem), this.laneRowPtr(ref, m ? this.rowInside(ref, idx.u) : idx.u));
    return this.maskedGather(elem, this.laneElementPtrs(ref, idx), this.maskVec(m));
  }

  /** A shared row index read under a mask: row 0 where it is outside the array (no active lane reads it then: its check passed). */
  protected rowInside(ref: ArrayRef, u: Value): Value {
    const b = this.b, e = this.e;
    return b.CreateSelect(b.CreateICmpULT(u, b.CreateZExt(this.arrayLength(ref), e.i64)), u, e.i64c(0));
  }

  /** True when the lanes' values are v0, v0+1, ... (i32). */
  protected consecutive(v: Value[]): Value {
    const b = this.b, e = this.e;
    return v.slice(1).map((x, l) => b.CreateICmpEQ(x, b.CreateAdd(v[0], e.int(l + 1)))).reduce((a, c) => b.CreateAnd(a, c));
  }

  /** Evaluates `x` for the lanes in `need` (others hold 0), as one vector; skipped entirely when none needs it. */
  private maskedEvalVec(need: Value, x: Expr, t: ScalarType): Value {
    const b = this.b;
    const slot = this.entryAlloca(this.vty(t), 'lazy.v');
    b.CreateStore(this.ve.zero(t), slot);
    const m = this.mask();
    const run = m ? b.CreateAnd(need, m) : need;
    this.withCond(need, () => this.ifAny(run, () => b.CreateStore(this.vecOf(this.expr(x), t), slot)));
    return b.CreateLoad(this.vty(t), slot);
  }

  /**
   * Every lane active and reading `idx` (i64 element indices, in bounds): a
   * vector load when the lanes' elements are consecutive at run time (a
   * per-lane position every lane shares, as the Philox draws' buffered word
   * `states[(6 + pos) * n + i]`), else `gather()`. A gather costs several
   * times a vector load (AVX2), the test a compare and a branch.
   */
  private loadIfConsecutive(ref: ArrayRef, elem: ElemType, idx: Value, gather: () => Value): Value {
    const b = this.b, e = this.e, low = this.low;
    const first = this.laneOfVec(idx, 'i64', 0);
    // lane 0's index + <0, 1, .., W-1> (a broadcast and an add)
    const steps = this.linearVec(first, 'i64');
    const iw = this.intW();
    const consecutive = b.CreateICmpEQ(b.CreateBitCast(b.CreateICmpEQ(idx, steps), iw), this.low.llvm.ConstantInt.get(iw, -1, true));
    const vec = low.block('lanes.consecutive'), gat = low.block('lanes.gather'), join = low.block('lanes.loaded');
    b.CreateCondBr(consecutive, vec, gat);
    b.SetInsertPoint(vec);
    const v1 = this.maskedLoad(elem, this.elementPtr(ref, first), this.ve.bool(true));
    b.CreateBr(join);
    b.SetInsertPoint(gat);
    const v2 = gather();
    b.CreateBr(join);
    b.SetInsertPoint(join);
    const phi = b.CreatePHI(v1.getType(), 2);
    phi.addIncoming(v1, vec);
    phi.addIncoming(v2, gat);
    return phi;
  }

  /** llvm.masked.gather of each lane's element at its pointer in `ptrs` (lanes outside the mask read nothing and give 0). */
  protected maskedGather(elem: ElemType, ptrs: Value, mask: Value): Value {
    const vty = this.ve.elem(elem), name = `v${this.W}${vecSuffix(elem)}`;
    return this.ve.call(`llvm.masked.gather.${name}.v${this.W}p0${vecSuffix(elem)}`, vty, [ptrs, this.e.int(elemBytes(elem)), mask, this.llvmZero(vty)]);
  }

  /** llvm.masked.load of W consecutive elements from `p` (element-aligned: a plain vector load when the mask is all true). */
  protected maskedLoad(elem: ElemType, p: Value, mask: Value): Value {
    const ve = this.ve, b = this.b, vty = ve.elem(elem);
    const name = `v${this.W}${vecSuffix(elem)}`;
    const vp = b.CreateBitCast(p, this.e.ptr(vty));
    return ve.call(`llvm.masked.load.${name}.p0${name}`, vty, [vp, this.e.int(elemBytes(elem)), mask, this.llvmZero(vty)]);
  }

  protected maskedStore(elem: ElemType, v: Value, p: Value, mask: Value): void {
    const ve = this.ve, b = this.b, vty = ve.elem(elem);
    const name = `v${this.W}${vecSuffix(elem)}`;
    const vp = b.CreateBitCast(p, this.e.ptr(vty));
    ve.call(`llvm.masked.store.${name}.p0${name}`, this.e.void, [v, vp, this.e.int(elemBytes(elem)), mask]);
  }

  /** Math.<fn> on <W x T> arguments, or undefined when it has no vector form here (then lane by lane). */
  private vectorMath(fn: MathFn, t: ScalarType, args: Value[], paired: boolean): Value | undefined {
    const ve = this.ve, e = this.e, b = this.b, W = this.W;
    if (t !== 'f32' && t !== 'f64') {
      switch (fn) {
        case 'abs': return t === 'u32' ? args[0] : ve.call(`llvm.abs.v${W}i32`, this.vt.i32, [args[0], e.bool(false)]);
        case 'floor': case 'ceil': case 'round': case 'trunc': return args[0];
        case 'imul': return b.CreateMul(args[0], args[1]);
        case 'clz32': return ve.call(`llvm.ctlz.v${W}i32`, this.vt.i32, [args[0], e.bool(false)]);
        case 'umulhi': return vectorUmulhi(ve, b, args[0], args[1]);
        default: return undefined;
      }
    }
    // Math.round and Math.sign never get here: core legalises them (legalize/rules.ts).
    if (fn === 'frexpMant' || fn === 'frexpExp') return undefined; // its type test reads a scalar type
    const extra = inlineMathExtra(ve, fn, t, args);
    if (extra) return extra;
    const impl = LIBM_MATH[fn];
    if (impl.kind === 'intrinsic') return ve.intrinsic(impl.name, t, args);
    return vectorMathKernel(ve, fn, t, args, paired);
  }

  /**
   * A lane-uniform expression through the ordinary lowering (as lane 0). Its
   * loads (those not marked inBounds) are bounds-checked once for the group; a failure names the first
   * active lane, as the simulator would (lane 0 may be masked off here).
   */
  protected uniformExpr(x: Expr): Value {
    const low = this.low;
    let loads = false;
    forEachExpr(x, (y) => { if (y.kind === 'load' && !y.inBounds) loads = true; });
    const m = loads && this.cg.opts.boundscheck ? this.mask() : undefined;
    return m ? low.expr(x, this.laneThread(this.firstLane(m))) : low.expr(x, this.g.lane0);
  }


  /**
   * Per-lane i64 indices of an access, bounds-checked for the active lanes:
   * one branch for the group, the first failing lane reported. `contiguous`
   * (loads and stores): under a mask, a lane-linear i32 index of a 4- or
   * 8-byte element stays `lin` (lane 0's, sign-extended), for one
   * llvm.masked.load/store instead of a gather or W scalar stores. Sign
   * extension is exact for every active lane: its index is in bounds, so
   * lin + l does not wrap. (A u32 index can wrap across the lanes, `(i - 1)
   * >>> 0` at i = 0; 1- and 2-byte elements have no masked vector access on
   * AVX2: both keep the per-lane form.)
   */
  protected index(ref: ArrayRef, index: Expr, loc: Loc | undefined, contiguous = false, inBounds = false): LV {
    const b = this.b, e = this.e;
    const iv = this.expr(index);
    const m = this.mask();
    // Marked accesses (core's hoistBoundsChecks, the random library's state words) are proven inside.
    const checked = this.cg.opts.boundscheck && !inBounds;
    if ('u' in iv) {
      // One index for the group, but only the active lanes access it: the
      // failing thread is the first active lane (and none fails when none is active).
      if (checked) this.checkUniform(ref, iv.u, m, loc, index.type === 'u32');
      return { u: b.CreateZExt(iv.u, e.i64) };
    }
    if ('lin' in iv && !m) {
      if (checked) {
        // base .. base+W-1 all in bounds: one test (in 64 bits, so base+W-1 cannot wrap)
        const low = this.low;
        const last = b.CreateAdd(b.CreateZExt(iv.lin, e.i64), e.i64c(this.W - 1));
        const ok = b.CreateAnd(b.CreateICmpULT(iv.lin, this.arrayLength(ref)), b.CreateICmpULT(last, b.CreateZExt(this.arrayLength(ref), e.i64)));
        const fine = low.block('lin.inbounds'), report = low.block('lin.oob');
        b.CreateCondBr(ok, fine, report);
        b.SetInsertPoint(report);
        // The first failing lane: 0 when base is out of bounds, else the first one past the end (len - base).
        const len = this.arrayLength(ref);
        const lane = b.CreateSelect(b.CreateICmpUGE(iv.lin, len), e.int(0), b.CreateSub(len, iv.lin));
        this.boundsFail(ref, b.CreateAdd(iv.lin, lane), lane, loc, index.type === 'u32');
        b.SetInsertPoint(fine);
      }
      return { lin: b.CreateZExt(iv.lin, e.i64) };
    }
    const asLinear = contiguous && 'lin' in iv && index.type === 'i32' && ref.space !== 'local' && elemBytes(this.low.elemOf(ref)) >= 4;
    // (an unchecked linear access builds no index vector: nothing would use it)
    const vec = checked || !asLinear ? this.vecOf(iv, index.type) : undefined;
    if (checked) this.checkVec(ref, vec!, m, loc, index.type === 'u32');
    if (asLinear) return { lin: b.CreateSExt(iv.lin, e.i64) };
    return { v: b.CreateZExt(vec!, this.vt.i64), t: 'i64' };
  }

  /** check() on a vector of i32 indices: one compare for the group; lanes only in the (cold) failure block. */
  private checkVec(ref: ArrayRef, idx: Value, m: Value | undefined, loc: Loc | undefined, unsigned: boolean): void {
    const b = this.b, e = this.e, low = this.low;
    const len = this.arrayLength(ref);
    const lens = this.fromLanes(new Array(this.W).fill(len), 'i32');
    let bad = b.CreateICmpUGE(idx, lens);
    if (m) bad = b.CreateAnd(bad, m);
    const fail = low.block('lanes.oob'), ok = low.block('lanes.inbounds');
    b.CreateCondBr(this.anyVec(bad), fail, ok);
    b.SetInsertPoint(fail);
    // The first failing lane (thread order): the mask's lowest set bit (a few instructions, not 3W per access).
    // The indices go through a slot of their own: a variable lane index into the shared scratch
    // would keep SROA from promoting it on the hot path (uniformF32 draws ran 30 % slower).
    const iw = this.intW(), slot = (this.oobIndices ??= this.entryAlloca(this.vty('i32'), 'lanes.oob.idx'));
    const lane = b.CreateZExtOrTrunc(e.call(`llvm.cttz.i${this.W}`, iw, [b.CreateBitCast(bad, iw), e.bool(true)]), e.i32);
    b.CreateStore(idx, slot);
    const which = b.CreateLoad(e.i32, b.CreateGEP(e.i32, b.CreateBitCast(slot, e.ptr(e.i32)), b.CreateZExt(lane, e.i64)));
    this.boundsFail(ref, which, lane, loc, unsigned);
    b.SetInsertPoint(ok);
  }


  /** check() of one index for the group: only the active lanes access it, so the failing thread is the first active lane. */
  private checkUniform(ref: ArrayRef, idx: Value, m: Value | undefined, loc: Loc | undefined, unsigned: boolean): void {
    const b = this.b, e = this.e, low = this.low;
    let bad = b.CreateICmpUGE(idx, this.arrayLength(ref));
    if (m) bad = b.CreateAnd(bad, this.any(m));
    const fail = low.block('lanes.oob'), ok = low.block('lanes.inbounds');
    b.CreateCondBr(bad, fail, ok);
    b.SetInsertPoint(fail);
    this.boundsFail(ref, idx, m ? this.firstLane(m) : e.int(0), loc, unsigned);
    b.SetInsertPoint(ok);
  }
}

/**
 * Can `x` run for lanes that did not ask for it (no memory access, no
 * division, no library call), in a handful of operations? Then a lane-varying
 * `?:` evaluates both arms and selects, and `&&`/`||` both sides, instead of
 * a branch per arm and a mask per lane.
 */
function cheapAndSafe(x: Expr): boolean {
  let nodes = 0, ok = true;
  forEachExpr(x, (y) => {
    nodes++;
    if (y.kind === 'load' || y.kind === 'atomic' || y.kind === 'math' || y.kind === 'logical') ok = false;
    if (y.kind === 'binary' && (y.op === 'div' || y.op === 'rem' || y.op === 'truncdiv' || y.op === 'floordiv')) ok = false;
  });
  return ok && nodes <= 8;
}
