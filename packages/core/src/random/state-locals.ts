// A loop's draws keep the thread's state words in locals (registers): cuRAND's
// idiom of copying a state into registers for the duration of the work, done
// by the compiler. A pure IR transform that a backend may apply (the cpu does);
// the simulator, the oracle, never needs it.
//
// The draws (states.ts) read and write thread i's words only at fixed word
// numbers, states[w * n + i] with w a constant, each access marked in bounds
// after the draw's one thread check. In a loop whose only global-memory
// accesses are such accesses of one array, with one n and one i that the loop
// does not change, the words are private to the thread for the loop's
// duration, and
//
//   for (...) { ... states[5 * n + i]! ... states[5 * n + i]! = v ... }
//
// becomes
//
//   nn = n                                          (n's expression once, when not a name)
//   ok = i >= 0 && i < nn && nn <= states.length / (wmax + 1)
//   if (ok) { s5 = states[5 * nn + i]!; ... }     every word the loop touches
//   for (...) { ... s5 ... s5 = v ... }            (a `return` inside first stores back)
//   if (ok) { states[5 * nn + i]! = s5; ... }      every word the loop writes
//
// LLVM cannot do this itself: it cannot prove states[w * n + i] apart from
// states[w' * n + i] (n is a run-time value; a lane group's 8-word vector
// accesses would need n >= 8), so every draw loaded and stored its words.
// Why it keeps the results: distinct w give distinct words (n >= 1 once a
// draw's check passed), nothing else in the loop reads or writes global memory
// (another array could alias the states), and each draw still makes its thread
// check in the loop (a load whose value nobody reads: it only tests the index),
// so a thread without a state fails where it did; `ok` only keeps the loads
// before the loop, and the stores after it, inside the array.

import type { ArrayRef, AssignStmt, Expr, KernelIR, LoopStmt, Stmt } from '../ir/nodes.js';
import { localScopes } from '../ir/local-scopes.js';
import { childExprs, forEachExpr, forEachStmt, mapChildren, stmtExprs } from '../ir/walk.js';
import { loadType, type ScalarType } from '../types.js';

/** `ir` with its loops of draws keeping the state words in locals (a new IR; `ir` itself is not changed). */
export function keepThreadStatesInLocals(ir: KernelIR): KernelIR {
  const unread = unreadLocals(ir);
  const scopes = localScopes(ir.body);
  const locals = [...ir.locals];
  let changed = false;
  const rewrite = (stmts: Stmt[]): Stmt[] => stmts.flatMap((s): Stmt[] => {
    if (s.kind === 'if') return [{ ...s, then: rewrite(s.then), else: rewrite(s.else) }];
    if (s.kind !== 'loop') return [s];
    const promoted = promoteLoop(ir, s, { unread, scopes, locals });
    if (promoted) { changed = true; return promoted; }
    return [{ ...s, body: rewrite(s.body), update: rewrite(s.update) }];
  });
  const body = rewrite(ir.body);
  return changed ? { ...ir, locals, body } : ir;
}

interface Facts { unread: Set<number>; scopes: Map<number, readonly Stmt[]>; locals: KernelIR['locals'] }

/** The rewritten loops (by identity): word number -> the local that holds it in the loop. */
const promotedLoops = new WeakMap<LoopStmt, ReadonlyMap<number, number>>();

/** Word number -> local of a loop keepThreadStatesInLocals rewrote, or undefined for any other loop. */
export function promotedStateWords(loop: LoopStmt): ReadonlyMap<number, number> | undefined {
  return promotedLoops.get(loop);
}

/** `to`, a rewrite of such a loop `from` (its state words in the same locals), is known as one too. */
export function samePromotedWords(from: LoopStmt, to: LoopStmt): LoopStmt {
  const words = promotedLoops.get(from);
  if (words) promotedLoops.set(to, words);
  return to;
}

/** A promotable access: word `w` at index w * n + i. */
interface Word { w: number; n?: Expr; i: Expr }

