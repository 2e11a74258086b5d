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
// and a body of at most MAX_TRIP_NODES nodes, and only where the bookkeeping is
// a trip's main cost (`diluted`): not a loop whose trip computes f64 long-latency
// math (f64 normals' log, sin and cos; an f64 exp of a draw), nor a loop inside
// a loop that computes long-latency math besides it (a basket's normals drawn
// into a local array, then an exp per asset). Measured on cpu (AVX-512, 32- and
// 64-lane groups, best of 7 launches, alternated processes): sums of f32
// uniforms 2.51–2.56 → 3.25–3.55 G draws/s with blocks and of f32 normals
// 0.90–1.11 → 1.16–1.30 G/s, but f64 normals 531–540 → 512–522 M/s and a
// four-asset basket 108–138 → 117–150 M paths/s (within the noise), while
// blocks added 60–130 ms to each of their first launches (docs/random.md,
// "Blocks only where the bookkeeping counts").

import type { ConstExpr, Expr, IfStmt, KernelIR, LocalExpr, LoopStmt, Stmt } from '../ir/nodes.js';
import { fold } from '../ir/fold.js';
import { localScopes } from '../ir/local-scopes.js';
import { childExprs, forEachExpr, forEachStmt, mapLocals, mapLoops, someStmt, stmtExprs, withLoopLists } from '../ir/walk.js';
import { PHILOX_M0 } from './philox.js';
import { promotedStateWords, samePromotedWords } from './state-locals.js';
import { BLOCK_USED_UP, POSITION_WORD } from './states.js';

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
  // `diluted`: inside a loop whose trip computes long-latency math besides its loops of draws.
  const rewrite = (stmts: Stmt[], diluted: boolean): Stmt[] => mapLoops(stmts, (s) => {
    const trip = [...s.body, ...s.update];
    const f64Math = someStmt(trip, (t) => stmtExprs(t).some((x) => latencyMath(x, 'f64')));
    const blocked = diluted || f64Math ? undefined : inBlocks(s, () => (scopes ??= localScopes(ir.body)), locals);
    if (blocked) return blocked;
    const inner = diluted || latencyBesidesDraws(trip);
    return withLoopLists(s, rewrite(s.body, inner), rewrite(s.update, inner));
  });
  const body = rewrite(ir.body, false);
  return body === ir.body ? ir : { ...ir, locals, body };
}

/**
 * Math whose latency and code outweigh a draw's bookkeeping: the elementary functions (f64 ones
 * only, with 'f64'), and core's f64 library written out as IR (its word reads are `bitcast`s of
 * f64 values: an f64 exp or log on a target without its own).
 */
const LATENCY_FNS: ReadonlySet<string> = new Set(['exp', 'expm1', 'log', 'log2', 'log10', 'log1p', 'sin', 'cos', 'tan', 'asin', 'acos', 'atan', 'atan2', 'sinh', 'cosh', 'tanh', 'asinh', 'acosh', 'atanh', 'pow', 'cbrt', 'erf', 'erfc', 'gamma', 'lgamma']);
function latencyMath(x: Expr, only?: 'f64'): boolean {
  let hit = false;
  forEachExpr(x, (y) => {
    if ((y.kind === 'math' && LATENCY_FNS.has(y.fn) && (!only || y.type === only)) || (y.kind === 'bitcast' && y.x.type === 'f64')) hit = true;
  });
  return hit;
}

/** Long-latency math in `stmts` outside their loops of draws (the loops that refill Philox). */
function latencyBesidesDraws(stmts: readonly Stmt[]): boolean {
  return stmts.some((s) => {
    if (s.kind === 'loop' && someStmt([...s.body, ...s.update], refillsPhilox)) return false;
    if (stmtExprs(s).some((x) => latencyMath(x))) return true;
    if (s.kind === 'if') return latencyBesidesDraws(s.then) || latencyBesidesDraws(s.else);
    return s.kind === 'loop' && latencyBesidesDraws([...s.body, ...s.update]);
  });
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
  return samePromotedWords(loop, { ...loop, body: [guard] });
}

