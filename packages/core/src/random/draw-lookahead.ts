// A lookahead Philox block per thread in loops of draws, for cpu lane groups whose
// threads stand at different positions in their blocks (after a rejection loop, a
// draw under a thread-dependent `if`, a `break`, or a launch that drew different
// numbers of words per thread). There nearly every trip some lane needs a refill,
// and a lane group computes the Philox rounds in all its lanes for it: the rounds
// every trip. With a lookahead, the lanes that do not refill keep the block their
// next refill will compute, made in the same vector pass, and take it at that
// refill: the rounds about once in four trips at any mix of positions.
//
// In a loop whose state words are locals (state-locals.ts), each refill of a draw
// (states.ts `advance`, inlined) is
//
//   if (refill) { work; commit }      work: the rounds, into its own locals x0..x3
//                                     commit: the block words and the counter from them
// and becomes
//
//   if (refill && !have) [anyLane] {       a lane group: when any lane refills without one,
//     work; la0..la3 = x0..x3; have = true   every lane makes its block (again, where it has one)
//   }
//   if (refill) { have = false; commit reading la0..la3 }
//
// with `have = false` before the loop (in a loop in blocks, draw-blocks.ts, only its trips one by
// one: the blocks refill as they did). A thread's own condition (the simulator,
// thread-by-thread code) makes its block at its refill, as before; a lane group
// also makes the blocks of its lanes that lack one. The bits cannot change: the
// block is a function of work's inputs, which change only at a refill (the
// counter: countersMoveOnlyAtRefills; the key and the stream the loop never
// assigns), and every refill, a block's too, forgets the lookahead. work's own
// locals are read nowhere else, so computing it ahead changes nothing else. Like
// state-locals.ts and draw-blocks.ts, a transform a backend may apply (the cpu
// does); the simulator never needs it.

import type { Expr, IfStmt, KernelIR, LocalExpr, LoopStmt, Stmt } from '../ir/nodes.js';
import { localScopes } from '../ir/local-scopes.js';
import { forEachExpr, forEachStmt, mapLocals, someStmt, stmtExprs, withLoopLists } from '../ir/walk.js';
import { refillsPhilox } from './draw-blocks.js';
import { promotedStateWords, samePromotedWords } from './state-locals.js';

/**
 * `ir` with lookahead blocks in its loops of draws (a new IR where some loop changed; `ir` itself
 * is not changed). `loops`: 'conditional', only the loops with a draw under an `if` or in an inner
 * loop of their own (their threads' positions part within the loop, whatever they were before it).
 */
export function lookaheadDraws(ir: KernelIR, loops: 'all' | 'conditional' = 'all'): KernelIR {
  let scopes: ReadonlyMap<number, readonly Stmt[]> | undefined; // (made when a loop qualifies)
  const locals = [...ir.locals];
  let changed = false;
  const rewrite = (stmts: Stmt[]): Stmt[] => stmts.flatMap((s): Stmt[] => {
    if (s.kind === 'if') return [{ ...s, then: rewrite(s.then), else: rewrite(s.else) }];
    if (s.kind !== 'loop') return [s];
    if (promotedStateWords(s)) {
      const ahead = lookaheadLoop(s, (scopes ??= localScopes(ir.body)), locals, loops === 'conditional');
      if (ahead) changed = true;
      return ahead ?? [s];
    }
    return [withLoopLists(s, rewrite(s.body), rewrite(s.update))];
  });
  const body = rewrite(ir.body);
  return changed ? { ...ir, locals, body } : ir;
}

/** A refill: `if (cond) { work; commit }`, work ending with the Philox rounds' loop. */
interface Refill {
  stmt: IfStmt;
  work: Stmt[];
  commit: Stmt[];
  /** work's results that commit reads, in the order commit first reads them. */
  outs: number[];
  /** What work reads and does not assign, in the order it first reads them. */
  ins: number[];
  /** work with its own locals numbered by first appearance and its inputs by `ins`: equal for equal code. */
  shape: string;
  /** The list that holds the refill, and its index there. */
  list: Stmt[];
  at: number;
}

