// A barrier that also counts, over the block, the threads whose predicate
// holds: the building block of syncthreads_count/_and/_or (frontend/sync.ts)
// and of the block-wide "any thread still in this loop" of warp predication
// (warp-predication.ts). Plain IR, so every backend runs it: a hidden shared
// i32 counter, cleared by thread (0,0,0), counted with a shared atomic add:
//   barrier; t0: c = 0; barrier; if (p) atomic.add(c, 1); barrier; then c is the count.
// The first barrier keeps a previous call's readers ahead of the clear.

import type { Expr, Loc, Stmt } from './nodes.js';

export type SharedCounter = { space: 'shared'; id: number };

const ZERO: Expr = { kind: 'const', type: 'i32', value: 0 };

/** The statements that leave in `counter` how many threads of the block had `p` true. `api` names the barrier in errors. */
export function countingBarrier(counter: SharedCounter, p: Expr, loc: Loc | undefined, api?: string): Stmt[] {
  const tid = (d: 0 | 1 | 2): Expr => ({ kind: 'binary', op: 'eq', opType: 'i32', type: 'bool', a: { kind: 'special', reg: 'threadIdx', dim: d, type: 'i32' }, b: ZERO });
  const first: Expr = { kind: 'logical', op: 'and', type: 'bool', a: { kind: 'logical', op: 'and', type: 'bool', a: tid(0), b: tid(1) }, b: tid(2) };
  const add: Expr = { kind: 'atomic', op: 'add', array: counter, index: ZERO, value: { kind: 'const', type: 'i32', value: 1 }, type: 'i32', loc };
  const barrier: Stmt = api === undefined ? { kind: 'barrier', loc } : { kind: 'barrier', api, loc };
  return [
    barrier,
    { kind: 'if', cond: first, then: [{ kind: 'store', array: counter, index: ZERO, value: ZERO }], else: [], loc },
    { ...barrier },
    { kind: 'if', cond: p, then: [{ kind: 'expr', expr: add }], else: [], loc },
    { ...barrier },
  ];
}

/** The counter's value, once countingBarrier's statements have run. */
export function countOf(counter: SharedCounter): Expr {
  return { kind: 'load', array: counter, index: ZERO, type: 'i32' };
}
