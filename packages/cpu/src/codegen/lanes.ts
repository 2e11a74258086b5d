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

import type { ArrayRef, ElemType, Expr, KernelIR, Loc, MathFn, ScalarType, Stmt } from '@numbat/core';
import { forEachExpr, forEachStmt, localScopes, stmtExprs } from '@numbat/core';
import type { LLVMNS } from '@numbat/llvm';
import type { KernelLowerer } from '@numbat/llvm';
import type { Thread } from './context.js';
import type { LaneUniformity } from './lane-uniformity.js';
import { laneVectorTypes, VectorEmitter, type LaneVectorTypes } from './lane-vectors.js';
import { LIBM_MATH, inlineMathExtra } from '@numbat/llvm';
import { vectorMathKernel } from './lane-math.js';

type Value = LLVMNS.Value;
type BasicBlock = LLVMNS.BasicBlock;

/**
 * A value in a lane group: one scalar for all lanes (`c`: its constant), one
 * scalar per lane, lane 0's value + lane, or one <W x T> vector.
 */
type LV = { u: Value; c?: number | boolean | bigint } | { l: Value[]; all?: Value } | { lin: Value } | { v: Value; t: LaneType };
/** A lane value's type: an IR scalar type, or i64 (array indices). */
type LaneType = ScalarType | 'i64';

/** The lane lowering's context, built by lane-group.ts for one group (values fixed for the group). */
export interface LaneEnv {
  readonly W: number;
  readonly ir: KernelIR;
  readonly low: KernelLowerer<Thread>;
  /** The thread lane-uniform code is lowered for (lane 0). */
  readonly thread: Thread;
  readonly uni: LaneUniformity;
  readonly boundscheck: boolean;
  /** threadIdx.x of each lane. */
  readonly tx: Value[];
  /** Linear thread id of each lane (consecutive). */
  readonly tid: Value[];
  /** Storage of local `id` for lane `lane` (its private alloca or its per-thread slot). */
  laneLocalPtr(id: number, lane: number): Value;
  /** The <W x T> storage of a private numeric local (its lanes are laneLocalPtr's slots), if it has one. */
  laneVectorPtr?(id: number): Value | undefined;
  /** Storage lane-uniform locals use (shared by all lanes), or per-lane slots to fill when per-thread. */
  uniformLocalPtrs(id: number): Value[];
  elementPtr(ref: ArrayRef, index64: Value): Value;
  arrayLength(ref: ArrayRef): Value;
  /** Reports an out-of-bounds access of `lane` and leaves the kernel (terminates the block). */
  boundsFail(ref: ArrayRef, index: Value, lane: Value, loc: Loc | undefined, unsigned?: boolean): void;
  /** `thread` whose out-of-bounds reports name `lane` (lane-uniform code run for the first active lane). */
  laneThread(lane: Value): Thread;
  /** Atomic read-modify-write of one lane (lowered like the scalar path). */
  atomic(e: Expr & { kind: 'atomic' }, index: Value, value: Value, expected: Value | undefined): Value;
  /** The stoppable variant: poll for a stop request at a loop back-edge (may leave the kernel; continues in a fresh block). */
  poll?(): void;
  /** Where lanes go when they `break`/`continue` a block-level loop around the region (sets its flag). */
  outerLoopExit?(kind: 'brk' | 'cont'): void;
  /** Called for lanes that `return` (exited bookkeeping across barriers); receives the retiring mask. */
  onReturn?(mask: Value[]): void;
  /** The end of the group's pass through the region (taken when no lane is left). */
  readonly groupEnd: BasicBlock;
  /** Locals that are lane-linear in this region (value in lane l = lane 0's + l); see linearLocals(). */
  readonly linearLocals: ReadonlySet<number>;
  /** Locals that always hold threadIdx.x. */
  readonly txAliases: ReadonlySet<number>;
  /** Is the local private to this region (not kept per thread)? */
  isPrivate(id: number): boolean;
  /** Runs the group's threads one by one through the scalar region code, then goes to groupEnd. */
  scalarGroup?(): void;
  /** Each thread of the group runs `rest` (the tail of the region) on its own, from its lane's state; then groupEnd. */
  scalarFinish?(rest: readonly Stmt[]): void;
}

/**
 * Shape of an expression across the lanes of a group: 'u' the same in every
 * lane, 'lin' lane 0's value + lane (threadIdx.x, cuda.grid(1), i + stride),
 * 'v' anything else. `linear` says which locals are lane-linear.
 */
export function laneShape(x: Expr, isUniform: (e: Expr) => boolean, linear: ReadonlySet<number>): 'u' | 'lin' | 'v' {
  if (isUniform(x)) return 'u';
  const int = x.type === 'i32' || x.type === 'u32';
  if (!int) return 'v';
  switch (x.kind) {
    case 'special': return 'lin'; // threadIdx.x (the rest is uniform)
    case 'local': return linear.has(x.id) ? 'lin' : 'v';
    case 'convert': return (x.x.type === 'i32' || x.x.type === 'u32') && laneShape(x.x, isUniform, linear) === 'lin' ? 'lin' : 'v';
    case 'binary': {
      if (x.op !== 'add' && x.op !== 'sub') return 'v';
      const a = laneShape(x.a, isUniform, linear), c = laneShape(x.b, isUniform, linear);
      if (a === 'lin' && c === 'u') return 'lin';
      if (x.op === 'add' && a === 'u' && c === 'lin') return 'lin';
      return 'v';
    }
    default: return 'v';
  }
}

/**
 * Locals assigned only lane-linear values, never under lane-varying control
 * (a masked assignment would break the pattern) other than around their scope:
 * stored once, as lane 0's value.
 * Only locals assigned in `within` and `allowed` are candidates, and a value is
 * lane-linear only through candidates and the `known` lane-linear locals: the
 * lowering holds exactly these as lane 0's value, so an assignment judged
 * lane-linear here always gets a lane-linear value there.
 */
