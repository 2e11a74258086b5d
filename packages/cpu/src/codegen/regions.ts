// Barrier regions: the CPU runs a block's threads as loops ("work-item
// loops"). A statement list that contains a barrier is split into regions —
// maximal runs of barrier-free statements — each run as one loop over the
// block's threads; barriers and the if/loop statements that contain barriers
// stay outside the loops and run once per block (their conditions are
// block-uniform, which core's barrier check guarantees). This file decides,
// before any code is emitted, which region each statement belongs to and
// where each local and local array must live:
//
// - private: one scalar (alloca) reused by every thread, zeroed at the start
//   of each thread's pass through the region. Valid when all references sit
//   in one region that runs once per block, or when the region assigns the
//   local before any use (a temporary declared inside a barrier loop).
// - threadIdx.x aliases (`const t = cuda.threadIdx.x`): private everywhere,
//   set to the thread's x at the start of each pass (no storage per thread).
// - recomputed (`const i = cuda.grid(1)`, `const base = i * 4`): private in
//   every region, each region that reads one without assigning it computing it
//   again first (recomputableLocals).
// - per-thread: an array with one slot per thread in the worker's scratch
//   memory, zeroed at the start of each block. Everything else (values live
//   across a barrier, anything read by a block-level condition).
//
// The walk that finds the regions also builds the block-level plan (`body`),
// the tree the code generator walks (block-level.ts), so the regions it emits
// are these by construction.

import type { AssignStmt, BarrierStmt, Expr, IfStmt, KernelIR, LoopStmt, Stmt } from '@numbat/core';
import { analyzeUniformity, forEachExpr, forEachStmt, stmtExprs } from '@numbat/core';

export function containsBarrier(s: Stmt): boolean {
  switch (s.kind) {
    case 'barrier': return true;
    case 'if': return s.then.some(containsBarrier) || s.else.some(containsBarrier);
    case 'loop': return s.body.some(containsBarrier) || s.update.some(containsBarrier);
    default: return false;
  }
}

export function containsReturn(stmts: readonly Stmt[]): boolean {
  return stmts.some((s) => s.kind === 'return' || (s.kind === 'if' && (containsReturn(s.then) || containsReturn(s.else))) || (s.kind === 'loop' && (containsReturn(s.body) || containsReturn(s.update))));
}

export interface Region {
  id: number;
  stmts: Stmt[];
  /** Inside at least one block-level loop (so it runs more than once per block). */
  inBarrierLoop: boolean;
  /** Its code can `break`/`continue` the block-level loop around it (sets that loop's flag, acted on after the region). */
  leaves: { brk: boolean; cont: boolean };
}

/** Does `stmts` `break` (`continue`) the loop it is in, outside any loop of its own? */
export function leavesLoop(stmts: readonly Stmt[], kind: 'break' | 'continue'): boolean {
  return stmts.some((s) => s.kind === kind || (s.kind === 'if' && (leavesLoop(s.then, kind) || leavesLoop(s.else, kind))));
}

/**
 * A kernel at block level, in emission order: regions (run by every thread),
 * the barriers between them, the once-per-block assignments of block scalars,
 * and the if/loop statements that contain barriers (their conditions are
 * block-uniform), with their arms and bodies planned the same way.
 */
export type BlockItem =
  | { kind: 'region'; region: Region }
  | { kind: 'hoisted'; stmt: AssignStmt }
  | { kind: 'barrier'; stmt: BarrierStmt }
  | { kind: 'if'; stmt: IfStmt; then: BlockItem[]; else: BlockItem[] }
  | { kind: 'loop'; stmt: LoopStmt; body: BlockItem[]; update: BlockItem[] };

