// @ts-nocheck: cases are data for the frontend and probe JavaScript semantics TypeScript's checker refuses.
import { cuda, f32, i32 } from '@numbat/core';
import { ramp, type CorpusCase } from './types.js';

// Shared memory, barriers and atomics.
export const memory: CorpusCase[] = [
  {
    name: 'reduce_shared_tree',
    covers: ['cuda.shared.array', 'cuda.syncthreads inside a while loop', 'uniform loop over blockDim', 'Math.floor integer division'],
    kernel: function reduce_sum(arr: Float32Array, partial: Float32Array) {
      const shared = cuda.shared.array(256, f32);
      const tid = cuda.threadIdx.x;
      const gid = cuda.grid(1);
      if (gid < arr.length) shared[tid] = arr[gid];
      else shared[tid] = 0;
      cuda.syncthreads();
      let stride = Math.floor(cuda.blockDim.x / 2);
      while (stride > 0) {
        if (tid < stride) shared[tid] += shared[tid + stride];
        cuda.syncthreads();
        stride = Math.floor(stride / 2);
      }
      if (tid === 0) partial[cuda.blockIdx.x] = shared[0];
    },
    grid: 20, block: 256,
    args: () => [ramp(5000, (i) => (i % 13) - 6), new Float32Array(20)],
    reference: ([arr, partial]: any) => {
      for (let b = 0; b < 20; b++) { let s = 0; for (let i = b * 256; i < Math.min(5000, b * 256 + 256); i++) s += arr[i]; partial[b] = s; }
    },
    outputs: [1],
  },
  {
    name: 'transpose_shared_2d',
    covers: ['2-D shared array t[y][x]', 'barrier between phases', '2-D blocks'],
    kernel: function transpose(a: Float32Array, out: Float32Array, w: number, h: number) {
      const tile = cuda.shared.array([16, 17], f32);
      const tx = cuda.threadIdx.x, ty = cuda.threadIdx.y;
      let x = cuda.blockIdx.x * 16 + tx;
      let y = cuda.blockIdx.y * 16 + ty;
      if (x < w && y < h) tile[ty][tx] = a[y * w + x];
      cuda.syncthreads();
      x = cuda.blockIdx.y * 16 + tx;
      y = cuda.blockIdx.x * 16 + ty;
      if (x < h && y < w) out[y * h + x] = tile[tx][ty];
    },
    grid: [3, 2], block: [16, 16],
    args: () => [ramp(40 * 30, (i) => i), new Float32Array(40 * 30), 40, 30],
    reference: ([a, out]: any) => { for (let y = 0; y < 30; y++) for (let x = 0; x < 40; x++) out[x * 30 + y] = a[y * 40 + x]; },
    outputs: [1],
  },
  {
    name: 'dynamic_shared_reverse',
    covers: ['dynamic shared memory (shape 0 + sharedMem)', '.length of the dynamic shared array', 'barrier'],
    kernel: function reverse(a: Int32Array) {
      const s = cuda.shared.array(0, i32);
      const t = cuda.threadIdx.x;
      const base = cuda.blockIdx.x * cuda.blockDim.x;
      s[t] = a[base + t];
      cuda.syncthreads();
      a[base + t] = s[s.length - 1 - t]; // s.length = sharedMem / 4 = blockDim.x
    },
    grid: 4, block: 64, sharedMem: 64 * 4,
    args: () => [ramp(256, (i) => i * 3, Int32Array)],
    reference: ([a]: any) => { const c = a.slice(); for (let b = 0; b < 4; b++) for (let t = 0; t < 64; t++) a[b * 64 + t] = c[b * 64 + 63 - t]; },
    outputs: [0],
  },
  {
    name: 'atomic_histogram',
    covers: ['cuda.atomic.add on i32 global', 'atomic result unused'],
    kernel: function hist(data: Int32Array, bins: Int32Array) {
      const i = cuda.grid(1);
      if (i < data.length) cuda.atomic.add(bins, data[i] % bins.length, 1);
    },
    grid: 8, block: 128,
    args: () => [ramp(1000, (i) => (i * 37) % 101, Int32Array), new Int32Array(16)],
    reference: ([data, bins]: any) => { for (let i = 0; i < 1000; i++) bins[data[i] % 16]++; },
    outputs: [1],
  },
  {
    name: 'atomic_shared_then_global',
    covers: ['atomics on shared memory', 'cuda.atomic.add on f32', 'barrier then one thread per block'],
    kernel: function blocksum(x: Float32Array, total: Float32Array, counts: Uint32Array) {
      const acc = cuda.shared.array(1, f32);
      const t = cuda.threadIdx.x;
      if (t === 0) acc[0] = 0;
      cuda.syncthreads();
      const i = cuda.grid(1);
      if (i < x.length) cuda.atomic.add(acc, 0, x[i]);
      cuda.syncthreads();
      if (t === 0) { cuda.atomic.add(total, 0, acc[0]); cuda.atomic.add(counts, 0, 1); }
    },
    grid: 10, block: 128,
    args: () => [ramp(1200, (i) => (i % 4) * 0.25), new Float32Array(1), new Uint32Array(1)],
    reference: ([x, total, counts]: any) => { let s = 0; for (let i = 0; i < 1200; i++) s += x[i]; total[0] = s; counts[0] = 10; },
    outputs: [1, 2],
  },
  {
    name: 'atomic_ops_all',
    covers: ['cuda.atomic.sub/max/min/and/or/xor/exch/cas', 'atomics return the old value'],
    kernel: function atomics(iv: Int32Array, uv: Uint32Array, fv: Float32Array, olds: Int32Array) {
      const i = cuda.grid(1);
      if (i >= 64) return;
      cuda.atomic.sub(iv, 0, i);
      cuda.atomic.max(iv, 1, i * 3 - 50);
      cuda.atomic.min(iv, 2, 100 - i * 2);
      cuda.atomic.and(uv, 0, ~(1 << (i % 32)) >>> 0);
      cuda.atomic.or(uv, 1, (1 << (i % 32)) >>> 0);
      cuda.atomic.xor(uv, 2, Math.imul(i, -1640531535) >>> 0);
      cuda.atomic.max(fv, 0, i * 0.5);
      cuda.atomic.min(fv, 1, -i * 0.25);
      const prev = cuda.atomic.exch(olds, 64 + i, i + 1);
      olds[i] = prev;
      // cas spin: every thread increments iv[3] exactly once
      let old = iv[3];
      while (true) {
        const seen = cuda.atomic.cas(iv, 3, old, old + 1);
        if (seen === old) break;
        old = seen;
      }
    },
    grid: 1, block: 64,
    args: () => [new Int32Array([1000, -1000, 1000, 0]), new Uint32Array([0xffffffff, 0, 0]), new Float32Array([-1, 1]), new Int32Array(128).fill(-7)],
    reference: ([iv, uv, fv, olds]: any) => {
      let x = 0;
      for (let i = 0; i < 64; i++) x = (x ^ (Math.imul(i, -1640531535) >>> 0)) >>> 0;
      iv[0] = 1000 - 2016; iv[1] = 63 * 3 - 50; iv[2] = 100 - 126; iv[3] = 64;
      uv[0] = 0; uv[1] = 0xffffffff; uv[2] = x;
      fv[0] = 31.5; fv[1] = -15.75;
      for (let i = 0; i < 64; i++) { olds[i] = -7; olds[64 + i] = i + 1; }
    },
    outputs: [0, 1, 2, 3],
  },
  {
    // cuda aborted the process on this ("LLVM ERROR: Cannot select": LLVM 14's NVPTX has no
    // atomicrmw fsub; found by the kernel fuzzer's cuda-api family): x − v is now x + (−v).
    name: 'atomic_float_sub',
    covers: ['cuda.atomic.sub on f32 and f64 global arrays and on an f32 shared array, as statements and values', 'a sum of halves: exact in any order'],
    kernel: function atomicFloatSub(f: Float32Array, d: Float64Array, olds: Float64Array) {
      const i = cuda.grid(1);
      const s = cuda.shared.array(1, f32);
      if (cuda.threadIdx.x === 0) s[0] = 100;
      cuda.syncthreads();
      cuda.atomic.sub(f, 0, (i % 7) * 0.5);
      cuda.atomic.sub(s, 0, (i % 5) * 0.25);
      olds[i] = cuda.atomic.sub(d, i, -0.5 - i) + cuda.atomic.sub(d, 64 + (i & 1), i * 0.125);
      cuda.syncthreads();
      if (cuda.threadIdx.x === 0) f[1 + cuda.blockIdx.x] = s[0];
    },
    grid: 2, block: 32,
    args: () => [new Float32Array(3).fill(1000), new Float64Array(66).fill(-0), new Float64Array(64)],
    reference: ([f, d, olds]: any) => {
      let a = 1000, b0 = 100, b1 = 100;
      for (let i = 0; i < 64; i++) { a -= (i % 7) * 0.5; if (i < 32) b0 -= (i % 5) * 0.25; else b1 -= (i % 5) * 0.25; }
      f[0] = a; f[1] = b0; f[2] = b1;
      let e0 = 0, e1 = 0;
      for (let i = 0; i < 64; i++) { d[i] = 0.5 + i; if (i & 1) e1 -= i * 0.125; else e0 -= i * 0.125; }
      d[64] = e0; d[65] = e1;
    },
    needsF64: true,
    outputs: [0, 1], // (olds: the old values of the shared d[64], d[65] depend on the order)
  },
  {
    name: 'barrier_in_for_loop_uniform_if',
    covers: ['barrier inside for loop', 'barrier inside uniform if', 'values live across barriers', 'scan (Hillis-Steele)'],
    kernel: function scan(x: Int32Array, out: Int32Array, doScan: boolean) {
      const s = cuda.shared.array(128, i32);
      const t = cuda.threadIdx.x;
      const g = cuda.grid(1);
      const mine = x[g];
      s[t] = mine;
      cuda.syncthreads();
      if (doScan) {
        for (let off = 1; off < cuda.blockDim.x; off *= 2) {
          const v = t >= off ? s[t - off] : 0;
          cuda.syncthreads();
          s[t] += v;
          cuda.syncthreads();
        }
      }
      out[g] = s[t] * 10 + mine;
    },
    grid: 2, block: 128,
    args: () => [ramp(256, (i) => (i % 7) - 3, Int32Array), new Int32Array(256), true],
    reference: ([x, out]: any) => { for (let b = 0; b < 2; b++) { let acc = 0; for (let t = 0; t < 128; t++) { acc += x[b * 128 + t]; out[b * 128 + t] = acc * 10 + x[b * 128 + t]; } } },
    outputs: [1],
  },
  {
    name: 'local_array_2d',
    covers: ['cuda.local.array 2-D', 'per-thread private memory'],
    kernel: function local2d(out: Int32Array) {
      const i = cuda.grid(1);
      const m = cuda.local.array([3, 3], i32);
      for (let r = 0; r < 3; r++) for (let c = 0; c < 3; c++) m[r][c] = (r + 1) * (c + i);
      let tr = 0;
      for (let d = 0; d < 3; d++) tr += m[d][d];
      if (i < out.length) out[i] = tr;
    },
    grid: 1, block: 40,
    args: () => [new Int32Array(40)],
    reference: ([out]: any) => { for (let i = 0; i < 40; i++) out[i] = 1 * i + 2 * (1 + i) + 3 * (2 + i); },
    outputs: [0],
  },
];
