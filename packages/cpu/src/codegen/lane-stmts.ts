// Lane statements (lanes.ts has the overview): the region of a lane group,
// assignments and stores, varying ifs and loops as masks, the unmasked copies
// for full groups, and the hand-over to thread-by-thread code.

import type { ArrayRef, ElemType, Stmt } from '@numbat/core';
import { forEachExpr, localOf, someStmt } from '@numbat/core';
import type { LLVMNS } from '@numbat/llvm';
import { LaneExprs } from './lanes.js';
import { elemBytes, vecSuffix, type LV } from './lane-values.js';
import { blendsOnly, linearLocals, mayRetire, touchesMemory } from './lane-shape.js';
import type { LoopMasks } from './lane-masks.js';
import { assignsKept, handOverOf, loopsWithoutFastCopies, rareHandOvers, regionUnreadLocals } from './lane-budget.js';

type Value = LLVMNS.Value;

export class LaneLowerer extends LaneExprs {
  /** The masks in force where each statement list was entered (for the scopes of locals: cg.bodyScopes). */
  private readonly listEntry = new Map<readonly Stmt[], { conds: number; loops: number }>();
  /** The region's rarely taken `if`s that hand the group to the thread-by-thread code (lane-budget.ts). */
  private handOvers = new Set<Stmt>();
  /** The region has a loop: its work is there, and an `if` outside every loop runs once per group. */
  private regionLoops = false;
  /** The locals the region assigns and never reads (lane-budget.ts regionUnreadLocals): their loads are no memory for an unmasked copy. */
  private unread: ReadonlySet<number> = new Set();

  /** The locals a hand-over's rerun must not find assigned (lane-budget.ts HandOver: the budget counts the same). */
  private kept(): ReadonlySet<number> {
    const h = handOverOf(this.cg);
    return h ? h.kept : new Set();
  }

  /** mayRetire, once per statement and compile (stmts asks it of every statement of every list it lowers). */
  private retires(s: Stmt): boolean {
    return this.cg.memo('mayRetire', s, () => mayRetire(s));
  }

  // ---- statements ----