function lookaheadLoop(loop: LoopStmt, scopes: ReadonlyMap<number, readonly Stmt[]>, locals: KernelIR['locals'], conditionalOnly: boolean): Stmt[] | undefined {
  const words = promotedStateWords(loop)!;
  const refills: Refill[] = [];
  const blocks: IfStmt[] = [];
  let unknown = false, conditional = false;
  // (`under`: inside an `if` or a loop of the loop's own, not a draw's refill test)
  const find = (list: Stmt[], under: boolean): void => {
    for (const s of list) {
      // A loop in blocks (draw-blocks.ts): its blocks refill as they did, and forget the lookahead.
      if (s.kind === 'if' && s.groupWide) { blocks.push(s); find(s.else, under); continue; }
      if (s.kind === 'if') {
        const r = refillOf(s, scopes);
        if (r) { refills.push({ ...r, list, at: list.indexOf(s) }); conditional ||= under; }
        else { find(s.then, true); find(s.else, true); }
      } else if (s.kind === 'loop') {
        if (s.body.some(refillsPhilox)) unknown = true; // rounds in another form
        find(s.body, true); find(s.update, true); // (an inner loop's trips, too, can differ by thread)
      }
    }
  };
  find(loop.body, false);
  find(loop.update, false);
  if (unknown || refills.length === 0 || (conditionalOnly && !conditional)) return undefined;
  // One lookahead serves every refill of the loop: the same code on inputs that mean the same.
  const first = refills[0];
  if (!refills.every((r) => r.shape === first.shape && r.outs.length === first.outs.length && r.ins.length === first.ins.length)) return undefined;
  if (!countersMoveOnlyAtRefills(loop, refills, words, blocks)) return undefined;

  const add = (name: string, type: KernelIR['locals'][number]['type']): number => {
    const id = locals.length;
    locals.push({ id, name, type });
    return id;
  };
  const have = add('lookahead.have', 'bool');
  const la = first.outs.map((x, k) => add(`lookahead.word${k}`, locals[x].type));
  const local = (id: number): LocalExpr => ({ kind: 'local', id, type: locals[id].type });
  const set = (id: number, value: Expr, loc: Stmt['loc']): Stmt => ({ kind: 'assign', local: id, value, loc });
  const bool = (value: boolean): Expr => ({ kind: 'const', value, type: 'bool' });

  const replaced = new Map<IfStmt, Stmt[]>();
  for (const r of refills) {
    const loc = r.stmt.loc;
    // (A lane that has a lookahead computes the same block again: no mask needed for it.)
    const ahead: Stmt[] = [...r.work, ...r.outs.map((x, k) => set(la[k], local(x), loc)), set(have, bool(true), loc)];
    const outAt = new Map(r.outs.map((x, k) => [x, la[k]]));
    replaced.set(r.stmt, [
      { kind: 'if', cond: { kind: 'logical', op: 'and', type: 'bool', a: { ...r.stmt.cond }, b: { kind: 'unary', op: 'not', type: 'bool', x: local(have) } }, then: ahead, else: [], anyLane: true, loc },
      { ...r.stmt, then: [set(have, bool(false), loc), ...r.commit.map((s) => readingFrom(s, outAt))] },
    ]);
  }
  const rewrite = (list: Stmt[]): Stmt[] => list.flatMap((s): Stmt[] => {
    if (s.kind === 'if' && s.groupWide) return [{ ...s, then: [set(have, bool(false), s.loc), ...s.then], else: rewrite(s.else) }];
    if (s.kind === 'if') return replaced.get(s) ?? [{ ...s, then: rewrite(s.then), else: rewrite(s.else) }];
    if (s.kind === 'loop') return [{ ...s, body: rewrite(s.body), update: rewrite(s.update) }];
    return [s];
  });
  const out = samePromotedWords(loop, { ...loop, body: rewrite(loop.body), update: rewrite(loop.update) });
  return [set(have, bool(false), loop.loc), out];
}

/**
 * Whether, outside the loop's blocks, the inputs of the refills' work change only at a refill.
 * The draws' shape (states.ts `advance`): an input the loop assigns is a copy of a state word
 * made in the refill's list before it (`lo = word2`), changed after that only by the refill's
 * commit, and written back after it (`word2 = lo`), with nothing between the copy and the
 * write-back that refills or assigns the word; and those write-backs are the only assignments of
 * such words. Then a lookahead left unused (`have`, cleared by every refill) was made from the
 * inputs the next refill has. The other inputs (the key, the stream) the loop never assigns.
 */
function countersMoveOnlyAtRefills(loop: LoopStmt, refills: Refill[], words: ReadonlyMap<number, number>, blocks: IfStmt[]): boolean {
  const stateLocals = new Set(words.values());
  const assigns = new Map<number, Stmt[]>();
  const skip = new Set<Stmt[]>(blocks.map((b) => b.then));
  const walk = (list: Stmt[]): void => {
    if (skip.has(list)) return;
    for (const s of list) {
      if (s.kind === 'assign') (assigns.get(s.local) ?? assigns.set(s.local, []).get(s.local)!).push(s);
      if (s.kind === 'if') { walk(s.then); walk(s.else); }
      if (s.kind === 'loop') { walk(s.body); walk(s.update); }
    }
  };
  walk(loop.body);
  walk(loop.update);
  const isAssign = (s: Stmt, local: number, from: number): boolean => s.kind === 'assign' && s.local === local && s.value.kind === 'local' && s.value.id === from;
  const assignsAny = (s: Stmt, ids: number[]): boolean => someStmt([s], (t) => t.kind === 'assign' && ids.includes(t.local));
  const writeBacks = new Set<Stmt>();
  const counters = new Set<number>();
  for (const r of refills) {
    const inCommit = new Set<Stmt>();
    forEachStmt(r.commit, (t) => inCommit.add(t));
    for (const id of r.ins) {
      const list = assigns.get(id);
      if (!list) continue; // not assigned in the loop
      if (stateLocals.has(id)) return false; // a state word that work reads directly and the loop assigns
      let c = r.at - 1;
      while (c >= 0 && !(r.list[c].kind === 'assign' && (r.list[c] as { local: number }).local === id)) c--;
      const copy = r.list[c];
      if (!copy || copy.kind !== 'assign' || copy.value.kind !== 'local' || !stateLocals.has(copy.value.id)) return false;
      const word = copy.value.id;
      const w = r.list.findIndex((t, k) => k > r.at && isAssign(t, word, id));
      if (w < 0) return false;
      for (let k = c + 1; k < w; k++) if (k !== r.at && (assignsAny(r.list[k], [word, id]) || someStmt([r.list[k]], refillsPhilox))) return false;
      if (!list.every((t) => t === copy || inCommit.has(t))) return false;
      writeBacks.add(r.list[w]);
      counters.add(word);
    }
  }
  for (const word of counters) if (!(assigns.get(word) ?? []).every((t) => writeBacks.has(t))) return false;
  return true;
}

