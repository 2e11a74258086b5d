// Arrays: subscripts (1-D, and 2-D/3-D shared/local arrays flattened row-major,
// each subscript checked against its extent when bounds checks are on), loads,
// stores, and declarations of shared/local arrays.

import type { Expr } from '../ir/nodes.js';
import type { ElemType, ScalarType } from '../types.js';
import { DTYPE_NAMES, ELEM_TYPES, elemTypeOfTypedArray, is64, isInt, loadType } from '../types.js';
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
  const subscripts = `'${arr.name}' has ${shape.length} dimension(s) and must be indexed with ${shape.length} subscript(s), e.g. ${arr.name}${shape.map((_, i) => `[${'ijk'[i]}]`).join('')}`;
  if (idxNodes.length !== shape.length) cx.fail(at, 'partial indexing', subscripts);
  // numba's a[i, j] is JavaScript's comma operator (it would silently mean a[j]).
  const comma = idxNodes.find((n) => n.type === 'SequenceExpression');
  if (comma) cx.fail(comma, 'comma in an index', `${arr.name}[${comma.expressions.map(() => '…').join(', ')}] is JavaScript's comma operator (only the last value would be used), not numba's tuple index: ${subscripts}`);
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
  if (arr.view) return viewIndex(cx, arr, subs[0]);
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

// ---------------------------------------------------------------- views (subarray)

/** The length of the array a view is taken from: run-time for global and dynamic shared arrays. */
function baseLength(cx: LowerContext, arr: ArrayVal): Expr {
  if (arr.view) return arr.view.length;
  const decl = arr.ref.space === 'global' ? undefined : cx.arrays[arr.ref.id];
  return decl && decl.size > 0 ? constExpr('i32', decl.size) : { kind: 'length', array: arr.ref, type: 'i32' };
}

/**
 * `a.subarray(begin, end)` with TypedArray.prototype.subarray's meaning: negative
 * bounds count from the end, both are clamped to [0, length], an empty view when
 * end <= begin. A view shares the memory of `a` (another view of it, a shared or
 * local array); it has one dimension.
 */
export function subarrayView(cx: LowerContext, node: N, arr: ArrayVal, args: N[]): ArrayVal {
  if (arr.shape && arr.shape.length > 1) cx.fail(node, 'subarray of an n-d array', `'${arr.name}' has ${arr.shape.length} dimensions; subarray takes views of 1-D arrays`);
  if (args.length > 2) cx.fail(node, 'subarray', 'subarray(begin, end) takes at most two arguments');
  const len = cx.stable(baseLength(cx, arr));
  const vals = scalarsInOrder(cx, args, 'a subarray bound');
  const bound = (v: ScalarVal | undefined, n: N | undefined): Expr => {
    if (!v) return len;
    if (v.lit !== undefined) {
      if (typeof v.lit !== 'number' || !Number.isInteger(v.lit)) cx.fail(n, 'non-integer subarray bound', 'subarray bounds must be integers');
    } else if (!isInt(v.e.type)) cx.typeFail(n!, 'non-integer subarray bound', `subarray bound has type ${v.e.type}; bounds must be integers: use Math.floor(x), x | 0 or x >>> 0`);
    if (v.lit !== undefined) {
      const c = v.lit as number;
      const e = constExpr('i32', c < 0 ? 0 : Math.min(c, 2147483647));
      return c < 0 ? bin('max', 'i32', 'i32', bin('add', 'i32', 'i32', len, constExpr('i32', Math.max(c, -2147483648))), constExpr('i32', 0)) : bin('min', 'i32', 'i32', e, len);
    }
    if (v.e.type === 'u32') return conv(bin('min', 'u32', 'u32', v.e, conv(len, 'u32')), 'i32');
    const b = cx.stable(conv(v.e, 'i32'));
    return { kind: 'cond', type: 'i32', c: bin('lt', 'i32', 'bool', b, constExpr('i32', 0)), a: bin('max', 'i32', 'i32', bin('add', 'i32', 'i32', len, b), constExpr('i32', 0)), b: bin('min', 'i32', 'i32', b, len) };
  };
  const begin = cx.stable(bound(vals[0], args[0]));
  const end = bound(vals[1], args[1]);
  const length = cx.stable(bin('max', 'i32', 'i32', bin('sub', 'i32', 'i32', end, begin), constExpr('i32', 0)));
  const offset = arr.view ? cx.stable(bin('add', 'i32', 'i32', arr.view.offset, begin)) : begin;
  return { k: 'array', ref: arr.ref, elem: arr.elem, name: arr.name, view: { offset, length } };
}

