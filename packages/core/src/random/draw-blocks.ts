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
//       body; update; if (!cond) break;        four trips, the trips' own locals renamed,
//       body; update; if (!cond) break;        specialised for pos = 4 at the start
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
// with pos = 4 the positions, refill tests and word picks of the four copies
// are constants, which `specialise` folds here (and what they leave unread
// goes). Measured by bench/cpu/draws-lockstep.mjs (the same words without any
// bookkeeping) and docs/random.md. The price is the body five times in the
// kernel: only loops with a Philox refill (the draws' `umulhi` by PHILOX_M0)
// and a body of at most MAX_TRIP_NODES nodes.

import type { ConstExpr, Expr, IfStmt, KernelIR, LoopStmt, Stmt } from '../ir/nodes.js';
import { localScopes } from '../ir/local-scopes.js';
import { forEachExpr, mapLoops, someStmt, stmtExprs, withLoopLists } from '../ir/walk.js';
import { PHILOX_M0 } from './philox.js';
import { promotedStateWords } from './state-locals.js';
import { BLOCK_USED_UP, POSITION_WORD } from './states.js';
import { dropUnread, specialise, type Facts } from './trip-specialise.js';

/**
 * The largest loop (body and update: statements and expression nodes) copied into blocks of four
 * trips. The bench's loops of uniforms and normals are 244 and 299; option pricing's (a normal,
 * `exp`, the payoff: 447) would take its cpu lane groups over their budget with five copies.
 */
export const MAX_TRIP_NODES = 400;

/** `ir` with its loops of draws in blocks (a new IR where some loop changed; `ir` itself is not changed). */
export function blockDrawLoops(ir: KernelIR): KernelIR {
  let scopes: ReadonlyMap<number, readonly Stmt[]> | undefined; // (made when a loop qualifies)
  const locals = [...ir.locals];
  const body = mapLoops(ir.body, (s, inner) =>
    inBlocks(s, () => (scopes ??= localScopes(ir.body)), locals) ?? withLoopLists(s, inner(s.body), inner(s.update)));
  return body === ir.body ? ir : { ...ir, locals, body };
}

function inBlocks(loop: LoopStmt, scopesOf: () => ReadonlyMap<number, readonly Stmt[]>, locals: KernelIR['locals']): LoopStmt | undefined {
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
  const own = [...scopesOf()].filter(([, list]) => lists.has(list)).map(([id]) => id);
  const posType = locals[pos].type;
  const boundary: ConstExpr = { kind: 'const', value: BLOCK_USED_UP, type: posType };
  // The four trips, their own locals renamed, with what `pos = 4` makes constant folded in core
  // (smaller IR for the lane budget and for LLVM): the refill tests, the positions, the word picks.
  const facts: Facts = { known: new Map([[pos, boundary]]), values: new Map(), users: new Map() };
  const then: Stmt[] = [];
  const renamed = new Set<number>();
  for (let k = 0; k < 4; k++) {
    const rename = new Map<number, number>();
    for (const id of own) {
      renamed.add(locals.length);
      rename.set(id, locals.length);
      locals.push({ ...locals[id], id: locals.length, name: `${locals[id].name}.trip${k}` });
    }
    then.push(...specialise(loop.body, facts, locals, rename));
    if (k === 3) break;
    then.push(...specialise(loop.update, facts, locals, rename));
    if (loop.cond) {
      const exit: Stmt = { kind: 'if', cond: { kind: 'unary', op: 'not', type: 'bool', x: loop.cond }, then: [{ kind: 'break' }], else: [], loc: loop.loc };
      then.push(...specialise([exit], facts, locals, rename));
    }
  }
  const atBoundary: Expr = { kind: 'binary', op: 'eq', opType: posType, type: 'bool', a: { kind: 'local', id: pos, type: posType }, b: { ...boundary } };
  const blocks = dropUnread(then, renamed);
  const guard: IfStmt = { kind: 'if', cond: atBoundary, then: blocks, else: loop.body, groupWide: true, loc: loop.loc };
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