export interface StorageLayout {
  /** The kernel's body at block level (what the code generator walks). */
  body: BlockItem[];
  /** Every region, in emission order. */
  regions: Region[];
  /** Locals kept per thread (everything else is private). */
  perThreadLocals: Set<number>;
  /** Local arrays kept per thread. */
  perThreadArrays: Set<number>;
  /**
   * Block-uniform locals assigned only by pure statements at block level
   * (`let s = blockDim.x >> 1`, `s >>= 1` around barriers): one value per
   * block, computed once, never per thread.
   */
  blockScalars: Set<number>;
  /** The block-level assignments of block scalars (run once per block, between regions). */
  hoisted: Set<Stmt>;
  /**
   * Locals that always hold threadIdx.x (`const t = cuda.threadIdx.x`): private
   * in every region, set to the thread's x at region start instead of zeroed.
   */
  txAliases: Set<number>;
  /** For each region, the private locals/arrays it references (zeroed per thread at region start). */
  privateLocalsOf: Map<Region, number[]>;
  privateArraysOf: Map<Region, number[]>;
  /** For each region, every local its code refers to (its recomputed ones' definitions included). */
  localsOf: Map<Region, ReadonlySet<number>>;
}

interface Refs { locals: Set<number>; arrays: Set<number> }

function exprRefs(e: Expr, r: Refs): void {
  forEachExpr(e, (x) => {
    if (x.kind === 'local') r.locals.add(x.id);
    else if ((x.kind === 'load' || x.kind === 'length' || x.kind === 'atomic') && x.array.space === 'local') r.arrays.add(x.array.id);
  });
}

function stmtRefs(stmts: readonly Stmt[], r: Refs): void {
  for (const s of stmts) {
    for (const e of stmtExprs(s)) exprRefs(e, r);
    if (s.kind === 'assign') r.locals.add(s.local);
    if (s.kind === 'store' && s.array.space === 'local') r.arrays.add(s.array.id);
    if (s.kind === 'if') { stmtRefs(s.then, r); stmtRefs(s.else, r); }
    if (s.kind === 'loop') { stmtRefs(s.body, r); stmtRefs(s.update, r); }
  }
}

/**
 * The locals assigned before any read, on every path through `stmts` (so their
 * value on entry is never observed). Looks into `if` arms: a temporary that an
 * arm assigns and then reads, referenced nowhere else, qualifies.
 * All locals in one walk (asking local by local walked the list again for each): a
 * statement decides each local it is the first to refer to: an assignment that does not
 * read it, or an `if` whose arms both assign it first (`pending`: one arm assigns it, the
 * other does not refer to it: assigned unless referred to later).
 */
export function localsAssignedBeforeUse(stmts: readonly Stmt[]): Set<number> {
  return firstReferences(stmts).assigned;
}

function firstReferences(stmts: readonly Stmt[]): { assigned: Set<number>; used: Set<number> } {
  const assigned = new Set<number>(), used = new Set<number>(), pending = new Set<number>();
  const decided = (id: number): boolean => assigned.has(id) || used.has(id) || pending.has(id);
  const use = (ids: Iterable<number>): void => {
    for (const id of ids) {
      if (pending.has(id)) { pending.delete(id); used.add(id); } else if (!decided(id)) used.add(id);
    }
  };
  for (const s of stmts) {
    if (pending.size) {
      const r: Refs = { locals: new Set(), arrays: new Set() };
      stmtRefs([s], r);
      for (const id of r.locals) if (pending.has(id)) { pending.delete(id); used.add(id); }
    }
    if (s.kind === 'assign') {
      const r: Refs = { locals: new Set(), arrays: new Set() };
      exprRefs(s.value, r);
      use(r.locals);
      if (!decided(s.local)) assigned.add(s.local);
    } else if (s.kind === 'if') {
      const c: Refs = { locals: new Set(), arrays: new Set() };
      exprRefs(s.cond, c);
      use(c.locals);
      const a = firstReferences(s.then), b = firstReferences(s.else);
      for (const id of new Set([...a.assigned, ...a.used, ...b.assigned, ...b.used])) {
        if (decided(id)) continue;
        if (a.used.has(id) || b.used.has(id)) used.add(id);
        else if (a.assigned.has(id) && b.assigned.has(id)) assigned.add(id);
        else pending.add(id); // assigned in one arm only: fine if nothing after the if refers to it
      }
    } else {
      const r: Refs = { locals: new Set(), arrays: new Set() };
      stmtRefs([s], r);
      use(r.locals);
    }
  }
  for (const id of pending) assigned.add(id);
  return { assigned, used };
}

