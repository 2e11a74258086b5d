// reduce(fn): numba's cuda.reduce. The user's two-argument function becomes an
// inlined device function of two generated kernels: pass 1 runs a grid-stride
// loop (each thread folds its elements) and a shared-memory tree per block,
// writing one partial per block; pass 2 folds the partials in one block (and
// is the whole job for small inputs). The grid is sized from the target's
// `gridStrideBlocks` so that large inputs stream at memory bandwidth.
// Where four consecutive loads are one vector load (caps.vectorLoads: webgpu,
// cuda) pass 1 runs a quarter of the threads, each reading quads and folding
// four of the other form's threads' elements: the same additions in the same
// order, so results are the same to the bit (reduceBlocksQuads).
// On targets with native warps (caps.warp 'native': cuda, sim) the last 32
// partial results of each tree are folded with warp shuffles instead of
// shared memory and barriers; the pairs combined are the tree's own, so the
// result is the same to the bit.

import type { Target } from './backend.js';
import { loadBackend } from './backend.js';
import { CompileError } from './errors.js';
import { checkOptions, checkRecordedSource } from './options.js';
import type { RecordedSource } from './recorded-source.js';
import { DeviceArray, deviceArray } from './device-array.js';
import { DeviceFunction } from './device-function.js';
import { Kernel } from './kernel.js';
import type { Stream } from './stream.js';
import { resolveTarget, targetAvailability } from './targets.js';
import { elemTypeOfTypedArray, f32, f64, i32, u32, TYPED_ARRAY_OF, type DType, type ElemType, type TypedArray } from './types.js';
import { cuda } from './api.js';
import { globalsAs } from './source-names.js';

// The kernels below are compiled, never run on the host. Their free names are
// real bindings (the kernel builtin `cuda`, and stand-ins for the per-reduction
// values given through `globals`), never `declare`d globals: a free name here
// would make a bundler rename every other binding of that name in the bundle,
// core's `cuda` export included ('cuda2' is not defined in the kernel). The
// globals are keyed by whatever names the bundled text has (source-names.ts),
// and by the original names for the text numbat's bundler plugin records of
// them (built with cuda.jit, which the plugin finds).
const BLOCK: number = 256;
const T = f32 as DType & { name: 'f32' };
const op = (a: number, _b: number): number => a;
const KERNEL_NAMES = () => [cuda, op, BLOCK, T];

/** Threads per block (the tree below is written for a power of two). */
const BLOCK_SIZE = BLOCK;
/**
 * Pass 1 gives each thread at least this many elements, so the tree's cost is
 * small. On cpu, 10-12 per thread measured fastest (2^26 f32: 34-45 GB/s, vs
 * 25-28 at 16 and 31-38 at 8); n / 2560 is also rarely a power of two, whose
 * strides make every thread's loads fall into the same cache sets there.
 */
const PER_THREAD = 10;
/** Blocks when the target does not say (Availability.gridStrideBlocks). */
const DEFAULT_GRID_STRIDE_BLOCKS = 1024;

const DTYPES: Partial<Record<ElemType, DType>> = { f32, f64, i32, u32 };

// `T(x)` (the dtype as a conversion): every intermediate result becomes the dtype,
// as if stored in an array of it (the tree's shared array and the partials do that
// anyway), so the result never depends on how many elements a thread folds before
// its value is stored.

/**
 * Pass 1. The host launches at most n / BLOCK threads, so every thread owns at
 * least one element: its first load needs no guard, and there is no need for an
 * identity element of `op` (which an arbitrary function does not have).
 */
function reduceBlocks(a: Float32Array, n: number, partials: Float32Array) {
  const sh = cuda.shared.array(BLOCK, T);
  const t = cuda.threadIdx.x;
  // grid(1)/gridsize(1) written inline: with them in locals the cpu target ran ~10 % slower.
  let acc = a[cuda.grid(1)];
  for (let i = cuda.grid(1) + cuda.gridsize(1); i < n; i += cuda.gridsize(1)) acc = T(op(acc, a[i]));
  sh[t] = acc;
  cuda.syncthreads();
  for (let s = BLOCK >> 1; s > 0; s >>= 1) {
    if (t < s) sh[t] = op(sh[t], sh[t + s]);
    cuda.syncthreads();
  }
  if (t === 0) partials[cuda.blockIdx.x] = sh[0];
}

