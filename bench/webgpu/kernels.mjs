// The benchmarked kernels: the seed's Monte Carlo pi (LCG; on webgpu its
// int/int divisions are f32, the default float there) and a shared-memory
// block reduction (grid-stride sums, a barrier tree, one partial per block).
import { cuda, f32 } from '@numbat/core';

export function monteCarloPi(states, counts, nSamples) {
  const i = cuda.grid(1);
  if (i >= counts.length) return;
  let count = 0;
  let state = states[i];
  for (let k = 0; k < nSamples; k++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    const x = (state & 0xffff) / 65535;
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    const y = (state & 0xffff) / 65535;
    if (x * x + y * y <= 1.0) count++;
  }
  counts[i] = count;
  states[i] = state;
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

/** Launch-overhead probe: one store per thread. */
export function touch(a) {
  const i = cuda.grid(1);
  if (i < a.length) a[i] = i;
}

export const kernelGlobals = { f32 };