export function linearLocals(ir: KernelIR, uni: { isUniform(e: Expr): boolean; uniformLocals: ReadonlySet<number>; varyingLoops: ReadonlySet<Stmt> }, within: readonly Stmt[] = ir.body, known: ReadonlySet<number> = new Set(), allowed: (id: number) => boolean = () => true): Set<number> {
  const assigned = new Set<number>();
  forEachStmt(within as Stmt[], (s) => { if (s.kind === 'assign') assigned.add(s.local); });
  const cand = new Set(ir.locals.filter((l) => (l.type === 'i32' || l.type === 'u32') && !uni.uniformLocals.has(l.id) && !known.has(l.id) && assigned.has(l.id) && allowed(l.id)).map((l) => l.id));
  // A local with a scope (core's localScopes) may be assigned under varying
  // control outside it: lanes that skip the scope never read it. (Not a scope
  // of `within` made up here from a loop's body and update.)
  const scopes = localScopes(within);
  if (within !== ir.body) for (const [id, l] of scopes) if (l === within) scopes.delete(id);
  const entry = new Map<readonly Stmt[], number>();
  let changed = true;
  const visit = (stmts: readonly Stmt[], varying: number, all: Set<number>): void => {
    entry.set(stmts, varying);
    for (const s of stmts) {
      if (s.kind === 'assign') {
        const scope = scopes.get(s.local);
        const varyingCtl = varying > (scope ? entry.get(scope)! : 0);
        if (cand.has(s.local) && (varyingCtl || laneShape(s.value, uni.isUniform, all) !== 'lin')) { cand.delete(s.local); changed = true; }
      } else if (s.kind === 'if') {
        const v = varying + (uni.isUniform(s.cond) ? 0 : 1);
        visit(s.then, v, all); visit(s.else, v, all);
      } else if (s.kind === 'loop') {
        const v = varying + (uni.varyingLoops.has(s) ? 1 : 0);
        visit(s.body, v, all); visit(s.update, v, all);
      }
    }
  };
  while (changed) {
    changed = false;
    visit(within, 0, new Set([...cand, ...known]));
  }
  return cand;
}

/** Does the code read or write arrays (`writesOnly`: write them; loads have no side effects)? */
function touchesMemory(stmts: readonly Stmt[], writesOnly = false): boolean {
  let mem = false;
  forEachStmt(stmts as Stmt[], (s) => {
    if (s.kind === 'store') mem = true;
    for (const x of stmtExprs(s)) forEachExpr(x, (y) => { if ((y.kind === 'load' && !writesOnly) || y.kind === 'atomic') mem = true; });
  });
  return mem;
}

/** Can `s` retire lanes from the region (a return, or a break/continue of a loop around the region)? */
export function mayRetire(s: Stmt, depth = 0): boolean {
  switch (s.kind) {
    case 'return': return true;
    case 'break': case 'continue': return depth === 0;
    case 'if': return s.then.some((x) => mayRetire(x, depth)) || s.else.some((x) => mayRetire(x, depth));
    case 'loop': return s.body.some((x) => mayRetire(x, depth + 1)) || s.update.some((x) => mayRetire(x, depth + 1));
    default: return false;
  }
}

interface LoopMasks {
  /** Lanes that have not left the loop (alloca per lane), when the loop is varying. */
  active?: Value[];
  /** Lanes that have not `continue`d in this iteration. */
  iter?: Value[];
  /** Uniform loop: real branches. */
  brk?: BasicBlock;
  cont?: BasicBlock;
  /** A block-level loop around the region (break/continue set its flags). */
  outer?: boolean;
}

export class LaneLowerer {
  private readonly b: LLVMNS.IRBuilder;
  /** Lanes still running the region (cleared by return / outer break / continue). */
  private alive?: Value[];
  private readonly loops: LoopMasks[] = [];
  /** Masks of enclosing varying ifs and masked sub-expressions (SSA values). */
  private readonly conds: Value[][] = [];
  private dummy?: Value;
  /**
   * Set while lowering a copy of code that runs only when every lane is
   * active (checked at run time): lane masks from before that point are all
   * true there, so only conditions pushed since (index into `conds`) count.
   */
  private fastFrom?: { conds: number; loops: number };

  /**
   * Construct at the start of each group's code: the lane mask is (re)set here.
   * `initialMask`: lanes that run at all (threads that returned before an earlier barrier do not).
   */
  constructor(private readonly env: LaneEnv, private readonly entryAlloca: (t: LLVMNS.Type, name: string) => Value, needAlive: boolean, initialMask?: Value[]) {
    this.b = env.low.b;
    const low = env.low;
    this.vt = laneVectorTypes(low.llvm, low.ctx, env.W);
    this.ve = new VectorEmitter(low.llvm, low.ctx, low.module, low.b, this.vt);
    if (initialMask || needAlive) {
      this.alive = this.maskAllocas('alive');
      this.alive.forEach((a, i) => this.b.CreateStore(initialMask ? initialMask[i] : this.e.bool(true), a));
    }
  }

  private get e() { return this.env.low.e; }
  private get W() { return this.env.W; }
  private readonly vt: LaneVectorTypes;
  /** emit.ts's JS semantics on <W x T> values. */
  private readonly ve: VectorEmitter;

  // ---- vectors ----

  /** The vector type of a scalar type. */
  private vty(t: LaneType): LLVMNS.Type {
    return t === 'i64' ? this.vt.i64 : this.ve.scalar(t);
  }

  /** The scalar (lane) type. */
  private sty(t: LaneType): LLVMNS.Type {
    return t === 'i64' ? this.e.i64 : this.e.scalar(t);
  }

  private readonly scratch = new Map<LaneType, Value>();
  /** The failing indices of an out-of-bounds report (checkVec). */
  private oobIndices?: Value;

  /** A scratch <W x T> alloca (SROA turns its element accesses into insert/extractelement). */
  private scratchOf(t: LaneType): { vec: Value; lane: (l: number) => Value } {
    const k: LaneType = t === 'u32' ? 'i32' : t;
    let vec = this.scratch.get(k);
    if (!vec) this.scratch.set(k, (vec = this.entryAlloca(this.vty(k), `lanes.${k}`)));
    const et = this.sty(k), b = this.b;
    const base = b.CreateBitCast(vec, this.e.ptr(et));
    return { vec, lane: (l) => (l ? b.CreateGEP(et, base, this.e.i64c(l)) : base) };
  }

  private intW(): LLVMNS.Type {
    return this.env.low.llvm.IntegerType.get(this.env.low.ctx, this.W);
  }

  /** The lanes of a vector. */
  private toLanes(v: Value, t: LaneType): Value[] {
    const b = this.b, e = this.e;
    if (t === 'bool') {
      // <W x i1> is bit-packed: lane l is bit l of the W-bit integer
      const iw = this.intW(), bits = b.CreateBitCast(v, iw);
      return Array.from({ length: this.W }, (_, l) => b.CreateTrunc(l ? b.CreateLShr(bits, e.int(l, iw)) : bits, e.i1));
    }
    const s = this.scratchOf(t);
    b.CreateStore(v, s.vec);
    return Array.from({ length: this.W }, (_, l) => b.CreateLoad(this.sty(t), s.lane(l)));
  }

