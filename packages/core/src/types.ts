// Scalar and array types of the kernel language. Values in registers are one of
// the seven scalar types; arrays may additionally hold 8/16-bit integers, which
// load as i32 (as JS typed arrays do) and store with wrapping. i64/u64 are
// JavaScript BigInts wrapped to 64 bits (BigInt.asIntN / asUintN), the values
// BigInt64Array / BigUint64Array hold.

export type ScalarType = 'bool' | 'i32' | 'u32' | 'f32' | 'f64' | Int64Type;
export type ElemType = 'i8' | 'u8' | 'i16' | 'u16' | 'i32' | 'u32' | 'f32' | 'f64' | Int64Type;
export type FloatType = 'f32' | 'f64';
/** The 32-bit integer types (JS numbers); the 64-bit ones are Int64Type. */
export type IntType = 'i32' | 'u32';
export type Int64Type = 'i64' | 'u64';

export const ELEM_TYPES: readonly ElemType[] = ['i8', 'u8', 'i16', 'u16', 'i32', 'u32', 'f32', 'f64', 'i64', 'u64'];

export const ELEM_BYTES: Record<ElemType, number> = { i8: 1, u8: 1, i16: 2, u16: 2, i32: 4, u32: 4, f32: 4, f64: 8, i64: 8, u64: 8 };

export type TypedArray =
  | Int8Array | Uint8Array | Int16Array | Uint16Array | Int32Array | Uint32Array | Float32Array | Float64Array
  | BigInt64Array | BigUint64Array;

export const TYPED_ARRAY_OF: Record<ElemType, { new (n: number | ArrayBufferLike, offset?: number, len?: number): TypedArray; BYTES_PER_ELEMENT: number }> = {
  i8: Int8Array, u8: Uint8Array, i16: Int16Array, u16: Uint16Array,
  i32: Int32Array, u32: Uint32Array, f32: Float32Array, f64: Float64Array,
  i64: BigInt64Array, u64: BigUint64Array,
};

export function elemTypeOfTypedArray(a: unknown): ElemType | undefined {
  if (a instanceof BigInt64Array) return 'i64';
  if (a instanceof BigUint64Array) return 'u64';
  if (a instanceof Float32Array) return 'f32';
  if (a instanceof Float64Array) return 'f64';
  if (a instanceof Int32Array) return 'i32';
  if (a instanceof Uint32Array) return 'u32';
  if (a instanceof Int16Array) return 'i16';
  if (a instanceof Uint16Array) return 'u16';
  if (a instanceof Int8Array) return 'i8';
  if (a instanceof Uint8Array && !(a instanceof Uint8ClampedArray)) return 'u8';
  return undefined;
}

/** The register type an element loads as. */
export function loadType(e: ElemType): ScalarType {
  return e === 'f32' || e === 'f64' || e === 'u32' || e === 'i64' || e === 'u64' ? e : 'i32';
}

export const isFloat = (t: ScalarType): t is FloatType => t === 'f32' || t === 'f64';
export const isInt = (t: ScalarType): t is IntType => t === 'i32' || t === 'u32';
/** A 64-bit integer (BigInt) type. */
export const is64 = (t: ScalarType | ElemType): t is Int64Type => t === 'i64' || t === 'u64';

/** Where an array lives. 'const' arrays are small literal tables captured from `globals`. */
export type Space = 'global' | 'shared' | 'local' | 'const';

export interface ArrayType {
  elem: ElemType;
  space: Space;
}

/** A kernel parameter's type: a scalar or a global array (1-D, or with the constant row-major shape of a cuda.ndarray). */
export type ParamType = { kind: 'scalar'; type: ScalarType } | { kind: 'array'; elem: ElemType; shape?: readonly number[] };

export function paramTypeKey(p: ParamType): string {
  return p.kind === 'scalar' ? p.type : p.shape ? `${p.elem}[${p.shape.join('x')}]` : `${p.elem}[]`;
}