/**
 * view[s]: the element offset + s of the underlying array. Checked against the
 * view when bounds checks are on: outside it, the index becomes one outside the
 * underlying array (s itself when negative, else its length), which every
 * backend's bounds check reports.
 */
export function viewIndex(cx: LowerContext, arr: ArrayVal, sub: Expr): Expr {
  const { offset, length } = arr.view!;
  if (cx.input.boundscheck === false) return bin('add', 'i32', 'i32', offset, conv(sub, 'i32'));
  const s = cx.stable(sub);
  const flat = bin('add', 'i32', 'i32', offset, conv(s, 'i32'));
  const outside = bin('ge', 'u32', 'bool', conv(s, 'u32'), conv(length, 'u32'));
  const past = baseLength(cx, { ...arr, view: undefined });
  const report: Expr = s.type === 'i32' ? { kind: 'cond', type: 'i32', c: bin('lt', 'i32', 'bool', s, constExpr('i32', 0)), a: s, b: past } : past;
  return { kind: 'cond', type: 'i32', c: outside, a: report, b: flat };
}

export function loadExpr(cx: LowerContext, arr: ArrayVal, index: Expr, node: N): Expr {
  return { kind: 'load', array: arr.ref, index, type: loadType(arr.elem), loc: cx.loc(node), ...(cx.provenInBounds(arr.ref) ? { inBounds: true as const } : {}) };
}

export function store(cx: LowerContext, arr: ArrayVal, index: Expr, value: ScalarVal, node: N): void {
  if (arr.ref.space === 'const') cx.fail(node, 'write to constant array', `'${arr.name}' is a constant array from globals and cannot be written`);
  if (arr.ref.space === 'global') cx.params[arr.ref.param].written = true;
  checkNoMix(cx, node, value, loadType(arr.elem), `'${arr.name}'`);
  cx.emit({ kind: 'store', array: arr.ref, index, value: coerce(value, loadType(arr.elem)), loc: cx.loc(node), ...(cx.provenInBounds(arr.ref) ? { inBounds: true as const } : {}) });
}

/** `cuda.shared.array(shape, dtype)` / `cuda.local.array(shape, dtype)`, named after its variable when declared. */
export function arrayDecl(cx: LowerContext, node: N, space: 'shared' | 'local', args: N[], declName?: string): Val {
  const what = `cuda.${space}.array shape`;
  if (args.length !== 2) cx.fail(node, `cuda.${space}.array`, `cuda.${space}.array(shape, dtype) takes a shape and a dtype`);
  const shapeNode = args[0];
  const fromGlobal = globalShape(cx, shapeNode, what);
  const shape: number[] = fromGlobal ?? (shapeNode.type === 'ArrayExpression' ? shapeNode.elements.map((e: N) => constInt(cx, e, what)) : [constInt(cx, shapeNode, what)]);
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

/** A shape given as a global array of integers (`globals: { TILE: [16, 16] }`). */
function globalShape(cx: LowerContext, node: N, what: string): number[] | undefined {
  if (node.type !== 'Identifier' || cx.lookup(node.name) || !Object.prototype.hasOwnProperty.call(cx.frame.globals, node.name)) return undefined;
  const v = cx.frame.globals[node.name];
  if (!Array.isArray(v) && !elemTypeOfTypedArray(v)) return undefined;
  const dims = Array.from(v as ArrayLike<number>);
  if (!dims.every((d) => Number.isInteger(d))) cx.fail(node, what, `${what} '${node.name}' must hold integers, got [${dims.join(', ')}]`);
  return dims;
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
