// Warp functions under thread-dependent control on targets that emulate warps
// (caps.warp 'emulated'): the emulation (warp-emulation.ts) is built from block
// barriers, so every thread of the block must reach each warp function. This
// pass if-converts the thread-dependent control that encloses warp functions,
// so that every thread does reach them, each with a "participates" predicate:
// - a thread-dependent `if` becomes a bool local; its arms run one after the
//   other, their statements guarded by the local (and the enclosing guard);
// - a loop becomes a block-uniform loop that runs while any thread of the
//   block is still in it (a reducing barrier, as syncthreads_or), with a
//   per-thread "still running" local; `break` clears it, `continue` sets a
//   per-iteration local that guards the rest of the body;
// - a `return` under thread-dependent control that warp functions can follow
//   sets an "exited" local, which guards what follows.
// A counted loop (`for (let off = 16; off > 0; off >>= 1)`: a counter that
// only its init and update set, from values that are the same in every thread,
// and that nothing after the loop reads) stays a loop that every thread runs,
// without the block-wide vote. Statements without warp functions inside stay
// as they were, under one `if` of the guard. Kernels that need none of this
// are left untouched. Each warp function's guard is returned to the emulation:
// lanes that do not take part are absent from the meeting (warp.ts: a shuffle
// from them returns the caller's own value, votes leave them out), and their
// results are not written.

import type { Expr, IfStmt, KernelIR, LoopStmt, Stmt, WarpStmt } from './nodes.js';
import type { UniformityInfo } from './uniformity.js';
import { exitsLoop, forEachExpr, forEachStmt, stmtExprs } from './walk.js';
import { CompileError } from '../errors.js';
import { countingBarrier, countOf } from './counting-barrier.js';

/** The guard of each warp function that not every thread of the block takes part in. */
export type WarpParticipation = Map<WarpStmt, Expr>;

interface LoopFlags { run: number; cont?: number }
interface Context {
  /** bool expressions whose conjunction says this thread takes part here (empty: every thread). */
  terms: Expr[];
  /** The enclosing converted loops, innermost last (a return clears each one's run flag). */
  loops: LoopFlags[];
  /** Inside a converted if (of the innermost converted loop or the kernel): a barrier here cannot be kept. */
  inIf: boolean;
}

const TRUE: Expr = { kind: 'const', type: 'bool', value: true };
const local = (id: number): Expr => ({ kind: 'local', id, type: 'bool' });
const not = (x: Expr): Expr => ({ kind: 'unary', op: 'not', type: 'bool', x });
const and = (a: Expr, b: Expr): Expr => ({ kind: 'logical', op: 'and', type: 'bool', a, b });
const conj = (terms: Expr[]): Expr => (terms.length === 0 ? TRUE : terms.reduce((a, b) => and(a, b)));

/**
 * Rewrites `ir` so that every warp function sits at block-uniform control;
 * `exitMode`: a return under thread-dependent control precedes warp functions.
 */
export function predicateWarps(ir: KernelIR, u: UniformityInfo, exitMode: boolean, target: string): WarpParticipation {
  const p = new Predication(ir, u, exitMode, target);
  ir.body = p.list(ir.body, { terms: [], loops: [], inIf: false });
  if (p.barriers) ir.hasBarrier = true;
  return p.participation;
}

class Predication {
  readonly participation: WarpParticipation = new Map();
  barriers = false;
  private exited?: number;
  private anyCounter?: number;
  /** Converted returns so far (a statement that converted one leaves the exited flag to guard what follows it). */
  private returns = 0;
  private readonly memo = new Map<Stmt, { warp: boolean; barrier: boolean; ret: boolean; exit: boolean }>();

  constructor(private readonly ir: KernelIR, private readonly u: UniformityInfo, private readonly exitMode: boolean, private readonly target: string) {}

  list(stmts: Stmt[], cx: Context): Stmt[] {
    const out: Stmt[] = [];
    let terms = cx.terms;
    let pending: Stmt[] = [];
    const flush = (): void => { if (pending.length) out.push(this.guarded(terms, pending)); pending = []; };
    for (let j = 0; j < stmts.length; j++) {
      const s = stmts[j];
      const before = this.returns;
      if (terms.length === 0) out.push(...this.atUniform(s, { ...cx, terms }));
      else if (s.kind === 'assign' && this.countedLoop(s, stmts[j + 1])) {
        // Every thread counts: the init, the loop's test and its update, unguarded.
        const loop = stmts[++j] as LoopStmt;
        flush();
        loop.body = this.list(loop.body, { ...cx, terms });
        out.push(s, loop);
      } else if (!this.needsConversion(s)) pending.push(s);
      else { flush(); out.push(...this.predicated(s, { ...cx, terms })); }
      // Threads that returned in s take no part in what follows (inside a converted loop its run flag says so).
      if (this.returns !== before && cx.loops.length === 0 && this.exited !== undefined && !terms.some((t) => isNotLocal(t, this.exited!))) {
        flush();
        terms = [...terms, not(local(this.exited))];
      }
    }
    flush();
    return out;
  }

