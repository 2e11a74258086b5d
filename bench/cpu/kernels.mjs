// The benchmarked kernels, shared by every benchmark (bench/run.mjs, bench/cpu,
// bench/webgpu, bench/reduce.mjs): the seed's Monte Carlo pi (defined once, in
// the demo examples/pi.mjs), a shared-memory block reduction (grid-stride
// sums, a barrier tree, one partial per block), the seed's own one-element-per-
// thread reduction and a tiled matrix product (bench/suite). The disk-cache key is the
// kernel's source, so every process loads the same entries.
import { cuda, f32 } from '@numbat/core';

export { monteCarloPi } from '../../examples/pi.mjs';

/**
 * The seed's reduction (its reduce_sum_kernel): one element per thread into shared memory, then
 * a tree of barriers over blockDim.x; one partial per block. A barrier kernel whose regions have
 * no loop (bench/suite's tree-reduce).
 */
export function treeReduce(arr, partial) {
  const shared = cuda.shared.array(256, f32);
  const tid = cuda.threadIdx.x, gid = cuda.grid(1);
  if (gid < arr.length) shared[tid] = arr[gid];
  else shared[tid] = 0;
  cuda.syncthreads();
  let stride = cuda.blockDim.x >> 1;
  while (stride > 0) {
    if (tid < stride) shared[tid] += shared[tid + stride];
    cuda.syncthreads();
    stride >>= 1;
  }
  if (tid === 0) partial[cuda.blockIdx.x] = shared[0];
}

/** The naive and the shared-memory tiled matrix product (16 × 16 tiles), n a multiple of 16 (bench/suite's matmul-tiled). */
export function matmulNaive(A, B, C, n) {
  const x = cuda.blockIdx.x * 16 + cuda.threadIdx.x, y = cuda.blockIdx.y * 16 + cuda.threadIdx.y;
  let tmp = 0;
  for (let j = 0; j < n; j++) tmp += A[y * n + j] * B[j * n + x];
  C[y * n + x] = tmp;
}

export function matmulTiled(A, B, C, n) {
  const sA = cuda.shared.array(256, f32), sB = cuda.shared.array(256, f32);
  const tx = cuda.threadIdx.x, ty = cuda.threadIdx.y;
  const x = cuda.blockIdx.x * 16 + tx, y = cuda.blockIdx.y * 16 + ty;
  let tmp = 0;
  for (let t = 0; t < n / 16; t++) {
    sA[ty * 16 + tx] = A[y * n + t * 16 + tx];
    sB[ty * 16 + tx] = B[(t * 16 + ty) * n + x];
    cuda.syncthreads();
    for (let j = 0; j < 16; j++) tmp += sA[ty * 16 + j] * sB[j * 16 + tx];
    cuda.syncthreads();
  }
  C[y * n + x] = tmp;
}

export function blockReduce(a, partial) {
  const sh = cuda.shared.array(256, f32);
  const t = cuda.threadIdx.x;
  let sum = 0;
  for (let i = cuda.grid(1); i < a.length; i += cuda.gridsize(1)) sum += a[i];
  sh[t] = sum;
  cuda.syncthreads();
  for (let s = cuda.blockDim.x >> 1; s > 0; s >>= 1) {
    if (t < s) sh[t] += sh[t + s];
    cuda.syncthreads();
  }
  if (t === 0) partial[cuda.blockIdx.x] = sh[0];
}

/**
 * A cached cpu kernel, jitted here so that every process (bench/cpu/run.mjs
 * fills the cache, cached-load.mjs loads it) gets the same cache key: core
 * numbers the kernel's lines from the cuda.jit call site, and the lines are
 * part of the key.
 */
export const cachedCpuKernel = (fn) => cuda.jit(fn, { target: 'cpu', cache: true });
