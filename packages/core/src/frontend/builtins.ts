// The cuda.* API inside kernels: thread registers, cuda.grid / gridsize,
// syncthreads, shared/local arrays, atomics, cuda.* intrinsics (umulhi), dtype
// conversions (`f32(x)`), and which namespace members exist. Math.* is math.ts.

import type { Expr } from '../ir/nodes.js';
import type { ElemType, ScalarType } from '../types.js';
import { isFloat, loadType } from '../types.js';
import { isCudaMathFn, isMathFn, MATH_CONSTANTS, MATH_DECLS, type MathFn } from '../intrinsics.js';
import type { LowerContext, N } from './context.js';
import type { ScalarVal, Val } from './values.js';
import { bin, constExpr } from './ir-build.js';
import { coerce } from './typing.js';
import { lowerExpr, scalarsInOrder } from './expressions.js';
import { arrayDecl, flatIndex } from './arrays.js';
import { math, mathCall } from './math.js';
import { wrappedValue } from './wrapping.js';
import { frexp, numberMember, numberTest } from './math-extra.js';
import { WARP_NAMES, warpCall, warpProperty } from './warp.js';
import { SYNC_ATOMICS, SYNC_PATHS, syncBuiltin } from './sync.js';
import { bigIntCall, checkNoMix, isBigIntPath } from './int64.js';
import { THREAD_CHECK_PATH, threadCheck } from './thread-check.js';
import { FLOAT_BITS_PATHS, floatBits } from './float-bits.js';
import { LIBRARY_MATH_PATHS, libraryMath } from './library-math.js';

const ATOMIC_OPS = ['add', 'sub', 'max', 'min', 'and', 'or', 'xor', 'exch', 'cas', ...SYNC_ATOMICS];

const KNOWN_PATHS = new Set([
  'cuda.grid', 'cuda.gridsize', 'cuda.threadIdx', 'cuda.blockIdx', 'cuda.blockDim', 'cuda.gridDim',
  'cuda.syncthreads', 'cuda.range', 'cuda.shared', 'cuda.local', 'cuda.shared.array', 'cuda.local.array', 'cuda.atomic',
  ...ATOMIC_OPS.map((o) => `cuda.atomic.${o}`),
  ...WARP_NAMES.map((n) => `cuda.${n}`),
  ...SYNC_PATHS,
]);

/** `ns.prop` on a builtin namespace: a Math constant, a thread register, or a deeper namespace. */
export function namespaceMember(cx: LowerContext, node: N, ns: string, prop: string): Val {
  const path = `${ns}.${prop}`;
  if (ns === 'Math') {
    if (prop in MATH_CONSTANTS) return cx.lit(MATH_CONSTANTS[prop]);
    if (isMathFn(prop) || prop === 'min' || prop === 'max' || prop === 'fround') return { k: 'ns', path };
    if (prop === 'random') cx.fail(node, 'Math.random', 'Math.random is not available in kernels; use numbat random (Philox) states or a hash of the thread index');
    return cx.fail(node, `Math.${prop}`, `Math.${prop} is not supported in kernels`);
  }
  if (ns === 'Number') return numberMember(cx, node, prop);
  if (path === 'cuda.frexp') return { k: 'ns', path };
  if (ns === 'BigInt') {
    if (isBigIntPath(path)) return { k: 'ns', path };
    return cx.fail(node, path, `${path} is not supported in kernels (BigInt.asIntN and BigInt.asUintN are)`);
  }
  const reg = /^cuda\.(threadIdx|blockIdx|blockDim|gridDim)$/.exec(ns);
  if (reg) {
    const dim = ['x', 'y', 'z'].indexOf(prop);
    if (dim < 0) cx.fail(node, `${ns}.${prop}`, `${ns} has .x, .y and .z`);
    return { k: 'scalar', e: { kind: 'special', reg: reg[1] as 'threadIdx', dim: dim as 0 | 1 | 2, type: 'i32' } };
  }
  if (ns === 'cuda') { const w = warpProperty(cx, prop); if (w) return w; }
  if (KNOWN_PATHS.has(path) || (ns === 'cuda' && isCudaMathFn(prop))) return { k: 'ns', path };
  return cx.fail(node, path, `${path} is not supported in kernels`);
}

