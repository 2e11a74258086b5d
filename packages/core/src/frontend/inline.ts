// Device functions are inlined at every call: each call is a copy with its own
// frame and its own local types (typed by its arguments), parameters become
// locals, `return` sets a result local and a `done` flag (statements.ts), and
// the total inlined size is capped.

import type { DeviceFunction } from '../device-function.js';
import type { Binding, DeviceFrame, Frame, LowerContext, N } from './context.js';
import { nodeId } from './context.js';
import type { ScalarVal, Val } from './values.js';
import { constExpr } from './ir-build.js';
import { joinContributions } from './local-types.js';
import { valsInOrder } from './expressions.js';
import { lowerFunctionBody } from './statements.js';

/**
 * Device functions are inlined at every call, so nested calls multiply: a
 * function calling the next twice, 16 deep, would be 65536 copies. Past this
 * many syntax nodes of inlined code the kernel is refused (the largest library
 * kernels, Philox random numbers, inline a few thousand).
 */
export const MAX_INLINED_NODES = 50_000;

/** The call `node` of device function fn, inlined here; its value is the result local. */
export function inline(cx: LowerContext, node: N, fn: DeviceFunction): Val {
  const parsed = fn.parse();
  if (cx.frames.some((f) => f.parsed === parsed)) cx.fail(node, 'recursion', `device function '${fn.name}' calls itself; recursion is not supported in kernels`);
  const fnNode = parsed.node as N;
  const args = node.arguments as N[];
  if (args.length !== fnNode.params.length) cx.fail(node, `call of '${fn.name}'`, `device function '${fn.name}' takes ${fnNode.params.length} argument(s), got ${args.length}`);
  cx.inlinedNodes += astSize(fnNode);
  if (cx.inlinedNodes > MAX_INLINED_NODES) {
    cx.fail(node, 'inlined size', `inlining device function '${fn.name}' here makes the kernel larger than the limit of ${MAX_INLINED_NODES} syntax nodes (device functions are always inlined, so a function that calls another several times multiplies its size at every level); call it fewer times, or loop over the work instead of repeating calls`);
  }
  const argVals = valsInOrder(cx, args);
  const scope = new Map<string, Binding>();
  const frame: Frame = { parsed, globals: fn.globals, instance: `${cx.frame.instance}>${nodeId(node)}`, callLoc: cx.loc(node) };
  cx.frames.push(frame);
  try {
    // The result is a local of this copy, keyed by the function node.
    const resBinding = cx.newLocal(`${fn.name}.result`, fnNode, undefined, true);
    const done = cx.temp('bool', `${fn.name}.done`);
    const device: DeviceFrame = { result: resBinding.id, resultKey: resBinding.key, done, loopDepth: cx.loopDepth, returns: [], fnNode, fnName: fn.name };
    frame.device = device;
    cx.emit({ kind: 'assign', local: done, value: constExpr('bool', false) });
    fnNode.params.forEach((p: N, i: number) => {
      if (p.type !== 'Identifier') cx.fail(p, 'parameter pattern', 'device function parameters must be plain names');
      const v = argVals[i];
      if (v.k === 'scalar') {
        const b = cx.newLocal(p.name, p, { type: v.e.type, lit: v.lit }, true);
        scope.set(p.name, b);
        cx.contribute(b.key, v);
        cx.emit({ kind: 'assign', local: b.id, value: cx.coerce(v, cx.locals[b.id].type) });
      } else if (v.k === 'array' || v.k === 'devfn' || v.k === 'dtype') scope.set(p.name, { kind: 'val', val: v });
      else cx.fail(args[i], 'argument', `argument ${i + 1} of '${fn.name}' must be a number, boolean or array`);
    });
    // The body sees only its parameters (and globals), not the caller's scopes.
    const savedScopes = cx.scopes;
    cx.scopes = [scope];
    try {
      const body = lowerFunctionBody(cx, fnNode);
      for (const s of body) cx.emit(s);
    } finally { cx.scopes = savedScopes; }
    if (device.items) return tupleResult(cx, device);
    const cs = cx.contributionsOf(resBinding.key);
    if (cs.length === 0) return cx.lit(0);
    // The result's type is the join of this copy's returns, known now: no
    // fixed-point round per nesting level (an i32/u32 mix is reported by inferredTypes).
    const j = joinContributions(cs, cx.float);
    const type = j.ok ? j.type : j.types[0];
    cx.locals[resBinding.id].type = type;
    for (const r of device.returns) r.stmt.value = cx.coerce(r.value, type);
    return cx.readLocal(resBinding);
  } finally {
    cx.frames.pop();
  }
}

/** The result of a function returning array literals: each element local typed by the join of its values. */
function tupleResult(cx: LowerContext, device: DeviceFrame): Val {
  const items: ScalarVal[] = device.items!.map((it, k) => {
    const j = joinContributions(cx.contributionsOf(it.key), cx.float);
    const type = j.ok ? j.type : j.types[0];
    cx.locals[it.id].type = type;
    for (const r of device.returns) if (r.item === k) r.stmt.value = cx.coerce(r.value, type);
    return { k: 'scalar', e: { kind: 'local', id: it.id, type } };
  });
  return { k: 'tuple', items };
}

const returns = new WeakMap<object, boolean>();
/**
 * Might this statement return (so code after it must test the `done` flag)? Each syntax node's
 * answer once: every inlined copy, every lowering round and every enclosing block asks again.
 */
export function mayReturn(node: N): boolean {
  let found = returns.get(node);
  if (found !== undefined) return found;
  found = false;
  if (node.type === 'ReturnStatement') found = true;
  else if (node.type !== 'FunctionExpression' && node.type !== 'ArrowFunctionExpression' && node.type !== 'FunctionDeclaration') {
    for (const k of Object.keys(node)) {
      if (k === 'loc') continue;
      const v = node[k];
      if (Array.isArray(v) ? v.some((x) => x && typeof x === 'object' && mayReturn(x)) : v && typeof v === 'object' && typeof v.type === 'string' && mayReturn(v)) { found = true; break; }
    }
  }
  returns.set(node, found);
  return found;
}

const astSizes = new WeakMap<object, number>();
/** Number of syntax nodes of a function (cached: its AST is kept). */
function astSize(fn: N): number {
  let n = astSizes.get(fn);
  if (n !== undefined) return n;
  n = 0;
  const walk = (x: any): void => {
    if (!x || typeof x !== 'object') return;
    if (Array.isArray(x)) { x.forEach(walk); return; }
    if (typeof x.type !== 'string') return;
    n!++;
    for (const k of Object.keys(x)) if (k !== 'loc') walk(x[k]);
  };
  walk(fn.body);
  astSizes.set(fn, n);
  return n;
}
