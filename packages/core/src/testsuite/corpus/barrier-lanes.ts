// @ts-nocheck: cases are data for the frontend and probe JavaScript semantics TypeScript's checker refuses.
// Barrier kernels as the cpu's lane groups run them (2026-12-03): a reduction tree's
// loop-free regions, a sum kept per thread across barriers and held in a group's
// registers (a tiled matrix product), and a group that hands its threads over
// (a rare arm) after updating such a value, which the rerun must not update again.
import { cuda, f32 } from '@numbat/core';
import type { CorpusCase } from './types.js';

const TILE = 16;

export const barrierLanes: CorpusCase[] = [
  {
    name: 'reduction_tree_one_element_per_thread',
    covers: ["the seed's reduce_sum_kernel: one f32 per thread into shared memory (0 past the end), a tree over blockDim.x; blocks of 128 and a partial last block"],
    kernel: function seedTree(arr: Float32Array, partial: Float32Array) {
      const shared = cuda.shared.array(128, f32);
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
    },
    grid: 5, block: 128,
    args: () => [Float32Array.from({ length: 600 }, (_, i) => ((i * 7) % 13) * 0.25 - 1.5), new Float32Array(5)],
    reference: ([arr, partial]: any) => {
      for (let b = 0; b < 5; b++) {
        let s = 0;
        for (let t = 0; t < 128; t++) s += b * 128 + t < arr.length ? arr[b * 128 + t] : 0;
        partial[b] = s; // quarters: every partial sum is exact in f32, in any order
      }
    },
    outputs: [1],
  },
  {
    name: 'tiled_matmul_sum_kept_across_barriers',
    covers: ['a 16×16 shared-memory tiled matrix product: the running sum lives across the barriers of the tile loop'],
    kernel: function tiledMatmul(A: Float32Array, B: Float32Array, C: Float32Array, n: number) {
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
    },
    grid: [2, 2], block: [TILE, TILE],
    args: () => [Float32Array.from({ length: 32 * 32 }, (_, i) => (i % 7) * 0.5 - 1), Float32Array.from({ length: 32 * 32 }, (_, i) => (i % 5) - 2), new Float32Array(32 * 32), 32],
    reference: ([A, B, C, n]: any) => {
      for (let y = 0; y < n; y++) for (let x = 0; x < n; x++) {
        let s = 0;
        for (let j = 0; j < n; j++) s += A[y * n + j] * B[j * n + x]; // halves times small integers: exact
        C[y * n + x] = s;
      }
    },
    outputs: [2],
  },
  {
    name: 'rare_arm_after_updating_values_kept_across_barriers',
    covers: ['acc += 1 (kept per thread across barriers, lane-varying and lane-uniform) before an f64 sin whose huge arguments take its rare reduction arm: each update once'],
    needsF64: true,
    kernel: function rareAfterKept(x: Float64Array, out: Int32Array) {
      const t = cuda.threadIdx.x;
      let acc = t * 10;
      let c = x[0] > 1 ? 1 : 2;
      cuda.syncthreads();
      acc += 1;
      c += 1;
      const s = Math.sin(x[t]);
      out[t] = s > 2 ? -1 : acc;
      cuda.syncthreads();
      out[t] += acc + c * 1000;
    },
    grid: 1, block: 64,
    args: () => [Float64Array.from({ length: 64 }, (_, i) => (i % 5 === 3 ? 1e300 * (i + 1) : i * 0.1)), new Int32Array(64)],
    reference: ([x, out]: any) => {
      const c = (x[0] > 1 ? 1 : 2) + 1;
      for (let t = 0; t < 64; t++) out[t] = 2 * (t * 10 + 1) + c * 1000;
    },
    outputs: [1],
  },
];