/** A call of a builtin by its path (`Math.sin`, `cuda.atomic.add`, `cuda.shared.array`…). */
export function callBuiltin(cx: LowerContext, node: N, path: string, args: N[], declName?: string): Val {
  if (path.startsWith('Math.')) return math(cx, node, path.slice(5), args);
  if (isBigIntPath(path)) return bigIntCall(cx, node, path, args);
  if (path.startsWith('cuda.atomic.')) return atomic(cx, node, path.slice(12), args);
  if (/^(Number\.)?is(NaN|Finite)$/.test(path)) return numberTest(cx, node, path, args);
  if (path === 'cuda.frexp') return frexp(cx, node, args);
  if (path.startsWith('cuda.') && isCudaMathFn(path.slice(5))) {
    const fn = path.slice(5) as MathFn;
    if (args.length !== MATH_DECLS[fn].arity) cx.fail(node, `${path}`, `${path} takes ${MATH_DECLS[fn].arity} argument(s)`);
    return mathCall(cx, node, fn, scalarsInOrder(cx, args, `an argument of ${path}`));
  }
  if (path.startsWith('cuda.')) { const w = warpCall(cx, node, path.slice(5), args); if (w) return w; }
  if (SYNC_PATHS.includes(path)) return syncBuiltin(cx, node, path, args);
  if (path === THREAD_CHECK_PATH) return threadCheck(cx, node, args);
  if (FLOAT_BITS_PATHS.has(path)) return floatBits(cx, node, path, args);
  if (LIBRARY_MATH_PATHS.has(path)) return libraryMath(cx, node, path, args);
  switch (path) {
    case 'cuda.grid': case 'cuda.gridsize': return grid(cx, path, args);
    case 'cuda.syncthreads': {
      if (!cx.emitting) cx.fail(node, 'syncthreads', 'syncthreads() must be a statement');
      cx.hasBarrier = true;
      cx.emit({ kind: 'barrier', loc: cx.loc(node) });
      return cx.lit(0);
    }
    case 'cuda.range': return cx.fail(node, 'cuda.range', 'cuda.range(…) is only for loops: for (const i of cuda.range(n))');
    case 'cuda.shared.array': case 'cuda.local.array': return arrayDecl(cx, node, path === 'cuda.shared.array' ? 'shared' : 'local', args, declName);
    default: return cx.fail(node, `${path}()`, `${path}() is not supported in kernels`);
  }
}

/** cuda.grid(n): the global thread index per dimension; cuda.gridsize(n): threads per dimension. */
function grid(cx: LowerContext, path: string, args: N[]): Val {
  const n = constInt(cx, args[0], `${path}(n)`);
  if (n < 1 || n > 3) cx.fail(args[0], path, `${path}(n) takes n = 1, 2 or 3`);
  const items: ScalarVal[] = [];
  for (let d = 0; d < n; d++) {
    const sp = (reg: 'threadIdx' | 'blockIdx' | 'blockDim' | 'gridDim'): Expr => ({ kind: 'special', reg, dim: d as 0 | 1 | 2, type: 'i32' });
    const e: Expr = path === 'cuda.grid'
      ? bin('add', 'i32', 'i32', bin('mul', 'i32', 'i32', sp('blockIdx'), sp('blockDim')), sp('threadIdx'))
      : bin('mul', 'i32', 'i32', sp('blockDim'), sp('gridDim'));
    items.push({ k: 'scalar', e });
  }
  return n === 1 ? items[0] : { k: 'tuple', items };
}

/**
 * `f64(x)`, `f32(x)`, `i32(x)`, `u32(x)`: conversions with JS meaning (Number, fround, |0, >>>0);
 * `i8 u8 i16 u16(x)`: what a store into an Int8Array… keeps (ToInt8…), an i32 value.
 */