/**
 * The kernel's top-level assignments, those `wanted`, whose local no other statement assigns and
 * nothing reads before (asked lazily, in order: `wanted` may learn from what came before).
 */
export function* soleAssignments(ir: KernelIR, wanted: (s: AssignStmt) => boolean): Generator<AssignStmt> {
  const count = new Map<number, number>();
  forEachStmt(ir.body, (s) => { if (s.kind === 'assign') count.set(s.local, (count.get(s.local) ?? 0) + 1); });
  let first: Set<number> | undefined;
  for (const s of ir.body) {
    if (s.kind === 'assign' && count.get(s.local) === 1 && wanted(s) && (first ??= localsAssignedBeforeUse(ir.body)).has(s.local)) yield s;
  }
}

/** Locals assigned once, at the top of the kernel, the value threadIdx.x, and not read before. */
export function threadIdxAliases(ir: KernelIR): Set<number> {
  const isThreadX = (s: AssignStmt): boolean => s.value.kind === 'special' && s.value.reg === 'threadIdx' && s.value.dim === 0;
  return new Set([...soleAssignments(ir, isThreadX)].map((s) => s.local));
}

/**
 * Locals a region can compute again instead of keeping them per thread (`const i = cuda.grid(1)`,
 * `const base = i * 4`): assigned once, at the kernel's top level, not read before, by arithmetic
 * on thread and block indices, scalar parameters, constants, lengths of global or shared arrays
 * and other such locals: the same value whenever the thread computes it. Kept per thread, a lane
 * group read them back from their slots and no longer knew that `i` was the lane's index, so every
 * access through it became a gather of single loads (a random draw before a barrier: its ten
 * state words, ~1 000 IR instructions and ~0.7 s of compile per draw).
 */
export function recomputableLocals(ir: KernelIR, exclude: ReadonlySet<number>, txAliases: ReadonlySet<number> = new Set()): Map<number, AssignStmt> {
  const out = new Map<number, AssignStmt>();
  if (!ir.hasBarrier) return out;
  for (const s of soleAssignments(ir, (x) => !exclude.has(x.local) && recomputable(x.value, out, txAliases))) out.set(s.local, s);
  return out;
}

/** `txAliases` are known too (`const t = threadIdx.x; const i = blockIdx.x * blockDim.x + t`): every region has them. */
function recomputable(e: Expr, known: ReadonlyMap<number, unknown>, txAliases: ReadonlySet<number>): boolean {
  let ok = true;
  forEachExpr(e, (x) => {
    switch (x.kind) {
      case 'const': case 'param': case 'special': case 'unary': case 'binary': case 'logical': case 'cond': case 'select': case 'convert': case 'bitcast': return;
      case 'length': if (x.array.space === 'local') ok = false; return; // (would make the array referenced in more regions)
      case 'local': if (!known.has(x.id) && !txAliases.has(x.id)) ok = false; return;
      default: ok = false; // loads, atomics, warp values; math calls (cheaper kept than computed again)
    }
  });
  return ok;
}

/**
 * A region that reads a recomputed local it does not assign computes it (and what it is computed
 * from) first; `refs`, the region's references, then include what those assignments read.
 */
function recomputeInRegion(r: Region, refs: Refs, recomputed: ReadonlyMap<number, AssignStmt>): void {
  const need = new Set<number>();
  const add = (id: number): void => {
    const def = recomputed.get(id);
    if (!def || need.has(id) || r.stmts.includes(def)) return;
    need.add(id);
    const deps: Refs = { locals: new Set(), arrays: new Set() };
    exprRefs(def.value, deps);
    deps.locals.forEach(add);
  };
  refs.locals.forEach(add);
  if (!need.size) return;
  // in the kernel's order, which is an order of their dependencies
  const assigns = [...recomputed.values()].filter((d) => need.has(d.local)).map((d) => ({ ...d }));
  r.stmts = [...assigns, ...r.stmts];
  stmtRefs(assigns, refs); // (a threadIdx.x alias they read)
}

