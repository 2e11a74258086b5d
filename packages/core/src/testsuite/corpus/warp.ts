// @ts-nocheck: cases are data for the frontend and probe JavaScript semantics TypeScript's checker refuses.
import { cuda, f32, i32, u32 } from '@numbat/core';
import { ramp, type CorpusCase } from './types.js';

// Warp-level functions (ir/warp.ts): numba-cuda's test_warp_ops kernels ported
// one for one, each type, partial masks, a partial last warp, 2-D blocks, and a
// shuffle reduction. The last two call warp functions under thread-dependent
// control (more of those in warp-divergent.ts).

const FULL = 0xffffffff;
const lanes = (n: number, f: (i: number) => number, T = Int32Array) => ramp(n, f, T);

export const warp: CorpusCase[] = [
  {
    name: 'warp_numba_syncwarp',
    covers: ['cuda.syncwarp(mask) orders a store before the warp reads it (numba useful_syncwarp)'],
    kernel: function useful_syncwarp(ary: Int32Array) {
      const i = cuda.grid(1);
      if (i === 0) ary[0] = 42;
      cuda.syncwarp(0xffffffff);
      ary[i] = ary[0];
    },
    grid: 1, block: 32,
    args: () => [new Int32Array(32)],
    reference: ([ary]: any) => { ary.fill(42); },
    outputs: [0],
  },
  {
    name: 'warp_numba_shfl_modes',
    covers: ['cuda.shfl_sync / shfl_up_sync / shfl_down_sync / shfl_xor_sync of i32 (numba use_shfl_sync_*)', 'lane argument from a kernel parameter'],
    kernel: function use_shfl_sync(idx: Int32Array, up: Int32Array, down: Int32Array, xor: Int32Array, k: number) {
      const i = cuda.grid(1);
      idx[i] = cuda.shfl_sync(0xffffffff, i, k);
      up[i] = cuda.shfl_up_sync(0xffffffff, i, k);
      down[i] = cuda.shfl_down_sync(0xffffffff, i, k);
      xor[i] = cuda.shfl_xor_sync(0xffffffff, i, k);
    },
    grid: 1, block: 32,
    args: () => [new Int32Array(32), new Int32Array(32), new Int32Array(32), new Int32Array(32), 5],
    reference: ([idx, up, down, xor]: any) => {
      for (let i = 0; i < 32; i++) { idx[i] = 5; up[i] = i < 5 ? i : i - 5; down[i] = i + 5 < 32 ? i + 5 : i; xor[i] = i ^ 5; }
    },
    outputs: [0, 1, 2, 3],
  },
  {
    name: 'warp_shfl_types_lane_bits',
    covers: ['shuffles of u32 and f32 values', 'a lane argument counts by its low 5 bits', 'several warps of a block'],
    kernel: function shfl_types(a: Float32Array, u: Uint32Array, outF: Float32Array, outU: Uint32Array) {
      const i = cuda.grid(1);
      const lane = cuda.laneid;
      outF[i] = cuda.shfl_sync(FULL, a[i], lane + 35) + cuda.shfl_xor_sync(FULL, a[i] * 0.5, 31);
      outU[i] = cuda.shfl_down_sync(FULL, u[i], 33) ^ cuda.shfl_up_sync(FULL, u[i] >>> 1, 3);
    },
    options: { globals: { FULL } },
    grid: 2, block: 96,
    args: () => [ramp(192, (i) => Math.sin(i) * 100), lanes(192, (i) => (i * 2654435761) >>> 0, Uint32Array), new Float32Array(192), new Uint32Array(192)],
    reference: ([a, u, outF, outU]: any) => {
      for (let i = 0; i < 192; i++) {
        const base = i - (i % 32), l = i % 32;
        outF[i] = Math.fround(a[base + ((l + 35) & 31)] + Math.fround(a[base + (l ^ 31)] * 0.5));
        const d = l + 1 < 32 ? u[i + 1] : u[i];
        const up = l >= 3 ? u[i - 3] >>> 1 : u[i] >>> 1;
        outU[i] = (d ^ up) >>> 0;
      }
    },
    outputs: [2, 3],
  },
  {
    name: 'warp_shfl_f64',
    covers: ['shuffles of f64 values (two 32-bit halves on cuda)'],
    kernel: function shfl_f64(a: Float64Array, out: Float64Array) {
      const i = cuda.grid(1);
      out[i] = cuda.shfl_xor_sync(0xffffffff, a[i], 7) - cuda.shfl_down_sync(0xffffffff, a[i] / 3, 1);
    },
    grid: 1, block: 64, needsF64: true,
    args: () => [ramp(64, (i) => Math.PI * i * 1e10 + 1 / (i + 1), Float64Array), new Float64Array(64)],
    reference: ([a, out]: any) => {
      for (let i = 0; i < 64; i++) { const l = i % 32; out[i] = a[i - l + (l ^ 7)] - (l + 1 < 32 ? a[i + 1] / 3 : a[i] / 3); }
    },
    outputs: [1],
  },
  {
    name: 'warp_numba_shfl_with_val',
    covers: ['shfl_sync of a scalar f32 parameter (numba use_shfl_sync_with_val)'],
    kernel: function use_shfl_sync_with_val(ary: Float32Array, into: number) {
      const i = cuda.grid(1);
      ary[i] = cuda.shfl_sync(0xffffffff, f32(into) + f32(cuda.laneid), 0);
    },
    grid: 1, block: 32,
    args: () => [new Float32Array(32), 2.5],
    reference: ([ary]: any) => { ary.fill(2.5); },
    outputs: [0],
  },
  {
    name: 'warp_numba_votes',
    covers: ['cuda.all_sync / any_sync / eq_sync / ballot_sync (numba use_vote_sync_*)', 'a vote as an if condition', 'predicates from numbers'],
    kernel: function use_vote_sync(ary: Int32Array, all: Int32Array, any: Int32Array, eq: Int32Array, ballot: Uint32Array) {
      const i = cuda.grid(1);
      if (cuda.all_sync(0xffffffff, ary[i])) all[i] = 1;
      if (cuda.any_sync(0xffffffff, ary[i] > 3)) any[i] = 1;
      if (cuda.eq_sync(0xffffffff, ary[i] !== 0)) eq[i] = 1;
      ballot[i] = cuda.ballot_sync(0xffffffff, ary[i] % 3 === 0);
    },
    grid: 1, block: 96,
    // Warp 0: all non-zero, all equal; warp 1: one zero; warp 2: all zero.
    args: () => [lanes(96, (i) => (i < 32 ? 1 + (i % 5) : i === 40 ? 0 : i < 64 ? 2 : 0)), new Int32Array(96), new Int32Array(96), new Int32Array(96), new Uint32Array(96)],
    reference: ([ary, all, any, eq, ballot]: any) => {
      for (let w = 0; w < 3; w++) {
        const v = Array.from(ary.slice(w * 32, w * 32 + 32));
        let b = 0;
        v.forEach((x: number, l: number) => { if (x % 3 === 0) b |= 1 << l; });
        for (let l = 0; l < 32; l++) {
          const i = w * 32 + l;
          all[i] = v.every((x: number) => x !== 0) ? 1 : 0;
          any[i] = v.some((x: number) => x > 3) ? 1 : 0;
          eq[i] = v.every((x: number) => x !== 0) || v.every((x: number) => x === 0) ? 1 : 0;
          ballot[i] = b >>> 0;
        }
      }
    },
    outputs: [1, 2, 3, 4],
  },
  {
    name: 'warp_numba_match',
    covers: ['cuda.match_any_sync / match_all_sync of i32 and u32 (numba use_match_any_sync, use_match_all_sync)', 'match_all_sync destructured into [mask, pred]'],
    kernel: function use_match(ary: Int32Array, u: Uint32Array, any: Uint32Array, all: Uint32Array, allU: Uint32Array) {
      const i = cuda.grid(1);
      any[i] = cuda.match_any_sync(0xffffffff, ary[i] % 2);
      const [m, pred] = cuda.match_all_sync(0xffffffff, ary[i] >> 5);
      all[i] = pred ? m : 7;
      const [m2, pred2] = cuda.match_all_sync(0xffffffff, u[i]);
      allU[i] = pred2 ? m2 : 5;
    },
    grid: 1, block: 64,
    args: () => [lanes(64, (i) => (i < 32 ? i : i * 3)), lanes(64, (i) => (i < 32 ? 4000000000 : i), Uint32Array), new Uint32Array(64), new Uint32Array(64), new Uint32Array(64)],
    reference: ([ary, u, any, all, allU]: any) => {
      for (let i = 0; i < 64; i++) {
        const base = i - (i % 32);
        let m = 0;
        for (let l = 0; l < 32; l++) if (ary[base + l] % 2 === ary[i] % 2) m |= 1 << l;
        any[i] = m >>> 0;
        let same = true, sameU = true;
        for (let l = 0; l < 32; l++) { if (ary[base + l] >> 5 !== ary[i] >> 5) same = false; if (u[base + l] !== u[i]) sameU = false; }
        all[i] = same ? 0xffffffff : 7;
        allU[i] = sameU ? 0xffffffff : 5;
      }
    },
    outputs: [2, 3, 4],
  },
  {
    name: 'warp_lane_registers',
    covers: ['cuda.laneid, cuda.warpsize, cuda.lanemask_lt() (numba use_laneid, use_lanemask_lt)', '2-D blocks: warps are runs of 32 linear thread ids'],
    kernel: function lane_registers(lane: Int32Array, lt: Uint32Array, ws: Int32Array) {
      const x = cuda.threadIdx.x, y = cuda.threadIdx.y;
      const i = y * cuda.blockDim.x + x;
      lane[i] = cuda.laneid;
      lt[i] = cuda.lanemask_lt();
      ws[i] = cuda.warpsize + cuda.shfl_sync(0xffffffff, i, 0);
    },
    grid: 1, block: [12, 8],
    args: () => [new Int32Array(96), new Uint32Array(96), new Int32Array(96)],
    reference: ([lane, lt, ws]: any) => {
      for (let i = 0; i < 96; i++) { lane[i] = i % 32; lt[i] = ((1 << (i % 32)) - 1) >>> 0; ws[i] = 32 + i - (i % 32); }
    },
    outputs: [0, 1, 2],
  },
  {
    name: 'warp_partial_masks_uniform',
    covers: ['each half-warp calls with its own mask (uniform control)', 'ballot_sync and shfl_xor_sync with partial masks'],
    kernel: function half_masks(a: Int32Array, out: Int32Array, bal: Uint32Array) {
      const i = cuda.grid(1);
      const mask = cuda.laneid < 16 ? 0x0000ffff : 0xffff0000;
      out[i] = cuda.shfl_xor_sync(mask, a[i], 1) + cuda.shfl_down_sync(mask, a[i], 8) * 1000;
      bal[i] = cuda.ballot_sync(mask, a[i] > 50);
    },
    grid: 1, block: 64,
    args: () => [lanes(64, (i) => (i * 37) % 101), new Int32Array(64), new Uint32Array(64)],
    reference: ([a, out, bal]: any) => {
      for (let i = 0; i < 64; i++) {
        const l = i % 32, base = i - l, mask = l < 16 ? 0xffff : 0xffff0000;
        out[i] = a[i ^ 1] + (l + 8 < 32 ? a[i + 8] : a[i]) * 1000;
        let b = 0;
        for (let k = 0; k < 32; k++) if ((mask >>> k) & 1 && a[base + k] > 50) b |= 1 << k;
        bal[i] = b >>> 0;
      }
    },
    outputs: [1, 2],
  },
  {
    name: 'warp_partial_last_warp',
    covers: ['a block of 48 threads: the last warp has 16 lanes', 'activemask() of a partial warp', 'shuffles from absent lanes return the caller\'s own value'],
    kernel: function partial_warp(a: Float32Array, sum: Float32Array, am: Uint32Array, src: Float32Array) {
      const i = cuda.grid(1);
      const m = cuda.activemask();
      let v = a[i];
      for (let off = 16; off > 0; off >>= 1) v += cuda.shfl_down_sync(m, v, off);
      sum[i] = v;
      am[i] = m;
      src[i] = cuda.shfl_sync(m, a[i], 20) + cuda.shfl_xor_sync(m, a[i], 16) * 100;
    },
    grid: 2, block: 48,
    args: () => [ramp(96, (i) => (i % 7) - 3), new Float32Array(96), new Uint32Array(96), new Float32Array(96)],
    reference: ([a, sum, am, src]: any) => {
      for (let b = 0; b < 2; b++) for (let w = 0; w < 2; w++) {
        const base = b * 48 + w * 32, n = w === 0 ? 32 : 16;
        const at = (l: number, own: number) => (l >= 0 && l < n ? a[base + l] : own);
        let v = Array.from({ length: n }, (_, l) => a[base + l]);
        for (let off = 16; off > 0; off >>= 1) v = v.map((x, l) => Math.fround(x + (l + off < 32 && l + off < n ? v[l + off] : x)));
        for (let l = 0; l < n; l++) {
          sum[base + l] = v[l];
          am[base + l] = n === 32 ? 0xffffffff : (1 << n) - 1;
          src[base + l] = at(20, a[base + l]) + at(l ^ 16, a[base + l]) * 100;
        }
      }
    },
    outputs: [1, 2, 3],
  },
  {
    name: 'warp_shuffle_reduction',
    covers: ['a block reduction: shared memory across warps, shfl_down_sync within each', 'cuda.laneid and warp index'],
    kernel: function warp_reduce(a: Int32Array, out: Int32Array) {
      const part = cuda.shared.array(8, i32);
      const t = cuda.threadIdx.x;
      const i = cuda.grid(1);
      let v = i < a.length ? a[i] : 0;
      for (let off = 16; off > 0; off >>= 1) v += cuda.shfl_down_sync(0xffffffff, v, off);
      if (cuda.laneid === 0) part[t >> 5] = v;
      cuda.syncthreads();
      let w = t < 8 ? part[t] : 0;
      for (let off = 4; off > 0; off >>= 1) w += cuda.shfl_down_sync(0xffffffff, w, off);
      if (t === 0) out[cuda.blockIdx.x] = w;
    },
    grid: 4, block: 256,
    args: () => [lanes(1000, (i) => ((i * 7919) % 2001) - 1000), new Int32Array(4)],
    reference: ([a, out]: any) => { for (let b = 0; b < 4; b++) { let s = 0; for (let i = b * 256; i < Math.min(1000, b * 256 + 256); i++) s += a[i]; out[b] = s; } },
    outputs: [1],
  },
  {
    name: 'warp_numba_activemask_divergent',
    covers: ['activemask() in the two arms of a thread-dependent if (numba use_activemask)'],
    kernel: function use_activemask(x: Uint32Array) {
      const i = cuda.grid(1);
      if (i % 2 === 0) x[i] = cuda.activemask();
      else x[i] = cuda.activemask();
    },
    grid: 1, block: 32,
    args: () => [new Uint32Array(32)],
    reference: ([x]: any) => { for (let i = 0; i < 32; i++) x[i] = i % 2 === 0 ? 0x55555555 : 0xaaaaaaaa; },
    outputs: [0],
  },
  {
    name: 'warp_numba_independent_scheduling',
    covers: ['ballot_sync with a partial mask in each arm of a thread-dependent if (numba use_independent_scheduling)'],
    kernel: function use_independent_scheduling(arr: Uint32Array) {
      const i = cuda.threadIdx.x;
      if (i % 4 === 0) arr[i] = cuda.ballot_sync(0x11111111, true);
      else if (i % 4 === 1) arr[i] = cuda.ballot_sync(0x22222222, true);
      else if (i % 4 === 2) arr[i] = cuda.ballot_sync(0x44444444, true);
      else arr[i] = cuda.ballot_sync(0x88888888, true);
    },
    grid: 1, block: 32,
    args: () => [new Uint32Array(32)],
    reference: ([arr]: any) => { for (let i = 0; i < 32; i++) arr[i] = [0x11111111, 0x22222222, 0x44444444, 0x88888888][i % 4]; },
    outputs: [0],
  },
  {
    // The kernel fuzzer's ptx target found cuda's legalisation skipping warp operands: "Math.sign
    // on i32" and "floordiv reached the LLVM lowering" (cpu and webgpu if-convert warp calls first).
    name: 'warp_operands_legalised',
    covers: ['operands of warp functions that legalisation rewrites: Math.sign of an i32, floor division of i32s, a lazy && whose operand needs statements', 'eq_sync under a thread-dependent if'],
    kernel: function warp_operands(x: Int32Array, out: Int32Array, vote: Int32Array, eq: Int32Array) {
      const i = cuda.grid(1);
      out[i] = cuda.shfl_sync(0xffffffff, Math.min(Math.sign(x[i]), 1) * 100 + Math.floor(x[i] / 3), Math.floor(cuda.laneid / 2) + 1);
      vote[i] = cuda.any_sync(0xffffffff, x[i] > 0 && Math.floor(x[i] / 4) === 1) ? 1 : 0;
      if (cuda.laneid < 12) eq[i] = cuda.eq_sync(0xfff, Math.floor(x[i] / 50)) ? 1 : 0;
    },
    grid: 1, block: 64,
    args: () => [lanes(64, (i) => ((i * 7) % 23) - 11), new Int32Array(64), new Int32Array(64), new Int32Array(64)],
    reference: ([x, out, vote, eq]: any) => {
      for (let i = 0; i < 64; i++) {
        const base = i - (i % 32), src = base + ((Math.floor((i % 32) / 2) + 1) & 31);
        out[i] = Math.min(Math.sign(x[src]), 1) * 100 + Math.floor(x[src] / 3);
        let any = false;
        for (let l = 0; l < 32; l++) if (x[base + l] > 0 && Math.floor(x[base + l] / 4) === 1) any = true;
        vote[i] = any ? 1 : 0;
        if (i % 32 < 12) { let same = true; for (let l = 1; l < 12; l++) if (Math.floor(x[base + l] / 50) !== Math.floor(x[base] / 50)) same = false; eq[i] = same ? 1 : 0; }
      }
    },
    outputs: [1, 2, 3],
  },
];