/**
 * dtype objects users pass to shared.array / local.array / deviceArray. They
 * are also conversions, as numba's `float64(x)`: `f64(x)`, `f32(x)` (=
 * Math.fround), `i32(x)` (= x | 0), `u32(x)` (= x >>> 0), in kernels and on
 * the host alike.
 */
export interface DType {
  (x: number | bigint): number;
  readonly __dtype: ElemType;
  readonly name: ElemType;
}
/** `i64(x)` / `u64(x)`: to a BigInt wrapped to 64 bits. */
export interface DType64 {
  (x: number | bigint): bigint;
  readonly __dtype: Int64Type;
  readonly name: Int64Type;
}
/**
 * JavaScript's conversion of a number to each type, as JS source over the operand
 * text: ToInt32 is `a | 0`, ToUint32 `a >>> 0`, f32 is Math.fround, the narrow
 * types wrap as typed-array stores do. The one definition in core: the
 * simulator and constant folding (ir/semantics.ts), the frontend's literals and
 * the host-side dtype functions below all use it.
 */
export const CONVERT_JS: Record<ElemType, (a: string) => string> = {
  f64: (a) => `(+${a})`, f32: (a) => `Math.fround(${a})`, i32: (a) => `(${a} | 0)`, u32: (a) => `(${a} >>> 0)`,
  i16: (a) => `((${a} << 16) >> 16)`, u16: (a) => `(${a} & 0xffff)`, i8: (a) => `((${a} << 24) >> 24)`, u8: (a) => `(${a} & 0xff)`,
  // A number to 64 bits as ToInt32 does to 32: truncate, wrap modulo 2^64, NaN and ±Infinity give 0n
  // (JS's BigInt(x) throws for those and for fractions). A BigInt is wrapped as is.
  i64: (a) => `((x) => typeof x === 'bigint' ? BigInt.asIntN(64, x) : Number.isFinite(x) ? BigInt.asIntN(64, BigInt(Math.trunc(x))) : 0n)(${a})`,
  u64: (a) => `((x) => typeof x === 'bigint' ? BigInt.asUintN(64, x) : Number.isFinite(x) ? BigInt.asUintN(64, BigInt(Math.trunc(x))) : 0n)(${a})`,
};
function dtype<D = DType>(name: ElemType): D {
  let convert: ((x: number | bigint) => number | bigint) | undefined;
  // Compiled on first use, not at import. A BigInt given to a 32-bit dtype keeps its low 32 bits
  // (as in kernels; JS's `x | 0` would throw), to a float dtype it is Number(x).
  const arg = is64(name) ? 'x' : `(typeof x === 'bigint' ? Number(${isFloatElem(name) ? 'x' : 'BigInt.asIntN(32, x)'}) : x)`;
  const f = (x: number | bigint) => (convert ??= new Function('x', `return ${CONVERT_JS[name](arg)};`) as (x: number | bigint) => number | bigint)(x);
  Object.defineProperty(f, 'name', { value: name });
  return Object.freeze(Object.assign(f, { __dtype: name, toString: () => name })) as unknown as D;
}
const isFloatElem = (e: ElemType) => e === 'f32' || e === 'f64';
export const f32 = dtype('f32');
export const f64 = dtype('f64');
export const i32 = dtype('i32');
export const u32 = dtype('u32');
export const i16 = dtype('i16');
export const u16 = dtype('u16');
export const i8 = dtype('i8');
export const u8 = dtype('u8');
export const i64 = dtype<DType64>('i64');
export const u64 = dtype<DType64>('u64');
/** numba spellings, accepted as aliases. */
export const DTYPE_NAMES: Record<string, ElemType> = {
  f32: 'f32', f64: 'f64', i32: 'i32', u32: 'u32', i16: 'i16', u16: 'u16', i8: 'i8', u8: 'u8',
  float32: 'f32', float64: 'f64', int32: 'i32', uint32: 'u32', int16: 'i16', uint16: 'u16', int8: 'i8', uint8: 'u8',
  i64: 'i64', u64: 'u64', int64: 'i64', uint64: 'u64',
};
export function isDType(x: unknown): x is DType {
  return (typeof x === 'object' || typeof x === 'function') && x !== null && '__dtype' in x;
}