  /** Every thread of the block is here and takes part. */
  private atUniform(s: Stmt, cx: Context): Stmt[] {
    const f = this.facts(s);
    if (s.kind === 'if') {
      if (this.u.isUniform(s.cond)) { s.then = this.list(s.then, cx); s.else = this.list(s.else, cx); return [s]; }
      return f.warp || (this.exitMode && f.ret) ? this.convertIf(s, cx) : [s];
    }
    if (s.kind === 'loop') {
      if (!this.u.varyingLoops.has(s)) { s.body = this.list(s.body, cx); s.update = this.list(s.update, cx); return [s]; }
      return f.warp || (this.exitMode && f.ret) ? this.convertLoop(s, cx) : [s];
    }
    return [s];
  }

  /**
   * Is `loop`, after `init`, counted the same way by every thread, whether it
   * takes part or not: its test and update read only the counter that `init`
   * sets, constants, scalar parameters and the block's and grid's sizes and
   * indices; nothing else sets the counter and nothing outside the loop reads
   * it; the body leaves the loop only at its end.
   */
  private countedLoop(init: Stmt & { kind: 'assign' }, loop: Stmt | undefined): boolean {
    if (loop?.kind !== 'loop' || !loop.cond || !this.facts(loop).warp || this.facts(loop).ret || exitsLoop(loop.body)) return false;
    const c = init.local;
    const pure = (e: Expr, counter: boolean): boolean => {
      let ok = true;
      forEachExpr(e, (x) => {
        if (x.kind === 'load' || x.kind === 'atomic' || (x.kind === 'special' && x.reg === 'threadIdx') || (x.kind === 'local' && (!counter || x.id !== c))) ok = false;
      });
      return ok;
    };
    if (!pure(init.value, false) || !pure(loop.cond, true)) return false;
    if (!loop.update.every((u) => u.kind === 'assign' && u.local === c && pure(u.value, true))) return false;
    // The counter's other writes and reads.
    let writes = 0, readsOutside = 0;
    const inLoop = new Set<Stmt>();
    forEachStmt([loop], (x) => inLoop.add(x));
    forEachStmt(this.ir.body, (x) => {
      if ((x.kind === 'assign' && x.local === c) || (x.kind === 'warp' && (x.local === c || x.pred === c))) writes++;
      if (!inLoop.has(x) && x !== init) for (const e of stmtExprs(x)) forEachExpr(e, (y) => { if (y.kind === 'local' && y.id === c) readsOutside++; });
    });
    return writes === 1 + loop.update.length && readsOutside === 0;
  }

  /** Does s (in a guarded context) hold something that cannot simply run under `if (guard)`? */
  private needsConversion(s: Stmt): boolean {
    const f = this.facts(s);
    return f.warp || f.barrier || f.ret || f.exit;
  }

  private predicated(s: Stmt, cx: Context): Stmt[] {
    switch (s.kind) {
      case 'warp':
        this.participation.set(s, conj(cx.terms));
        return [s];
      case 'barrier':
        if (cx.inIf) {
          const api = s.api ?? 'cuda.syncthreads()';
          throw new CompileError(`${api} under thread-dependent control on ${this.target}`, `${api} is inside an if that target '${this.target}' runs for every thread of the block (to emulate the warp functions near it) while only some threads take part; a barrier cannot be guarded that way. Move the barrier out of the if.`, this.ir.name, this.ir.source, s.loc);
        }
        this.barriers = true;
        return [s];
      case 'return': {
        this.returns++;
        const set = [this.exitedFlag(), ...cx.loops.map((l) => l.run)].map((id, k) => this.assign(id, k === 0 ? TRUE : { kind: 'const', type: 'bool', value: false }, s));
        return [this.guarded(cx.terms, set)];
      }
      case 'break': return [this.guarded(cx.terms, [this.assign(this.innermost(cx).run, { kind: 'const', type: 'bool', value: false }, s)])];
      case 'continue': return [this.guarded(cx.terms, [this.assign(this.innermost(cx).cont!, TRUE, s)])];
      case 'if': return this.convertIf(s, cx);
      case 'loop': return this.convertLoop(s, cx);
      default: return [this.guarded(cx.terms, [s])];
    }
  }