/** No loads, atomics or threadIdx: the same value whenever and for whichever thread it is computed. */
function pureUniform(e: Expr, uniform: (e: Expr) => boolean): boolean {
  if (!uniform(e)) return false;
  let pure = true;
  forEachExpr(e, (x) => { if (x.kind === 'load' || x.kind === 'atomic') pure = false; });
  return pure;
}

function blockScalarPlan(ir: KernelIR): { blockScalars: Set<number>; hoisted: Set<Stmt> } {
  const blockScalars = new Set<number>(), hoisted = new Set<Stmt>();
  if (!ir.hasBarrier) return { blockScalars, hoisted };
  const uni = analyzeUniformity(ir);
  const cand = new Set(uni.uniformLocals);
  const atBlock: Stmt[] = [];
  const disqualify = (stmts: readonly Stmt[]): void => forEachStmt(stmts as Stmt[], (x) => { if (x.kind === 'assign') cand.delete(x.local); });
  // What block-level code reads (the conditions of the ifs and loops that contain barriers), and
  // how many barrier-free runs of statements (the regions there would be with nothing hoisted)
  // refer to each local.
  const blockReads: Refs = { locals: new Set(), arrays: new Set() };
  const runsOf = new Map<number, number>();
  const walk = (list: readonly Stmt[]): void => {
    let run: Refs = { locals: new Set(), arrays: new Set() };
    const endRun = (): void => {
      for (const id of run.locals) runsOf.set(id, (runsOf.get(id) ?? 0) + 1);
      run = { locals: new Set(), arrays: new Set() };
    };
    for (const s of list) {
      if (containsBarrier(s)) {
        endRun();
        if (s.kind === 'if') { exprRefs(s.cond, blockReads); walk(s.then); walk(s.else); }
        else if (s.kind === 'loop') { if (s.cond) exprRefs(s.cond, blockReads); walk(s.body); walk(s.update); }
        continue;
      }
      stmtRefs([s], run);
      if (s.kind === 'assign' && pureUniform(s.value, uni.isUniform)) atBlock.push(s);
      else disqualify([s]);
    }
    endRun();
  };
  walk(ir.body);
  // Hoisted is only what block-level code reads or what lives across a barrier, and the block
  // scalars those are computed from: a hoisted assignment ends the region it sits in, and every
  // random draw assigns a block-uniform `n` (its states' thread count, read by that draw only),
  // which cut a region into a piece per draw, each with its own thread loop and lane groups and
  // the state words stored and reloaded between them (8 draws before a barrier: 1 MB of LLVM IR).
  const needed = new Set<number>();
  const need = (id: number): void => {
    if (!cand.has(id) || needed.has(id)) return;
    needed.add(id);
    for (const s of atBlock) {
      if (s.kind !== 'assign' || s.local !== id) continue;
      const r: Refs = { locals: new Set(), arrays: new Set() };
      exprRefs(s.value, r);
      r.locals.forEach(need);
    }
  };
  blockReads.locals.forEach(need);
  for (const [id, runs] of runsOf) if (runs > 1) need(id);
  for (const s of atBlock) if (s.kind === 'assign' && needed.has(s.local)) { blockScalars.add(s.local); hoisted.add(s); }
  return { blockScalars, hoisted };
}

