// What the lane lowering (lanes.ts, lane-stmts.ts) asks of the IR before it
// emits anything: the shape of a value across a group's lanes, the locals
// that stay lane-linear, and which statements can retire lanes.

import type { Expr, KernelIR, Stmt } from '@numbat/core';
import { forEachExpr, forEachStmt, localScopes, stmtExprs } from '@numbat/core';
import { laneUniformIf } from './lane-uniformity.js';

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
export function linearLocals(ir: KernelIR, uni: { isUniform(e: Expr): boolean; uniformLocals: ReadonlySet<number>; varyingLoops: ReadonlySet<Stmt> }, within: readonly Stmt[] = ir.body, known: ReadonlySet<number> = new Set(), allowed: (id: number) => boolean = () => true, withinScopes?: ReadonlyMap<number, readonly Stmt[]>): Set<number> {
  const assigned = new Set<number>();
  forEachStmt(within as Stmt[], (s) => { if (s.kind === 'assign') assigned.add(s.local); });
  const cand = new Set(ir.locals.filter((l) => (l.type === 'i32' || l.type === 'u32') && !uni.uniformLocals.has(l.id) && !known.has(l.id) && assigned.has(l.id) && allowed(l.id)).map((l) => l.id));
  // A local with a scope (core's localScopes) may be assigned under varying
  // control outside it: lanes that skip the scope never read it. (Not a scope
  // of `within` made up here from a loop's body and update.)
  const scopes = new Map(withinScopes ?? localScopes(within)); // (`withinScopes`: localScopes(within), when the caller has it)
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
        const v = varying + (laneUniformIf(uni, s) ? 0 : 1);
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

/**
 * Does the code read or write arrays (`writesOnly`: write them; loads have no side effects)?
 * `unread` (unreadLocals): a load into one of these locals reads nothing anyone uses (a random
 * draw's thread check): only its index's loads count.
 */
export function touchesMemory(stmts: readonly Stmt[], writesOnly = false, unread?: ReadonlySet<number>): boolean {
  let mem = false;
  forEachStmt(stmts as Stmt[], (s) => {
    if (s.kind === 'store') mem = true;
    const skip = checkOnlyLoad(s, unread);
    for (const x of stmtExprs(s)) forEachExpr(x, (y) => { if ((y.kind === 'load' && !writesOnly && y !== skip) || y.kind === 'atomic') mem = true; });
  });
  return mem;
}

/**
 * The locals that `stmts` assign and never read: a load into one (a random draw's thread check,
 * core's frontend/thread-check.ts) leaves only its bounds check, LLVM drops the load itself.
 * (Asked of a region: a local read only after a barrier is among them, its load kept for the
 * later region; that only makes the budget's count and the choice of an unmasked copy a guess.)
 */
export function unreadLocals(stmts: readonly Stmt[]): Set<number> {
  const assigned = new Set<number>(), read = new Set<number>();
  forEachStmt(stmts as Stmt[], (s) => {
    if (s.kind === 'assign') assigned.add(s.local);
    for (const x of stmtExprs(s)) forEachExpr(x, (y) => { if (y.kind === 'local') read.add(y.id); });
  });
  for (const id of read) assigned.delete(id);
  return assigned;
}

/** The load of `s` whose value nobody reads (`s` assigns it to an `unread` local), if any. */
export function checkOnlyLoad(s: Stmt, unread: ReadonlySet<number> | undefined): Expr | undefined {
  return unread && s.kind === 'assign' && s.value.kind === 'load' && unread.has(s.local) ? s.value : undefined;
}

/**
 * Is the arm of a lane-varying `if` a few assignments of locals from small expressions that
 * read no memory and call no math (`if (inside) count++`)? Such an arm runs as blends under
 * the condition for every lane, without a test of whether any lane takes it: the test and its
 * branch cost more than the blends (the pi kernel's loop, AVX2: 1.13 → 1.33 G samples per
 * CPU-second, the same as writing `count += inside ? 1 : 0`).
 */
export function blendsOnly(stmts: readonly Stmt[]): boolean {
  if (stmts.length === 0 || stmts.length > 4) return false;
  return stmts.every((s) => {
    if (s.kind !== 'assign') return false;
    let nodes = 0, ok = true;
    forEachExpr(s.value, (y) => { nodes++; if (y.kind === 'load' || y.kind === 'atomic' || y.kind === 'math') ok = false; });
    return ok && nodes <= 12;
  });
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