/**
 * Pass 1 where four consecutive loads are one vector load (caps.vectorLoads),
 * adding exactly what reduceBlocks adds: a block of QUAD_BLOCK = BLOCK / 4
 * threads stands for one of reduceBlocks' blocks, thread l for its threads
 * 4l .. 4l + 3. With G = BLOCK × blocks, thread u of reduceBlocks folds
 * elements u, u + G, u + 2G, …; for u = 4q + j (q = this kernel's grid(1)) those
 * are element j of quads q, q + G/4, … (G is a multiple of 4), so one vector
 * load per quad feeds four accumulators, each folding its thread's elements in
 * its order. The last, partial quad (n % 4 elements) is the next quad of one
 * thread, read element by element. Every quad but that one is whole: q < G/4
 * <= n/4 at the start. The tree then combines the same slots in the same order.
 */
function reduceBlocksQuads(a: Float32Array, n: number, partials: Float32Array) {
  const sh = cuda.shared.array(BLOCK, T);
  const l = cuda.threadIdx.x;
  const quads = n >> 2;
  let q = cuda.grid(1);
  const x0 = a[4 * q], x1 = a[4 * q + 1], x2 = a[4 * q + 2], x3 = a[4 * q + 3];
  let acc0 = x0, acc1 = x1, acc2 = x2, acc3 = x3;
  for (q += cuda.gridsize(1); q < quads; q += cuda.gridsize(1)) {
    const y0 = a[4 * q], y1 = a[4 * q + 1], y2 = a[4 * q + 2], y3 = a[4 * q + 3];
    acc0 = T(op(acc0, y0));
    acc1 = T(op(acc1, y1));
    acc2 = T(op(acc2, y2));
    acc3 = T(op(acc3, y3));
  }
  if (q === quads) {
    if (4 * q < n) acc0 = T(op(acc0, a[4 * q]));
    if (4 * q + 1 < n) acc1 = T(op(acc1, a[4 * q + 1]));
    if (4 * q + 2 < n) acc2 = T(op(acc2, a[4 * q + 2]));
  }
  sh[4 * l] = acc0;
  sh[4 * l + 1] = acc1;
  sh[4 * l + 2] = acc2;
  sh[4 * l + 3] = acc3;
  cuda.syncthreads();
  // reduceBlocks' tree, slot for slot: thread l does slots l and l + BLOCK / 4.
  for (let s = BLOCK >> 1; s > 0; s >>= 1) {
    if (l < s) sh[l] = op(sh[l], sh[l + s]);
    if (l + (BLOCK >> 2) < s) sh[l + (BLOCK >> 2)] = op(sh[l + (BLOCK >> 2)], sh[l + (BLOCK >> 2) + s]);
    cuda.syncthreads();
  }
  if (l === 0) partials[cuda.blockIdx.x] = sh[0];
}

/**
 * Pass 2 (or the only pass): one block folds a[0..n) and writes
 * op(init, result) (or the result alone) to out[0]; n = 0 writes init. The
 * tree only combines slots below `valid`: after the step with stride s the
 * live slots are [0, min(valid, s)), so the test t + s < valid suffices.
 */
function reduceFinal(a: Float32Array, n: number, out: Float32Array, init: number, useInit: boolean) {
  const sh = cuda.shared.array(BLOCK, T);
  const t = cuda.threadIdx.x;
  let acc = init;
  if (t < n) acc = a[t];
  for (let i = t + BLOCK; i < n; i += BLOCK) acc = T(op(acc, a[i]));
  sh[t] = acc;
  cuda.syncthreads();
  const valid = Math.min(BLOCK, n);
  for (let s = BLOCK >> 1; s > 0; s >>= 1) {
    if (t < Math.min(s, valid - s)) sh[t] = op(sh[t], sh[t + s]);
    cuda.syncthreads();
  }
  if (t === 0) {
    let r = init;
    if (n > 0) {
      r = sh[0];
      if (useInit) r = T(op(init, r));
    }
    out[0] = r;
  }
}

