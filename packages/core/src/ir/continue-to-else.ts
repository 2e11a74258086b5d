// A loop's `if (c) { …; continue; }` followed by the rest of the trip becomes
// `if (c) { … } else { rest }`: the same trips, with no `continue` left where it
// stood. A `continue` under a thread-dependent condition makes a loop one whose
// threads leave its trips at different points, which the cpu's lane groups run
// as a masked loop with a copy for full groups (three copies of its body), and
// that took loops of draws with `if (u < p) continue` over the lane budget, so
// they ran one thread at a time (8× slower than the same loop written with a
// select, measured). Only an `if` whose `then` arm ends in this loop's
// `continue` and that has no `else` arm, at the top level of the loop's body or
// of such an `else` arm made here; `continue`s elsewhere (an inner loop's, one
// nested deeper) stay. A pure IR transform a backend may apply (the cpu does).

import type { KernelIR, LoopStmt, Stmt } from './nodes.js';

/** `ir` with such `continue`s turned into `else` arms (a new IR where one was; `ir` itself is not changed). */
export function continueToElse(ir: KernelIR): KernelIR {
  let changed = false;
  const list = (stmts: Stmt[]): Stmt[] => {
    let any = false;
    const out = stmts.map((s): Stmt => {
      let r: Stmt = s;
      if (s.kind === 'if') {
        const then = list(s.then), els = list(s.else);
        if (then !== s.then || els !== s.else) r = { ...s, then, else: els };
      } else if (s.kind === 'loop') {
        const body = tripWithoutContinues(list(s.body)), update = list(s.update);
        if (body !== s.body || update !== s.update) r = { ...s, body, update } satisfies LoopStmt;
      }
      if (r !== s) any = true;
      return r;
    });
    if (any) changed = true;
    return any ? out : stmts;
  };
  const body = list(ir.body);
  return changed ? { ...ir, body } : ir;
}

/** A loop body (or the rest of one) with its top-level `if (c) { …; continue; }` turned into `if (c) { … } else { rest }`. */
function tripWithoutContinues(stmts: Stmt[]): Stmt[] {
  const k = stmts.findIndex((s) => s.kind === 'if' && !s.else.length && s.then.length > 0 && s.then[s.then.length - 1].kind === 'continue');
  if (k < 0) return stmts;
  const s = stmts[k] as Stmt & { kind: 'if' };
  const rest = tripWithoutContinues(stmts.slice(k + 1));
  return [...stmts.slice(0, k), { ...s, then: s.then.slice(0, -1), else: rest }];
}