  /** c = guard && cond; then-arm under guard && c; else-arm under guard && !c. */
  private convertIf(s: IfStmt, cx: Context): Stmt[] {
    const c = this.temp('warp_if');
    const out: Stmt[] = [this.assign(c, cx.terms.length ? and(conj(cx.terms), s.cond) : s.cond, s)];
    out.push(...this.list(s.then, { ...cx, terms: [...cx.terms, local(c)], inIf: true }));
    out.push(...this.list(s.else, { ...cx, terms: [...cx.terms, not(local(c))], inIf: true }));
    return out;
  }

  /**
   * run = guard; loop { run = run && cond; any = block-wide or of run; if (!any) break;
   * cont = false; body under run && !cont; update under run }.
   */
  private convertLoop(s: LoopStmt, cx: Context): Stmt[] {
    const flags: LoopFlags = { run: this.temp('warp_running') };
    if (hasContinue(s.body)) flags.cont = this.temp('warp_continued');
    const run = local(flags.run);
    const inner: Context = { terms: [run], loops: [...cx.loops, flags], inIf: false };
    // Without a continue, body and update share the guard: one list.
    const body = flags.cont === undefined ? this.list([...s.body, ...s.update], inner) : this.list(s.body, { ...inner, terms: [run, not(local(flags.cont))] });
    const update = flags.cont === undefined ? [] : this.list(s.update, inner);
    const head: Stmt[] = [];
    if (s.cond) head.push(this.assign(flags.run, and(run, s.cond), s));
    const any = this.blockAny(run, head, s);
    head.push({ kind: 'if', cond: not(any), then: [{ kind: 'break', loc: s.loc }], else: [], loc: s.loc });
    if (flags.cont !== undefined) head.push(this.assign(flags.cont, { kind: 'const', type: 'bool', value: false }, s));
    return [
      this.assign(flags.run, conj(cx.terms), s),
      { kind: 'loop', body: [...head, ...body, ...update], update: [], loc: s.loc },
    ];
  }

  /** syncthreads_or(p): the block's count of p (counting-barrier.ts) is not 0. */
  private blockAny(p: Expr, out: Stmt[], s: Stmt): Expr {
    if (this.anyCounter === undefined) {
      this.anyCounter = this.ir.arrays.length;
      this.ir.arrays.push({ id: this.anyCounter, name: 'warp_loop_any', space: 'shared', elem: 'i32', shape: [1], size: 1, atomic: true });
    }
    this.barriers = true;
    const counter = { space: 'shared' as const, id: this.anyCounter };
    const any = this.temp('warp_any_running');
    out.push(
      ...countingBarrier(counter, p, s.loc),
      this.assign(any, { kind: 'binary', op: 'ne', opType: 'i32', type: 'bool', a: countOf(counter), b: { kind: 'const', type: 'i32', value: 0 } }, s),
    );
    return local(any);
  }

  private guarded(terms: Expr[], stmts: Stmt[]): Stmt {
    return { kind: 'if', cond: conj(terms), then: stmts, else: [], loc: stmts[0]?.loc };
  }

  private innermost(cx: Context): LoopFlags {
    const l = cx.loops[cx.loops.length - 1];
    if (!l) throw new Error('numbat internal error: break or continue outside a converted loop in warp predication');
    return l;
  }

  private exitedFlag(): number {
    this.exited ??= this.temp('warp_exited');
    return this.exited;
  }

  private assign(id: number, value: Expr, at: Stmt): Stmt {
    return { kind: 'assign', local: id, value, loc: at.loc };
  }

  private temp(name: string): number {
    const id = this.ir.locals.length;
    this.ir.locals.push({ id, name: `${name}.${id}`, type: 'bool' });
    return id;
  }

  /** What s holds: warp functions, barriers, returns, and break/continue of an enclosing loop. */
  private facts(s: Stmt): { warp: boolean; barrier: boolean; ret: boolean; exit: boolean } {
    let f = this.memo.get(s);
    if (f) return f;
    f = { warp: s.kind === 'warp', barrier: s.kind === 'barrier', ret: s.kind === 'return', exit: s.kind === 'break' || s.kind === 'continue' };
    const kids = s.kind === 'if' ? [...s.then, ...s.else] : s.kind === 'loop' ? [...s.body, ...s.update] : [];
    for (const k of kids) {
      const g = this.facts(k);
      f.warp ||= g.warp; f.barrier ||= g.barrier; f.ret ||= g.ret;
      if (s.kind !== 'loop') f.exit ||= g.exit;
    }
    this.memo.set(s, f);
    return f;
  }
}

/** A continue of this loop (not of a loop nested in it). */
function hasContinue(stmts: Stmt[]): boolean {
  return stmts.some((s) => s.kind === 'continue' || (s.kind === 'if' && (hasContinue(s.then) || hasContinue(s.else))));
}

function isNotLocal(e: Expr, id: number): boolean {
  return e.kind === 'unary' && e.op === 'not' && e.x.kind === 'local' && e.x.id === id;
}