function promoteLoop(ir: KernelIR, loop: LoopStmt, facts: Facts): Stmt[] | undefined {
  const lists = new Set<readonly Stmt[]>();
  // each local's assignments in the loop (resolve asks per local: a walk of the loop each time
  // was half this rewrite's time on a loop of three inlined draws)
  const assigned = new Map<number, AssignStmt[]>();
  let blocked = false;
  const noteLists = (stmts: readonly Stmt[]): void => {
    lists.add(stmts);
    for (const s of stmts) {
      if (s.kind === 'assign') (assigned.get(s.local) ?? assigned.set(s.local, []).get(s.local)!).push(s);
      if (s.kind === 'warp' || s.kind === 'barrier' || s.kind === 'fence') blocked = true;
      if (s.kind === 'if') { noteLists(s.then); noteLists(s.else); }
      if (s.kind === 'loop') { noteLists(s.body); noteLists(s.update); }
    }
  };
  noteLists(loop.body);
  noteLists(loop.update);
  if (blocked) return undefined;

  // Every global access in the loop: one array, fixed words, marked in bounds (or an unread check load).
  let param: number | undefined;
  let elem: ScalarType | undefined;
  const words: Word[] = [];
  const checks = new Set<Expr>(); // thread-check loads: left as they are
  const global = (a: ArrayRef): number | undefined => (a.space === 'global' ? a.param : undefined);
  const visitAccess = (array: ArrayRef, index: Expr, inBounds: boolean, type: ScalarType, check: Expr | undefined): boolean => {
    const p = global(array);
    if (p === undefined) return true;
    if (param !== undefined && p !== param) return false;
    param = p;
    const pt = ir.params[p].type;
    if (pt.kind !== 'array' || (pt.elem !== 'u32' && pt.elem !== 'i32' && pt.elem !== 'f32' && pt.elem !== 'f64') || loadType(pt.elem) !== type) return false;
    elem = type;
    if (check) { checks.add(check); return true; }
    const word = inBounds ? wordOf(index, (id) => resolve(id)) : undefined;
    if (!word) return false;
    words.push(word);
    return true;
  };
  // A local the loop assigns stands for one value when every assignment gives the same
  // invariant expression and the local has a scope inside the loop (set before each read).
  const resolving = new Set<number>();
  const resolved = new Map<number, Expr | null>();
  const resolve = (id: number): Expr | undefined => {
    if (!assigned.has(id)) return { kind: 'local', id, type: facts.locals[id].type };
    if (resolved.has(id)) return resolved.get(id) ?? undefined;
    const scope = facts.scopes.get(id);
    if (!scope || !lists.has(scope) || resolving.has(id)) return undefined;
    resolving.add(id);
    let value: Expr | undefined | null;
    for (const s of assigned.get(id)!) {
      const v = invariant(s.value, resolve);
      if (!v || (value && key(value) !== key(v))) { value = null; break; }
      value = v;
    }
    resolving.delete(id);
    resolved.set(id, value ?? null);
    return value ?? undefined;
  };

  let ok = true;
  const visitExpr = (e: Expr, check?: Expr): void => {
    if (!ok) return;
    if (e.kind === 'atomic' && global(e.array) !== undefined) { ok = false; return; }
    if (e.kind === 'load' && !visitAccess(e.array, e.index, e.inBounds === true, e.type, check === e ? e : undefined)) { ok = false; return; }
    for (const c of childExprs(e)) visitExpr(c);
  };
  forEachStmt(loop.body.concat(loop.update), (s) => {
    if (!ok) return;
    if (s.kind === 'store' && !visitAccess(s.array, s.index, s.inBounds === true, s.value.type, undefined)) { ok = false; return; }
    const check = s.kind === 'assign' && facts.unread.has(s.local) && s.value.kind === 'load' ? s.value : undefined;
    for (const x of stmtExprs(s)) visitExpr(x, check);
  });
  if (loop.cond) visitExpr(loop.cond);
  if (!ok || param === undefined || elem === undefined || words.length === 0) return undefined;

  // One n and one i for every word; n known (some word w >= 1).
  const withN = words.find((w) => w.n);
  if (!withN?.n) return undefined;
  const n = withN.n, i = words[0].i;
  if (!words.every((w) => key(w.i) === key(i) && (!w.n || key(w.n) === key(n)))) return undefined;

  const array: ArrayRef = { space: 'global', param };
  const used = [...new Set(words.map((w) => w.w))].sort((a, b) => a - b);
  const wmax = used[used.length - 1];
  const slot = new Map<number, number>();
  for (const w of used) {
    const id = facts.locals.length;
    facts.locals.push({ id, name: `state.word${w}`, type: elem });
    slot.set(w, id);
  }
  const okId = facts.locals.length;
  facts.locals.push({ id: okId, name: 'state.inLocals', type: 'bool' });
  // n (states.length / 10 in the draws) once in a local: the loads, the stores and the guard
  // each repeated its expression, a division per word in the code before the optimiser.
  const nId = n.kind === 'local' || n.kind === 'param' || n.kind === 'const' ? undefined : facts.locals.length;
  if (nId !== undefined) facts.locals.push({ id: nId, name: 'state.n', type: 'i32' });
  const nv = nId !== undefined ? local(nId, 'i32') : n;
  const written = new Set<number>();

  const indexOf = (w: number): Expr => (w === 0 ? i : add(w === 1 ? nv : mul(c(w), nv), i));
  const rewriteExpr = (e: Expr): Expr => {
    if (e.kind === 'load' && global(e.array) === param && !checks.has(e)) {
      const word = wordOf(e.index, resolve)!;
      return { kind: 'local', id: slot.get(word.w)!, type: e.type };
    }
    return mapChildren(e, rewriteExpr);
  };
  const storeBack = (): Stmt => ({
    kind: 'if', cond: local(okId, 'bool'), else: [],
    then: [...written].sort((a, b) => a - b).map((w): Stmt => ({ kind: 'store', array, index: indexOf(w), value: local(slot.get(w)!, elem!), inBounds: true })),
  });
  const rewriteStmts = (stmts: Stmt[]): Stmt[] => stmts.flatMap((s): Stmt[] => {
    if (s.kind === 'store' && global(s.array) === param) {
      const w = wordOf(s.index, resolve)!.w;
      written.add(w);
      return [{ kind: 'assign', local: slot.get(w)!, value: rewriteExpr(s.value), loc: s.loc }];
    }
    if (s.kind === 'return') return [storeBack(), s];
    if (s.kind === 'if') return [{ ...s, cond: rewriteExpr(s.cond), then: rewriteStmts(s.then), else: rewriteStmts(s.else) }];
    if (s.kind === 'loop') return [{ ...s, cond: s.cond && rewriteExpr(s.cond), body: rewriteStmts(s.body), update: rewriteStmts(s.update) }];
    if (s.kind === 'assign') return [{ ...s, value: rewriteExpr(s.value) }];
    if (s.kind === 'expr') return [{ ...s, expr: rewriteExpr(s.expr) }];
    return [s];
  });
  const body = rewriteStmts(loop.body), update = rewriteStmts(loop.update);
  const rewritten: LoopStmt = { ...loop, cond: loop.cond && rewriteExpr(loop.cond), body, update };
  // Returns inside were rewritten before `written` was complete: fill their store-backs now.
  const fill = (stmts: Stmt[]): void => {
    for (let k = 0; k < stmts.length; k++) {
      const s = stmts[k];
      if (s.kind === 'return' && k > 0) stmts[k - 1] = storeBack();
      if (s.kind === 'if') { fill(s.then); fill(s.else); }
      if (s.kind === 'loop') { fill(s.body); fill(s.update); }
    }
  };
  fill(body); fill(update);
  promotedLoops.set(rewritten, slot);

  const len: Expr = { kind: 'length', array, type: 'i32' };
  const guard: Expr = and(and(cmp('ge', i, c(0)), cmp('lt', i, nv)), cmp('le', nv, { kind: 'binary', op: 'truncdiv', opType: 'i32', type: 'i32', a: len, b: c(wmax + 1) }));
  return [
    ...(nId !== undefined ? [{ kind: 'assign', local: nId, value: n, loc: loop.loc } as Stmt] : []),
    { kind: 'assign', local: okId, value: guard, loc: loop.loc },
    {
      kind: 'if', cond: local(okId, 'bool'), else: [], loc: loop.loc,
      then: used.map((w): Stmt => ({ kind: 'assign', local: slot.get(w)!, value: { kind: 'load', array, index: indexOf(w), type: elem!, inBounds: true } })),
    },
    rewritten,
    ...(written.size ? [storeBack()] : []),
  ];
}