  /** A vector of the lanes' scalars. */
  private fromLanes(ls: Value[], t: ScalarType): Value {
    const b = this.b, e = this.e;
    if (t === 'bool') {
      const iw = this.intW();
      let acc = b.CreateZExt(ls[0], iw);
      for (let l = 1; l < this.W; l++) acc = b.CreateOr(acc, b.CreateShl(b.CreateZExt(ls[l], iw), e.int(l, iw)));
      return b.CreateBitCast(acc, this.vt.i1);
    }
    const s = this.scratchOf(t);
    ls.forEach((x, l) => b.CreateStore(x, s.lane(l)));
    return b.CreateLoad(this.vty(t), s.vec);
  }

  /** `v` as a <W x T> vector (`t`: its IR type). */
  private vecOf(v: LV, t: ScalarType): Value {
    if ('v' in v) return v.v;
    if ('u' in v && v.c !== undefined) return this.ve.constant(t, v.c);
    return this.fromLanes(this.lanesOf(v), t);
  }

  /** A <W x i1> of a mask (all true when undefined). */
  private maskVec(m: Value[] | undefined): Value {
    return m ? this.fromLanes(m, 'bool') : this.ve.bool(true);
  }

  // ---- masks ----

  private maskAllocas(name: string): Value[] {
    return Array.from({ length: this.W }, (_, i) => this.entryAlloca(this.e.i1, `${name}.${i}`));
  }

  /** undefined when every lane is active here (statically known). */
  private mask(): Value[] | undefined {
    const b = this.b, e = this.e;
    const parts: Value[][] = [];
    if (this.fastFrom !== undefined) {
      for (const l of this.loops.slice(this.fastFrom.loops)) {
        if (l.active) parts.push(l.active.map((a) => b.CreateLoad(e.i1, a)));
        if (l.iter) parts.push(l.iter.map((a) => b.CreateLoad(e.i1, a)));
      }
      parts.push(...this.conds.slice(this.fastFrom.conds));
    } else {
      if (this.alive) parts.push(this.alive.map((a) => b.CreateLoad(e.i1, a)));
      for (const l of this.loops) {
        if (l.active) parts.push(l.active.map((a) => b.CreateLoad(e.i1, a)));
        if (l.iter) parts.push(l.iter.map((a) => b.CreateLoad(e.i1, a)));
      }
      parts.push(...this.conds);
    }
    if (!parts.length) return undefined;
    return parts.reduce((acc, p) => acc.map((v, i) => b.CreateAnd(v, p[i])));
  }

  // (Measured: i1 and/or chains beat a lane count (zext + add) both for the
  // Monte Carlo loop and the reduction.)
  private any(m: Value[]): Value {
    return m.reduce((a, v) => this.b.CreateOr(a, v));
  }

  private all(m: Value[]): Value {
    return m.reduce((a, v) => this.b.CreateAnd(a, v));
  }

  /**
   * Lowers `body` twice: a copy for when every lane of `m` is active (plain,
   * unmasked memory accesses that SLP turns into vector loads and stores) and
   * the masked copy. Only for code that cannot retire lanes.
   */
  private versioned(m: Value[] | undefined, body: () => void): void {
    if (!m) { body(); return; }
    const b = this.b, low = this.env.low;
    const fast = low.block('lanes.all'), slow = low.block('lanes.some'), join = low.block('lanes.merge');
    b.CreateCondBr(this.all(m), fast, slow);
    b.SetInsertPoint(fast);
    this.fast(body);
    low.jump(join);
    b.SetInsertPoint(slow);
    // The masked copy runs for partial groups only: keep it small (no fast copies of its loops).
    this.slowNesting++;
    try { body(); } finally { this.slowNesting--; }
    low.jump(join);
    b.SetInsertPoint(join);
  }

  private slowNesting = 0;

  private fastNesting = 0;
  private fastDepth(): number { return this.fastNesting; }

  /** Lowers `body` knowing every lane active at this point is... every lane (see fastFrom). */
  private fast(body: () => void): void {
    const saved = this.fastFrom;
    this.fastFrom = { conds: this.conds.length, loops: this.loops.length };
    this.fastNesting++;
    try { body(); } finally { this.fastFrom = saved; this.fastNesting--; }
  }

  /** Runs `body` only when some lane of `m` is active. */
  private ifAny(m: Value[] | undefined, body: () => void): void {
    if (!m) { body(); return; }
    const b = this.b, low = this.env.low;
    const run = low.block('lanes.any'), join = low.block('lanes.join');
    b.CreateCondBr(this.any(m), run, join);
    b.SetInsertPoint(run);
    body();
    low.jump(join);
    b.SetInsertPoint(join);
  }

  private withCond<T>(m: Value[], f: () => T): T {
    this.conds.push(m);
    try { return f(); } finally { this.conds.pop(); }
  }

  private lanesOf(v: LV): Value[] {
    if ('u' in v) return new Array(this.W).fill(v.u);
    if ('l' in v) return v.l;
    if ('v' in v) return this.toLanes(v.v, v.t);
    const base = v.lin, llvm = this.env.low.llvm;
    return Array.from({ length: this.W }, (_, l) => (l ? this.b.CreateAdd(base, llvm.ConstantInt.get(base.getType(), l, false)) : base));
  }

  /** Locals held as lane 0's value while lowering a fast loop copy (see varyingLoop). */
  private dynLinear = new Map<number, Value>();

  /** Storage of a lane-linear local's lane-0 value, or undefined. */
  private linearSlot(id: number): Value | undefined {
    return this.dynLinear.get(id) ?? (this.env.linearLocals.has(id) ? this.env.laneLocalPtr(id, 0) : undefined);
  }

  private dummyPtr(t: LLVMNS.Type): Value {
    const e = this.e;
    this.dummy ??= this.entryAlloca(e.f64, 'lane.dummy');
    return this.b.CreateBitCast(this.dummy, e.ptr(t));
  }

  // ---- statements ----