/**
 * Pass 1 with the last five steps as warp shuffles (caps.warp 'native'): lane t
 * combines with lane t + s exactly as the tree's slot t with slot t + s.
 */
function reduceBlocksWarp(a: Float32Array, n: number, partials: Float32Array) {
  const sh = cuda.shared.array(BLOCK, T);
  const t = cuda.threadIdx.x;
  let acc = a[cuda.grid(1)];
  for (let i = cuda.grid(1) + cuda.gridsize(1); i < n; i += cuda.gridsize(1)) acc = T(op(acc, a[i]));
  sh[t] = acc;
  cuda.syncthreads();
  for (let s = BLOCK >> 1; s > 32; s >>= 1) {
    if (t < s) sh[t] = op(sh[t], sh[t + s]);
    cuda.syncthreads();
  }
  if (t < 32) {
    let v = T(op(sh[t], sh[t + 32]));
    for (let s = 16; s > 0; s >>= 1) v = T(op(v, cuda.shfl_down_sync(0xffffffff, v, s)));
    if (t === 0) partials[cuda.blockIdx.x] = v;
  }
}

/** reduceBlocksQuads with reduceBlocksWarp's last five steps (vector loads and native warps: cuda). */
function reduceBlocksQuadsWarp(a: Float32Array, n: number, partials: Float32Array) {
  const sh = cuda.shared.array(BLOCK, T);
  const l = cuda.threadIdx.x;
  const quads = n >> 2;
  let q = cuda.grid(1);
  const x0 = a[4 * q], x1 = a[4 * q + 1], x2 = a[4 * q + 2], x3 = a[4 * q + 3];
  let acc0 = x0, acc1 = x1, acc2 = x2, acc3 = x3;
  for (q += cuda.gridsize(1); q < quads; q += cuda.gridsize(1)) {
    const y0 = a[4 * q], y1 = a[4 * q + 1], y2 = a[4 * q + 2], y3 = a[4 * q + 3];
    acc0 = T(op(acc0, y0));
    acc1 = T(op(acc1, y1));
    acc2 = T(op(acc2, y2));
    acc3 = T(op(acc3, y3));
  }
  if (q === quads) {
    if (4 * q < n) acc0 = T(op(acc0, a[4 * q]));
    if (4 * q + 1 < n) acc1 = T(op(acc1, a[4 * q + 1]));
    if (4 * q + 2 < n) acc2 = T(op(acc2, a[4 * q + 2]));
  }
  sh[4 * l] = acc0;
  sh[4 * l + 1] = acc1;
  sh[4 * l + 2] = acc2;
  sh[4 * l + 3] = acc3;
  cuda.syncthreads();
  for (let s = BLOCK >> 1; s > 32; s >>= 1) {
    if (l < s) sh[l] = op(sh[l], sh[l + s]);
    if (l + (BLOCK >> 2) < s) sh[l + (BLOCK >> 2)] = op(sh[l + (BLOCK >> 2)], sh[l + (BLOCK >> 2) + s]);
    cuda.syncthreads();
  }
  if (l < 32) {
    let v = T(op(sh[l], sh[l + 32]));
    for (let s = 16; s > 0; s >>= 1) v = T(op(v, cuda.shfl_down_sync(0xffffffff, v, s)));
    if (l === 0) partials[cuda.blockIdx.x] = v;
  }
}