/** w * n + i, n + i (w = 1) or i (w = 0), with n and i invariant; undefined for any other index. */
function wordOf(index: Expr, resolve: (id: number) => Expr | undefined): Word | undefined {
  if (index.kind === 'binary' && index.op === 'add' && index.opType === 'i32') {
    const { a, b } = index;
    const i = invariant(b, resolve);
    if (!i) return undefined;
    if (a.kind === 'binary' && a.op === 'mul' && a.opType === 'i32' && a.a.kind === 'const' && typeof a.a.value === 'number') {
      const w = a.a.value, n = invariant(a.b, resolve);
      return n && Number.isInteger(w) && w >= 2 && w <= 64 ? { w, n, i } : undefined;
    }
    const n = invariant(a, resolve);
    return n ? { w: 1, n, i } : undefined;
  }
  const i = invariant(index, resolve);
  return i && index.type === 'i32' ? { w: 0, i } : undefined;
}

/** `e` with its locals replaced by what they stand for, when it has the same value throughout the loop. */
function invariant(e: Expr, resolve: (id: number) => Expr | undefined): Expr | undefined {
  switch (e.kind) {
    case 'const': case 'param': case 'special': case 'length': return e;
    case 'local': return resolve(e.id);
    case 'load': case 'atomic': return undefined;
    default: {
      let ok = true;
      const out = mapChildren(e, (x) => { const r = ok ? invariant(x, resolve) : undefined; if (!r) ok = false; return r ?? x; });
      return ok ? out : undefined;
    }
  }
}