export function dtypeConversion(cx: LowerContext, node: N, elem: ElemType): Val {
  const args = node.arguments as N[];
  if (args.length !== 1) cx.fail(node, `${elem}(x)`, `${elem}(x) takes one argument`);
  if (elem === 'i8' || elem === 'u8' || elem === 'i16' || elem === 'u16') return narrowConversion(cx, args[0], elem);
  const arg = elem === 'i32' || elem === 'u32' ? wrappedValue(cx, args[0], elem) : lowerExpr(cx, args[0]);
  const v = cx.scalar(arg, args[0], `the argument of ${elem}()`);
  return { k: 'scalar', e: coerce(v, elem) };
}

/** ToInt8/ToUint8/ToInt16/ToUint16 of x: ToInt32, then the low bits, sign-extended for i8/i16. */
function narrowConversion(cx: LowerContext, arg: N, elem: 'i8' | 'u8' | 'i16' | 'u16'): Val {
  const x = coerce(cx.scalar(wrappedValue(cx, arg, 'i32'), arg, `the argument of ${elem}()`), 'i32');
  const bits = elem === 'i8' || elem === 'u8' ? 8 : 16;
  if (elem === 'u8' || elem === 'u16') return { k: 'scalar', e: bin('and', 'i32', 'i32', x, constExpr('i32', (1 << bits) - 1)) };
  const sh = constExpr('i32', 32 - bits);
  return { k: 'scalar', e: bin('shr', 'i32', 'i32', bin('shl', 'i32', 'i32', x, sh), sh) };
}

/**
 * The value of an expression made of number literals and `const` locals that
 * hold one (`N * 2` after `const N = 4`), with JS's arithmetic; else undefined.
 */
export function constLocalValue(cx: LowerContext, node: N): number | undefined {
  switch (node.type) {
    case 'Literal': return typeof node.value === 'number' ? node.value : undefined;
    case 'ParenthesizedExpression': return constLocalValue(cx, node.expression);
    case 'Identifier': {
      const b = cx.lookup(node.name);
      return b?.kind === 'local' ? b.constValue : undefined;
    }
    case 'UnaryExpression': {
      const x = node.operator === '-' || node.operator === '+' ? constLocalValue(cx, node.argument) : undefined;
      return x === undefined ? undefined : node.operator === '-' ? -x : x;
    }
    case 'BinaryExpression': {
      const a = constLocalValue(cx, node.left), b = a === undefined ? undefined : constLocalValue(cx, node.right);
      if (a === undefined || b === undefined) return undefined;
      switch (node.operator) {
        case '+': return a + b; case '-': return a - b; case '*': return a * b; case '/': return a / b; case '%': return a % b;
        case '<<': return a << b; case '>>': return a >> b; case '|': return a | b; case '&': return a & b;
        default: return undefined;
      }
    }
    default: return undefined;
  }
}

/** A compile-time integer argument (a literal or a number from options.globals). */
export function constInt(cx: LowerContext, node: N | undefined, what: string): number {
  if (!node) return cx.fail(node, what, `${what} needs an argument`);
  // `const N = 16`, `const M = N * 2` declared earlier in the kernel.
  const known = constLocalValue(cx, node);
  if (known !== undefined && Number.isInteger(known)) return known;
  const v = lowerExpr(cx, node);
  // An abstract literal, or a typed integer constant such as `(n >>> 0)` of a literal n.
  const c = v.k !== 'scalar' ? undefined : v.lit !== undefined ? v.lit : v.e.kind === 'const' ? v.e.value : undefined;
  if (typeof c !== 'number' || !Number.isInteger(c)) {
    cx.fail(node, `non-constant ${what}`, `${what} must be a constant integer (a literal or a number from options.globals)`);
  }
  return c;
}