  /** The region's statements (top level): after a guard like `if (i >= n) return`, the rest runs unmasked when no lane left. */
  region(list: readonly Stmt[]): void {
    const k = list.findIndex((x) => x.kind === 'loop' && this.env.uni.varyingLoops.has(x));
    if (!this.alive && this.env.scalarFinish && k >= 0 && !list.some((x) => mayRetire(x))) {
      const loop = list[k] as Stmt & { kind: 'loop' };
      let pure = true;
      forEachExpr(loop.cond ?? { kind: 'const', value: true, type: 'bool' }, (y) => { if (y.kind === 'atomic') pure = false; });
      if (pure && this.fastable(loop)) {
        // A loop whose trip count varies by thread (a grid-stride loop): lockstep
        // while every lane is inside; when the lanes leave it together the rest
        // stays in lockstep, otherwise each thread finishes on its own — far
        // less code than a masked copy, and the loop condition has no side
        // effects, so testing it again is harmless.
        this.stmts(list.slice(0, k));
        if (this.env.low.terminated()) return;
        const finish = this.env.scalarFinish;
        this.varyingLoop(loop, () => finish(list.slice(k)));
        this.stmts(list.slice(k + 1));
        return;
      }
    }
    if (this.alive && !list.some((x) => mayRetire(x))) {
      // A full group (the usual case) runs an unmasked copy.
      this.versioned(this.mask(), () => this.stmts(list));
      return;
    }
    const r = list.findIndex((x) => mayRetire(x));
    const prefix = list.slice(0, r + 1), rest = list.slice(r + 1);
    if (r >= 0 && this.env.scalarGroup && rest.length && !rest.some((x) => mayRetire(x)) && !touchesMemory(prefix, true)) {
      // A guard such as `if (i >= n) return` first: when every lane passes it,
      // the rest runs unmasked; otherwise the group's threads rerun the region
      // one by one (the guard has no side effects), which is far less code for
      // LLVM than a masked copy of the rest.
      this.stmts(prefix);
      if (this.env.low.terminated()) return;
      const b = this.b, low = this.env.low;
      const fast = low.block('lanes.allpass'), scalar = low.block('lanes.scalar');
      b.CreateCondBr(this.all(this.mask()!), fast, scalar);
      b.SetInsertPoint(fast);
      this.fast(() => this.stmts(rest));
      low.jump(this.env.groupEnd);
      b.SetInsertPoint(scalar);
      this.env.scalarGroup();
      return;
    }
    this.stmts(list, 2);
  }

  stmts(list: readonly Stmt[], versions = 0): void {
    const b = this.b, e = this.e, low = this.env.low;
    for (let k = 0; k < list.length; k++) {
      const s = list[k];
      if (low.terminated()) return;
      this.stmt(s);
      if (this.alive && !low.terminated() && mayRetire(s)) {
        // Every lane gone: nothing after this may run (not even a uniform access).
        const go = low.block('lanes.alive');
        const alive = this.alive.map((a) => b.CreateLoad(e.i1, a));
        b.CreateCondBr(this.any(alive), go, this.env.groupEnd);
        b.SetInsertPoint(go);
        const rest = list.slice(k + 1);
        if (versions > 0 && rest.length && !rest.some((x) => mayRetire(x))) {
          this.versioned(this.mask(), () => this.stmts(rest, versions - 1));
          return;
        }
      }
    }
  }

  private stmt(s: Stmt): void {
    const b = this.b, e = this.e, env = this.env, low = env.low;
    switch (s.kind) {
      case 'assign': {
        const local = env.ir.locals.find((l) => l.id === s.local)!;
        const v = this.expr(s.value);
        const conv = (x: Value): Value => (local.type !== s.value.type ? e.convert(x, s.value.type, local.type) : x);
        if (env.uni.uniformLocals.has(s.local)) {
          const u = conv('u' in v ? v.u : this.lanesOf(v)[0]);
          for (const p of env.uniformLocalPtrs(s.local)) b.CreateStore(u, p);
          return;
        }
        const slot = this.linearSlot(s.local);
        if (slot) {
          if (!('lin' in v)) throw new Error('numbat internal error: a lane-linear local got a non-linear value');
          b.CreateStore(v.lin, slot);
          if (!this.dynLinear.has(s.local) && !env.isPrivate(s.local)) {
            // per-thread storage: other regions read every thread's slot
            this.lanesOf(v).forEach((x, i) => { if (i) b.CreateStore(x, env.laneLocalPtr(s.local, i)); });
          }
          return;
        }
        const m = this.mask();
        const vp = env.laneVectorPtr?.(s.local);
        if (vp) {
          // the whole vector; lanes outside the mask keep their value
          const vv = this.vecOf(v, s.value.type);
          const nv = local.type !== s.value.type ? this.ve.convert(vv, s.value.type, local.type) : vv;
          const vt = this.vty(local.type);
          b.CreateStore(m ? b.CreateSelect(this.maskVec(m), nv, b.CreateLoad(vt, vp)) : nv, vp);
          return;
        }
        this.lanesOf(v).forEach((x, i) => {
          const p = env.laneLocalPtr(s.local, i);
          const nv = conv(x);
          b.CreateStore(m ? b.CreateSelect(m[i], nv, b.CreateLoad(e.scalar(local.type), p)) : nv, p);
        });
        return;
      }
      case 'store': {
        const elem = low.elemOf(s.array);
        const idx = this.index(s.array, s.index, s.loc);
        const v = this.expr(s.value);
        const m = this.mask();
        const narrow = (x: Value): Value => (elem === 'i8' || elem === 'u8' || elem === 'i16' || elem === 'u16' ? b.CreateTrunc(x, e.elem(elem)) : x);
        if ('u' in idx && 'u' in v && !m) { b.CreateStore(narrow(v.u), env.elementPtr(s.array, idx.u)); return; }
        if (!m && 'lin' in idx) {
          // consecutive elements: one vector store
          const vv = this.vecOf(v, s.value.type);
          const nv = elem === 'i8' || elem === 'u8' || elem === 'i16' || elem === 'u16' ? b.CreateTrunc(vv, this.ve.elem(elem)) : vv;
          this.maskedStore(elem, nv, env.elementPtr(s.array, idx.lin), this.ve.bool(true));
          return;
        }
        const vs = this.lanesOf(v);
        const is = this.lanesOf(idx);
        // Lane order = thread order: with equal indices, the last active lane's value stays.
        for (let i = 0; i < this.W; i++) {
          const p = env.elementPtr(s.array, is[i]);
          b.CreateStore(narrow(vs[i]), m ? b.CreateSelect(m[i], p, this.dummyPtr(e.elem(elem))) : p);
        }
        return;
      }
      case 'expr': this.expr(s.expr); return;
      case 'if': {
        if (env.uni.isUniform(s.cond)) {
          const c = this.uniformExpr(s.cond);
          const t = low.block('lif.then'), f = low.block('lif.else'), join = low.block('lif.end');
          b.CreateCondBr(c, t, f);
          b.SetInsertPoint(t); this.stmts(s.then); low.jump(join);
          b.SetInsertPoint(f); this.stmts(s.else); low.jump(join);
          b.SetInsertPoint(join);
          return;
        }
        const c = this.lanesOf(this.expr(s.cond));
        const m = this.mask() ?? new Array(this.W).fill(e.bool(true));
        const mt = c.map((x, i) => b.CreateAnd(m[i], x));
        const mf = c.map((x, i) => b.CreateAnd(m[i], b.CreateXor(x, e.bool(true))));
        if (this.fastDepth() < 2 && this.slowNesting === 0 && !s.then.some((x) => mayRetire(x)) && touchesMemory(s.then)) {
          // All lanes take it (the usual case away from edges): an unmasked copy,
          // whose memory accesses vectorise. (Not for register-only bodies such as
          // `if (inside) count++`: there a data-dependent branch costs more than the blend.)
          const all = low.block('vif.all'), some = low.block('vif.some'), join = low.block('vif.end');
          b.CreateCondBr(this.all(mt), all, some);
          b.SetInsertPoint(all);
          this.fast(() => this.stmts(s.then));
          low.jump(join);
          b.SetInsertPoint(some);
          this.slowNesting++;
          try { this.withCond(c, () => this.ifAny(mt, () => this.stmts(s.then))); } finally { this.slowNesting--; }
          low.jump(join);
          b.SetInsertPoint(join);
        } else {
          this.withCond(c, () => this.ifAny(mt, () => this.stmts(s.then)));
        }
        if (s.else.length) {
          const nc = c.map((x) => b.CreateXor(x, e.bool(true)));
          this.withCond(nc, () => this.ifAny(mf, () => this.stmts(s.else)));
        }
        return;
      }
      case 'loop': return env.uni.varyingLoops.has(s) ? this.varyingLoop(s) : this.uniformLoop(s);
      case 'break': case 'continue': return this.exitLoop(s.kind);
      case 'return': {
        const m = this.mask();
        if (!this.alive) throw new Error('numbat internal error: lane return without an alive mask');
        const retiring = m ?? new Array(this.W).fill(e.bool(true));
        env.onReturn?.(retiring);
        retiring.forEach((r, i) => b.CreateStore(b.CreateAnd(b.CreateLoad(e.i1, this.alive![i]), b.CreateXor(r, e.bool(true))), this.alive![i]));
        return;
      }
      case 'barrier': throw new Error('numbat internal error: a barrier inside a lane region');
      case 'fence': this.env.low.e.call(`numbat_fence_${s.scope}`, this.env.low.e.void, []); return; // one fence orders every lane's accesses
    }
  }

