// Arrays: subscripts (1-D, and 2-D/3-D shared/local arrays flattened row-major,
// each subscript checked against its extent when bounds checks are on), loads,
// stores, and declarations of shared/local arrays.

import type { Expr } from '../ir/nodes.js';
import type { ElemType, ScalarType } from '../types.js';
import { DTYPE_NAMES, ELEM_TYPES, is64, isInt, loadType } from '../types.js';
import { checkNoMix, index64 } from './int64.js';
import type { LowerContext, N } from './context.js';
import type { ArrayVal, ScalarVal, Val } from './values.js';
import { convertValue } from './values.js';
import { bin, constExpr, conv } from './ir-build.js';
import { coerce } from './typing.js';
import { lowerExpr, scalarsInOrder } from './expressions.js';
import { constInt } from './builtins.js';

/** arr[i], or t[y][x] on a 2-D/3-D shared or local array. */
export function element(cx: LowerContext, node: N): { arr: ArrayVal; index: Expr } {
  const idxNodes: N[] = [];
  let base: N = node;
  while (base.type === 'MemberExpression' && base.computed) { idxNodes.unshift(base.property); base = base.object; }
  const arr = lowerExpr(cx, base);
  if (arr.k !== 'array') cx.fail(base, 'indexing', 'only arrays can be indexed in kernels');
  return { arr, index: flatIndex(cx, arr, idxNodes, node) };
}

/**
 * The flat (row-major) index of arr[idx0][idx1]…: one subscript per dimension,
 * integers, read left to right. `at` is where a wrong count of subscripts is reported.
 */
export function flatIndex(cx: LowerContext, arr: ArrayVal, idxNodes: N[], at: N): Expr {
  const shape = arr.shape ?? [0];
  if (idxNodes.length !== shape.length) {
    cx.fail(at, 'partial indexing', `'${arr.name}' has ${shape.length} dimension(s) and must be indexed with ${shape.length} subscript(s), e.g. ${arr.name}${shape.map((_, i) => `[${'ijk'[i]}]`).join('')}`);
  }
  const subs = scalarsInOrder(cx, idxNodes, 'an array index').map((v, d): Expr => {
    const n = idxNodes[d];
    if (v.lit !== undefined) {
      if (typeof v.lit !== 'number' || !Number.isInteger(v.lit)) cx.fail(n, 'non-integer index', 'array index must be an integer');
      return constExpr('i32', convertValue(v.lit, 'i32'));
    }
    if (isInt(v.e.type)) return v.e;
    if (is64(v.e.type)) return index64(cx, v.e);
    if (v.e.type === 'bool') cx.typeFail(n, 'boolean index', 'array index must be an integer, not a boolean');
    else cx.typeFail(n, 'float index', `array index has type ${v.e.type}; indices must be integers: use Math.floor(x), x | 0 or x >>> 0`);
    return conv(v.e, 'i32');
  });
  if (subs.length === 1) return subs[0];
  // Row-major; u32 only when every subscript is u32.
  const t: ScalarType = subs.every((e) => e.type === 'u32') ? 'u32' : 'i32';
  const checked = cx.input.boundscheck !== false;
  // Checked subscripts are read several times: evaluate each once.
  const ss = subs.map((e) => conv(checked ? cx.stable(e) : e, t));
  let flat = ss[0];
  for (let d = 1; d < ss.length; d++) flat = bin('add', t, t, bin('mul', t, t, flat, constExpr(t, shape[d])), ss[d]);
  return checked ? checkExtents(ss, shape, flat) : flat;
}

/**
 * Each subscript against its own extent (numba's debug mode), in the IR so
 * every backend's flat bounds check reports it: when a subscript is out of
 * range the flat index becomes an out-of-bounds one, the subscript itself when
 * it is negative, else the array's length (one past the end).
 */
function checkExtents(ss: Expr[], shape: number[], flat: Expr): Expr {
  const t = flat.type;
  const size = shape.reduce((a, b) => a * b, 1);
  const outside = (e: Expr, d: number): Expr => bin('ge', 'u32', 'bool', conv(e, 'u32'), constExpr('u32', shape[d]));
  const report = (e: Expr): Expr => (t === 'i32'
    ? { kind: 'cond', c: bin('lt', 'i32', 'bool', e, constExpr('i32', 0)), a: e, b: constExpr('i32', size), type: 'i32' }
    : constExpr(t, size));
  let index = flat;
  for (let d = ss.length - 1; d >= 0; d--) index = { kind: 'cond', c: outside(ss[d], d), a: report(ss[d]), b: index, type: t };
  return index;
}

export function loadExpr(cx: LowerContext, arr: ArrayVal, index: Expr, node: N): Expr {
  return { kind: 'load', array: arr.ref, index, type: loadType(arr.elem), loc: cx.loc(node) };
}

export function store(cx: LowerContext, arr: ArrayVal, index: Expr, value: ScalarVal, node: N): void {
  if (arr.ref.space === 'const') cx.fail(node, 'write to constant array', `'${arr.name}' is a constant array from globals and cannot be written`);
  if (arr.ref.space === 'global') cx.params[arr.ref.param].written = true;
  checkNoMix(cx, node, value, loadType(arr.elem), `'${arr.name}'`);
  cx.emit({ kind: 'store', array: arr.ref, index, value: coerce(value, loadType(arr.elem)), loc: cx.loc(node) });
}

/** `cuda.shared.array(shape, dtype)` / `cuda.local.array(shape, dtype)`, named after its variable when declared. */
export function arrayDecl(cx: LowerContext, node: N, space: 'shared' | 'local', args: N[], declName?: string): Val {
  const what = `cuda.${space}.array shape`;
  if (args.length !== 2) cx.fail(node, `cuda.${space}.array`, `cuda.${space}.array(shape, dtype) takes a shape and a dtype`);
  const shapeNode = args[0];
  const shape: number[] = shapeNode.type === 'ArrayExpression' ? shapeNode.elements.map((e: N) => constInt(cx, e, what)) : [constInt(cx, shapeNode, what)];
  if (shape.length > 3) cx.fail(shapeNode, what, 'shared/local arrays have at most 3 dimensions');
  const dt = dtypeOf(cx, args[1]);
  const size = shape.reduce((a: number, b: number) => a * b, 1);
  if (shape.some((s: number) => s < 0) || (size === 0 && (space === 'local' || shape.length > 1))) cx.fail(shapeNode, what, `invalid ${what} [${shape.join(', ')}]`);
  if (space === 'shared' && size === 0 && cx.arrays.some((a) => a.space === 'shared' && a.size === 0)) cx.fail(node, 'second dynamic shared array', 'only one dynamic shared array (shape 0) is allowed per kernel');
  if (space === 'local' && size > 65536) cx.fail(shapeNode, what, `local array of ${size} elements is too large (max 65536)`);
  const id = cx.arrays.length;
  const name = declName ?? `${space}${id}`;
  cx.arrays.push({ id, name, space, elem: dt, shape, size, atomic: false });
  return { k: 'array', ref: { space, id }, elem: dt, name, shape };
}

function dtypeOf(cx: LowerContext, node: N): ElemType {
  if (node.type === 'Literal' && typeof node.value === 'string') {
    const e = DTYPE_NAMES[node.value];
    if (e) return e;
  }
  const v = node.type === 'Literal' ? undefined : lowerExpr(cx, node);
  if (v?.k === 'dtype') return v.elem;
  return cx.fail(node, 'dtype', `expected a dtype (${ELEM_TYPES.join(', ')}), e.g. cuda.shared.array(256, f32)`);
}
