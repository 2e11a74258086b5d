// AST → typed IR. Resolves names, types every expression with JavaScript's
// meaning (abstract literals), inlines device functions and refuses what the
// kernel language does not have. Local types are found by running the lowering
// to a fixed point (local-types.ts): a round whose locals already had the types
// it infers is the last (most kernels take one); each round is a fresh LowerContext
// (context.ts) driven by the lowering files (statements.ts, expressions.ts, …).

import type { KernelIR } from '../ir/nodes.js';
import { log } from '../log.js';
import type { ScalarType } from '../types.js';
import type { Binding, Frame, LowerInput, N } from './context.js';
import { LowerContext } from './context.js';
import { lowerFunctionBody } from './statements.js';

export type { LowerInput } from './context.js';
export { MAX_INLINED_NODES } from './inline.js';

const MAX_FIXPOINT = 10;

export function lowerKernel(input: LowerInput): KernelIR {
  let types = new Map<string, ScalarType>();
  for (let iter = 0; ; iter++) {
    const cx = new LowerContext(input, types);
    const ir = lowerRound(cx);
    const { types: next, conflict } = cx.inferredTypes();
    // Type errors count only once the types have settled: a round's guess (a local
    // not yet assigned is i32, a device function's result is i32 until its returns
    // are seen) may cause a passing one. The settled round saw the final types.
    const settled = cx.settledWith(next);
    if (settled || iter >= MAX_FIXPOINT) {
      log('debug', () => `kernel '${input.parsed.name}': local types ${settled ? 'settled' : 'still changing'} after ${iter + 1} lowering round${iter ? 's' : ''}`);
      if (cx.typeError) throw cx.typeError;
      if (conflict) conflict();
      return ir;
    }
    types = next;
  }
}

/** One round: the kernel's parameters bound, its body lowered with the local types known so far. */
function lowerRound(cx: LowerContext): KernelIR {
  const { parsed, paramTypes } = cx.input;
  const frame: Frame = { parsed, globals: cx.input.globals, instance: 'k' };
  cx.frames.push(frame);
  const fn = parsed.node as N;
  if (fn.async || fn.generator) cx.fail(fn, fn.async ? 'async function' : 'generator', 'kernels cannot be async or generators');
  if (fn.params.length !== paramTypes.length) {
    cx.fail(fn, 'arguments', `kernel '${parsed.name}' takes ${fn.params.length} parameter(s) but was given ${paramTypes.length} argument(s)`);
  }
  const scope = new Map<string, Binding>();
  fn.params.forEach((p: N, i: number) => {
    if (p.type !== 'Identifier') cx.fail(p, 'parameter pattern', 'kernel parameters must be plain names (no defaults, destructuring or rest)');
    const t = paramTypes[i];
    cx.params.push({ name: p.name, type: t, written: false, atomic: false });
    if (t.kind === 'array') scope.set(p.name, { kind: 'val', val: { k: 'array', ref: { space: 'global', param: i }, elem: t.elem, name: p.name, shape: t.shape && [...t.shape] } });
    else scope.set(p.name, { kind: 'param', index: i, type: t.type });
  });
  cx.scopes.push(scope);
  const body = lowerFunctionBody(cx, fn);
  return {
    name: parsed.name, params: cx.params, locals: cx.locals, arrays: cx.arrays, body,
    float: cx.float, hasBarrier: cx.hasBarrier, ...(cx.hasWarp ? { hasWarp: true } : {}), source: parsed.source,
    ...(cx.log ? { log: cx.log } : {}),
  };
}