  private uniformLoop(s: Stmt & { kind: 'loop' }): void {
    const b = this.b, low = this.env.low;
    const head = low.block('lloop'), body = low.block('lloop.body'), latch = low.block('lloop.latch'), exit = low.block('lloop.end');
    b.CreateBr(head);
    b.SetInsertPoint(head);
    if (s.cond) b.CreateCondBr(this.uniformExpr(s.cond), body, exit); else b.CreateBr(body);
    b.SetInsertPoint(body);
    this.loops.push({ brk: exit, cont: latch });
    this.stmts(s.body);
    low.jump(latch);
    b.SetInsertPoint(latch);
    this.stmts(s.update);
    this.loops.pop();
    if (!low.terminated()) this.env.poll?.();
    low.jump(head);
    b.SetInsertPoint(exit);
  }

  /** Can this varying loop take the fast path (see varyingLoop)? */
  private fastable(s: Stmt & { kind: 'loop' }): boolean {
    const retires = s.body.some((x) => mayRetire(x)) || s.update.some((x) => mayRetire(x));
    return !retires && s.cond !== undefined && this.fastDepth() < 2 && this.slowNesting === 0;
  }

  /**
   * `finish`: instead of a masked copy of the loop, once not every lane is in
   * the loop each thread of the group finishes the loop (and whatever follows)
   * on its own; it must end the block. Only for a fastable loop.
   */
  private varyingLoop(s: Stmt & { kind: 'loop' }, finish?: () => void): void {
    const b = this.b, e = this.e, low = this.env.low;
    const entryMask = this.mask();
    const active = this.maskAllocas('loop.active'), iter = this.maskAllocas('loop.iter');
    active.forEach((a, i) => b.CreateStore(entryMask ? entryMask[i] : e.bool(true), a));
    const head = low.block('vloop'), body = low.block('vloop.body'), latch = low.block('vloop.latch'), exit = low.block('vloop.end');
    b.CreateBr(head);
    b.SetInsertPoint(head);
    const frame: LoopMasks = { active };
    this.loops.push(frame);
    iter.forEach((a) => b.CreateStore(e.bool(true), a));
    if (s.cond) {
      const c = this.lanesOf(this.expr(s.cond));
      active.forEach((a, i) => b.CreateStore(b.CreateAnd(b.CreateLoad(e.i1, a), c[i]), a));
    }
    const still = this.mask()!;
    b.CreateCondBr(this.any(still), body, exit);
    b.SetInsertPoint(body);
    if (this.fastable(s)) {
      // While every lane is still in the loop (all but the last trips), a tight
      // unmasked loop runs; it hands over to the masked copy once some lane is done.
      // Locals that step in lockstep (i += stride from i = cuda.grid(1)) are
      // held as lane 0's value there, so their accesses are consecutive.
      const known = new Set([...this.env.linearLocals, ...this.dynLinear.keys()]);
      const cands = [...linearLocals(this.env.ir, this.env.uni, [...s.body, ...s.update], known)];
      const t = e.i32;
      const vals = cands.map((id) => Array.from({ length: this.W }, (_, l) => b.CreateLoad(t, this.env.laneLocalPtr(id, l))));
      let enter = this.all(still);
      for (const v of vals) enter = b.CreateAnd(enter, this.consecutive(v));
      const pre = low.block('vloop.enter'), fast = low.block('vloop.all'), fastOut = low.block('vloop.partial'), slow = low.block('vloop.some');
      b.CreateCondBr(enter, pre, slow);
      b.SetInsertPoint(pre);
      const slots = cands.map((id, k) => {
        const a = this.entryAlloca(t, `lin.${id}`);
        b.CreateStore(vals[k][0], a);
        return a;
      });
      b.CreateBr(fast);
      b.SetInsertPoint(fast);
      this.env.poll?.(); // each turn of the tight loop
      // The tight loop runs two trips per turn (SLP then sees enough work per
      // block to pack the lanes' arithmetic, accumulations included).
      const conds = Array.from({ length: this.W }, (_, i) => this.entryAlloca(e.i1, `vloop.again.${i}`));
      let ended = false;
      const saved = new Map(this.dynLinear);
      cands.forEach((id, k) => this.dynLinear.set(id, slots[k]));
      this.fast(() => {
        for (let trip = 0; trip < 2 && !ended; trip++) {
          this.stmts(s.body);
          if (!low.terminated()) this.stmts(s.update);
          if (low.terminated()) { ended = true; break; }
          const c = this.expr(s.cond!);
          const lanes = this.lanesOf(c);
          lanes.forEach((v, i) => b.CreateStore(v, conds[i]));
          const next = trip === 0 ? low.block('vloop.all2') : fast;
          b.CreateCondBr(('l' in c ? c.all : undefined) ?? this.all(lanes), next, fastOut);
          if (trip === 0) b.SetInsertPoint(next);
        }
      });
      this.dynLinear = saved;
      if (!ended) {
        b.SetInsertPoint(fastOut);
        const c = conds.map((a) => b.CreateLoad(e.i1, a));
        // back to one value per lane
        cands.forEach((id, k) => {
          const base = b.CreateLoad(t, slots[k]);
          for (let l = 0; l < this.W; l++) b.CreateStore(l ? b.CreateAdd(base, e.int(l)) : base, this.env.laneLocalPtr(id, l));
        });
        active.forEach((a, i) => b.CreateStore(c[i], a));
        iter.forEach((a) => b.CreateStore(e.bool(true), a));
        b.CreateCondBr(this.any(c), slow, exit);
      }
      b.SetInsertPoint(slow);
      if (finish) {
        finish();
        this.loops.pop();
        b.SetInsertPoint(latch);
        b.CreateUnreachable();
        b.SetInsertPoint(exit); // every lane left the loop together: the rest stays in lockstep
        return;
      }
    }
    frame.iter = iter;
    this.stmts(s.body);
    frame.iter = undefined; // continue'd lanes run the update
    low.jump(latch);
    b.SetInsertPoint(latch);
    this.stmts(s.update);
    if (!low.terminated()) this.env.poll?.();
    low.jump(head);
    this.loops.pop();
    b.SetInsertPoint(exit);
  }

