// The meaning of each IR operation, written once as JavaScript source over
// operands `a` and `b`. The simulator compiles kernels from these snippets and
// constant folding evaluates them, so both agree with JS exactly.

import type { AtomicOp, BinaryOp, UnaryOp } from './ops.js';
import type { ScalarType } from '../types.js';
import { CONVERT_JS, is64 } from '../types.js';
import { MATH_DECLS, type MathDecl, type MathFn } from '../intrinsics.js';
import { binary64Js, convert64Js, unary64Js, wrap64 } from './semantics64.js';

/** Round a JS number result to the register type (i64/u64: a BigInt result wrapped to 64 bits). */
export function wrapJs(t: ScalarType, x: string): string {
  if (is64(t)) return wrap64(t, x);
  return t === 'bool' || t === 'f64' ? `(${x})` : CONVERT_JS[t](`(${x})`);
}

export function binaryJs(op: BinaryOp, t: ScalarType, a: string, b: string): string {
  if (is64(t)) return binary64Js(op, t, a, b);
  const int = t === 'i32' || t === 'u32';
  switch (op) {
    case 'add': return wrapJs(t, `${a} + ${b}`);
    case 'sub': return wrapJs(t, `${a} - ${b}`);
    case 'mul': return int ? wrapJs(t, `Math.imul(${a}, ${b})`) : wrapJs(t, `${a} * ${b}`);
    case 'div': return wrapJs(t, `${a} / ${b}`);
    // Each operand appears exactly once, in order (the simulator substitutes
    // effectful expressions). Integer x % 0 and x / 0 are NaN or ±Infinity in JS,
    // which the i32/u32 wrap turns into the 0 the IR defines: no guard repeating `b`.
    case 'rem': return wrapJs(t, `${a} % ${b}`);
    case 'truncdiv': return wrapJs(t, `Math.trunc(${a} / ${b})`);
    case 'floordiv': return wrapJs(t, `Math.floor(${a} / ${b})`);
    case 'and': return `(${a} & ${b})`;
    case 'or': return `(${a} | ${b})`;
    case 'xor': return `(${a} ^ ${b})`;
    case 'shl': return `(${a} << ${b})`;
    case 'shr': return `(${a} >> ${b})`;
    case 'ushr': return `(${a} >>> ${b})`;
    case 'eq': return `(${a} === ${b})`;
    case 'ne': return `(${a} !== ${b})`;
    case 'lt': return `(${a} < ${b})`;
    case 'le': return `(${a} <= ${b})`;
    case 'gt': return `(${a} > ${b})`;
    case 'ge': return `(${a} >= ${b})`;
    case 'min': return `Math.min(${a}, ${b})`;
    case 'max': return `Math.max(${a}, ${b})`;
  }
}

/**
 * The value an atomic writes, from the old element `o` and the operand `v`, as
 * JS source (the store into the typed array then wraps or rounds it, as a
 * plain store does). cas is the simulator's compare (o === expected).
 * - inc (u32): o >= v ? 0 : o + 1;  dec (u32): o === 0 || o > v ? v : o - 1 (CUDA's atomicInc/atomicDec).
 * - nanmin/nanmax: a NaN operand is ignored (a NaN element is replaced by v);
 *   otherwise JS Math.min/max (-0 < +0).
 */
export function atomicNewJs(op: Exclude<AtomicOp, 'cas'>, o: string, v: string): string {
  switch (op) {
    case 'add': return `${o} + ${v}`;
    case 'sub': return `${o} - ${v}`;
    case 'max': return `Math.max(${o}, ${v})`;
    case 'min': return `Math.min(${o}, ${v})`;
    case 'and': return `${o} & ${v}`;
    case 'or': return `${o} | ${v}`;
    case 'xor': return `${o} ^ ${v}`;
    case 'exch': return v;
    case 'inc': return `(${o} >= ${v} ? 0 : ${o} + 1)`;
    case 'dec': return `(${o} === 0 || ${o} > ${v} ? ${v} : ${o} - 1)`;
    case 'nanmin': return `(${v} !== ${v} ? ${o} : ${o} !== ${o} ? ${v} : Math.min(${o}, ${v}))`;
    case 'nanmax': return `(${v} !== ${v} ? ${o} : ${o} !== ${o} ? ${v} : Math.max(${o}, ${v}))`;
  }
}

export function unaryJs(op: UnaryOp, t: ScalarType, a: string): string {
  if (is64(t)) return unary64Js(op, t, a);
  switch (op) {
    case 'neg': return wrapJs(t, `-${a}`);
    case 'not': return `(!${a})`;
    case 'bitnot': return `(~${a})`;
  }
}

