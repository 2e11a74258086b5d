// Lane masks (lanes.ts): which lanes of a group are active where. Each lane's
// flag is an i1; the masks of enclosing varying ifs and lazy operands are SSA
// values, those of loops and of the region (lanes that returned) allocas.
// Also the run-time versioning on them: an unmasked copy of code for when
// every lane is active.

import type { LLVMNS } from '@numbat/llvm';
import { LaneValues, type LaneEnv } from './lane-values.js';

type Value = LLVMNS.Value;
type BasicBlock = LLVMNS.BasicBlock;

export interface LoopMasks {
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

export class LaneMasks extends LaneValues {
  /** Lanes still running the region (cleared by return / outer break / continue). */
  protected alive?: Value[];
  protected readonly loops: LoopMasks[] = [];
  /** Masks of enclosing varying ifs and masked sub-expressions (SSA values). */
  protected readonly conds: Value[][] = [];
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
      this.alive = this.maskAllocas('alive');
      this.alive.forEach((a, i) => this.b.CreateStore(initialMask ? initialMask[i] : this.e.bool(true), a));
    }
  }

  protected maskAllocas(name: string): Value[] {
    return Array.from({ length: this.W }, (_, i) => this.entryAlloca(this.e.i1, `${name}.${i}`));
  }

  /** undefined when every lane is active here (statically known). */
  protected mask(): Value[] | undefined {
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
  protected any(m: Value[]): Value {
    return m.reduce((a, v) => this.b.CreateOr(a, v));
  }

  protected all(m: Value[]): Value {
    return m.reduce((a, v) => this.b.CreateAnd(a, v));
  }

  /**
   * Lowers `body` twice: a copy for when every lane of `m` is active (plain,
   * unmasked memory accesses that SLP turns into vector loads and stores) and
   * the masked copy. Only for code that cannot retire lanes.
   */
  protected versioned(m: Value[] | undefined, body: () => void): void {
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
  protected ifAny(m: Value[] | undefined, body: () => void): void {
    if (!m) { body(); return; }
    const b = this.b, low = this.low;
    const run = low.block('lanes.any'), join = low.block('lanes.join');
    b.CreateCondBr(this.any(m), run, join);
    b.SetInsertPoint(run);
    body();
    low.jump(join);
    b.SetInsertPoint(join);
  }

  protected withCond<T>(m: Value[], f: () => T): T {
    this.conds.push(m);
    try { return f(); } finally { this.conds.pop(); }
  }

  /** The index of the first set lane of `m` (W-1 when none is: the caller knows one is). */
  protected firstLane(m: Value[]): Value {
    let lane: Value = this.e.int(m.length - 1);
    for (let i = m.length - 2; i >= 0; i--) lane = this.b.CreateSelect(m[i], this.e.int(i), lane);
    return lane;
  }

  /** Is any lane of a <W x i1> set? */
  protected anyVec(v: Value): Value {
    const iw = this.intW();
    return this.b.CreateICmpNE(this.b.CreateBitCast(v, iw), this.e.int(0, iw));
  }
}
