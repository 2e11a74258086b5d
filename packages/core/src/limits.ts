// Launch and memory limits, checked in core once so that every target refuses
// the same launches with the same error (a grid the simulator would start but
// the GPU refuses, a shared array no target can allocate). The numbers are
// CUDA's (compute capability 3.0+); a backend may refuse less (a GPU's own
// shared-memory size, WebGPU's workgroup storage), never more.

import type { LaunchDims } from './backend.js';
import { CompileError, LaunchError } from './errors.js';
import type { KernelIR } from './ir/nodes.js';
import { ELEM_BYTES } from './types.js';

export const LAUNCH_LIMITS = {
  grid: [2 ** 31 - 1, 65535, 65535],
  block: [1024, 1024, 64],
  threadsPerBlock: 1024,
  /** Static + dynamic shared memory of one block, in bytes (far above any GPU's; bounds host memory on sim/cpu). */
  sharedBytesPerBlock: 2 ** 30,
  /** Local (per-thread) arrays of one thread, in bytes: CUDA's local memory limit. */
  localBytesPerThread: 512 * 1024,
} as const;

const AXES = ['x', 'y', 'z'];

export function checkLaunchLimits(kernel: string, dims: LaunchDims): void {
  for (const what of ['grid', 'block'] as const) {
    dims[what].forEach((n, i) => {
      const limit = LAUNCH_LIMITS[what][i];
      if (n > limit) {
        throw new LaunchError(`numbat: kernel '${kernel}': ${what} dimension ${AXES[i]} is ${n}, above the limit of ${limit} (${what} limits: ${LAUNCH_LIMITS[what].join(' × ')})`, kernel, { limit: `${what}.${AXES[i]}`, max: limit, got: n });
      }
    });
  }
  const threads = dims.block[0] * dims.block[1] * dims.block[2];
  if (threads > LAUNCH_LIMITS.threadsPerBlock) {
    throw new LaunchError(`numbat: kernel '${kernel}': a block has at most ${LAUNCH_LIMITS.threadsPerBlock} threads; got ${dims.block.join('×')} = ${threads}`, kernel, { limit: 'threadsPerBlock', max: LAUNCH_LIMITS.threadsPerBlock, got: threads });
  }
  if (dims.sharedMem > LAUNCH_LIMITS.sharedBytesPerBlock) {
    throw new LaunchError(`numbat: kernel '${kernel}': sharedMem is ${dims.sharedMem} bytes, above the limit of ${LAUNCH_LIMITS.sharedBytesPerBlock} bytes of shared memory per block`, kernel, { limit: 'sharedBytesPerBlock', max: LAUNCH_LIMITS.sharedBytesPerBlock, got: dims.sharedMem });
  }
}

/** Refuses shared and local arrays larger than any target can hold, naming the array. */
export function checkMemoryLimits(ir: KernelIR): void {
  for (const space of ['shared', 'local'] as const) {
    const arrays = ir.arrays.filter((a) => a.space === space);
    const bytes = arrays.reduce((n, a) => n + a.size * ELEM_BYTES[a.elem], 0);
    const limit = space === 'shared' ? LAUNCH_LIMITS.sharedBytesPerBlock : LAUNCH_LIMITS.localBytesPerThread;
    if (bytes > limit) {
      const list = arrays.map((a) => `'${a.name}' [${a.shape.join(', ')}] of ${a.elem}`).join(', ');
      const per = space === 'shared' ? 'per block' : 'per thread';
      throw new CompileError(`${space}.array`, `kernel '${ir.name}' declares ${bytes} bytes of ${space} memory (${list}), above the limit of ${limit} bytes ${per}`, ir.name, ir.source);
    }
  }
}