/**
 * Eager select. Its arms have no effects (legalisation only selects between
 * values it has already made safe to compute), so JS's lazy `?:` means the same.
 */
export function selectJs(c: string, a: string, b: string): string {
  return `(${c} ? ${a} : ${b})`;
}

export function convertJs(from: ScalarType, to: ScalarType, a: string): string {
  if (from === to) return a;
  if (is64(from) || is64(to)) return convert64Js(from, to, a);
  // JS truthiness of a number (false for 0, -0 and NaN), evaluating `a` once.
  if (to === 'bool') return `(!!(${a}))`;
  const n = from === 'bool' ? `(${a} ? 1 : 0)` : a;
  return to === 'f64' && from === 'bool' ? n : CONVERT_JS[to](n);
}

export function mathJs(fn: MathFn, t: ScalarType, args: string[]): string {
  const ref = (MATH_DECLS[fn] as MathDecl).ref;
  if (ref) {
    const extra = (t === 'f32' ? ref.extraF32 : undefined) ?? ref.extra;
    return wrapJs(t, `(${ref.fn.toString()})(${[...args, ...(extra ? [extra] : [])].join(', ')})`);
  }
  // One pass over the snippet: an argument's own text (say an array named "b" in
  // a bounds-check message) is never substituted again, and `$` in it stays literal.
  const src = MATH_DECLS[fn].sim.replace(/\b[ab]\b/g, (m) => (m === 'a' ? args[0] : args[1] ?? ''));
  return wrapJs(t, src);
}

/** The typed array holding one value of each type a bitcast reads or writes. */
const BITS_ARRAY: Partial<Record<ScalarType, string>> = {
  f64: 'Float64Array', i64: 'BigInt64Array', u64: 'BigUint64Array', f32: 'Float32Array', i32: 'Int32Array', u32: 'Uint32Array',
};
/** Whether `bitcast` reinterprets `from` as `to`: f64 <-> i64/u64, f32 <-> i32/u32. */
export function bitcastOk(from: ScalarType, to: ScalarType): boolean {
  const w64 = (t: ScalarType) => t === 'f64' || t === 'i64' || t === 'u64';
  const w32 = (t: ScalarType) => t === 'f32' || t === 'i32' || t === 'u32';
  const float = (t: ScalarType) => t === 'f32' || t === 'f64';
  return float(from) !== float(to) && ((w64(from) && w64(to)) || (w32(from) && w32(to)));
}
/**
 * `bitcast`: the bits of `a` (type `from`) read as `to`, through typed arrays sharing one
 * buffer. A NaN's payload is JavaScript's (it may be canonicalised), as everywhere in JS.
 */
export function bitcastJs(from: ScalarType, to: ScalarType, a: string): string {
  return `new ${BITS_ARRAY[to]}(new ${BITS_ARRAY[from]}([${a}]).buffer)[0]`;
}

const cache = new Map<string, (a: any, b?: any, c?: any) => any>();
function compiled(key: string, body: string): (a: any, b?: any, c?: any) => any {
  let f = cache.get(key);
  if (!f) { f = new Function('a', 'b', 'c', `return ${body};`) as (a: any, b?: any, c?: any) => any; cache.set(key, f); }
  return f;
}
export const evalBinary = (op: BinaryOp, t: ScalarType, a: number | boolean | bigint, b: number | boolean | bigint): number | boolean | bigint =>
  compiled(`b:${op}:${t}`, binaryJs(op, t, 'a', 'b'))(a, b);
export const evalUnary = (op: UnaryOp, t: ScalarType, a: number | boolean | bigint): number | boolean | bigint =>
  compiled(`u:${op}:${t}`, unaryJs(op, t, 'a'))(a);
export const evalConvert = (from: ScalarType, to: ScalarType, a: number | boolean | bigint): number | boolean | bigint =>
  compiled(`c:${from}:${to}`, convertJs(from, to, 'a'))(a);
export const evalBitcast = (from: ScalarType, to: ScalarType, a: number | boolean | bigint): number | bigint =>
  compiled(`bc:${from}:${to}`, bitcastJs(from, to, 'a'))(a);
export const evalMath = (fn: MathFn, t: ScalarType, args: (number | boolean | bigint)[]): number | bigint =>
  compiled(`m:${fn}:${t}`, mathJs(fn, t, ['a', 'b', 'c'].slice(0, MATH_DECLS[fn].arity)))(args[0], args[1], args[2]);
