// The benchmarked kernels, shared by every benchmark (bench/run.mjs, bench/cpu,
// bench/webgpu, bench/reduce.mjs): the seed's Monte Carlo pi (defined once, in
// the demo examples/pi.mjs) and a shared-memory block reduction (grid-stride
// sums, a barrier tree, one partial per block). The disk-cache key is the
// kernel's source, so every process loads the same entries.
import { cuda, f32 } from '@numbat/core';

export { monteCarloPi } from '../../examples/pi.mjs';

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
