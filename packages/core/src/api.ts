// The `cuda` object: host API (jit, toDevice, deviceArray) plus the kernel-side
// intrinsics, declared with TypeScript types so kernels type-check. The
// intrinsics exist only to be compiled: called on the host they throw.

import { Kernel, type JitOptions } from './kernel.js';
import { DeviceFunction } from './device-function.js';
import { deviceArray, external, toDevice as toDevice1, DeviceArray } from './device-array.js';
import { ndarray, NdArray } from './ndarray.js';
import type { Target } from './backend.js';
import type { TypedArray } from './types.js';
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
  if (options.device) return new DeviceFunction(fn, options.globals ?? {}, fn.name || 'device', options.source);
  return new Kernel(fn, options);
}

/** cuda.toDevice of a typed array, or of an n-d array (its data moved, its shape kept). */
function toDevice(data: TypedArray, opts?: { target?: Target | 'auto' }): DeviceArray;
function toDevice(data: NdArray, opts?: { target?: Target | 'auto' }): NdArray<DeviceArray>;
function toDevice(data: TypedArray | NdArray, opts?: { target?: Target | 'auto' }): DeviceArray | NdArray<DeviceArray> {
  if (data instanceof NdArray) return ndarray(data.data instanceof DeviceArray ? data.data : toDevice1(data.data, opts), data.shape);
  return toDevice1(data, opts);
}

export const cuda = {
  jit,
  toDevice,
  /** numba's n-d arguments: a typed array or device array with a row-major shape (1-3 dimensions). */
  ndarray,
  deviceArray,
  /** A device array over the application's own buffer (webgpu: a GPUBuffer of the device given to useDevice), without copies. */
  external,
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
  /** numba's range(stop) / range(start, stop, step), for `for (const i of cuda.range(n))` (also iterable on the host). */
  range: function* range(a: number, b?: number, step = 1): Generator<number> {
    const [start, stop] = b === undefined ? [0, a] : [a, b];
    if (step === 0) throw new RangeError('cuda.range: step must not be zero');
    for (let i = start; step > 0 ? i < stop : i > stop; i += step) yield i;
  },
  /** CUDA's __umulhi: the high 32 bits of the 64-bit product of two u32 (also runs on the host). */
  umulhi: (a: number, b: number): number => evalMath('umulhi', 'u32', [a, b]) as number,
  // numba's math.* extras, also on the host (f64; the simulator's own reference, math-ref.ts).
  erf: (x: number): number => evalMath('erf', 'f64', [x]) as number,
  erfc: (x: number): number => evalMath('erfc', 'f64', [x]) as number,
  gamma: (x: number): number => evalMath('gamma', 'f64', [x]) as number,
  lgamma: (x: number): number => evalMath('lgamma', 'f64', [x]) as number,
  remainder: (x: number, y: number): number => evalMath('remainder', 'f64', [x, y]) as number,
  nextafter: (x: number, y: number): number => evalMath('nextafter', 'f64', [x, y]) as number,
  copysign: (x: number, y: number): number => evalMath('copysign', 'f64', [x, y]) as number,
  fma: (a: number, b: number, c: number): number => evalMath('fma', 'f64', [a, b, c]) as number,
  ldexp: (x: number, n: number): number => evalMath('ldexp', 'f64', [x, n | 0]) as number,
  frexp: (x: number): [number, number] => [evalMath('frexpMant', 'f64', [x]) as number, evalMath('frexpExp', 'i32', [x]) as number],
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
  // ---- warp-level functions (numba's spellings; meaning in ir/warp.ts, docs/language.md)
  /** The thread's lane in its warp (linear thread id & 31). */
  get laneid(): number { return kernelOnly('laneid'); },
  /** 32 on every target. */
  warpsize: 32 as const,
  syncwarp: (_mask?: number): void => kernelOnly('syncwarp'),
  activemask: (): number => kernelOnly('activemask'),
  lanemask_lt: (): number => kernelOnly('lanemask_lt'),
  shfl_sync: (_mask: number, _value: number, _srcLane: number): number => kernelOnly('shfl_sync'),
  shfl_up_sync: (_mask: number, _value: number, _delta: number): number => kernelOnly('shfl_up_sync'),
  shfl_down_sync: (_mask: number, _value: number, _delta: number): number => kernelOnly('shfl_down_sync'),
  shfl_xor_sync: (_mask: number, _value: number, _laneMask: number): number => kernelOnly('shfl_xor_sync'),
  all_sync: (_mask: number, _predicate: number | boolean): boolean => kernelOnly('all_sync'),
  any_sync: (_mask: number, _predicate: number | boolean): boolean => kernelOnly('any_sync'),
  eq_sync: (_mask: number, _predicate: number | boolean): boolean => kernelOnly('eq_sync'),
  ballot_sync: (_mask: number, _predicate: number | boolean): number => kernelOnly('ballot_sync'),
  match_any_sync: (_mask: number, _value: number): number => kernelOnly('match_any_sync'),
  /** [mask if every lane of the mask has the same value else 0, whether they do]. */
  match_all_sync: (_mask: number, _value: number): [number, boolean] => kernelOnly('match_all_sync'),
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
    // ---- numba's further atomics (docs/language.md)
    /** CUDA's atomicInc on a u32 array: old >= v ? 0 : old + 1; returns old. */
    inc: (_a: Uint32Array, _i: Index, _v: number): number => kernelOnly('atomic.inc'),
    /** CUDA's atomicDec on a u32 array: old === 0 || old > v ? v : old - 1; returns old. */
    dec: (_a: Uint32Array, _i: Index, _v: number): number => kernelOnly('atomic.dec'),
    /** min ignoring NaN (numba); cuda.atomic.min propagates NaN as Math.min does. */
    nanmin: (_a: NumArray<number>, _i: Index, _v: number): number => kernelOnly('atomic.nanmin'),
    /** max ignoring NaN (numba); cuda.atomic.max propagates NaN as Math.max does. */
    nanmax: (_a: NumArray<number>, _i: Index, _v: number): number => kernelOnly('atomic.nanmax'),
    /** numba's compare_and_swap: cas on element 0 of a 1-D array; returns the old element. */
    compare_and_swap: (_a: NumArray<number>, _expected: number, _v: number): number => kernelOnly('atomic.compare_and_swap'),
  },
  // ---- block and grid synchronisation, fences (docs/language.md)
  /** Barrier; returns how many threads of the block passed a truthy predicate. */
  syncthreads_count: (_p: unknown): number => kernelOnly('syncthreads_count'),
  /** Barrier; returns 1 when the predicate is truthy in every thread of the block, else 0. */
  syncthreads_and: (_p: unknown): number => kernelOnly('syncthreads_and'),
  /** Barrier; returns 1 when the predicate is truthy in some thread of the block, else 0. */
  syncthreads_or: (_p: unknown): number => kernelOnly('syncthreads_or'),
  /** Orders this thread's memory accesses as seen by its block. */
  threadfence_block: (): void => kernelOnly('threadfence_block'),
  /** Orders this thread's memory accesses as seen by every thread of the device. */
  threadfence: (): void => kernelOnly('threadfence'),
  /** Orders this thread's memory accesses as seen by the device and the host. */
  threadfence_system: (): void => kernelOnly('threadfence_system'),
  /** numba's cooperative groups: `cuda.cg.this_grid().sync()` waits for every thread of the grid (cpu, cuda, sim). */
  cg: { this_grid: (): { sync(): void } => kernelOnly('cg.this_grid') },
};
