// @ts-nocheck: cases are data for the frontend and probe JavaScript semantics TypeScript's checker refuses.
import { cuda } from '@numbat/core';
import type { CorpusCase } from './types.js';

// Regressions of issue 11 (fuzz seeds 6700049, 6600402): a loop with barriers whose exit
// WGSL reads from workgroup memory (a broadcast: a barrier loop bounded by a shared value,
// or the emulated warp functions' "any lane still running" vote) in 4 x 4 blocks, then a
// loop with break around a do…while. On llvmpipe the barrier loop ran each 4-thread row as
// a partly empty SIMD group of 8, which used up the driver's 65535 loop passes of the
// thread, so the later loop ended after one pass: a false "loop cut short" LaunchError
// (without the check, a short result). The llvmpipe shader now runs the block as one row.
// The warp case failed so before the fix; the shared-bound one (its bound written inside
// the loop) passed on llvmpipe even then and stays as the same shape without warp functions.

const thread2d = (b: number, t: number) => { const bx = b % 2, by = Math.floor(b / 2); const tx = t % 4, ty = Math.floor(t / 4); return (by * 4 + ty) * 8 + bx * 4 + tx; };

export const regressLoopCut: CorpusCase[] = [
  {
    name: 'loop_cut_shared_bound_barrier_loop_then_loops',
    covers: ['barrier loop bounded by a shared value', 'cuda.range with break', 'do…while', '2-D blocks of 4 x 4'],
    kernel: function loopCutSharedBound(inI, out) {
      const [gx, gy] = cuda.grid(2); const i = gy * 8 + gx;
      const sh = cuda.shared.array(1, i32);
      if (cuda.threadIdx.x === 0 && cuda.threadIdx.y === 0) sh[0] = inI[0];
      cuda.syncthreads();
      let acc = 0;
      while (sh[0] > 0) { acc += sh[0]; cuda.syncthreads(); if (cuda.threadIdx.x === 0 && cuda.threadIdx.y === 0) sh[0]--; cuda.syncthreads(); }
      let n = 0;
      for (const r of cuda.range(0, 3)) { if (i === 5 && r === 1) break; let q = 0; do { q++; n++; } while (q < (inI[1] & 7)); }
      out[i] = n * 100 + acc;
    },
    grid: [2, 2], block: [4, 4],
    args: () => [new Int32Array([3, 7]), new Int32Array(64)],
    reference: (a) => {
      for (let b = 0; b < 4; b++) {
        for (let t = 0; t < 16; t++) { const i = thread2d(b, t); a[1][i] = (i === 5 ? 7 : 21) * 100 + 6; }
      }
    },
    outputs: [1],
  },
  {
    name: 'loop_cut_warp_loop_then_loops',
    covers: ['warp functions in a loop with a thread-dependent trip count', 'cuda.range with break', 'do…while', '2-D blocks of 4 x 4'],
    kernel: function loopCutWarpLoop(inI, inF, out) {
      const [gx, gy] = cuda.grid(2); const i = gy * 8 + gx;
      const x = inF[i & 15] / i;
      let v = 0;
      if (cuda.laneid < 3) { for (let q = 0; q < (inI[1] & 3); q++) { v += cuda.shfl_xor_sync(cuda.activemask(), 5, 1); } }
      let n = 0;
      for (const r of cuda.range(0, 2)) { if (Number.isNaN(x)) break; let q = 0; do { q++; n++; } while (q < (inI[2] & 3)); }
      out[i] = n * 100 + v;
    },
    grid: [2, 2], block: [4, 4],
    args: () => [new Int32Array([0, 2, 3]), new Float32Array(16), new Int32Array(64)],
    reference: (a) => {
      for (let b = 0; b < 4; b++) {
        for (let t = 0; t < 16; t++) { const i = thread2d(b, t); a[2][i] = (i === 0 ? 0 : 6) * 100 + (t < 3 ? 10 : 0); }
      }
    },
    outputs: [2],
  },
  {
    // Fuzz seed 6000114: a loop of f32 % whose quotients are huge (1e30 % 1e-3) or whose
    // divisor is subnormal. WebGPU's exact fmod doubled and halved the divisor in loops
    // (~220 passes a call), which used up llvmpipe's 65535 loop passes of the thread ("the loop
    // was cut short" after some 1000 passes of the kernel's own loops), and a subnormal
    // divisor, flushed to 0 by llvmpipe, never ended the doubling. It is integer arithmetic now.
    name: 'loop_cut_fmod_huge_quotients_subnormal_divisors',
    covers: ['f32 % with huge quotients', 'f32 % by subnormals', 'loops of many % calls'],
    kernel: function loopCutFmod(a, b, out) {
      const i = cuda.grid(1);
      for (let k = 0; k < 320; k++) { out[i * 320 + k] = a[k & 15] % b[(k + i) & 15]; }
    },
    grid: 1, block: 2,
    args: () => [
      new Float32Array([1e30, -3e38, 7, -0, 1e-40, 123.456, 16777216, -1e-30, 3.4e38, 5.5, 1e-45, -2e-38, 1, 1e20, -7.25, 0.1]),
      new Float32Array([1e-3, 1.4e-45, 1e-40, -2.5, 3e-39, 0.1, 1.1754944e-38, 7, -1e-20, 1e-45, 2.9e-39, 0.5, 3, -1e-38, 1.5, 6e-42]),
      new Float32Array(640),
    ],
    reference: (a) => {
      for (let i = 0; i < 2; i++) for (let k = 0; k < 320; k++) a[2][i * 320 + k] = Math.fround(a[0][k & 15] % a[1][(k + i) & 15]);
    },
    outputs: [2],
  },
];
