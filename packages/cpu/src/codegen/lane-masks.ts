// Lane masks (lanes.ts): which lanes of a group are active where. A mask is a
// <W x i1> vector; the masks of enclosing varying ifs and lazy operands are SSA
// values, those of loops and of the region (lanes that returned) allocas.
// Also the run-time versioning on them: an unmasked copy of code for when
// every lane is active.

import type { LLVMNS } from '@numbat/llvm';
import { LaneValues, type LaneEnv } from './lane-values.js';

type Value = LLVMNS.Value;
type BasicBlock = LLVMNS.BasicBlock;

export interface LoopMasks {
  /** Lanes that have not left the loop (a <W x i1> alloca), when the loop is varying. */
  active?: Value;
  /** Lanes that have not `continue`d in this iteration (a <W x i1> alloca). */
  iter?: Value;
  /** Uniform loop: real branches. */
  brk?: BasicBlock;
  cont?: BasicBlock;
  /** A block-level loop around the region (break/continue set its flags). */
  outer?: boolean;
}

/**
 * A mask is one <W x i1> value (a lane's flag is its element): ANDing,
 * testing "any lane?" / "every lane?" and finding the first lane are one or
 * two instructions whatever W is. (They were W i1 values each, W ands per
 * combination and W loads and stores per mask alloca: at 32 lanes two thirds
 * of the option-pricing kernel's lane group.) Lanes are extracted only where
 * code runs lane by lane (atomics, scatters, per-lane locals).
 */
export class LaneMasks extends LaneValues {
  /** Lanes still running the region (cleared by return / outer break / continue): a <W x i1> alloca. */
  protected alive?: Value;
  protected readonly loops: LoopMasks[] = [];
  /** Masks of enclosing varying ifs and masked sub-expressions (SSA <W x i1> values). */
  protected readonly conds: Value[] = [];
  /**
   * Set while lowering a copy of code that runs only when every lane is
   * active (checked at run time): lane masks from before that point are all
   * true there, so only conditions pushed since (index into `conds`) count.
   */
  protected fastFrom?: { conds: number; loops: number };

  /**
   * Construct at the start of each group's code: the lane mask is (re)set here.
   * `initialMask`: lanes that run at all (threads that returned before an earlier barrier do not).
   */
  constructor(env: LaneEnv, needAlive: boolean, initialMask?: Value[]) {
    super(env);
    if (initialMask || needAlive) {
      this.alive = this.maskAlloca('alive');
      this.b.CreateStore(initialMask ? this.fromLanes(initialMask, 'bool') : this.allLanes(), this.alive);
    }
  }

  protected maskAlloca(name: string): Value {
    return this.entryAlloca(this.vt.i1, name);
  }

  protected loadMask(p: Value): Value {
    return this.b.CreateLoad(this.vt.i1, p);
  }

  /** Every lane set. */
  protected allLanes(): Value {
    return this.ve.bool(true);
  }

  protected not(m: Value): Value {
    return this.b.CreateXor(m, this.allLanes());
  }

  /** Clears the lanes of `m` in the mask alloca `p`. */
  protected retire(p: Value, m: Value): void {
    this.b.CreateStore(this.b.CreateAnd(this.loadMask(p), this.not(m)), p);
  }

  /** undefined when every lane is active here (statically known). */
  protected mask(): Value | undefined {
    const b = this.b;
    const parts: Value[] = [];
    const loops = this.fastFrom !== undefined ? this.loops.slice(this.fastFrom.loops) : this.loops;
    if (this.fastFrom === undefined && this.alive) parts.push(this.loadMask(this.alive));
    for (const l of loops) {
      if (l.active) parts.push(this.loadMask(l.active));
      if (l.iter) parts.push(this.loadMask(l.iter));
    }
    parts.push(...(this.fastFrom !== undefined ? this.conds.slice(this.fastFrom.conds) : this.conds));
    if (!parts.length) return undefined;
    return parts.reduce((acc, p) => b.CreateAnd(acc, p));
  }

  /** Is any lane of `m` set? (a compare of its W bits) */
  protected any(m: Value): Value {
    return this.anyVec(m);
  }

