// llvmpipe runs 8 threads (256-bit vectors) as one SIMD group and miscompiles a loop with
// a barrier whose exit reads workgroup memory (a broadcast) in a partly empty group: rows of
// a 4 x 4 block used up the thread's loop passes (a later loop was "cut short"), and threads
// of a partly filled last group stopped. Such kernels run the block as one row there, and
// a block that still leaves a group partly empty is refused at launch. (The runs below
// also passed on llvmpipe before the row dispatch: this kernel's shape did not trip the
// driver through numbat's WGSL; the corpus case loop_cut_warp_loop_then_loops did.)

import { describe, expect, it } from 'vitest';
import { cuda, LaunchError, type KernelIR } from '@numbat/core';
import { generateWgsl } from '@numbat/webgpu';
import { avail, onGpu } from './helpers.js';

const llvmpipe = avail.ok && /llvmpipe/i.test(avail.device ?? '');

/** A barrier loop bounded by a shared value that thread 0 counts down inside it, then a plain loop. */
function sharedCountdown(start: Int32Array, out: Int32Array, n: number) {
  const t = cuda.threadIdx.y * cuda.blockDim.x + cuda.threadIdx.x;
  const sh = cuda.shared.array(1, i32);
  if (t === 0) sh[0] = start[0];
  cuda.syncthreads();
  let passes = 0;
  while (sh[0] > 0) { passes++; cuda.syncthreads(); if (t === 0) sh[0]--; cuda.syncthreads(); }
  let k = 0;
  for (let j = 0; j < n; j++) { if (t === 100) break; k += 1; }
  out[t] = passes * 1000 + k;
}

async function irOf(fn: (...a: any[]) => void, ...args: unknown[]): Promise<KernelIR> {
  const k = cuda.jit(fn, { target: 'webgpu' });
  await k.inspect('wgsl', ...args);
  return (await [...(k as any).specs.values()][0]).ir;
}

describe('barrier loops and llvmpipe SIMD groups', () => {
  it('the llvmpipe shader of a barrier loop with a broadcast exit runs the block as one row; the plain one does not', async () => {
    const ir = await irOf(sharedCountdown, new Int32Array(1), new Int32Array(16), 300);
    const plain = generateWgsl(ir, { float: 'f32', boundscheck: true }).code;
    const limited = generateWgsl(ir, { float: 'f32', boundscheck: true, loopIterationLimit: 65535 }).code;
    expect(plain).toContain('@workgroup_size(nb_bx, nb_by, nb_bz)');
    expect(limited).toContain('@workgroup_size(nb_bx * nb_by * nb_bz)');
    expect(limited).toContain('let nb_lid = vec3u(nb_lidx % nb_bx, (nb_lidx / nb_bx) % nb_by, nb_lidx / (nb_bx * nb_by));');
    expect(generateWgsl(ir, { float: 'f32', boundscheck: true, loopIterationLimit: 65535 }).linearBlock).toBe(true);
  });

  it('a barrier loop bounded by a private counter keeps the block shape', async () => {
    const ir = await irOf(function counted(out: Int32Array) {
      const sh = cuda.shared.array(16, i32);
      for (let j = 0; j < 4; j++) { sh[cuda.threadIdx.x] = j; cuda.syncthreads(); }
      out[cuda.threadIdx.x] = sh[cuda.threadIdx.x];
    }, new Int32Array(16));
    const limited = generateWgsl(ir, { float: 'f32', boundscheck: true, loopIterationLimit: 65535 });
    expect(limited.linearBlock).toBeFalsy();
    expect(limited.code).toContain('@workgroup_size(nb_bx, nb_by, nb_bz)');
  });
});

describe.skipIf(!avail.ok)(onGpu('barrier loops in small blocks'), () => {
  for (const block of [[4, 4], [2, 8], 16, 24]) {
    it(`block ${JSON.stringify(block)}: every thread runs the barrier loop and the 300-pass loop after it`, async () => {
      const threads = Array.isArray(block) ? block[0] * block[1] : block;
      const out = new Int32Array(threads);
      await cuda.jit(sharedCountdown, { target: 'webgpu' }).configure(1, block)(new Int32Array([5]), out, 300);
      expect(Array.from(out)).toEqual(new Array(threads).fill(5300));
    });
  }

  it.runIf(llvmpipe)('a block of 12 threads (a partly filled SIMD group) is refused on llvmpipe, not run short', async () => {
    const out = new Int32Array(12);
    const err = await cuda.jit(sharedCountdown, { target: 'webgpu' }).configure(1, 12)(new Int32Array([5]), out, 300).then(() => undefined, (e) => e);
    expect(err).toBeInstanceOf(LaunchError);
    expect(err.message).toMatch(/block 12×1×1 has 12 threads, not a multiple of 8 .*llvmpipe.*barrier/);
  });

  it.runIf(avail.ok && !llvmpipe)('a block of 12 threads runs on other adapters', async () => {
    const out = new Int32Array(12);
    await cuda.jit(sharedCountdown, { target: 'webgpu' }).configure(1, 12)(new Int32Array([5]), out, 300);
    expect(Array.from(out)).toEqual(new Array(12).fill(5300));
  });
});