/** Pass 2 with the last five steps as warp shuffles; a lane combines only where the tree would (t < min(s, valid - s)). */
function reduceFinalWarp(a: Float32Array, n: number, out: Float32Array, init: number, useInit: boolean) {
  const sh = cuda.shared.array(BLOCK, T);
  const t = cuda.threadIdx.x;
  let acc = init;
  if (t < n) acc = a[t];
  for (let i = t + BLOCK; i < n; i += BLOCK) acc = T(op(acc, a[i]));
  sh[t] = acc;
  cuda.syncthreads();
  const valid = Math.min(BLOCK, n);
  for (let s = BLOCK >> 1; s > 32; s >>= 1) {
    if (t < Math.min(s, valid - s)) sh[t] = op(sh[t], sh[t + s]);
    cuda.syncthreads();
  }
  if (t < 32) {
    let v = sh[t];
    if (t < valid - 32) v = T(op(v, sh[t + 32]));
    for (let s = 16; s > 0; s >>= 1) {
      const w = cuda.shfl_down_sync(0xffffffff, v, s);
      if (t < Math.min(s, valid - s)) v = T(op(v, w));
    }
    if (t === 0) {
      let r = init;
      if (n > 0) {
        r = v;
        if (useInit) r = T(op(init, r));
      }
      out[0] = r;
    }
  }
}

export interface ReduceOptions {
  /** Where the kernels run; default: the device array's target, else 'auto'. */
  target?: Target | 'auto';
  /** Free names the function may use (as cuda.jit's globals). */
  globals?: Record<string, unknown>;
  /** Written by numbat's bundler plugins (`@numbat/core/build`): the function's original source and bindings. */
  source?: RecordedSource;
}

export interface ReduceCall {
  /** The result is fn(init, reduction); an empty input gives init. Converted to the array's dtype. */
  init?: number;
  /** Write the result to res[0] (a device array or typed array of the input's dtype) instead of returning it. */
  res?: DeviceArray | TypedArray;
  /** Reduce only the first `size` elements. */
  size?: number;
  /** Queue the launches on this stream. */
  stream?: Stream;
  /** Pass 1's block count (1 ≤ blocks ≤ size / 256); default sized to the device. For tests and tuning. */
  blocks?: number;
}

export interface Reducer {
  (arr: TypedArray | DeviceArray, opts?: ReduceCall & { res?: undefined }): Promise<number>;
  (arr: TypedArray | DeviceArray, opts: ReduceCall & { res: DeviceArray | TypedArray }): Promise<undefined>;
  /** Pass 1's block count for `n` elements on `target` (0: one pass, one block). */
  plan(n: number, target?: Target | 'auto'): Promise<{ target: Target; blocks: number; perThread: number }>;
  /** A stage's text ('ir', 'llvm', 'ptx', 'wgsl', …) of pass 1 ('blocks') or pass 2 ('final') for a dtype. */
  inspect(stage: string, dtype?: ElemType | DType, pass?: 'blocks' | 'final'): Promise<string>;
}

/**
 * numba's cuda.reduce: `const sum = reduce((a, b) => a + b); await sum(arr)`.
 * `fn` must be associative and commutative (the device chooses the order).
 */