/** `s` as a refill, or undefined. */
function refillOf(s: IfStmt, scopes: ReadonlyMap<number, readonly Stmt[]>): Omit<Refill, 'list' | 'at'> | undefined {
  if (s.else.length || s.groupWide || s.rare || s.anyLane || s.cond.kind !== 'local') return undefined;
  let j = -1;
  s.then.forEach((t, k) => { if (t.kind === 'loop' && someRounds([t])) j = k; });
  if (j < 0) return undefined;
  const work = s.then.slice(0, j + 1), commit = s.then.slice(j + 1);
  // work: register arithmetic only (computing it ahead, or again, must change nothing else).
  let pure = true;
  forEachStmt(work, (t) => {
    if (t.kind !== 'assign' && t.kind !== 'if' && t.kind !== 'loop') pure = false;
    for (const x of stmtExprs(t)) forEachExpr(x, (y) => { if (y.kind === 'load' || y.kind === 'atomic') pure = false; });
  });
  if (!pure) return undefined;
  // work's own locals: every reference inside the refill's arm, set before it is read there.
  const lists = new Set<readonly Stmt[]>([s.then]);
  const note = (list: readonly Stmt[]): void => {
    for (const t of list) {
      if (t.kind === 'if') { lists.add(t.then); lists.add(t.else); note(t.then); note(t.else); }
      if (t.kind === 'loop') { lists.add(t.body); lists.add(t.update); note(t.body); note(t.update); }
    }
  };
  note(work);
  const own = new Set<number>();
  forEachStmt(work, (t) => { if (t.kind === 'assign') own.add(t.local); });
  for (const id of own) { const scope = scopes.get(id); if (!scope || !lists.has(scope)) return undefined; }
  const reads = (list: Stmt[]): number[] => {
    const out: number[] = [];
    forEachStmt(list, (t) => { for (const x of stmtExprs(t)) forEachExpr(x, (y) => { if (y.kind === 'local' && !out.includes(y.id)) out.push(y.id); }); });
    return out;
  };
  const ins = reads(work).filter((id) => !own.has(id));
  const outs = reads(commit).filter((id) => own.has(id));
  // commit assigns none of work's locals (it reads the lookahead's copies of those it reads).
  let clean = true;
  forEachStmt(commit, (t) => { if (t.kind === 'assign' && own.has(t.local)) clean = false; });
  if (!clean) return undefined;
  const numbers = new Map<number, string>(ins.map((id, k) => [id, `i${k}`]));
  const shape = JSON.stringify(work, (k, v) => {
    if (k === 'loc') return undefined;
    if (k === 'local' && typeof v === 'number') return name(v);
    if (v && typeof v === 'object' && v.kind === 'local') return { kind: 'local', id: name(v.id), type: v.type };
    return typeof v === 'bigint' ? `${v}n` : v;
  });
  function name(id: number): string {
    if (!numbers.has(id)) numbers.set(id, `o${numbers.size}`);
    return numbers.get(id)!;
  }
  return { stmt: s, work, commit, outs, ins, shape };
}

/** Philox rounds: a statement of them in `list` or nested in it. */
const someRounds = (list: readonly Stmt[]): boolean => someStmt(list, refillsPhilox);

/** `s` (a commit statement) reading work's results from the lookahead's locals. */
function readingFrom(s: Stmt, at: ReadonlyMap<number, number>): Stmt {
  const x = (e: Expr): Expr => mapLocals(e, (l) => (at.has(l.id) ? { ...l, id: at.get(l.id)! } : { ...l }));
  switch (s.kind) {
    case 'assign': return { ...s, value: x(s.value) };
    case 'store': return { ...s, index: x(s.index), value: x(s.value) };
    case 'expr': return { ...s, expr: x(s.expr) };
    case 'if': return { ...s, cond: x(s.cond), then: s.then.map((t) => readingFrom(t, at)), else: s.else.map((t) => readingFrom(t, at)) };
    case 'loop': return { ...s, cond: s.cond && x(s.cond), body: s.body.map((t) => readingFrom(t, at)), update: s.update.map((t) => readingFrom(t, at)) };
    default: return { ...s } as Stmt;
  }
}