  /** Is every lane of `m` set? */
  protected all(m: Value): Value {
    const iw = this.intW();
    return this.b.CreateICmpEQ(this.b.CreateBitCast(m, iw), this.low.llvm.ConstantInt.get(iw, -1, true));
  }

  /**
   * Lowers `body` twice: a copy for when every lane of `m` is active (plain,
   * unmasked memory accesses that SLP turns into vector loads and stores) and
   * the masked copy. Only for code that cannot retire lanes.
   */
  protected versioned(m: Value | undefined, body: () => void): void {
    if (!m) { body(); return; }
    const b = this.b, low = this.low;
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

  protected slowNesting = 0;

  protected fastNesting = 0;
  protected fastDepth(): number { return this.fastNesting; }

  /** Lowers `body` knowing every lane active at this point is... every lane (see fastFrom). */
  protected fast(body: () => void): void {
    const saved = this.fastFrom;
    this.fastFrom = { conds: this.conds.length, loops: this.loops.length };
    this.fastNesting++;
    try { body(); } finally { this.fastFrom = saved; this.fastNesting--; }
  }

  /** Runs `body` only when some lane of `m` is active. */
  protected ifAny(m: Value | undefined, body: () => void): void {
    if (!m) { body(); return; }
    const b = this.b, low = this.low;
    const run = low.block('lanes.any'), join = low.block('lanes.join');
    b.CreateCondBr(this.any(m), run, join);
    b.SetInsertPoint(run);
    body();
    low.jump(join);
    b.SetInsertPoint(join);
  }

  /**
   * Runs `body(lane)` (an i32) once for each lane active in `m` (every lane when undefined), in
   * lane order, as a loop over the mask's set bits: its code does not grow with W (a 64-lane
   * group's lane-by-lane code written out was 64 copies of it).
   */
  protected forActiveLanes(m: Value | undefined, body: (lane: Value) => void): void {
    const b = this.b, low = this.low, llvm = low.llvm, iw = this.intW();
    const start = m ? b.CreateBitCast(m, iw) : llvm.ConstantInt.get(iw, -1, true);
    const zero = llvm.ConstantInt.get(iw, 0, false), one = llvm.ConstantInt.get(iw, 1, false);
    const pre = b.GetInsertBlock()!;
    const head = low.block('lanes.each'), run = low.block('lanes.each.run'), done = low.block('lanes.each.done');
    b.CreateBr(head);
    b.SetInsertPoint(head);
    const left = b.CreatePHI(iw, 2, 'lanes.left');
    left.addIncoming(start, pre);
    b.CreateCondBr(b.CreateICmpNE(left, zero), run, done);
    b.SetInsertPoint(run);
    body(b.CreateZExtOrTrunc(this.e.call(`llvm.cttz.i${this.W}`, iw, [left, this.e.bool(true)]), this.e.i32));
    left.addIncoming(b.CreateAnd(left, b.CreateSub(left, one)), b.GetInsertBlock()!); // the lowest set bit cleared
    low.jump(head);
    b.SetInsertPoint(done);
  }

  /** Lane `lane`'s flag of mask `m`. */
  protected laneOf(m: Value, lane: number): Value {
    return this.laneOfVec(m, 'bool', lane);
  }

  protected withCond<T>(m: Value, f: () => T): T {
    this.conds.push(m);
    try { return f(); } finally { this.conds.pop(); }
  }

  /** The index of the first set lane of `m` (W-1 when none is: the caller knows one is). */
  protected firstLane(m: Value): Value {
    const b = this.b, iw = this.intW(), llvm = this.low.llvm;
    // the top lane always set: cttz then never sees 0 and says W-1 when no lower lane is set
    const top = b.CreateShl(llvm.ConstantInt.get(iw, 1, false), llvm.ConstantInt.get(iw, this.W - 1, false));
    const bits = b.CreateOr(b.CreateBitCast(m, iw), top);
    return b.CreateZExtOrTrunc(this.e.call(`llvm.cttz.i${this.W}`, iw, [bits, this.e.bool(true)]), this.e.i32);
  }

  /** Is any lane of a <W x i1> set? */
  protected anyVec(v: Value): Value {
    const iw = this.intW();
    return this.b.CreateICmpNE(this.b.CreateBitCast(v, iw), this.e.int(0, iw));
  }
}