export function reduce(fn: ((a: number, b: number) => number) | DeviceFunction, options: ReduceOptions = {}): Reducer {
  checkOptions('reduce options', options, ['target', 'globals', 'source']);
  options ??= {};
  checkRecordedSource('reduce', options.source);
  const device = fn instanceof DeviceFunction ? fn : asDeviceFunction(fn, options.globals ?? {}, options.source);
  if (device.fn.length !== 2) {
    throw new TypeError(`numbat: reduce expects a function of two arguments, (a, b) => …; '${device.name}' takes ${device.fn.length}`);
  }
  const kernels = new Map<string, { blocks(): Kernel; blockThreads: number; final: Kernel; partials?: DeviceArray; busy: Promise<void> }>();

  const kernelsFor = async (elem: ElemType, target: Target) => {
    const caps = (await loadBackend(target)).caps;
    const warp = caps.warp === 'native';
    const key = `${elem}:${target}`;
    let k = kernels.get(key);
    if (!k) {
      const globals = globalsAs(KERNEL_NAMES, { cuda, op: device, BLOCK: BLOCK_SIZE, T: DTYPES[elem]! });
      // Every index the two kernels use is inside its array by construction (the
      // host checks size <= length, threads <= size, blocks <= partials), so the
      // per-access checks go, out of the grid-stride loop too. Not when fn may
      // index an array of its own (a global table, a local array): those indices are the user's.
      const boundscheck = readsArrays(device);
      const arr = `${elem}[]`;
      // One vector load per quad where the target has them (unchecked, 4-byte elements); the same additions either way.
      const quads = caps.vectorLoads === true && !boundscheck && elem !== 'f64';
      const pass1Fn = quads ? (warp ? reduceBlocksQuadsWarp : reduceBlocksQuads) : warp ? reduceBlocksWarp : reduceBlocks;
      let pass1: Kernel | undefined;
      k = {
        // Pass 1 is compiled on first use: small inputs never need it.
        blocks: () => (pass1 ??= cuda.jit(pass1Fn, { target, globals, boundscheck, signature: [arr, 'i32', arr] })),
        blockThreads: quads ? BLOCK_SIZE / 4 : BLOCK_SIZE,
        // One block over the partials (or a small input): compiled for latency (opt: false; on
        // cpu its threads one by one, a third of the compile time), as its run time is a launch's.
        final: warp
          ? cuda.jit(reduceFinalWarp, { target, globals, boundscheck, opt: false, signature: [arr, 'i32', arr, elem, 'bool'] })
          : cuda.jit(reduceFinal, { target, globals, boundscheck, opt: false, signature: [arr, 'i32', arr, elem, 'bool'] }),
        busy: Promise.resolve(),
      };
      kernels.set(key, k);
    }
    return k;
  };

  const plan = async (n: number, target: Target, blocks?: number) => {
    if (blocks !== undefined) {
      if (!Number.isInteger(blocks) || blocks < 1 || blocks * BLOCK_SIZE > n) {
        throw new RangeError(`numbat: reduce's blocks must be an integer from 1 to size / ${BLOCK_SIZE} = ${Math.floor(n / BLOCK_SIZE)}, got ${blocks}`);
      }
      return blocks;
    }
    const cap = (await targetAvailability(target)).gridStrideBlocks ?? DEFAULT_GRID_STRIDE_BLOCKS;
    const b = Math.min(cap, Math.floor(n / (BLOCK_SIZE * PER_THREAD)));
    return b > 1 ? b : 0;
  };

  const run = async (arr: TypedArray | DeviceArray, call: ReduceCall = {}): Promise<number | undefined> => {
    checkOptions(`the options of a call of reduce('${device.name}')`, call, ['init', 'res', 'size', 'stream', 'blocks']);
    call ??= {};
    const elem = arr instanceof DeviceArray ? arr.dtype : elemTypeOfTypedArray(arr);
    if (!elem || !DTYPES[elem]) {
      const what = elem ? `${elem} elements` : Array.isArray(arr) ? 'a plain JS array' : `a ${typeof arr}`;
      throw new TypeError(`numbat: reduce takes a Float32Array, Float64Array, Int32Array, Uint32Array or a device array of f32/f64/i32/u32, not ${what}`);
    }
    const target = await resolveTarget(options.target ?? (arr instanceof DeviceArray ? (await arr.ready).target : 'auto'));
    if (elem === 'f64' && !(await loadBackend(target)).caps.f64) {
      throw new CompileError('f64 argument', `reduce got ${arr instanceof DeviceArray ? 'an f64 device array' : 'a Float64Array'}, but target '${target}' has no f64 (WGSL): pass a Float32Array instead (numbat never demotes data silently)`, 'reduce');
    }
    const n = call.size ?? arr.length;
    if (!Number.isInteger(n) || n < 0 || n > arr.length) throw new RangeError(`numbat: reduce's size must be an integer from 0 to ${arr.length}, got ${call.size}`);
    if (n > 2 ** 31 - 2 ** 26) throw new RangeError(`numbat: reduce takes at most 2^31 - 2^26 elements (i32 indices), got ${n}`);
    const res = call.res;
    if (res !== undefined) {
      const resElem = res instanceof DeviceArray ? res.dtype : elemTypeOfTypedArray(res);
      if (resElem !== elem || res.length < 1) throw new TypeError(`numbat: reduce's res must be a typed array or device array of ${elem} with at least one element`);
    }
    const init = convert(elem, call.init ?? 0);
    if (n === 0 && res === undefined) return init;

    const k = await kernelsFor(elem, target);
    const blocks = n === 0 ? 0 : await plan(n, target, call.blocks);
    const out = res ?? new TYPED_ARRAY_OF[elem](1);
    const launch = { stream: call.stream };
    const useInit = call.init !== undefined;
    // One call at a time per (dtype, target): calls share the partials buffer.
    const previous = k.busy;
    let release!: () => void;
    k.busy = new Promise<void>((r) => (release = r));
    await previous;
    try {
      if (!k.partials || k.partials.length < blocks) {
        await k.partials?.free();
        k.partials = deviceArray(Math.max(blocks, 1), elem, { target });
      }
      const partials = k.partials;
      if (blocks > 0) {
        const pass1 = k.blocks().configure(blocks, k.blockThreads, launch)(arr, n, partials);
        if (!call.stream) await pass1; // without a stream nothing orders the two launches
        else pass1.catch(() => {}); // awaited below
        const done = await Promise.allSettled([pass1, k.final.configure(1, BLOCK_SIZE, launch)(partials, blocks, out, init, useInit)]);
        for (const d of done) if (d.status === 'rejected') throw d.reason;
      } else {
        await k.final.configure(1, BLOCK_SIZE, launch)(n > 0 ? arr : partials, n, out, init, useInit);
      }
    } finally {
      release();
    }
    return res === undefined ? (out as TypedArray)[0] as number : undefined;
  };

  const reducer = run as Reducer;
  reducer.inspect = async (stage, dtype = 'f32', pass = 'blocks') => {
    const elem = typeof dtype === 'string' ? dtype : dtype.__dtype;
    if (!DTYPES[elem]) throw new TypeError(`numbat: reduce works on f32, f64, i32 and u32, not ${elem}`);
    const target = await resolveTarget(options.target);
    const k = await kernelsFor(elem, target);
    const a = new TYPED_ARRAY_OF[elem](BLOCK_SIZE);
    return pass === 'blocks' ? k.blocks().inspect(stage, a, 1, a) : k.final.inspect(stage, a, 1, a, 0, false);
  };
  reducer.plan = async (n, target = options.target) => {
    const t = await resolveTarget(target);
    const blocks = await plan(n, t);
    return { target: t, blocks, perThread: blocks > 0 ? Math.ceil(n / (blocks * BLOCK_SIZE)) : Math.ceil(n / BLOCK_SIZE) };
  };
  return reducer;
}

/** Whether a device function (or one it calls) may index an array: a subscript in its source, or arrays among its globals. */
function readsArrays(f: DeviceFunction, seen = new Set<DeviceFunction>()): boolean {
  if (seen.has(f)) return false;
  seen.add(f);
  return f.sourceText.includes('[') || Object.values(f.globals).some((g) => (g instanceof DeviceFunction ? readsArrays(g, seen) : ArrayBuffer.isView(g) || Array.isArray(g)));
}

function asDeviceFunction(fn: unknown, globals: Record<string, unknown>, recorded: RecordedSource | undefined): DeviceFunction {
  if (typeof fn !== 'function') throw new TypeError(`numbat: reduce expects a function of two arguments, (a, b) => …, got ${fn === null ? 'null' : typeof fn}`);
  return new DeviceFunction(fn, globals, fn.name || 'reduceOp', recorded);
}

/** `init` as a store into an array of `elem` would convert it. */
function convert(elem: ElemType, v: number): number {
  if (typeof v !== 'number') throw new TypeError(`numbat: reduce's init must be a number, got ${typeof v}`);
  const a = new TYPED_ARRAY_OF[elem](1);
  a[0] = v;
  return a[0];
}