/** `txAliases`: threadIdxAliases(ir), when the caller has it. */
export function planStorage(ir: KernelIR, txAliases: ReadonlySet<number> = threadIdxAliases(ir)): StorageLayout {
  const regions: Region[] = [];
  const blockRefs: Refs = { locals: new Set(), arrays: new Set() };
  const { blockScalars, hoisted } = blockScalarPlan(ir);

  const walk = (list: readonly Stmt[], inLoop: boolean): BlockItem[] => {
    const items: BlockItem[] = [];
    let pending: Stmt[] = [];
    const flush = (): void => {
      if (!pending.length) return;
      const leaves = { brk: inLoop && leavesLoop(pending, 'break'), cont: inLoop && leavesLoop(pending, 'continue') };
      const r: Region = { id: regions.length, stmts: pending, inBarrierLoop: inLoop, leaves };
      regions.push(r);
      items.push({ kind: 'region', region: r });
      pending = [];
    };
    for (const s of list) {
      if (hoisted.has(s) && s.kind === 'assign') {
        flush();
        exprRefs(s.value, blockRefs);
        items.push({ kind: 'hoisted', stmt: s });
        continue;
      }
      if (!ir.hasBarrier || !containsBarrier(s)) { pending.push(s); continue; }
      flush();
      if (s.kind === 'if') {
        exprRefs(s.cond, blockRefs);
        const then = walk(s.then, inLoop);
        items.push({ kind: 'if', stmt: s, then, else: walk(s.else, inLoop) });
      } else if (s.kind === 'loop') {
        if (s.cond) exprRefs(s.cond, blockRefs);
        const body = walk(s.body, true);
        items.push({ kind: 'loop', stmt: s, body, update: walk(s.update, true) });
      } else if (s.kind === 'barrier') {
        items.push({ kind: 'barrier', stmt: s });
      } else throw new Error(`numbat internal error: barrier inside ${s.kind}`);
    }
    flush();
    return items;
  };
  const body = walk(ir.body, false);
  const recomputed = recomputableLocals(ir, new Set([...blockScalars, ...txAliases, ...blockRefs.locals]), txAliases);

  const uses = new Map<number, Region[]>(), arrayUses = new Map<number, Region[]>();
  const localsOf = new Map<Region, ReadonlySet<number>>();
  for (const r of regions) {
    const refs: Refs = { locals: new Set(), arrays: new Set() };
    stmtRefs(r.stmts, refs);
    recomputeInRegion(r, refs, recomputed);
    localsOf.set(r, refs.locals);
    for (const l of refs.locals) (uses.get(l) ?? uses.set(l, []).get(l)!).push(r);
    for (const a of refs.arrays) (arrayUses.get(a) ?? arrayUses.set(a, []).get(a)!).push(r);
  }

  const perThreadLocals = new Set<number>(), perThreadArrays = new Set<number>();
  const privateLocalsOf = new Map<Region, number[]>(regions.map((r) => [r, []]));
  const privateArraysOf = new Map<Region, number[]>(regions.map((r) => [r, []]));
  const privateTxAliases = new Set([...txAliases].filter((id) => !blockRefs.locals.has(id)));
  const firsts = new Map<Region, Set<number>>(); // (one walk per region, not per local)
  const assignedFirst = (r: Region): Set<number> => firsts.get(r) ?? firsts.set(r, localsAssignedBeforeUse(r.stmts)).get(r)!;
  for (const l of ir.locals) {
    if (blockScalars.has(l.id)) continue;
    const rs = uses.get(l.id) ?? [];
    if (privateTxAliases.has(l.id) || recomputed.has(l.id)) { for (const r of rs) privateLocalsOf.get(r)!.push(l.id); continue; }
    const single = rs.length === 1 && !blockRefs.locals.has(l.id);
    if (single && (!rs[0].inBarrierLoop || assignedFirst(rs[0]).has(l.id))) privateLocalsOf.get(rs[0])!.push(l.id);
    else if (rs.length || blockRefs.locals.has(l.id)) perThreadLocals.add(l.id);
  }
  for (const a of ir.arrays) {
    if (a.space !== 'local') continue;
    const rs = arrayUses.get(a.id) ?? [];
    if (rs.length === 1 && !rs[0].inBarrierLoop && !blockRefs.arrays.has(a.id)) privateArraysOf.get(rs[0])!.push(a.id);
    else if (rs.length) perThreadArrays.add(a.id);
  }
  return { body, regions, perThreadLocals, perThreadArrays, privateLocalsOf, privateArraysOf, blockScalars, hoisted, txAliases: privateTxAliases, localsOf };
}
