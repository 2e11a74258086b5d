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

import type { KernelIR, Stmt } from './nodes.js';
import { mapLoops, withLoopLists } from './walk.js';

/** `ir` with such `continue`s turned into `else` arms (a new IR where one was; `ir` itself is not changed). */
export function continueToElse(ir: KernelIR): KernelIR {
  const body = mapLoops(ir.body, (s, inner) => withLoopLists(s, tripWithoutContinues(inner(s.body)), inner(s.update)));
  return body === ir.body ? ir : { ...ir, body };
}

/** A loop body (or the rest of one) with its top-level `if (c) { …; continue; }` turned into `if (c) { … } else { rest }`. */
function tripWithoutContinues(stmts: Stmt[]): Stmt[] {
  const k = stmts.findIndex((s) => s.kind === 'if' && !s.else.length && s.then.length > 0 && s.then[s.then.length - 1].kind === 'continue');
  if (k < 0) return stmts;
  const s = stmts[k] as Stmt & { kind: 'if' };
  const rest = tripWithoutContinues(stmts.slice(k + 1));
  return [...stmts.slice(0, k), { ...s, then: s.then.slice(0, -1), else: rest }];
}
