// A loop whose trip retries until it succeeds, `for (…) { P; for (;;) { … break; … } Q }`
// (a rejection sampler: the draw's endless loop, left by a `break` on acceptance), becomes
// one loop whose trips are the inner loop's:
//
//   more = C                                   C: the outer loop's condition (true if none)
//   if (more) { P }
//   while (more) {
//     done = false
//     inner body, each of its own `break`s now `done = true; continue`
//   } update {
//     if (done) { Q; U; more = C; if (more) { P } }    U: the outer loop's update
//   }
//
// Each thread runs the same statements in the same order as before, so every
// target computes the same. What changes is how a cpu lane group runs it: a
// loop runs until its last lane leaves it, so nested, every outer trip waited
// for the group's slowest lane to accept; flattened, a lane that accepts goes on
// to its next outer trip while the others retry (docs/random.md, "Rejection
// samplers"). Only where nothing leaves the outer loop but its condition (no
// `return` in it, no `break`/`continue` of its own), nothing in it waits for
// other threads (barriers, warp collectives), and the inner loop has no
// condition and a `break` of its own: `for (;;)`, `while (true)`, or a
// do…while (whose test, `if (!c) break` last in its update, runs as before:
// after a trip or a `continue`). A pure IR transform the backends apply (the
// cpu, cuda and webgpu; not the simulator, which runs the IR as written).

import type { Expr, IfStmt, KernelIR, LoopStmt, Stmt } from './nodes.js';
import { exitsLoop, isExitTest, someStmt } from './walk.js';

/** `ir` with its retry loops flattened (a new IR where one was; `ir` itself is not changed). */
export function flattenRetryLoops(ir: KernelIR): KernelIR {
  const locals = [...ir.locals];
  let changed = false;
  const add = (name: string): number => {
    const id = locals.length;
    locals.push({ id, name, type: 'bool' });
    return id;
  };
  const rewrite = (stmts: Stmt[]): Stmt[] => stmts.flatMap((s): Stmt[] => {
    if (s.kind === 'if') return [{ ...s, then: rewrite(s.then), else: rewrite(s.else) }];
    if (s.kind !== 'loop') return [s];
    const k = retryLoopAt(s);
    if (k >= 0) {
      changed = true;
      return flatten(s, k, rewrite, add);
    }
    return [{ ...s, body: rewrite(s.body), update: rewrite(s.update) }];
  });
  const body = rewrite(ir.body);
  return changed ? { ...ir, locals, body } : ir;
}

/** The index in `outer`'s body of the endless loop it retries, or -1 where `outer` does not qualify. */
function retryLoopAt(outer: LoopStmt): number {
  const k = outer.body.findIndex((s) => s.kind === 'loop');
  if (k < 0 || outer.body.slice(k + 1).some((s) => s.kind === 'loop')) return -1;
  const inner = outer.body[k] as LoopStmt;
  const endless = !inner.cond || (inner.cond.kind === 'const' && inner.cond.value === true);
  // (its update may end in a do…while's test and leave it nowhere else)
  const untested = inner.update.length - (isExitTest(inner.update[inner.update.length - 1]) ? 1 : 0);
  if (!endless || exitsLoop(inner.update.slice(0, untested))) return -1;
  if (!exitsLoop(inner.body, ['break']) && untested === inner.update.length) return -1;
  if (exitsLoop([...outer.body.slice(0, k), ...outer.body.slice(k + 1), ...outer.update])) return -1;
  const all = [...outer.body, ...outer.update];
  if (someStmt(all, (s) => s.kind === 'return' || s.kind === 'barrier' || s.kind === 'warp')) return -1;
  return k;
}

function flatten(outer: LoopStmt, k: number, rewrite: (stmts: Stmt[]) => Stmt[], add: (name: string) => number): Stmt[] {
  const loc = outer.loc, inner = outer.body[k] as LoopStmt;
  const more = add('retry.more'), done = add('retry.done');
  const flag = (id: number): Expr => ({ kind: 'local', id, type: 'bool' });
  const set = (id: number, value: Expr): Stmt => ({ kind: 'assign', local: id, value, loc });
  const bool = (value: boolean): Expr => ({ kind: 'const', value, type: 'bool' });
  const cond = (): Expr => (outer.cond ? structuredClone(outer.cond) : bool(true));
  // Fresh copies where a list appears twice (P; C): the IR is a tree.
  const before = (): Stmt[] => rewrite(structuredClone(outer.body.slice(0, k)));
  const after = rewrite(outer.body.slice(k + 1)), update = rewrite(outer.update);
  const accepted = (list: Stmt[]): Stmt[] => list.flatMap((s): Stmt[] => {
    if (s.kind === 'break') return [set(done, bool(true)), { kind: 'continue', loc: s.loc }];
    if (s.kind === 'if') return [{ ...s, then: accepted(s.then), else: accepted(s.else) }];
    return [s];
  });
  // The retry loop's own update (a do…while's test: `if (c) break` last) runs where it did, after
  // a trip or a `continue`, not after a `break`; its test's `break` sets the flag.
  const innerUpdate = rewrite(inner.update).map((s) => (isExitTest(s) ? { ...s, then: [set(done, bool(true))] } : s));
  const loop: LoopStmt = {
    kind: 'loop', loc, cond: flag(more),
    body: [set(done, bool(false)), ...accepted(rewrite(inner.body))],
    update: [
      ...(innerUpdate.length ? [{ kind: 'if', loc, cond: { kind: 'unary', op: 'not', type: 'bool', x: flag(done) }, then: innerUpdate, else: [] } as IfStmt] : []),
      { kind: 'if', loc, cond: flag(done), then: [...after, ...update, set(more, cond()), { kind: 'if', loc, cond: flag(more), then: before(), else: [] }], else: [] },
    ],
  };
  return [set(more, cond()), { kind: 'if', loc, cond: flag(more), then: before(), else: [] }, loop];
}