/** Locals never read anywhere in the kernel (the thread checks' loads go to such locals). */
function unreadLocals(ir: KernelIR): Set<number> {
  const read = new Set<number>();
  forEachStmt(ir.body, (s) => {
    for (const x of stmtExprs(s)) forEachExpr(x, (y) => { if (y.kind === 'local') read.add(y.id); });
  });
  return new Set(ir.locals.map((l) => l.id).filter((id) => !read.has(id)));
}

const key = (e: Expr): string => JSON.stringify(e, (k, v) => (k === 'loc' ? undefined : typeof v === 'bigint' ? `${v}n` : v));
const c = (v: number): Expr => ({ kind: 'const', value: v, type: 'i32' });
const local = (id: number, type: ScalarType): Expr => ({ kind: 'local', id, type });
const add = (a: Expr, b: Expr): Expr => ({ kind: 'binary', op: 'add', opType: 'i32', type: 'i32', a, b });
const mul = (a: Expr, b: Expr): Expr => ({ kind: 'binary', op: 'mul', opType: 'i32', type: 'i32', a, b });
const cmp = (op: 'ge' | 'lt' | 'le', a: Expr, b: Expr): Expr => ({ kind: 'binary', op, opType: 'i32', type: 'bool', a, b });
const and = (a: Expr, b: Expr): Expr => ({ kind: 'logical', op: 'and', type: 'bool', a, b });
