// The CUDA benchmark kernels (numbat side), plain JS so they run where there
// is no TypeScript. numba_bench.py holds the same kernels for numba-cuda.
import { cuda, f32 } from '@numbat/core';

/** The 4-array kernel of the launch-overhead measurement (numba-cuda PR #804 uses a 4-array launch too). */
export function add4(a, b, c, out) {
  const i = cuda.grid(1);
  if (i < out.length) out[i] = a[i] + b[i] + c[i];
}

/** Compute-bound: escape-time fractal, f32, 2-D grid. */
export function mandel(out, w, h, maxIter) {
  const x = cuda.blockIdx.x * cuda.blockDim.x + cuda.threadIdx.x;
  const y = cuda.blockIdx.y * cuda.blockDim.y + cuda.threadIdx.y;
  if (x >= w || y >= h) return;
  const cx = -2.0 + (x * 3.0) / w;
  const cy = -1.5 + (y * 3.0) / h;
  let zx = 0.0, zy = 0.0, n = 0;
  while (n < maxIter && zx * zx + zy * zy <= 4.0) {
    const t = zx * zx - zy * zy + cx;
    zy = 2.0 * zx * zy + cy;
    zx = t;
    n++;
  }
  out[y * w + x] = n;
}

/** Shared-memory tree reduction per block, then one atomic per block. */
export function reduceSum(x, total) {
  const s = cuda.shared.array(256, f32);
  const t = cuda.threadIdx.x;
  const i = cuda.grid(1);
  s[t] = i < x.length ? x[i] : 0;
  cuda.syncthreads();
  let stride = 128;
  while (stride > 0) {
    if (t < stride) s[t] += s[t + stride];
    cuda.syncthreads();
    stride = stride >> 1;
  }
  if (t === 0) cuda.atomic.add(total, 0, s[0]);
}

/** The jit options each benchmark kernel is compiled with (shared with prepare.mjs: the cache key depends on them). */
export const BENCH = {
  add4: { fn: add4, options: { float: 'f32', boundscheck: false } },
  add4_checked: { fn: add4, options: { float: 'f32' } },
  mandel: { fn: mandel, options: { float: 'f32', boundscheck: false } },
  /** fastmath: FMA contraction and approximate division, as numba-cuda contracts by default. */
  mandel_fast: { fn: mandel, options: { float: 'f32', boundscheck: false, fastmath: true } },
  reduceSum: { fn: reduceSum, options: { float: 'f32', boundscheck: false } },
};

export function jitBench(name, extra = {}) {
  const b = BENCH[name];
  return cuda.jit(b.fn, { ...b.options, target: 'cuda', cache: true, ...extra });
}

/** Sample arguments (types only matter for compiling). */
export const SAMPLE = {
  add4: () => [new Float32Array(32), new Float32Array(32), new Float32Array(32), new Float32Array(32)],
  add4_checked: () => [new Float32Array(32), new Float32Array(32), new Float32Array(32), new Float32Array(32)],
  mandel: () => [new Int32Array(16), 4, 4, 256],
  mandel_fast: () => [new Int32Array(16), 4, 4, 256],
  reduceSum: () => [new Float32Array(512), new Float32Array(1)],
};
