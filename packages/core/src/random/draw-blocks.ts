// Loops of random draws in whole Philox blocks. In a loop whose draws keep the
// state words in locals (state-locals.ts), every draw tracks its thread's
// position in the current block: it tests for a refill, refills under a
// thread-dependent branch and picks its word by selects. Where every trip of
// the loop draws one word (or one value of a Box-Muller pair: two words every
// two trips), four trips that start at a block boundary (the position word is
// BLOCK_USED_UP, as createStates leaves it and as four such trips leave it
// again) refill once, unconditionally, and read words 0..3 at fixed places.
// So the loop becomes
//
//   while (cond) {
//     if (pos == 4) {           groupWide: a cpu lane group tests it over all its lanes
//       pos = 4                 (it is: the value that lets every test below fold)
//       body; update; if (!cond) break;        four trips, the trips' own locals renamed
//       body; update; if (!cond) break;
//       body; update; if (!cond) break;
//       body
//     } else {
//       body                    one trip as before (a position inside a block)
//     }
//     update
//   }
//
// which runs the same trips in the same order whatever the loop does (a
// `continue` in a copy goes to the loop's update and ends that trip; `break`
// and `return` leave as before; `cond` is tested before each trip), so it is
// right for any body; it is faster where the body draws as above, because
// after `pos = 4` the positions, refill tests and word picks of the four copies
// are constants that LLVM folds. Measured by bench/cpu/draws-lockstep.mjs (the
// same words without any bookkeeping) and docs/random.md. The price is the
// body five times in the kernel: only loops with a Philox refill (the draws'
// `umulhi` by PHILOX_M0) and a body of at most MAX_TRIP_NODES nodes.

import type { ConstExpr, Expr, IfStmt, KernelIR, LoopStmt, Stmt } from '../ir/nodes.js';
import { fold } from '../ir/fold.js';
import { localScopes } from '../ir/local-scopes.js';
import { forEachExpr, forEachStmt, mapChildren, someStmt, stmtExprs } from '../ir/walk.js';
import { PHILOX_M0 } from './philox.js';
import { promotedStateWords } from './state-locals.js';
import { BLOCK_USED_UP, POSITION_WORD } from './states.js';

/**
 * The largest loop (body and update: statements and expression nodes) copied into blocks of four
 * trips. The bench's loops of uniforms and normals are 244 and 299; option pricing's (a normal,
 * `exp`, the payoff: 447) would take its cpu lane groups over their budget with five copies.
 */
export const MAX_TRIP_NODES = 400;

/** `ir` with its loops of draws in blocks (a new IR where some loop changed; `ir` itself is not changed). */
export function blockDrawLoops(ir: KernelIR): KernelIR {
  const scopes = localScopes(ir.body);
  const locals = [...ir.locals];
  let changed = false;
  const rewrite = (stmts: Stmt[]): Stmt[] => {
    let any = false;
    const out = stmts.map((s): Stmt => {
      let r: Stmt = s;
      if (s.kind === 'if') {
        const then = rewrite(s.then), els = rewrite(s.else);
        if (then !== s.then || els !== s.else) r = { ...s, then, else: els };
      } else if (s.kind === 'loop') {
        const blocked = inBlocks(s, scopes, locals);
        if (blocked) r = blocked;
        else {
          const body = rewrite(s.body), update = rewrite(s.update);
          if (body !== s.body || update !== s.update) r = { ...s, body, update };
        }
      }
      if (r !== s) any = true;
      return r;
    });
    if (any) changed = true;
    return any ? out : stmts;
  };
  const body = rewrite(ir.body);
  return changed ? { ...ir, locals, body } : ir;
}

function inBlocks(loop: LoopStmt, scopes: ReadonlyMap<number, readonly Stmt[]>, locals: KernelIR['locals']): LoopStmt | undefined {
  const pos = promotedStateWords(loop)?.get(POSITION_WORD);
  if (pos === undefined) return undefined;
  const trip = [...loop.body, ...loop.update];
  if (!someStmt(trip, refillsPhilox) || size(trip) > MAX_TRIP_NODES) return undefined;
  // The trips' own locals (set before every read, inside the body or the update): one set per copy.
  const lists = new Set<readonly Stmt[]>();
  const note = (stmts: readonly Stmt[]): void => {
    lists.add(stmts);
    for (const s of stmts) {
      if (s.kind === 'if') { note(s.then); note(s.else); }
      if (s.kind === 'loop') { note(s.body); note(s.update); }
    }
  };
  note(loop.body);
  note(loop.update);
  const own = [...scopes].filter(([, list]) => lists.has(list)).map(([id]) => id);
  const copy = (stmts: readonly Stmt[], rename: ReadonlyMap<number, number>): Stmt[] => stmts.map((s) => cloneStmt(s, rename));
  const posType = locals[pos].type;
  const boundary: ConstExpr = { kind: 'const', value: BLOCK_USED_UP, type: posType };
  const then: Stmt[] = [{ kind: 'assign', local: pos, value: boundary, loc: loop.loc }];
  for (let k = 0; k < 4; k++) {
    const rename = new Map<number, number>();
    for (const id of own) {
      rename.set(id, locals.length);
      locals.push({ ...locals[id], id: locals.length, name: `${locals[id].name}.trip${k}` });
    }
    then.push(...copy(loop.body, rename));
    if (k === 3) break;
    then.push(...copy(loop.update, rename));
    if (loop.cond) {
      then.push({ kind: 'if', cond: { kind: 'unary', op: 'not', type: 'bool', x: cloneExpr(loop.cond, new Map()) }, then: [{ kind: 'break' }], else: [], loc: loop.loc });
    }
  }
  const atBoundary: Expr = {
    kind: 'binary', op: 'eq', opType: posType, type: 'bool',
    a: { kind: 'local', id: pos, type: posType }, b: { kind: 'const', value: BLOCK_USED_UP, type: posType },
  };
  // The four trips with what `pos = 4` makes constant folded in core (smaller IR for the lane
  // budget and for LLVM): the refill tests, the positions, the word picks.
  const known = new Map<number, ConstExpr>([[pos, boundary]]);
  const guard: IfStmt = { kind: 'if', cond: atBoundary, then: specialise(then, known, locals), else: loop.body, groupWide: true, loc: loop.loc };
  return { ...loop, body: [guard] };
}

