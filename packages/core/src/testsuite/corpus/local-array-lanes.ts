// @ts-nocheck: cases are data for the frontend and probe JavaScript semantics TypeScript's checker refuses.
import { cuda } from '@numbat/core';
import type { CorpusCase } from './types.js';

// Local arrays at indices that are not constants: a loop counter every thread shares (a basket
// of assets, a Cholesky row), the thread's own index (a histogram per thread). The cpu runs
// them in lane groups, each lane's copy a column of rows of <W x T> (packages/cpu lane-group.ts):
// loads and stores of a row at a shared index, masked under a thread-dependent `if`; gathers
// and scatters at per-lane indices; narrow elements that wrap; lanes that leave a loop at
// different trips and finish one by one from their lane's copy.

const THREADS = 200; // 4 blocks of 64; the last 56 threads return first

export const localArrayLanes: CorpusCase[] = [
  {
    name: 'local_arrays_at_loop_counters',
    covers: ['local arrays at a loop counter (a trip count from a parameter)', 'local array stores under a thread-dependent if', 'a local array at a thread-dependent index (stores and loads)', 'triangular loops over a local array'],
    kernel: function loopCounterArrays(a: Int32Array, out: Int32Array, n: number) {
      const i = cuda.grid(1);
      if (i >= out.length) return;
      const v = cuda.local.array(8, 'i32');
      const hist = cuda.local.array(5, 'i32');
      for (let k = 0; k < n; k++) v[k] = a[(i + k) % a.length] * (k + 1);
      if (i % 3 === 0) {
        for (let k = 0; k < n; k++) v[k] += 100;
      }
      let s = 0;
      for (let k = 0; k < n; k++) {
        for (let j = 0; j <= k; j++) s += v[j] * (k - j + 1);
      }
      for (let k = 0; k < 7; k++) hist[(i + k * 3) % 5] += k;
      let h = 0;
      for (let k = 0; k < 5; k++) h = h * 7 + hist[k];
      out[i] = s * 3 + h + v[i % n];
    },
    grid: 4, block: 64,
    args: () => [Int32Array.from({ length: 37 }, (_, k) => (k * 13) % 29 - 9), new Int32Array(THREADS), 6],
    reference: ([a, out, n]) => {
      for (let i = 0; i < THREADS; i++) {
        const v = new Array(8).fill(0), hist = new Array(5).fill(0);
        for (let k = 0; k < n; k++) v[k] = a[(i + k) % a.length] * (k + 1) + (i % 3 === 0 ? 100 : 0);
        let s = 0;
        for (let k = 0; k < n; k++) for (let j = 0; j <= k; j++) s += v[j] * (k - j + 1);
        for (let k = 0; k < 7; k++) hist[(i + k * 3) % 5] += k;
        let h = 0;
        for (let k = 0; k < 5; k++) h = h * 7 + hist[k];
        out[i] = s * 3 + h + v[i % n];
      }
    },
    outputs: [1],
  },
  {
    name: 'local_arrays_narrow_elements_at_loop_counters',
    covers: ['u8 and i16 local arrays at a loop counter (stores wrap)', 'an f32 local array at a loop counter', 'a masked store at a thread-dependent index'],
    kernel: function narrowArrays(a: Float32Array, out: Float32Array, codes: Int32Array) {
      const i = cuda.grid(1);
      if (i >= out.length) return;
      const b = cuda.local.array(6, 'u8');
      const w = cuda.local.array(6, 'i16');
      const f = cuda.local.array(6, 'f32');
      for (let k = 0; k < 6; k++) {
        b[k] = i * 37 + k * 50;
        w[k] = i * 1000 - k * 9000;
        f[k] = a[i] * (k + 0.5);
      }
      if (i % 2 === 1) b[(i + 1) % 6] = 7;
      let c = 0;
      let s = 0;
      for (let k = 0; k < 6; k++) {
        c = (c * 3 + b[k] + w[(k + i) % 6]) | 0;
        s += f[k];
      }
      out[i] = s;
      codes[i] = c;
    },
    grid: 4, block: 64,
    args: () => [Float32Array.from({ length: THREADS }, (_, k) => (k % 11) * 0.75 - 3), new Float32Array(THREADS), new Int32Array(THREADS)],
    reference: ([a, out, codes]) => {
      const f32 = Math.fround;
      for (let i = 0; i < THREADS; i++) {
        const b = new Uint8Array(6), w = new Int16Array(6), f = new Float32Array(6);
        for (let k = 0; k < 6; k++) { b[k] = i * 37 + k * 50; w[k] = i * 1000 - k * 9000; f[k] = f32(a[i] * (k + 0.5)); }
        if (i % 2 === 1) b[(i + 1) % 6] = 7;
        let c = 0, s = 0;
        for (let k = 0; k < 6; k++) { c = (c * 3 + b[k] + w[(k + i) % 6]) | 0; s = f32(s + f[k]); }
        out[i] = s;
        codes[i] = c;
      }
    },
    outputs: [1, 2],
    narrowInts: true,
  },
  {
    name: 'local_arrays_in_a_grid_stride_loop',
    covers: ['a local array written in a loop whose trip count varies by thread, read after it'],
    kernel: function strideArrays(a: Float32Array, out: Float32Array) {
      const i = cuda.grid(1);
      const acc = cuda.local.array(4, 'f32');
      for (let j = i; j < a.length; j += cuda.gridsize(1)) {
        acc[j % 4] += a[j];
        acc[(j + 1) % 4] -= a[j] * 0.5;
      }
      if (i < out.length) out[i] = acc[0] + 2 * acc[1] + 3 * acc[2] + 4 * acc[3];
    },
    grid: 3, block: 64,
    args: () => [Float32Array.from({ length: 1000 }, (_, k) => ((k * 7) % 23) * 0.25 - 2), new Float32Array(192)],
    reference: ([a, out]) => {
      const f32 = Math.fround;
      for (let i = 0; i < 192; i++) {
        const acc = [0, 0, 0, 0];
        for (let j = i; j < a.length; j += 192) {
          acc[j % 4] = f32(acc[j % 4] + a[j]);
          acc[(j + 1) % 4] = f32(acc[(j + 1) % 4] - f32(a[j] * 0.5));
        }
        out[i] = f32(f32(f32(acc[0] + f32(2 * acc[1])) + f32(3 * acc[2])) + f32(4 * acc[3]));
      }
    },
    outputs: [1],
  },
];
