// numba's warp-level functions (cuda.laneid, warpsize, syncwarp, activemask,
// lanemask_lt, shfl_*_sync, the votes and match_*_sync): typed here, lowered to
// WarpStmt (meaning in ir/warp.ts). Kept in one file, apart from builtins.ts.

import type { Expr } from '../ir/nodes.js';
import type { WarpOp } from '../ir/ops.js';
import { WARP_SIZE } from '../ir/warp.js';
import type { LowerContext, N } from './context.js';
import type { Val } from './values.js';
import { bin, conv } from './ir-build.js';
import { scalarsInOrder } from './expressions.js';

/** cuda.* call name → [op, argument names] (mask first where there is one). */
const WARP_CALLS: Record<string, [WarpOp, string[]]> = {
  syncwarp: ['sync', ['mask']],
  activemask: ['activemask', []],
  shfl_sync: ['shfl_idx', ['mask', 'value', 'srcLane']],
  shfl_up_sync: ['shfl_up', ['mask', 'value', 'delta']],
  shfl_down_sync: ['shfl_down', ['mask', 'value', 'delta']],
  shfl_xor_sync: ['shfl_xor', ['mask', 'value', 'laneMask']],
  all_sync: ['all', ['mask', 'predicate']],
  any_sync: ['any', ['mask', 'predicate']],
  eq_sync: ['eq', ['mask', 'predicate']],
  ballot_sync: ['ballot', ['mask', 'predicate']],
  match_any_sync: ['match_any', ['mask', 'value']],
  match_all_sync: ['match_all', ['mask', 'value']],
};

/** cuda.* names of the warp functions and properties. */
export const WARP_NAMES = [...Object.keys(WARP_CALLS), 'lanemask_lt', 'laneid', 'warpsize'];

/** The linear thread id of the block, i32 (x + y·bx + z·bx·by): warps are its runs of 32. */
function linearTid(): Expr {
  const sp = (reg: 'threadIdx' | 'blockDim', dim: 0 | 1 | 2): Expr => ({ kind: 'special', reg, dim, type: 'i32' });
  const yz = bin('add', 'i32', 'i32', sp('threadIdx', 1), bin('mul', 'i32', 'i32', sp('blockDim', 1), sp('threadIdx', 2)));
  return bin('add', 'i32', 'i32', sp('threadIdx', 0), bin('mul', 'i32', 'i32', sp('blockDim', 0), yz));
}

/** cuda.laneid (i32), the lane of the thread in its warp. */
export function laneId(): Expr {
  return bin('and', 'i32', 'i32', linearTid(), { kind: 'const', type: 'i32', value: WARP_SIZE - 1 });
}

/** `cuda.laneid` / `cuda.warpsize` (properties, as in numba); undefined for other names. */
export function warpProperty(cx: LowerContext, prop: string): Val | undefined {
  if (prop === 'laneid') return { k: 'scalar', e: laneId() };
  if (prop === 'warpsize') return cx.lit(WARP_SIZE);
  return undefined;
}

/** A call of a warp function by its cuda.* name; undefined if `name` is not one. */
export function warpCall(cx: LowerContext, node: N, name: string, args: N[]): Val | undefined {
  if (name === 'lanemask_lt') {
    if (args.length) cx.fail(node, 'cuda.lanemask_lt()', 'cuda.lanemask_lt() takes no arguments');
    // (1 << lane) - 1 as u32: the lanes below this one.
    const bit = conv(bin('shl', 'i32', 'i32', { kind: 'const', type: 'i32', value: 1 }, laneId()), 'u32');
    return { k: 'scalar', e: bin('sub', 'u32', 'u32', bit, { kind: 'const', type: 'u32', value: 1 }) };
  }
  const spec = WARP_CALLS[name];
  if (!spec) return undefined;
  const [op, names] = spec;
  const path = `cuda.${name}`;
  const optionalMask = op === 'sync' && args.length === 0;
  if (args.length !== names.length && !optionalMask) cx.fail(node, `${path}()`, `${path}(${names.join(', ')}) takes ${names.length} argument(s)`);
  if (!cx.emitting) cx.fail(node, path, `${path}() must be called inside the kernel body`);
  const vals = scalarsInOrder(cx, args, `an argument of ${path}`);
  const mask = names[0] === 'mask' ? (optionalMask ? { kind: 'const', type: 'u32', value: 0xffffffff } as Expr : cx.coerce(vals[0], 'u32')) : undefined;
  let value: Expr | undefined;
  if (names.length > 1) {
    const v = vals[1];
    if (names[1] === 'predicate') value = conv(v.e, 'bool');
    else {
      const t = v.e.type;
      // numba's: 32- and 64-bit integers and floats shuffled, integers matched
      const allowed = op.startsWith('match') ? ['i32', 'u32', 'i64', 'u64'] : ['i32', 'u32', 'i64', 'u64', 'f32', 'f64'];
      if (!allowed.includes(t)) {
        const why = op.startsWith('match') ? `${path} compares i32, u32, i64 or u64 values (floats: compare their integer bits or a rounded integer instead)` : `${path} shuffles an i32, u32, i64, u64, f32 or f64 value`;
        cx.fail(args[1], `${path} of ${t}`, `${why}; this value is ${t}`);
      }
      value = v.e;
    }
  }
  const lane = names.length > 2 ? cx.coerce(vals[2], 'u32') : undefined;
  const resultType = op.startsWith('shfl_') ? value!.type : op === 'all' || op === 'any' || op === 'eq' ? 'bool' : 'u32';
  cx.hasWarp = true;
  const local = op === 'sync' ? undefined : cx.temp(resultType, name);
  const pred = op === 'match_all' ? cx.temp('bool', 'match_pred') : undefined;
  cx.emit({ kind: 'warp', op, mask, value, lane, local, pred, loc: cx.loc(node) });
  const read = (id: number): Expr => ({ kind: 'local', id, type: cx.locals[id].type });
  if (local === undefined) return cx.lit(0);
  if (pred !== undefined) return { k: 'tuple', items: [{ k: 'scalar', e: read(local) }, { k: 'scalar', e: read(pred) }] };
  return { k: 'scalar', e: read(local) };
}