/** The refill of a Philox draw: a `umulhi` by the first round multiplier. */
const refillsPhilox = (s: Stmt): boolean => stmtExprs(s).some((x) => {
  let hit = false;
  forEachExpr(x, (y) => { if (y.kind === 'math' && y.fn === 'umulhi' && y.args.some((a) => a.kind === 'const' && a.value === PHILOX_M0)) hit = true; });
  return hit;
});

/** Statements and expression nodes in `stmts`. */
function size(stmts: readonly Stmt[]): number {
  let n = 0;
  const walk = (list: readonly Stmt[]): void => {
    for (const s of list) {
      n++;
      for (const x of stmtExprs(s)) forEachExpr(x, () => { n++; });
      if (s.kind === 'if') { walk(s.then); walk(s.else); }
      if (s.kind === 'loop') { walk(s.body); walk(s.update); }
    }
  };
  walk(stmts);
  return n;
}

/** A fresh copy (no node shared with `e`), `rename`'s locals replaced. */
function cloneExpr(e: Expr, rename: ReadonlyMap<number, number>): Expr {
  if (e.kind === 'local') return { ...e, id: rename.get(e.id) ?? e.id };
  const out = mapChildren(e, (x) => cloneExpr(x, rename));
  return out === e ? { ...e } : out;
}

function cloneStmt(s: Stmt, rename: ReadonlyMap<number, number>): Stmt {
  const x = (e: Expr): Expr => cloneExpr(e, rename);
  const list = (l: readonly Stmt[]): Stmt[] => l.map((t) => cloneStmt(t, rename));
  const id = (l: number): number => rename.get(l) ?? l;
  switch (s.kind) {
    case 'assign': return { ...s, local: id(s.local), value: x(s.value) };
    case 'store': return { ...s, index: x(s.index), value: x(s.value) };
    case 'expr': return { ...s, expr: x(s.expr) };
    case 'if': return { ...s, cond: x(s.cond), then: list(s.then), else: list(s.else) };
    case 'loop': return { ...s, cond: s.cond && x(s.cond), body: list(s.body), update: list(s.update) };
    case 'warp': return {
      ...s, mask: s.mask && x(s.mask), value: s.value && x(s.value), lane: s.lane && x(s.lane),
      local: s.local === undefined ? undefined : id(s.local), pred: s.pred === undefined ? undefined : id(s.pred),
    };
    default: return { ...s };
  }
}

/**
 * `stmts` (fresh copies: folded in place) with the locals `known` to hold constants replaced
 * by them, and what that makes constant folded, `if`s on a constant condition reduced to
 * their live arm. A local assigned a constant of its own type becomes known; any other
 * assignment, one in a loop, or in an arm of an `if` whose other arm disagrees, forgets it.
 */
function specialise(stmts: readonly Stmt[], known: Map<number, ConstExpr>, locals: KernelIR['locals']): Stmt[] {
  const x = (e: Expr): Expr => fold(substitute(e, known));
  const out: Stmt[] = [];
  for (const s of stmts) {
    switch (s.kind) {
      case 'assign': {
        const value = x(s.value);
        if (value.kind === 'const' && value.type === locals[s.local].type) known.set(s.local, value); else known.delete(s.local);
        out.push({ ...s, value });
        break;
      }
      case 'store': out.push({ ...s, index: x(s.index), value: x(s.value) }); break;
      case 'expr': out.push({ ...s, expr: x(s.expr) }); break;
      case 'if': {
        const cond = x(s.cond);
        if (cond.kind === 'const') { out.push(...specialise(cond.value ? s.then : s.else, known, locals)); break; }
        const inThen = new Map(known), inElse = new Map(known);
        out.push({ ...s, cond, then: specialise(s.then, inThen, locals), else: specialise(s.else, inElse, locals) });
        known.clear();
        for (const [id, v] of inThen) if (inElse.get(id)?.value === v.value) known.set(id, v);
        break;
      }
      case 'loop': {
        forEachStmt([s], (t) => { if (t.kind === 'assign') known.delete(t.local); if (t.kind === 'warp') { if (t.local !== undefined) known.delete(t.local); if (t.pred !== undefined) known.delete(t.pred); } });
        out.push({ ...s, cond: s.cond && x(s.cond), body: specialise(s.body, new Map(known), locals), update: specialise(s.update, new Map(known), locals) });
        break;
      }
      case 'warp':
        if (s.local !== undefined) known.delete(s.local);
        if (s.pred !== undefined) known.delete(s.pred);
        out.push(s);
        break;
      default: out.push(s);
    }
  }
  return out;
}

/** A fresh copy of `e` with the known locals replaced by their constants. */
function substitute(e: Expr, known: ReadonlyMap<number, ConstExpr>): Expr {
  if (e.kind === 'local') { const k = known.get(e.id); return k ? { ...k } : { ...e }; }
  const out = mapChildren(e, (y) => substitute(y, known));
  return out === e ? { ...e } : out;
}
