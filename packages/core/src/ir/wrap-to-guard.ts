// A kernel whose work sits inside one `if (c) { … }` at the end of its body,
// the CUDA idiom `if (i < n) { … }`, becomes `if (!c) return; …`: the same
// threads do the same work, nothing follows the `if`. The cpu's lane groups run
// the rest after such a guard unmasked once (a group with a lane out hands its
// threads to the thread-by-thread code), where the `if` kept the whole body
// masked: a loop of normals in `if (i < n)` ran in 16-lane masked groups at
// 0.6 G/s against 1.0 G/s for the same loop after `if (i >= n) return`, 32 lanes.
// Not in kernels with barriers (a returned thread no longer meets them: the
// cpu tracks exits there) or warp collectives (their active lanes). A pure IR
// transform a backend may apply (the cpu does, where `c` is a test of the
// thread's position against a bound: cpu bound-guard.ts).

import type { Expr, KernelIR, Stmt } from './nodes.js';

/**
 * `ir` with its last `if (c) { … }` turned into a guard where `guardable(c)` (a new IR where one
 * was; `ir` itself is not changed).
 */
export function wrapToGuard(ir: KernelIR, guardable: (c: Expr) => boolean): KernelIR {
  if (ir.hasBarrier || ir.hasWarp) return ir;
  const last = ir.body[ir.body.length - 1];
  if (!last || last.kind !== 'if' || last.else.length || !last.then.length || last.rare || last.groupWide || last.anyLane || !guardable(last.cond)) return ir;
  const guard: Stmt = {
    kind: 'if', cond: { kind: 'unary', op: 'not', type: 'bool', x: last.cond }, then: [{ kind: 'return', loc: last.loc }], else: [], loc: last.loc,
  };
  return { ...ir, body: [...ir.body.slice(0, -1), guard, ...last.then] };
}