  private exitLoop(kind: 'break' | 'continue'): void {
    const b = this.b, e = this.e;
    const loop = this.loops[this.loops.length - 1];
    if (!loop) {
      // break/continue of a block-level (barrier) loop: the lanes leave the region; the flag acts for the block.
      if (!this.env.outerLoopExit) throw new Error('numbat internal error: break outside a loop');
      this.env.outerLoopExit(kind === 'break' ? 'brk' : 'cont');
      const m = this.mask() ?? new Array(this.W).fill(e.bool(true));
      if (!this.alive) throw new Error('numbat internal error: outer loop exit without an alive mask');
      m.forEach((r, i) => b.CreateStore(b.CreateAnd(b.CreateLoad(e.i1, this.alive![i]), b.CreateXor(r, e.bool(true))), this.alive![i]));
      return;
    }
    if (loop.brk) {
      // uniform loop: every active lane takes it together
      b.CreateBr(kind === 'break' ? loop.brk : loop.cont!);
      return;
    }
    const m = this.mask()!;
    const target = kind === 'break' ? loop.active! : loop.iter!;
    m.forEach((r, i) => b.CreateStore(b.CreateAnd(b.CreateLoad(e.i1, target[i]), b.CreateXor(r, e.bool(true))), target[i]));
  }

  // ---- expressions ----