  /** The region's statements (top level): after a guard like `if (i >= n) return`, the rest runs unmasked when no lane left. */
  region(list: readonly Stmt[]): void {
    if (this.env.fallbacks.scalarGroup) this.handOvers = this.cg.memo('rareHandOvers', list, () => rareHandOvers(list, this.kept()));
    this.regionLoops = someStmt(list, (x) => x.kind === 'loop');
    this.unread = regionUnreadLocals(list, this.cg.laneUni);
    const k = list.findIndex((x) => x.kind === 'loop' && this.cg.laneUni.varyingLoops.has(x));
    if (!this.alive && this.env.fallbacks.scalarFinish && k >= 0 && !list.some((x) => this.retires(x))) {
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
        if (this.low.terminated()) return;
        const finish = this.env.fallbacks.scalarFinish;
        this.varyingLoop(loop, () => finish(list.slice(k)));
        this.stmts(list.slice(k + 1));
        return;
      }
    }
    if (this.alive && !list.some((x) => this.retires(x))) {
      // A full group (the usual case) runs an unmasked copy.
      this.versioned(this.mask(), () => this.stmts(list));
      return;
    }
    const r = list.findIndex((x) => this.retires(x));
    const prefix = list.slice(0, r + 1), rest = list.slice(r + 1);
    if (r >= 0 && this.env.fallbacks.scalarGroup && rest.length && !rest.some((x) => this.retires(x)) && !touchesMemory(prefix, true) && !assignsKept(prefix, this.kept())) {
      // A guard such as `if (i >= n) return` first: when every lane passes it,
      // the rest runs unmasked; otherwise the group's threads rerun the region
      // one by one (the guard has no side effects, and sets no value kept across
      // barriers that the rerun would update again), which is far less code for
      // LLVM than a masked copy of the rest.
      this.stmts(prefix);
      if (this.low.terminated()) return;
      const b = this.b, low = this.low;
      const fast = low.block('lanes.allpass'), scalar = low.block('lanes.scalar');
      b.CreateCondBr(this.all(this.mask()!), fast, scalar);
      b.SetInsertPoint(fast);
      this.fast(() => this.stmts(rest));
      low.jump(this.g.end);
      b.SetInsertPoint(scalar);
      this.env.fallbacks.scalarGroup();
      return;
    }
    this.stmts(list, 2);
  }

  /**
   * Each active lane's value (`nv`, in the element's type) into its element of a private local
   * array (lanes.ts localArrayLoad): one row at an index the lanes share (the inactive lanes'
   * elements kept), a scatter at per-lane indices (each lane writes its own copy: no two lanes meet).
   */
  private localArrayStore(ref: ArrayRef, elem: ElemType, idx: LV, nv: Value, m: Value | undefined): void {
    const b = this.b, e = this.e, ve = this.ve, vty = ve.elem(elem);
    if ('u' in idx) {
      const row = this.laneRowPtr(ref, m ? this.rowInside(ref, idx.u) : idx.u);
      b.CreateStore(m ? b.CreateSelect(m, nv, b.CreateLoad(vty, row)) : nv, row);
      return;
    }
    const name = `v${this.W}${vecSuffix(elem)}`;
    ve.call(`llvm.masked.scatter.${name}.v${this.W}p0${vecSuffix(elem)}`, e.void, [nv, this.laneElementPtrs(ref, idx), e.int(elemBytes(elem)), this.maskVec(m)]);
  }

  stmts(list: readonly Stmt[], versions = 0): void {
    const b = this.b, e = this.e, low = this.low;
    this.listEntry.set(list, { conds: this.conds.length, loops: this.loops.length });
    for (let k = 0; k < list.length; k++) {
      const s = list[k];
      if (low.terminated()) return;
      this.stmt(s);
      if (this.alive && !low.terminated() && this.retires(s)) {
        // Every lane gone: nothing after this may run (not even a uniform access).
        const go = low.block('lanes.alive');
        b.CreateCondBr(this.any(this.loadMask(this.alive)), go, this.g.end);
        b.SetInsertPoint(go);
        const rest = list.slice(k + 1);
        if (versions > 0 && rest.length && !rest.some((x) => this.retires(x))) {
          this.versioned(this.mask(), () => this.stmts(rest, versions - 1));
          return;
        }
      }
    }
  }

  /**
   * Whether an assignment to `local` here must keep the inactive lanes' values.
   * Not when the local has a scope (set before every read, all references
   * inside one list) entered under the masks in force now, give or take lanes
   * retired since: a lane inactive here was inactive when the scope was entered,
   * or has left the region, so it reads this local again only after setting it.
   * The refill's Philox rounds (random draws) are such locals under a varying `if`.
   */
  private scopeMasked(local: number): boolean {
    const scope = this.cg.bodyScopes.get(local);
    const entry = scope && this.listEntry.get(scope);
    if (!entry || this.conds.length !== entry.conds || this.loops.length < entry.loops) return true;
    return this.loops.slice(entry.loops).some((l) => l.active || l.iter);
  }

  /** One branch for the whole group on `c` (an i1) to `then` and, where given, `els`, joined after them. */
  private groupBranch(c: Value, name: string, then: readonly Stmt[], els?: readonly Stmt[]): void {
    const b = this.b, low = this.low;
    const t = low.block(`${name}.then`), f = els && low.block(`${name}.else`), join = low.block(`${name}.end`);
    b.CreateCondBr(c, t, f ?? join);
    b.SetInsertPoint(t); this.stmts(then); low.jump(join);
    if (f) { b.SetInsertPoint(f); this.stmts(els!); low.jump(join); }
    b.SetInsertPoint(join);
  }

  private stmt(s: Stmt): void {
    const b = this.b, e = this.e, low = this.low;
    switch (s.kind) {
      case 'assign': {
        const local = localOf(this.cg.ir, s.local)!;
        const v = this.expr(s.value);
        const conv = (x: Value): Value => (local.type !== s.value.type ? e.convert(x, s.value.type, local.type) : x);
        if (this.cg.laneUni.uniformLocals.has(s.local)) {
          const u = conv('u' in v ? v.u : this.lanesOf(v)[0]);
          for (const p of this.env.locals.uniformPtrs(s.local)) b.CreateStore(u, p);
          return;
        }
        const slot = this.linearSlot(s.local);
        if (slot) {
          if (!('lin' in v)) throw new Error('numbat internal error: a lane-linear local got a non-linear value');
          b.CreateStore(v.lin, slot);
          if (!this.dynLinear.has(s.local) && !this.env.locals.isPrivate(s.local)) {
            // per-thread storage: other regions read every thread's slot
            this.lanesOf(v).forEach((x, i) => { if (i) b.CreateStore(x, this.env.locals.lanePtr(s.local, i)); });
          }
          return;
        }
        const m = this.scopeMasked(s.local) ? this.mask() : undefined;
        const vp = this.env.locals.vectorPtr(s.local);
        if (vp) {
          // the whole vector; lanes outside the mask keep their value
          const vv = this.vecOf(v, s.value.type);
          const nv = local.type !== s.value.type ? this.ve.convert(vv, s.value.type, local.type) : vv;
          this.storeLocal(m ? b.CreateSelect(m, nv, this.loadLocal(vp, local.type)) : nv, vp, local.type);
          return;
        }
        const ml = m && this.toLanes(m, 'bool');
        this.lanesOf(v).forEach((x, i) => {
          const p = this.env.locals.lanePtr(s.local, i);
          const nv = conv(x);
          b.CreateStore(ml ? b.CreateSelect(ml[i], nv, b.CreateLoad(e.scalar(local.type), p)) : nv, p);
        });
        return;
      }
      case 'store': {
        const elem = low.elemOf(s.array);
        const idx = this.index(s.array, s.index, s.loc, true, s.inBounds);
        const v = this.expr(s.value);
        const m = this.mask();
        // 8- and 16-bit elements keep the value's low bits (JS typed-array stores)
        const small = elem === 'i8' || elem === 'u8' || elem === 'i16' || elem === 'u16';
        const narrow = (x: Value): Value => (small ? b.CreateTrunc(x, e.elem(elem)) : x);
        const narrowVec = (x: Value): Value => (small ? b.CreateTrunc(x, this.ve.elem(elem)) : x);
        if (s.array.space === 'local') { this.localArrayStore(s.array, elem, idx, narrowVec(this.vecOf(v, s.value.type)), m); return; }
        if ('u' in idx && 'u' in v && !m) { b.CreateStore(narrow(v.u), this.elementPtr(s.array, idx.u)); return; }
        if ('lin' in idx) {
          // consecutive elements: one vector store (lanes outside the mask are not written)
          this.maskedStore(elem, narrowVec(this.vecOf(v, s.value.type)), this.elementPtr(s.array, idx.lin), this.maskVec(m));
          return;
        }
        const vs = this.lanesOf(v);
        const is = this.lanesOf(idx);
        const ml = m && this.toLanes(m, 'bool');
        // Lane order = thread order: with equal indices, the last active lane's value stays.
        for (let i = 0; i < this.W; i++) {
          const p = this.elementPtr(s.array, is[i]);
          b.CreateStore(narrow(vs[i]), ml ? b.CreateSelect(ml[i], p, this.dummyPtr(e.elem(elem))) : p);
        }
        return;
      }
      case 'expr': this.expr(s.expr); return;
      case 'if': {
        const uniform = this.cg.laneUni.isUniform(s.cond);
        if (s.groupWide && !uniform) {
          // Both arms compute the same (IfStmt.groupWide): the group runs the first when the
          // condition holds in every active lane, else the second, as one branch for all lanes.
          const c = this.vecOf(this.expr(s.cond), 'bool');
          const m = this.mask();
          this.groupBranch(this.all(m ? b.CreateOr(c, this.not(m)) : c), 'lwide', s.then, s.else);
          return;
        }
        if (s.anyLane && !uniform) {
          // The `then` arm is right for every lane (IfStmt.anyLane): all the active lanes run it
          // when the condition holds in any of them, under the group's mask, not the condition's.
          const c = this.vecOf(this.expr(s.cond), 'bool');
          const m = this.mask();
          this.groupBranch(this.any(m ? b.CreateAnd(m, c) : c), 'lany', s.then);
          return;
        }
        if (uniform) {
          this.groupBranch(this.uniformExpr(s.cond), 'lif', s.then, s.else);
          return;
        }
        const c = this.vecOf(this.expr(s.cond), 'bool');
        const m = this.mask();
        const mt = m ? b.CreateAnd(m, c) : c;
        if (this.handOvers.has(s)) {
          // A rare arm with no effects before it in the region: when a lane takes it, the
          // group's threads rerun the region one by one (no vector copy of the arm).
          const rare = low.block('lanes.rare'), common = low.block('lanes.common');
          b.CreateCondBr(this.any(mt), rare, common);
          b.SetInsertPoint(rare);
          this.env.fallbacks.scalarGroup!();
          b.SetInsertPoint(common);
          return;
        }
        const nc = this.not(c);
        const mf = m ? b.CreateAnd(m, nc) : nc;
        if (this.fastDepth() < 2 && this.slowNesting === 0 && (this.loops.length || !this.regionLoops) && !s.then.some((x) => this.retires(x)) && touchesMemory(s.then, false, this.unread)) {
          // All lanes take it (the usual case away from edges): an unmasked copy,
          // whose memory accesses vectorise. (Not for register-only bodies such as
          // `if (inside) count++`: there a data-dependent branch costs more than the blend.
          // Nor outside the loops of a region that has some, where it runs once per group:
          // a random draw loop's state words loaded before it and stored after, whose two
          // copies were 13 % of option pricing's lane-group code, in LLVM's time to compile.
          // Nor for a draw whose state words are in registers, its thread check the only load.)
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
        } else if (blendsOnly(s.then)) {
          this.withCond(c, () => this.stmts(s.then));
        } else {
          this.withCond(c, () => this.ifAny(mt, () => this.stmts(s.then)));
        }
        if (s.else.length) {
          if (blendsOnly(s.else)) this.withCond(nc, () => this.stmts(s.else));
          else this.withCond(nc, () => this.ifAny(mf, () => this.stmts(s.else)));
        }
        return;
      }
      case 'loop': return this.cg.laneUni.varyingLoops.has(s) ? this.varyingLoop(s) : this.uniformLoop(s);
      case 'break': case 'continue': return this.exitLoop(s.kind);
      case 'return': {
        const m = this.mask();
        if (!this.alive) throw new Error('numbat internal error: lane return without an alive mask');
        const retiring = m ?? this.allLanes();
        this.recordReturn(retiring);
        this.retire(this.alive, retiring);
        return;
      }
      case 'barrier': throw new Error('numbat internal error: a barrier inside a lane region');
      case 'fence': this.low.e.call(`numbat_fence_${s.scope}`, this.low.e.void, []); return; // one fence orders every lane's accesses
    }
  }

  private uniformLoop(s: Stmt & { kind: 'loop' }): void {
    const b = this.b, low = this.low;
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
    if (!low.terminated()) this.poll();
    low.jump(head);
    b.SetInsertPoint(exit);
  }

  /** Can this varying loop take the fast path (see varyingLoop)? */
  private fastable(s: Stmt & { kind: 'loop' }): boolean {
    const retires = s.body.some((x) => this.retires(x)) || s.update.some((x) => this.retires(x));
    return !retires && s.cond !== undefined && this.fastDepth() < 2 && this.slowNesting === 0 && !loopsWithoutFastCopies(this.cg).has(s);
  }

  /**
   * `finish`: instead of a masked copy of the loop, once not every lane is in
   * the loop each thread of the group finishes the loop (and whatever follows)
   * on its own; it must end the block. Only for a fastable loop.
   */
  private varyingLoop(s: Stmt & { kind: 'loop' }, finish?: () => void): void {
    const b = this.b, e = this.e, low = this.low;
    const entryMask = this.mask();
    const active = this.maskAlloca('loop.active'), iter = this.maskAlloca('loop.iter');
    b.CreateStore(entryMask ?? this.allLanes(), active);
    const head = low.block('vloop'), body = low.block('vloop.body'), latch = low.block('vloop.latch'), exit = low.block('vloop.end');
    b.CreateBr(head);
    b.SetInsertPoint(head);
    const frame: LoopMasks = { active };
    this.loops.push(frame);
    b.CreateStore(this.allLanes(), iter);
    if (s.cond) b.CreateStore(b.CreateAnd(this.loadMask(active), this.vecOf(this.expr(s.cond), 'bool')), active);
    const still = this.mask()!;
    b.CreateCondBr(this.any(still), body, exit);
    b.SetInsertPoint(body);
    if (this.fastable(s)) {
      // While every lane is still in the loop (all but the last trips), a tight
      // unmasked loop runs; it hands over to the masked copy once some lane is done.
      // Locals that step in lockstep (i += stride from i = cuda.grid(1)) are
      // held as lane 0's value there, so their accesses are consecutive.
      const known = new Set([...this.env.locals.linear, ...this.dynLinear.keys()]);
      const cands = [...linearLocals(this.cg.ir, this.cg.laneUni, [...s.body, ...s.update], known)];
      const t = e.i32;
      const vals = cands.map((id) => Array.from({ length: this.W }, (_, l) => b.CreateLoad(t, this.env.locals.lanePtr(id, l))));
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
      this.poll(); // each turn of the tight loop
      // The tight loop runs two trips per turn (SLP then sees enough work per
      // block to pack the lanes' arithmetic, accumulations included).
      const again = this.maskAlloca('vloop.again');
      let ended = false;
      const saved = new Map(this.dynLinear);
      cands.forEach((id, k) => this.dynLinear.set(id, slots[k]));
      this.fast(() => {
        for (let trip = 0; trip < 2 && !ended; trip++) {
          this.stmts(s.body);
          if (!low.terminated()) this.stmts(s.update);
          if (low.terminated()) { ended = true; break; }
          const c = this.expr(s.cond!);
          const cv = this.vecOf(c, 'bool');
          b.CreateStore(cv, again);
          const next = trip === 0 ? low.block('vloop.all2') : fast;
          b.CreateCondBr(('v' in c ? c.all : undefined) ?? this.all(cv), next, fastOut);
          if (trip === 0) b.SetInsertPoint(next);
        }
      });
      this.dynLinear = saved;
      if (!ended) {
        b.SetInsertPoint(fastOut);
        const c = this.loadMask(again);
        // back to one value per lane
        cands.forEach((id, k) => {
          const base = b.CreateLoad(t, slots[k]);
          for (let l = 0; l < this.W; l++) b.CreateStore(l ? b.CreateAdd(base, e.int(l)) : base, this.env.locals.lanePtr(id, l));
        });
        b.CreateStore(c, active);
        b.CreateStore(this.allLanes(), iter);
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
    if (!low.terminated()) this.poll();
    low.jump(head);
    this.loops.pop();
    b.SetInsertPoint(exit);
  }

  private exitLoop(kind: 'break' | 'continue'): void {
    const b = this.b, e = this.e;
    const loop = this.loops[this.loops.length - 1];
    if (!loop) {
      // break/continue of a block-level (barrier) loop: the lanes leave the region; the flag acts for the block.
      const outer = this.g.loop;
      if (!outer) throw new Error('numbat internal error: break outside a loop');
      b.CreateStore(e.bool(true), kind === 'break' ? outer.brk : outer.cont);
      if (!this.alive) throw new Error('numbat internal error: outer loop exit without an alive mask');
      this.retire(this.alive, this.mask() ?? this.allLanes());
      return;
    }
    if (loop.brk) {
      // uniform loop: every active lane takes it together
      b.CreateBr(kind === 'break' ? loop.brk : loop.cont!);
      return;
    }
    this.retire(kind === 'break' ? loop.active! : loop.iter!, this.mask()!);
  }
}
