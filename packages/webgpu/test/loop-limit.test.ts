// llvmpipe (Mesa) ends every loop of a shader invocation after 65535 loop
// passes in total. Innermost loops are unrolled on that driver, and a loop the
// driver still cuts short is a LaunchError, never a silently short result.

import { describe, expect, it } from 'vitest';
import { cuda, LaunchError } from '@numbat/core';
import { avail, onGpu } from './helpers.js';

const { monteCarloPi, piSeeds, replayThread } = await import('../../../examples/pi.mjs' as string);

const llvmpipe = avail.ok && /llvmpipe/i.test(avail.device ?? '');

describe.skipIf(!avail.ok)(onGpu('loops past the driver loop limit'), () => {
  it('a thread runs 500 000 iterations of an innermost loop (the issue: 65535)', async () => {
    const o = new Int32Array(2);
    await cuda.jit(function count(o: Int32Array, n: number) {
      let s = 0;
      for (let j = 0; j < n; j++) s += j & 1;
      o[cuda.threadIdx.x] = s;
    }, { target: 'webgpu' }).configure(1, 2)(o, 500000);
    expect(Array.from(o)).toEqual([250000, 250000]);
  });

  it('examples/pi.mjs with 100000 samples per thread counts every sample (the issue: pi = 2.06)', async () => {
    const threads = 64;
    const states = piSeeds(threads), counts = new Uint32Array(threads);
    const seeds = states.slice();
    await cuda.jit(monteCarloPi, { target: 'webgpu' }).configure(1, threads)(states, counts, 100000);
    const want = Array.from(seeds, (s: number) => replayThread(s, 100000, true));
    expect(Array.from(counts)).toEqual(want);
  });

  it.runIf(llvmpipe)('a loop the driver cuts short is a LaunchError naming the loop', async () => {
    const o = new Int32Array(2);
    const k = cuda.jit(function tooLong(o: Int32Array, n: number) {
      let s = 0;
      for (let j = 0; j < n; j++) {
        if (j % 3 === 0) continue; // not unrolled: 65535 passes
        s += 1;
      }
      o[cuda.threadIdx.x] = s;
    }, { target: 'webgpu' });
    const err = await k.configure(1, 2)(o, 70000).catch((e) => e);
    expect(err).toBeInstanceOf(LaunchError);
    expect(err.message).toMatch(/kernel 'tooLong': the loop at line \d+ was cut short in thread \(0, 0, 0\)/);
    expect(err.message).toMatch(/65535/);
    // Below the limit the same kernel runs.
    await k.configure(1, 2)(o, 60000);
    expect(Array.from(o)).toEqual([40000, 40000]);
  });

  it.runIf(llvmpipe)('loops that end early by break or return are not reported', async () => {
    const o = new Int32Array(64);
    await cuda.jit(function early(o: Int32Array) {
      const t = cuda.threadIdx.x;
      let s = 0;
      for (let j = 0; j < 1000000; j++) {
        s += 1;
        if (s === 30000 + t) break;
      }
      while (true) {
        s += 1;
        if (s > 40000 + t) { o[t] = s; return; }
      }
    }, { target: 'webgpu' }).configure(1, 64)(o);
    expect(Array.from(o)).toEqual(Array.from({ length: 64 }, (_, t) => 40001 + t));
  });

  it.runIf(llvmpipe)('a do-while with a barrier (not unrolled) runs to 65534 passes and is reported beyond', async () => {
    const k = cuda.jit(function barrierLoop(o: Int32Array, n: number) {
      const s = cuda.shared.array(64, 'i32');
      const t = cuda.threadIdx.x;
      let j = 0;
      do { s[t] = j; cuda.syncthreads(); j++; } while (j < n);
      o[t] = s[63 - t] + j;
    }, { target: 'webgpu' });
    const o = new Int32Array(64);
    await k.configure(1, 64)(o, 60000);
    expect(o.every((v) => v === 119999)).toBe(true);
    const err = await k.configure(1, 64)(o, 70000).catch((e) => e);
    expect(err).toBeInstanceOf(LaunchError);
    expect(err.message).toMatch(/kernel 'barrierLoop': the loop at line \d+ was cut short/);
  });

  it.runIf(llvmpipe)('constant-bounded loops: plain below the margin, and still reported beyond the limit', async () => {
    const o = new Int32Array(2);
    // 40 × 41 + 41 passes: the plain shader.
    await cuda.jit(function few(o: Int32Array) {
      let s = 0;
      for (let a = 0; a < 40; a++) for (let b = 0; b < 40; b++) s += (a * b) & 3;
      o[cuda.threadIdx.x] = s;
    }, { target: 'webgpu' }).configure(1, 2)(o);
    let want = 0;
    for (let a = 0; a < 40; a++) for (let b = 0; b < 40; b++) want += (a * b) & 3;
    expect(Array.from(o)).toEqual([want, want]);
    // 100 × 100 × 100 iterations: 100 × 100 × 14 passes even unrolled, past the limit.
    const err = await cuda.jit(function many(o: Int32Array) {
      let s = 0;
      for (let a = 0; a < 100; a++) for (let b = 0; b < 100; b++) for (let c = 0; c < 100; c++) s += (a ^ b ^ c) & 1;
      o[cuda.threadIdx.x] = s;
    }, { target: 'webgpu' }).configure(1, 2)(o).catch((e) => e);
    expect(err).toBeInstanceOf(LaunchError);
    expect(err.message).toMatch(/kernel 'many': the loop at line \d+ was cut short/);
  });
});