  expr(x: Expr): LV {
    const env = this.env, low = env.low, b = this.b, e = this.e;
    if (env.uni.isUniform(x)) return x.kind === 'const' ? { u: low.expr(x, env.thread), c: x.value } : { u: this.uniformExpr(x) };
    const ve = this.ve;
    /** One vector operation for all lanes (`ts`: the operands' IR types). */
    const vmap = (vs: LV[], ts: ScalarType[], f: (...a: Value[]) => Value): LV => ({ v: f(...vs.map((v, i) => this.vecOf(v, ts[i]))), t: x.type });
    switch (x.kind) {
      case 'local': {
        const t = e.scalar(x.type);
        if (env.txAliases.has(x.id)) return { lin: env.tx[0] }; // always threadIdx.x
        const slot = this.linearSlot(x.id);
        if (slot) return { lin: b.CreateLoad(t, slot) };
        const vp = env.laneVectorPtr?.(x.id);
        if (vp) return { v: b.CreateLoad(this.vty(x.type), vp), t: x.type };
        return { l: Array.from({ length: this.W }, (_, i) => b.CreateLoad(t, env.laneLocalPtr(x.id, i))) };
      }
      case 'special': return { lin: env.tx[0] }; // threadIdx.x (everything else is uniform)
      case 'unary': return vmap([this.expr(x.x)], [x.x.type], (a) => ve.unary(x.op, x.type, a));
      case 'binary': {
        const a = this.expr(x.a), c = this.expr(x.b);
        if ('lin' in a && 'u' in c && (x.op === 'lt' || x.op === 'le' || x.op === 'gt' || x.op === 'ge') && (x.opType === 'i32' || x.opType === 'u32')) {
          // `i < n` on lane-linear i (a loop condition): all lanes at once from
          // the first and last lane, when no lane wraps around 2^32.
          const l = this.lanesOf(a).map((v) => e.binary(x.op, x.opType, v, c.u));
          const signed = x.opType === 'i32';
          const lastOk = b.CreateAdd(a.lin, e.int(this.W - 1));
          const noWrap = signed ? b.CreateICmpSLE(a.lin, e.int(2147483647 - (this.W - 1))) : b.CreateICmpULE(a.lin, e.int(-this.W));
          const probe = x.op === 'lt' || x.op === 'le' ? lastOk : a.lin;
          return { l, all: b.CreateAnd(noWrap, e.binary(x.op, x.opType, probe, c.u)) };
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
      case 'math': {
        const args = x.args.map((a) => this.expr(a));
        const vs = args.map((a, i) => this.vecOf(a, x.args[i].type));
        const r = this.vectorMath(x.fn, x.type, vs);
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
        const a = this.lanesOf(this.expr(x.a));
        const need = x.op === 'and' ? a : a.map((v) => b.CreateXor(v, e.bool(true)));
        const rhs = this.maskedEval(need, x.b, e.i1);
        return { l: a.map((v, i) => (x.op === 'and' ? b.CreateAnd(v, rhs[i]) : b.CreateOr(v, rhs[i]))) };
      }
      case 'cond': {
        const cv = this.expr(x.c);
        const c = this.lanesOf(cv);
        if (cheapAndSafe(x.a) && cheapAndSafe(x.b)) {
          // Arms that cannot fail and cost a few operations (the draws' position
          // bookkeeping): both for every lane and a select, no branch per arm.
          const av = this.expr(x.a), bv = this.expr(x.b);
          if (x.type !== 'bool') return { v: b.CreateSelect(this.vecOf(cv, 'bool'), this.vecOf(av, x.type), this.vecOf(bv, x.type)), t: x.type };
          const al = this.lanesOf(av), bl = this.lanesOf(bv);
          return { l: c.map((v, i) => b.CreateSelect(v, al[i], bl[i])) };
        }
        if (x.type !== 'bool') {
          const av = this.maskedEvalVec(c, x.a, x.type);
          const bv = this.maskedEvalVec(c.map((v) => b.CreateXor(v, e.bool(true))), x.b, x.type);
          return { v: b.CreateSelect(this.vecOf(cv, 'bool'), av, bv), t: x.type };
        }
        const t = e.scalar(x.type);
        const av = this.maskedEval(c, x.a, t);
        const bv = this.maskedEval(c.map((v) => b.CreateXor(v, e.bool(true))), x.b, t);
        return { l: c.map((v, i) => b.CreateSelect(v, av[i], bv[i])) };
      }
      case 'select': {
        const c = this.expr(x.c), a = this.expr(x.a), o = this.expr(x.b);
        if (x.type === 'bool') {
          const cl = this.lanesOf(c), al = this.lanesOf(a), ol = this.lanesOf(o);
          return { l: cl.map((v, i) => b.CreateSelect(v, al[i], ol[i])) };
        }
        return vmap([c, a, o], ['bool', x.type, x.type], (p, q, r) => b.CreateSelect(p, q, r));
      }
      case 'load': {
        const elem = low.elemOf(x.array);
        const idx = this.index(x.array, x.index, x.loc);
        const m = this.mask();
        const et = e.elem(elem);
        if (!m && 'lin' in idx) {
          // consecutive elements: one vector load
          const v = this.maskedLoad(elem, env.elementPtr(x.array, idx.lin), this.ve.bool(true));
          return { v: widen(b, ve, elem, v), t: x.type };
        }
        if ('v' in idx && x.array.space !== 'local') {
          // per-lane elements: one gather (lanes outside the mask are not read)
          const vty = ve.elem(elem), name = `v${this.W}${vecSuffix(elem)}`;
          const ptrs = env.elementPtr(x.array, idx.v);
          const v = ve.call(`llvm.masked.gather.${name}.v${this.W}p0${vecSuffix(elem)}`, vty, [ptrs, e.int(elemBytes(elem)), this.maskVec(m), this.llvmZero(vty)]);
          return { v: widen(b, ve, elem, v), t: x.type };
        }
        const is = this.lanesOf(idx);
        return { l: is.map((ix, i) => {
          const p = env.elementPtr(x.array, ix);
          return widen(b, e, elem, b.CreateLoad(et, m ? b.CreateSelect(m[i], p, this.dummyPtr(et)) : p));
        }) };
      }
      case 'atomic': {
        const idx = this.lanesOf(this.index(x.array, x.index, x.loc));
        // JS argument order: cuda.atomic.cas(array, index, expected, value)
        const ex = x.expected ? this.lanesOf(this.expr(x.expected)) : undefined;
        const v = this.lanesOf(this.expr(x.value));
        const m = this.mask();
        const t = e.scalar(x.type);
        const res: Value[] = [];
        for (let i = 0; i < this.W; i++) {
          // One lane at a time, in thread order, only when active.
          const slot = this.entryAlloca(t, `atomic.${i}`);
          b.CreateStore(e.zero(x.type), slot);
          const go = () => b.CreateStore(env.atomic(x, idx[i], v[i], ex?.[i]), slot);
          if (m) this.ifAny([m[i]], go); else go();
          res.push(b.CreateLoad(t, slot));
        }
        return { l: res };
      }
      case 'const': case 'param': case 'length':
        return { u: low.expr(x, env.thread) };
    }
  }

  /** True when the lanes' values are v0, v0+1, ... (i32). */
  private consecutive(v: Value[]): Value {
    const b = this.b, e = this.e;
    return v.slice(1).map((x, l) => b.CreateICmpEQ(x, b.CreateAdd(v[0], e.int(l + 1)))).reduce((a, c) => b.CreateAnd(a, c));
  }

  /** Evaluates `x` for the lanes in `need` (others get a zero of type `t`); skipped entirely when none needs it. */
  private maskedEval(need: Value[], x: Expr, t: LLVMNS.Type): Value[] {
    const b = this.b, e = this.e;
    const slots = Array.from({ length: this.W }, (_, i) => this.entryAlloca(t, `lazy.${i}`));
    slots.forEach((s) => b.CreateStore(this.llvmZero(t), s));
    const m = this.mask();
    const run = m ? need.map((v, i) => b.CreateAnd(v, m[i])) : need;
    this.withCond(need, () => this.ifAny(run, () => {
      const v = this.lanesOf(this.expr(x));
      v.forEach((val, i) => b.CreateStore(val, slots[i]));
    }));
    return slots.map((s) => b.CreateLoad(t, s));
  }

  /** maskedEval as one vector (lanes that do not need it hold 0). */
  private maskedEvalVec(need: Value[], x: Expr, t: ScalarType): Value {
    const b = this.b;
    const slot = this.entryAlloca(this.vty(t), 'lazy.v');
    b.CreateStore(this.ve.zero(t), slot);
    const m = this.mask();
    const run = m ? need.map((v, i) => b.CreateAnd(v, m[i])) : need;
    this.withCond(need, () => this.ifAny(run, () => b.CreateStore(this.vecOf(this.expr(x), t), slot)));
    return b.CreateLoad(this.vty(t), slot);
  }

  /** llvm.masked.load of W consecutive elements from `p` (element-aligned: a plain vector load when the mask is all true). */
  private maskedLoad(elem: ElemType, p: Value, mask: Value): Value {
    const ve = this.ve, b = this.b, vty = ve.elem(elem);
    const name = `v${this.W}${vecSuffix(elem)}`;
    const vp = b.CreateBitCast(p, this.e.ptr(vty));
    return ve.call(`llvm.masked.load.${name}.p0${name}`, vty, [vp, this.e.int(elemBytes(elem)), mask, this.llvmZero(vty)]);
  }

  private maskedStore(elem: ElemType, v: Value, p: Value, mask: Value): void {
    const ve = this.ve, b = this.b, vty = ve.elem(elem);
    const name = `v${this.W}${vecSuffix(elem)}`;
    const vp = b.CreateBitCast(p, this.e.ptr(vty));
    ve.call(`llvm.masked.store.${name}.p0${name}`, this.e.void, [v, vp, this.e.int(elemBytes(elem)), mask]);
  }

  /** Math.<fn> on <W x T> arguments, or undefined when it has no vector form here (then lane by lane). */
  private vectorMath(fn: MathFn, t: ScalarType, args: Value[]): Value | undefined {
    const ve = this.ve, e = this.e, b = this.b, W = this.W;
    if (t !== 'f32' && t !== 'f64') {
      switch (fn) {
        case 'abs': return t === 'u32' ? args[0] : ve.call(`llvm.abs.v${W}i32`, this.vt.i32, [args[0], e.bool(false)]);
        case 'floor': case 'ceil': case 'round': case 'trunc': return args[0];
        case 'imul': return b.CreateMul(args[0], args[1]);
        case 'clz32': return ve.call(`llvm.ctlz.v${W}i32`, this.vt.i32, [args[0], e.bool(false)]);
        case 'umulhi': {
          // the high words of W 64-bit products (x86: vpmuludq)
          const p = b.CreateMul(b.CreateZExt(args[0], this.vt.i64), b.CreateZExt(args[1], this.vt.i64));
          return b.CreateTrunc(b.CreateLShr(p, ve.int(32, this.vt.i64)), this.vt.i32);
        }
        default: return undefined;
      }
    }
    // Math.round and Math.sign never get here: core legalises them (legalize/rules.ts).
    if (fn === 'frexpMant' || fn === 'frexpExp') return undefined; // its type test reads a scalar type
    const extra = inlineMathExtra(ve, fn, t, args);
    if (extra) return extra;
    const impl = LIBM_MATH[fn];
    if (impl.kind === 'intrinsic') return ve.intrinsic(impl.name, t, args);
    return vectorMathKernel(ve, fn, t, args);
  }

  /**
   * A lane-uniform expression through the ordinary lowering (as lane 0). Its
   * loads are bounds-checked once for the group; a failure names the first
   * active lane, as the simulator would (lane 0 may be masked off here).
   */
  private uniformExpr(x: Expr): Value {
    const low = this.env.low;
    let loads = false;
    forEachExpr(x, (y) => { if (y.kind === 'load') loads = true; });
    const m = loads && this.env.boundscheck ? this.mask() : undefined;
    return m ? low.expr(x, this.env.laneThread(this.firstLane(m))) : low.expr(x, this.env.thread);
  }

  /** The index of the first set lane of `m` (W-1 when none is: the caller knows one is). */
  private firstLane(m: Value[]): Value {
    let lane: Value = this.e.int(m.length - 1);
    for (let i = m.length - 2; i >= 0; i--) lane = this.b.CreateSelect(m[i], this.e.int(i), lane);
    return lane;
  }

  private llvmZero(t: LLVMNS.Type): Value {
    return this.env.low.llvm.Constant.getNullValue(t);
  }

  /**
   * Per-lane i64 indices of an access, bounds-checked for the active lanes:
   * one branch for the group, the first failing lane reported.
   */
  private index(ref: ArrayRef, index: Expr, loc: Loc | undefined): LV {
    const b = this.b, e = this.e, env = this.env;
    const iv = this.expr(index);
    const m = this.mask();
    if ('u' in iv) {
      // One index for the group, but only the active lanes access it: the
      // failing thread is the first active lane (and none fails when none is active).
      if (env.boundscheck) this.check(ref, m ? m.map(() => iv.u) : [iv.u], m ?? [e.bool(true)], loc, index.type === 'u32');
      return { u: b.CreateZExt(iv.u, e.i64) };
    }
    if ('lin' in iv && !m) {
      if (env.boundscheck) {
        // base .. base+W-1 all in bounds: one test (in 64 bits, so base+W-1 cannot wrap)
        const low = env.low;
        const last = b.CreateAdd(b.CreateZExt(iv.lin, e.i64), e.i64c(this.W - 1));
        const ok = b.CreateAnd(b.CreateICmpULT(iv.lin, env.arrayLength(ref)), b.CreateICmpULT(last, b.CreateZExt(env.arrayLength(ref), e.i64)));
        const fine = low.block('lin.inbounds'), report = low.block('lin.oob');
        b.CreateCondBr(ok, fine, report);
        b.SetInsertPoint(report);
        // The first failing lane: 0 when base is out of bounds, else the first one past the end (len - base).
        const len = env.arrayLength(ref);
        const lane = b.CreateSelect(b.CreateICmpUGE(iv.lin, len), e.int(0), b.CreateSub(len, iv.lin));
        env.boundsFail(ref, b.CreateAdd(iv.lin, lane), lane, loc, index.type === 'u32');
        b.SetInsertPoint(fine);
      }
      return { lin: b.CreateZExt(iv.lin, e.i64) };
    }
    const vec = this.vecOf(iv, index.type);
    if (env.boundscheck) this.checkVec(ref, vec, m, loc, index.type === 'u32');
    return { v: b.CreateZExt(vec, this.vt.i64), t: 'i64' };
  }

  /** check() on a vector of i32 indices: one compare for the group; lanes only in the (cold) failure block. */
  private checkVec(ref: ArrayRef, idx: Value, m: Value[] | undefined, loc: Loc | undefined, unsigned: boolean): void {
    const b = this.b, e = this.e, env = this.env, low = env.low;
    const len = env.arrayLength(ref);
    const lens = this.fromLanes(new Array(this.W).fill(len), 'i32');
    let bad = b.CreateICmpUGE(idx, lens);
    if (m) bad = b.CreateAnd(bad, this.maskVec(m));
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
    env.boundsFail(ref, which, lane, loc, unsigned);
    b.SetInsertPoint(ok);
  }

  /** Is any lane of a <W x i1> set? */
  private anyVec(v: Value): Value {
    const iw = this.intW();
    return this.b.CreateICmpNE(this.b.CreateBitCast(v, iw), this.e.int(0, iw));
  }

  private check(ref: ArrayRef, idx: Value[], m: Value[], loc: Loc | undefined, unsigned: boolean): void {
    const b = this.b, e = this.e, env = this.env, low = env.low;
    const len = env.arrayLength(ref);
    const bad = idx.map((v, i) => b.CreateAnd(m[i], b.CreateICmpUGE(v, len)));
    const fail = low.block('lanes.oob'), ok = low.block('lanes.inbounds');
    b.CreateCondBr(this.any(bad), fail, ok);
    b.SetInsertPoint(fail);
    // The first failing lane (thread order).
    let lane: Value = e.int(idx.length - 1), which: Value = idx[idx.length - 1];
    for (let i = idx.length - 2; i >= 0; i--) {
      lane = b.CreateSelect(bad[i], e.int(i), lane);
      which = b.CreateSelect(bad[i], idx[i], which);
    }
    env.boundsFail(ref, which, lane, loc, unsigned);
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

function vecSuffix(elem: ElemType): string {
  switch (elem) {
    case 'i8': case 'u8': return 'i8';
    case 'i16': case 'u16': return 'i16';
    case 'i32': case 'u32': return 'i32';
    case 'i64': case 'u64': return 'i64';
    case 'f32': return 'f32';
    case 'f64': return 'f64';
  }
}

function elemBytes(elem: ElemType): number {
  return { i8: 1, u8: 1, i16: 2, u16: 2, i32: 4, u32: 4, i64: 8, u64: 8, f32: 4, f64: 8 }[elem];
}

/** Narrow elements to i32 registers (scalars or vectors: `e` gives the types). */
function widen(b: LLVMNS.IRBuilder, e: KernelLowerer<Thread>['e'], elem: ElemType, v: Value): Value {
  switch (elem) {
    case 'i8': case 'i16': return b.CreateSExt(v, e.i32);
    case 'u8': case 'u16': return b.CreateZExt(v, e.i32);
    default: return v;
  }
}