/** cuda.atomic.op(array, index, value) (cas: array, index, expected, value); returns the old element. */
function atomic(cx: LowerContext, node: N, op: string, args: N[]): Val {
  if (!ATOMIC_OPS.includes(op)) cx.fail(node, `cuda.atomic.${op}`, `cuda.atomic.${op} does not exist (have: ${ATOMIC_OPS.join(', ')})`);
  // numba's compare_and_swap(array, old, value) is cas on element 0 of a 1-D array.
  const cas0 = op === 'compare_and_swap';
  const want = op === 'cas' ? 4 : 3;
  if (args.length !== want) cx.fail(node, `cuda.atomic.${op}`, `cuda.atomic.${op} takes ${want} arguments${cas0 ? ' (array, old, value), on element 0, as in numba; cuda.atomic.cas(array, index, old, value) takes an index' : ''}`);
  if (cas0) return casAtIndex0(cx, node, args);
  const arr = lowerExpr(cx, args[0]);
  if (arr.k !== 'array') return cx.fail(args[0], 'atomic target', `the first argument of cuda.atomic.${op} must be an array`);
  if (arr.ref.space === 'local' || arr.ref.space === 'const') cx.fail(args[0], `atomic on ${arr.ref.space} array`, `atomics work on global and shared arrays, not ${arr.ref.space} ones`);
  if (!['i32', 'u32', 'f32', 'f64', 'i64', 'u64'].includes(arr.elem)) cx.fail(args[0], `atomic on ${arr.elem}`, `atomics need an i32, u32, i64, u64, f32 or f64 array, '${arr.name}' holds ${arr.elem}`);
  if (isFloat(arr.elem as ScalarType) && ['and', 'or', 'xor'].includes(op)) cx.fail(node, `atomic ${op} on float`, `cuda.atomic.${op} needs an integer array`);
  if ((op === 'inc' || op === 'dec') && arr.elem !== 'u32') cx.fail(args[0], `atomic ${op} on ${arr.elem}`, `cuda.atomic.${op} needs a u32 array (a Uint32Array), as in numba: CUDA's wrap-around counter compares unsigned; '${arr.name}' holds ${arr.elem}`);
  // On integers there is no NaN to ignore: nanmin/nanmax are min/max.
  if ((op === 'nanmin' || op === 'nanmax') && !isFloat(arr.elem as ScalarType)) op = op.slice(3);
  // numba's tuple index for 2-D shared arrays: atomic.add(t, [y, x], v).
  const idxNodes: N[] = args[1].type === 'ArrayExpression' ? args[1].elements : [args[1]];
  let index = flatIndex(cx, arr, idxNodes, idxNodes[idxNodes.length - 1] ?? args[0]);
  const t = loadType(arr.elem);
  // The index is read before the operands' effects (`atomic.add(a, x, x++)`).
  const mark = cx.mark();
  const vals = scalarsInOrder(cx, args.slice(2), 'an atomic operand').map((v, i) => { checkNoMix(cx, args[2 + i], v, t, `'${arr.name}'`); return coerce(v, t); });
  index = cx.spillBefore({ k: 'scalar', e: index }, mark).e;
  if (arr.ref.space === 'global') { cx.params[arr.ref.param].written = true; cx.params[arr.ref.param].atomic = true; }
  else cx.arrays[arr.ref.id].atomic = true;
  const e: Expr = op === 'cas'
    ? { kind: 'atomic', op: 'cas', array: arr.ref, index, expected: vals[0], value: vals[1], type: t, loc: cx.loc(node) }
    : { kind: 'atomic', op: op as 'add', array: arr.ref, index, value: vals[0], type: t, loc: cx.loc(node) };
  return { k: 'scalar', e: cx.effect(e, node) };
}

/** compare_and_swap(array, old, value): cas on array[0] (numba: 1-D arrays). */
function casAtIndex0(cx: LowerContext, node: N, args: N[]): Val {
  const zero = { type: 'Literal', value: 0, raw: '0', start: args[0].end, end: args[0].end, loc: args[0].loc };
  const arr = lowerExpr(cx, args[0]);
  if (arr.k === 'array' && arr.shape && arr.shape.length > 1) cx.fail(args[0], 'compare_and_swap on a 2-D array', 'cuda.atomic.compare_and_swap works on a 1-D array (element 0); use cuda.atomic.cas(array, [y, x], old, value)');
  return atomic(cx, node, 'cas', [args[0], zero, args[1], args[2]]);
}
