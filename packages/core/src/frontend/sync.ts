// Block and grid synchronisation beyond cuda.syncthreads(), and memory fences
// (numba's spellings): syncthreads_count/and/or, threadfence*, and cooperative
// groups' grid barrier `cuda.cg.this_grid().sync()`. The new atomics' names
// are listed here too so that this family stays in one place.

import type { Expr, FenceStmt } from '../ir/nodes.js';
import type { LowerContext, N } from './context.js';
import type { Val } from './values.js';
import { bin, constExpr, conv } from './ir-build.js';
import { lowerExpr } from './expressions.js';
import { countingBarrier, countOf } from '../ir/counting-barrier.js';

/** Atomics of this family (cuda.atomic.*), besides add/sub/max/min/and/or/xor/exch/cas. */
export const SYNC_ATOMICS = ['inc', 'dec', 'nanmin', 'nanmax', 'compare_and_swap'];

const REDUCING_BARRIERS = ['cuda.syncthreads_count', 'cuda.syncthreads_and', 'cuda.syncthreads_or'];
const FENCES: Record<string, FenceStmt['scope']> = {
  'cuda.threadfence_block': 'block', 'cuda.threadfence': 'device', 'cuda.threadfence_system': 'system',
};
const GRID = 'cuda.cg.grid'; // what cuda.cg.this_grid() denotes

/** Paths of this family callable in kernels (and namespaces on the way to them). */
export const SYNC_PATHS = [...REDUCING_BARRIERS, ...Object.keys(FENCES), 'cuda.cg', 'cuda.cg.this_grid', `${GRID}.sync`];

export function syncBuiltin(cx: LowerContext, node: N, path: string, args: N[]): Val {
  if (REDUCING_BARRIERS.includes(path)) return reducingBarrier(cx, node, path, args);
  const arity = (n: number): void => {
    if (args.length !== n) cx.fail(node, `${path}()`, `${path}() takes ${n === 0 ? 'no arguments' : `${n} argument(s)`}`);
  };
  if (path in FENCES) {
    arity(0);
    if (!cx.emitting) cx.fail(node, path, `${path}() must be a statement`);
    cx.emit({ kind: 'fence', scope: FENCES[path], loc: cx.loc(node) });
    return cx.lit(0);
  }
  if (path === 'cuda.cg.this_grid') { arity(0); return { k: 'ns', path: GRID }; }
  if (path === `${GRID}.sync`) {
    arity(0);
    if (!cx.emitting) cx.fail(node, 'grid sync', 'cuda.cg.this_grid().sync() must be a statement');
    cx.hasBarrier = true;
    cx.emit({ kind: 'barrier', grid: true, api: 'cuda.cg.this_grid().sync()', loc: cx.loc(node) });
    return cx.lit(0);
  }
  return cx.fail(node, `${path}()`, `${path}() is not a function`);
}

/**
 * syncthreads_count(p) / _and(p) / _or(p): a barrier that also reduces the
 * predicate over the block (i32 result: the count, or 1/0), from the block's
 * count of p (ir/counting-barrier.ts).
 */
function reducingBarrier(cx: LowerContext, node: N, path: string, args: N[]): Val {
  const api = `${path}()`;
  if (args.length !== 1) cx.fail(node, api, `${api} takes one argument (the predicate)`);
  if (!cx.emitting) cx.fail(node, path, `${api} must be a statement or a declaration's value`);
  const pred = cx.scalar(lowerExpr(cx, args[0]), args[0], `the predicate of ${api}`);
  const p = cx.temp('bool', 'pred');
  cx.emit({ kind: 'assign', local: p, value: cx.coerce(pred, 'bool') });
  const id = cx.arrays.length;
  cx.arrays.push({ id, name: `${path.slice(5)}${id}`, space: 'shared', elem: 'i32', shape: [1], size: 1, atomic: true });
  const counter = { space: 'shared' as const, id };
  const zero = constExpr('i32', 0);
  const loc = cx.loc(node);
  cx.hasBarrier = true;
  for (const st of countingBarrier(counter, { kind: 'local', id: p, type: 'bool' }, loc, api)) cx.emit(st);
  const r = cx.temp('i32', 'count');
  const count = countOf(counter);
  const bd = (d: 0 | 1 | 2): Expr => ({ kind: 'special', reg: 'blockDim', dim: d, type: 'i32' });
  const threads = bin('mul', 'i32', 'i32', bin('mul', 'i32', 'i32', bd(0), bd(1)), bd(2));
  const value: Expr = path === 'cuda.syncthreads_count' ? count
    : conv(bin(path === 'cuda.syncthreads_and' ? 'eq' : 'ne', 'i32', 'bool', count, path === 'cuda.syncthreads_and' ? threads : zero), 'i32');
  cx.emit({ kind: 'assign', local: r, value, loc });
  return { k: 'scalar', e: { kind: 'local', id: r, type: 'i32' } };
}