/** The refill of a Philox draw: a `umulhi` by the first round multiplier (in this statement's own expressions). */
export const refillsPhilox = (s: Stmt): boolean => stmtExprs(s).some((x) => {
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

/** What a local is known to hold at a point: a constant, or the value of another local (a copy). */
type Known = Map<number, ConstExpr | LocalExpr>;

/**
 * What specialise knows at a point: `known`, and the local that holds the value of an
 * expression computed before (by its printed form), so the same
 * expression again, or the same thread check (a load: the loop writes no global memory, its
 * state words are locals), becomes a copy of that local.
 */
interface Facts {
  known: Known;
  values: Map<string, number>;
  /** Per local, what to forget when it changes: the locals known to copy it, the values that read it or that it holds. */
  users: Map<number, Set<number | string>>;
}

const copyFacts = (f: Facts): Facts => ({ known: new Map(f.known), values: new Map(f.values), users: new Map([...f.users].map(([k, v]) => [k, new Set(v)])) });

const use = (f: Facts, l: number, u: number | string): void => { (f.users.get(l) ?? f.users.set(l, new Set()).get(l)!).add(u); };

/**
 * `stmts` as fresh statements, `rename`'s locals renamed, the locals known to hold a constant
 * or another local's value replaced by it, what that makes constant folded, `if`s on a constant
 * condition reduced to their live arm, and repeated expressions replaced by the local that
 * holds them. An assignment of what its local already holds is dropped. Any other assignment,
 * or one in a loop or an arm of an `if`, forgets what it changes; after an `if`, what both arms
 * agree on stays known.
 */
function specialise(stmts: readonly Stmt[], f: Facts, locals: KernelIR['locals'], rename: ReadonlyMap<number, number>): Stmt[] {
  const { known, values, users } = f;
  const x = (e: Expr): Expr => fold(substitute(e, known, rename));
  const id = (l: number): number => rename.get(l) ?? l;
  const forget = (l: number): void => {
    known.delete(l);
    for (const u of users.get(l) ?? []) if (typeof u === 'number') known.delete(u); else values.delete(u);
    users.delete(l);
  };
  const forgetAssigned = (list: readonly Stmt[]): void => forEachStmt(list as Stmt[], (t) => {
    if (t.kind === 'assign') forget(id(t.local));
    if (t.kind === 'warp') { if (t.local !== undefined) forget(id(t.local)); if (t.pred !== undefined) forget(id(t.pred)); }
  });
  const out: Stmt[] = [];
  for (const s of stmts) {
    switch (s.kind) {
      case 'assign': {
        const local = id(s.local);
        let value = x(s.value);
        const type = locals[local].type;
        if (value.type === type && sameKnown(known.get(local), value)) break; // it holds that already
        forget(local);
        if (value.kind !== 'const' && value.kind !== 'local' && value.type === type && !hasAtomic(value)) {
          const key = exprKey(value), held = values.get(key);
          if (held !== undefined) value = { kind: 'local', id: held, type };
          else {
            values.set(key, local);
            use(f, local, key);
            forEachExpr(value, (y) => { if (y.kind === 'local') use(f, y.id, key); });
          }
        }
        if ((value.kind === 'const' || (value.kind === 'local' && value.id !== local)) && value.type === type) {
          known.set(local, value);
          if (value.kind === 'local') use(f, value.id, local);
        }
        out.push({ ...s, local, value });
        break;
      }
      case 'store': out.push({ ...s, index: x(s.index), value: x(s.value) }); break;
      case 'expr': out.push({ ...s, expr: x(s.expr) }); break;
      case 'if': {
        const cond = x(s.cond);
        if (cond.kind === 'const') { out.push(...specialise(cond.value ? s.then : s.else, f, locals, rename)); break; }
        const inThen = copyFacts(f), inElse = copyFacts(f);
        out.push({ ...s, cond, then: specialise(s.then, inThen, locals, rename), else: specialise(s.else, inElse, locals, rename) });
        forgetAssigned(s.then);
        forgetAssigned(s.else);
        for (const [l, v] of inThen.known) if (!known.has(l) && sameKnown(inElse.known.get(l), v)) known.set(l, v);
        break;
      }
      case 'loop': {
        forgetAssigned([s]);
        out.push({ ...s, cond: s.cond && x(s.cond), body: specialise(s.body, copyFacts(f), locals, rename), update: specialise(s.update, copyFacts(f), locals, rename) });
        break;
      }
      case 'warp':
        forgetAssigned([s]);
        out.push({
          ...s, mask: s.mask && x(s.mask), value: s.value && x(s.value), lane: s.lane && x(s.lane),
          ...(s.local !== undefined ? { local: id(s.local) } : {}), ...(s.pred !== undefined ? { pred: id(s.pred) } : {}),
        });
        break;
      default: out.push({ ...s });
    }
  }
  return out;
}

const sameKnown = (a: ConstExpr | LocalExpr | undefined, b: Expr): boolean =>
  !!a && a.kind === b.kind && (a.kind === 'const' ? a.value === (b as ConstExpr).value : a.id === (b as LocalExpr).id);

/** A fresh copy of `e`, its locals renamed, then the known ones replaced by what they hold. */
function substitute(e: Expr, known: ReadonlyMap<number, ConstExpr | LocalExpr>, rename: ReadonlyMap<number, number>): Expr {
  return mapLocals(e, (l) => {
    const id = rename.get(l.id) ?? l.id, k = known.get(id);
    return k ? { ...k } : { ...l, id };
  });
}

/** An expression's printed form (what makes two equal: operators, types, constants, locals, arrays). */
function exprKey(e: Expr): string {
  switch (e.kind) {
    case 'const': return `${e.type}:${String(e.value)}`;
    case 'local': return `%${e.id}`;
    case 'param': return `P${e.index}`;
    case 'special': return `${e.reg}.${e.dim}`;
    case 'length': return `len(${JSON.stringify(e.array)})`;
    case 'load': return `${JSON.stringify(e.array)}[${exprKey(e.index)}]${e.type}`;
    case 'binary': return `${e.op}.${e.opType}.${e.type}(${exprKey(e.a)},${exprKey(e.b)})`;
    case 'unary': return `${e.op}.${e.type}(${exprKey(e.x)})`;
    case 'math': return `${e.fn}.${e.type}${e.ulp ? 'u' : ''}(${e.args.map(exprKey).join(',')})`;
    default: return `${e.kind}.${e.type}(${childExprs(e).map(exprKey).join(',')})`;
  }
}

const hasAtomic = (e: Expr): boolean => {
  let hit = false;
  forEachExpr(e, (y) => { if (y.kind === 'atomic') hit = true; });
  return hit;
};

/**
 * `stmts` without the assignments to `own` locals that nothing reads any more (copies that
 * specialise replaced, flags of inlined calls), repeated until none is left; an assignment whose
 * value loads (a draw's thread check: it fails where it did) stays.
 */
function dropUnread(stmts: Stmt[], own: ReadonlySet<number>): Stmt[] {
  for (;;) {
    const read = new Set<number>();
    forEachStmt(stmts, (t) => { for (const e of stmtExprs(t)) forEachExpr(e, (y) => { if (y.kind === 'local') read.add(y.id); }); });
    let dropped = false;
    const keep = (list: Stmt[]): Stmt[] => list.filter((t) => {
      if (t.kind === 'assign' && own.has(t.local) && !read.has(t.local) && !loads(t.value)) { dropped = true; return false; }
      if (t.kind === 'if') { t.then = keep(t.then); t.else = keep(t.else); }
      if (t.kind === 'loop') { t.body = keep(t.body); t.update = keep(t.update); }
      return true;
    });
    stmts = keep(stmts);
    if (!dropped) return stmts;
  }
}

const loads = (e: Expr): boolean => {
  let hit = false;
  forEachExpr(e, (y) => { if (y.kind === 'load' || y.kind === 'atomic') hit = true; });
  return hit;
};
