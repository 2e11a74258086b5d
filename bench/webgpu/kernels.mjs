// The benchmarked kernels: the seed's Monte Carlo pi (LCG; on webgpu its
// int/int divisions are f32, the default float there) and the shared-memory
// block reduction, both from bench/cpu/kernels.mjs, and a launch-overhead probe.
import { cuda } from '@numbat/core';

export { blockReduce, monteCarloPi } from '../cpu/kernels.mjs';

/** Launch-overhead probe: one store per thread. */
export function touch(a) {
  const i = cuda.grid(1);
  if (i < a.length) a[i] = i;
}
