// The `cuda` object: host API (jit, toDevice, deviceArray) plus the kernel-side
// intrinsics, declared with TypeScript types so kernels type-check. The
// intrinsics exist only to be compiled: called on the host they throw.

import { Kernel, type JitOptions } from './kernel.js';
import { DeviceFunction } from './device-function.js';
import { deviceArray, toDevice } from './device-array.js';
import { Event, Stream } from './stream.js';
import { reduce } from './reduce.js';
import { evalMath } from './ir/semantics.js';
import type { DType, DType64, ElemType } from './types.js';
import { checkJit } from './options.js';

type ArrayOf<E extends ElemType> =
  E extends 'f32' ? Float32Array : E extends 'f64' ? Float64Array : E extends 'i32' ? Int32Array : E extends 'u32' ? Uint32Array
  : E extends 'i16' ? Int16Array : E extends 'u16' ? Uint16Array : E extends 'i8' ? Int8Array
  : E extends 'i64' ? BigInt64Array : E extends 'u64' ? BigUint64Array : Uint8Array;

/** An array of numbers or of BigInts (BigInt64Array / BigUint64Array); atomics return its element type. */
type NumArray<T extends number | bigint> = { [i: number]: T; readonly length: number };
type Index = number | bigint | (number | bigint)[];

interface Dim3 { readonly x: number; readonly y: number; readonly z: number }

/** A bit intrinsic on the host, typed as a kernel types it: a number is an i32, a BigInt an i64. */
function bitOp(fn: 'popc' | 'bit_count' | 'clz' | 'ffs' | 'brev', x: number | bigint): number | bigint {
  const t = typeof x === 'bigint' ? 'i64' : 'i32';
  return evalMath(fn, fn === 'brev' ? t : 'i32', [typeof x === 'bigint' ? BigInt.asIntN(64, x) : x | 0]);
}

function kernelOnly(name: string): never {
  throw new Error(`numbat: cuda.${name} can only be used inside a kernel compiled with cuda.jit`);
}
const dim3Only = (name: string): Dim3 => new Proxy({} as Dim3, { get: () => kernelOnly(name) });

interface ArrayFactory {
  array<E extends ElemType>(shape: number | [number], dtype: (DType | DType64) & { name: E }): ArrayOf<E>;
  array<E extends ElemType>(shape: [number, number], dtype: (DType | DType64) & { name: E }): ArrayOf<E>[];
  array<E extends ElemType>(shape: [number, number, number], dtype: (DType | DType64) & { name: E }): ArrayOf<E>[][];
}

function jit<F extends (...args: any[]) => any>(fn: F, options: JitOptions & { device: true }): F & DeviceFunction;
function jit<F extends (...args: any[]) => void>(fn: F, options?: JitOptions): Kernel<F>;
function jit(fn: (...args: any[]) => any, options: JitOptions = {}): unknown {
  checkJit(fn, options);
  if (options.device) return new DeviceFunction(fn, options.globals ?? {}, fn.name || 'device');
  return new Kernel(fn, options);
}

export const cuda = {
  jit,
  toDevice,
  deviceArray,
  /** numba's cuda.stream(): launches on one stream run in order; native CUDA streams on 'cuda'. */
  stream: (): Stream => new Stream(),
  /** numba's cuda.event(timing=True). */
  event: (timing = true): Event => new Event(timing),
  /** numba's cuda.event_elapsed_time(start, end), in milliseconds. */
  eventElapsedTime: (start: Event, end: Event): number => start.elapsedTime(end),
  /** numba's cuda.reduce(fn): a reduction of arrays by a two-argument device function. */
  reduce,

  // ---- kernel-side intrinsics (compiled, never executed on the host)
  grid: ((_n: 1 | 2 | 3) => kernelOnly('grid')) as { (n: 1): number; (n: 2): [number, number]; (n: 3): [number, number, number] },
  gridsize: ((_n: 1 | 2 | 3) => kernelOnly('gridsize')) as { (n: 1): number; (n: 2): [number, number]; (n: 3): [number, number, number] },
  threadIdx: dim3Only('threadIdx'),
  blockIdx: dim3Only('blockIdx'),
  blockDim: dim3Only('blockDim'),
  gridDim: dim3Only('gridDim'),
  syncthreads: (): void => kernelOnly('syncthreads'),
  /** CUDA's __umulhi: the high 32 bits of the 64-bit product of two u32 (also runs on the host). */
  umulhi: (a: number, b: number): number => evalMath('umulhi', 'u32', [a, b]) as number,
  // Bit intrinsics (numba's cuda.popc …) on a 32-bit number or a 64-bit BigInt; also run on the host.
  /** Number of set bits. */
  popc: (x: number | bigint): number => bitOp('popc', x) as number,
  /** Number of set bits (numba's int.bit_count). */
  bit_count: (x: number | bigint): number => bitOp('bit_count', x) as number,
  /** Leading zeros in the operand's width (32, or 64 for a BigInt). */
  clz: (x: number | bigint): number => bitOp('clz', x) as number,
  /** 1-based position of the least significant set bit; 0 for 0. */
  ffs: (x: number | bigint): number => bitOp('ffs', x) as number,
  /** The bits reversed within the operand's width (a number gives an i32, a BigInt an i64). */
  brev: <T extends number | bigint>(x: T): T => bitOp('brev', x) as T,
  shared: { array: ((..._a: unknown[]) => kernelOnly('shared.array')) as ArrayFactory['array'] },
  local: { array: ((..._a: unknown[]) => kernelOnly('local.array')) as ArrayFactory['array'] },
  atomic: {
    add: <T extends number | bigint>(_a: NumArray<T>, _i: Index, _v: T): T => kernelOnly('atomic.add'),
    sub: <T extends number | bigint>(_a: NumArray<T>, _i: Index, _v: T): T => kernelOnly('atomic.sub'),
    max: <T extends number | bigint>(_a: NumArray<T>, _i: Index, _v: T): T => kernelOnly('atomic.max'),
    min: <T extends number | bigint>(_a: NumArray<T>, _i: Index, _v: T): T => kernelOnly('atomic.min'),
    and: <T extends number | bigint>(_a: NumArray<T>, _i: Index, _v: T): T => kernelOnly('atomic.and'),
    or: <T extends number | bigint>(_a: NumArray<T>, _i: Index, _v: T): T => kernelOnly('atomic.or'),
    xor: <T extends number | bigint>(_a: NumArray<T>, _i: Index, _v: T): T => kernelOnly('atomic.xor'),
    exch: <T extends number | bigint>(_a: NumArray<T>, _i: Index, _v: T): T => kernelOnly('atomic.exch'),
    cas: <T extends number | bigint>(_a: NumArray<T>, _i: Index, _expected: T, _v: T): T => kernelOnly('atomic.cas'),
  },
};
