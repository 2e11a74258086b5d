// @ts-nocheck: cases are data for the frontend and probe JavaScript semantics TypeScript's checker refuses.
import { cuda, f32, f64, i32, u32 } from '@numbat/core';
import { ramp, type CorpusCase } from './types.js';

// numba-cuda parity: atomic inc/dec/compare_and_swap/nanmin/nanmax, the reducing
// barriers syncthreads_count/and/or, memory fences and grid-wide synchronisation.
// Concurrent cases compare only what no interleaving can change (final counters,
// winners), single-thread chains check each op's exact old/new values.

const incRef = (o: number, v: number): number => (o >= v ? 0 : o + 1);
const decRef = (o: number, v: number): number => (o === 0 || o > v ? v : o - 1);
const nanminRef = (o: number, v: number): number => (Number.isNaN(v) ? o : Number.isNaN(o) ? v : Math.min(o, v));
const nanmaxRef = (o: number, v: number): number => (Number.isNaN(v) ? o : Number.isNaN(o) ? v : Math.max(o, v));
const NO_WEBGPU_GRID = /cuda\.cg\.this_grid\(\)\.sync\(\).*'webgpu'/;
const NO_WEBGPU_FENCE = /cuda\.threadfence(_block|_system)?\(\).*'webgpu'.*fence/;

export const syncAtomics: CorpusCase[] = [
  {
    name: 'atomic_inc_dec_chain_u32',
    covers: ['cuda.atomic.inc (wrap-around, old value)', 'cuda.atomic.dec (wrap-around, old value)', 'u32 edge values'],
    kernel: function incdec_chain(ctr: Uint32Array, lim: Uint32Array, old: Uint32Array) {
      if (cuda.grid(1) !== 0) return;
      for (let i = 0; i < lim.length; i++) {
        old[2 * i] = cuda.atomic.inc(ctr, i, lim[i]);
        old[2 * i + 1] = cuda.atomic.dec(ctr, i + lim.length, lim[i]);
      }
    },
    grid: 1, block: 1,
    args: () => [
      new Uint32Array([0, 5, 9, 10, 11, 0xffffffff, 0xfffffffe, 3, 0, 5, 9, 10, 11, 0xffffffff, 0, 3]),
      new Uint32Array([10, 10, 10, 10, 10, 0xffffffff, 0xffffffff, 0]),
      new Uint32Array(16),
    ],
    reference: ([ctr, lim, old]: any) => {
      for (let i = 0; i < 8; i++) {
        old[2 * i] = ctr[i]; ctr[i] = incRef(ctr[i], lim[i]);
        old[2 * i + 1] = ctr[i + 8]; ctr[i + 8] = decRef(ctr[i + 8], lim[i]);
      }
    },
    outputs: [0, 2],
  },
  {
    name: 'atomic_inc_dec_global_concurrent',
    covers: ['cuda.atomic.inc on a global array from many threads', 'cuda.atomic.dec on a global array from many threads'],
    kernel: function incdec_global(up: Uint32Array, down: Uint32Array) {
      const i = cuda.grid(1);
      cuda.atomic.inc(up, i % 8, 6 + (i % 8));
      cuda.atomic.dec(down, i % 8, 6 + (i % 8));
    },
    grid: 4, block: 50,
    args: () => [ramp(8, (i) => i * 2, Uint32Array), ramp(8, (i) => i * 3, Uint32Array)],
    reference: ([up, down]: any) => {
      for (let i = 0; i < 200; i++) { up[i % 8] = incRef(up[i % 8], 6 + (i % 8)); down[i % 8] = decRef(down[i % 8], 6 + (i % 8)); }
    },
    outputs: [0, 1],
  },
  {
    // numba-cuda test_atomics: atomic_inc32 / atomic_dec32 on a shared array indexed by idx[tid].
    name: 'atomic_inc_dec_shared_numba',
    covers: ['cuda.atomic.inc on a shared array', 'cuda.atomic.dec on a shared array'],
    kernel: function incdec_shared(ary: Uint32Array, idx: Int32Array, op2: number) {
      const tid = cuda.threadIdx.x;
      const sm = cuda.shared.array(32, u32);
      const sd = cuda.shared.array(32, u32);
      sm[tid] = ary[tid];
      sd[tid] = ary[tid];
      cuda.syncthreads();
      cuda.atomic.inc(sm, idx[tid], op2);
      cuda.atomic.dec(sd, idx[tid], op2);
      cuda.syncthreads();
      ary[tid] = sm[tid];
      ary[tid + 32] = sd[tid];
    },
    grid: 1, block: 32,
    args: () => [ramp(64, (i) => (i * 7) % 13, Uint32Array), ramp(32, (i) => (i * 5) % 32, Int32Array), 12],
    reference: ([ary, idx, op2]: any) => {
      const sm = Array.from(ary.slice(0, 32)), sd = sm.slice();
      for (let t = 0; t < 32; t++) { sm[idx[t]] = incRef(sm[idx[t]], op2); sd[idx[t]] = decRef(sd[idx[t]], op2); }
      for (let t = 0; t < 32; t++) { ary[t] = sm[t]; ary[t + 32] = sd[t]; }
    },
    outputs: [0],
  },
  {
    name: 'atomic_compare_and_swap_numba',
    covers: ['cuda.atomic.compare_and_swap(array, old, value) (element 0)', 'cuda.atomic.cas on f32', 'exactly one winner'],
    kernel: function cas_claim(flag: Int32Array, winners: Int32Array, chain: Int32Array, fl: Float32Array) {
      const i = cuda.grid(1);
      if (cuda.atomic.compare_and_swap(flag, 0, i + 1) === 0) cuda.atomic.add(winners, 0, 1);
      if (i === 0) {
        chain[1] = cuda.atomic.compare_and_swap(chain, 7, 8); // no swap: element 0 is 5
        chain[2] = cuda.atomic.compare_and_swap(chain, 5, 9); // swap
        chain[3] = cuda.atomic.cas(chain, 4, 0, 11);
        fl[1] = cuda.atomic.cas(fl, 0, -0, 2.5); // -0 === +0, as in JS
        fl[2] = cuda.atomic.cas(fl, 0, 2.5, 3.5);
      }
    },
    grid: 3, block: 64,
    args: () => [new Int32Array(1), new Int32Array(1), new Int32Array([5, 0, 0, 0, 0]), new Float32Array(3)],
    reference: ([flag, winners, chain, fl]: any) => {
      winners[0] = 1; flag[0] = 1; // flag: some winner's id (not compared)
      chain[1] = 5; chain[2] = 5; chain[0] = 9; chain[3] = 0; chain[4] = 11;
      fl[1] = 0; fl[2] = 2.5; fl[0] = 3.5;
    },
    outputs: [1, 2, 3],
  },
  {
    name: 'atomic_nanmin_nanmax_chain',
    covers: ['cuda.atomic.nanmin/nanmax (NaN ignored, old value)', 'cuda.atomic.min/max keep NaN (JS)', 'nanmin/nanmax on i32 = min/max'],
    kernel: function nan_chain(a: Float32Array, v: Float32Array, old: Float32Array, n: Int32Array) {
      if (cuda.grid(1) !== 0) return;
      for (let i = 0; i < v.length; i++) {
        old[4 * i] = cuda.atomic.nanmin(a, 0, v[i]);
        old[4 * i + 1] = cuda.atomic.nanmax(a, 1, v[i]);
        old[4 * i + 2] = cuda.atomic.min(a, 2, v[i]);
        old[4 * i + 3] = cuda.atomic.max(a, 3, v[i]);
      }
      cuda.atomic.nanmax(n, 0, -3);
      cuda.atomic.nanmin(n, 1, -3);
    },
    grid: 1, block: 1,
    args: () => [new Float32Array([NaN, NaN, 1, 1]), new Float32Array([NaN, 4, NaN, -2, 0, -0, 8]), new Float32Array(28), new Int32Array([-5, 2])],
    reference: ([a, v, old, n]: any) => {
      for (let i = 0; i < v.length; i++) {
        old[4 * i] = a[0]; a[0] = nanminRef(a[0], v[i]);
        old[4 * i + 1] = a[1]; a[1] = nanmaxRef(a[1], v[i]);
        old[4 * i + 2] = a[2]; a[2] = Math.min(a[2], v[i]);
        old[4 * i + 3] = a[3]; a[3] = Math.max(a[3], v[i]);
      }
      n[0] = -3; n[1] = -3;
    },
    outputs: [0, 2, 3],
  },
  {
    name: 'atomic_nanmin_nanmax_concurrent_f32',
    covers: ['cuda.atomic.nanmin/nanmax on global and shared f32 from many threads'],
    kernel: function nan_reduce(x: Float32Array, out: Float32Array) {
      const i = cuda.grid(1);
      const s = cuda.shared.array(2, f32);
      if (cuda.threadIdx.x === 0) { s[0] = NaN; s[1] = NaN; }
      cuda.syncthreads();
      cuda.atomic.nanmin(s, 0, x[i]);
      cuda.atomic.nanmax(s, 1, x[i]);
      cuda.syncthreads();
      if (cuda.threadIdx.x === 0) { cuda.atomic.nanmin(out, 0, s[0]); cuda.atomic.nanmax(out, 1, s[1]); }
    },
    grid: 4, block: 64,
    args: () => [ramp(256, (i) => (i % 5 === 0 ? NaN : Math.sin(i) * 100)), new Float32Array([NaN, NaN])],
    reference: ([x, out]: any) => {
      for (let i = 0; i < 256; i++) { out[0] = nanminRef(out[0], x[i]); out[1] = nanmaxRef(out[1], x[i]); }
    },
    outputs: [1],
  },
  {
    name: 'atomic_nanmin_nanmax_f64',
    covers: ['cuda.atomic.nanmin/nanmax on f64'],
    needsF64: true,
    kernel: function nan_f64(x: Float64Array, out: Float64Array) {
      const i = cuda.grid(1);
      cuda.atomic.nanmin(out, 0, x[i]);
      cuda.atomic.nanmax(out, 1, x[i]);
    },
    grid: 2, block: 32,
    args: () => [ramp(64, (i) => (i % 3 === 0 ? NaN : (i - 30) / 7), Float64Array), new Float64Array([NaN, NaN])],
    reference: ([x, out]: any) => { for (let i = 0; i < 64; i++) { out[0] = nanminRef(out[0], x[i]); out[1] = nanmaxRef(out[1], x[i]); } },
    outputs: [1],
  },
  {
    name: 'syncthreads_count_and_or',
    covers: ['cuda.syncthreads_count', 'cuda.syncthreads_and', 'cuda.syncthreads_or', 'reducing barriers in a uniform loop', '2-D block'],
    kernel: function vote_block(x: Int32Array, out: Int32Array) {
      const t = cuda.threadIdx.y * cuda.blockDim.x + cuda.threadIdx.x;
      const n = cuda.blockDim.x * cuda.blockDim.y;
      const v = x[cuda.blockIdx.x * n + t];
      const c = cuda.syncthreads_count(v > 3);
      const all = cuda.syncthreads_and(v);
      const any = cuda.syncthreads_or(v > 7);
      let sum = 0;
      for (let k = 0; k < 3; k++) sum += cuda.syncthreads_count(v > k) * (k + 1);
      if (t === 5) { const b = cuda.blockIdx.x * 4; out[b] = c; out[b + 1] = all; out[b + 2] = any; out[b + 3] = sum; }
    },
    grid: 3, block: [8, 4],
    args: () => [ramp(96, (i) => (i < 32 ? (i * 7) % 9 : i < 64 ? 1 + (i % 3) : 0), Int32Array), new Int32Array(12)],
    reference: ([x, out]: any) => {
      for (let b = 0; b < 3; b++) {
        const v = Array.from(x.slice(b * 32, b * 32 + 32)) as number[];
        const cnt = (p: (y: number) => boolean): number => v.filter(p).length;
        out[b * 4] = cnt((y) => y > 3);
        out[b * 4 + 1] = cnt((y) => y !== 0) === 32 ? 1 : 0;
        out[b * 4 + 2] = cnt((y) => y > 7) > 0 ? 1 : 0;
        out[b * 4 + 3] = cnt((y) => y > 0) + 2 * cnt((y) => y > 1) + 3 * cnt((y) => y > 2);
      }
    },
    outputs: [1],
  },
  {
    // CUDA's threadFenceReduction: the last block to finish (atomic.inc ticket) sums the partials.
    name: 'threadfence_last_block_reduction',
    covers: ['cuda.threadfence', 'cuda.threadfence_block', 'cuda.threadfence_system', 'cuda.atomic.inc as a ticket'],
    refusedOn: { webgpu: NO_WEBGPU_FENCE },
    kernel: function fence_sum(x: Int32Array, partial: Int32Array, ticket: Uint32Array, out: Int32Array) {
      const t = cuda.threadIdx.x;
      const s = cuda.shared.array(64, i32);
      const last = cuda.shared.array(1, i32);
      s[t] = x[cuda.grid(1)];
      cuda.threadfence_block();
      cuda.syncthreads();
      if (t === 0) {
        let sum = 0;
        for (let k = 0; k < cuda.blockDim.x; k++) sum += s[k];
        partial[cuda.blockIdx.x] = sum;
        cuda.threadfence();
        const mine = cuda.atomic.inc(ticket, 0, u32(cuda.gridDim.x));
        last[0] = mine === u32(cuda.gridDim.x - 1) ? 1 : 0;
      }
      cuda.syncthreads();
      if (last[0] === 1 && t === 0) {
        let total = 0;
        for (let b = 0; b < cuda.gridDim.x; b++) total += partial[b];
        out[0] = total;
        cuda.threadfence_system();
        ticket[0] = 0;
      }
    },
    grid: 6, block: 64,
    args: () => [ramp(384, (i) => (i * 13) % 29 - 9, Int32Array), new Int32Array(6), new Uint32Array(1), new Int32Array(1)],
    reference: ([x, partial, ticket, out]: any) => {
      let total = 0;
      for (let b = 0; b < 6; b++) { let s = 0; for (let i = 0; i < 64; i++) s += x[b * 64 + i]; partial[b] = s; total += s; }
      out[0] = total; ticket[0] = 0;
    },
    outputs: [1, 2, 3],
  },
  {
    // Two phases separated by a grid barrier: phase 2 reads what other blocks wrote in phase 1.
    name: 'grid_sync_two_phase',
    covers: ['cuda.cg.this_grid().sync()', 'a grid barrier in a uniform loop', 'const g = cuda.cg.this_grid(); g.sync()'],
    refusedOn: { webgpu: NO_WEBGPU_GRID },
    kernel: function grid_two_phase(a: Float32Array, b: Float32Array, out: Float32Array) {
      const i = cuda.grid(1);
      const n = cuda.gridsize(1);
      const g = cuda.cg.this_grid();
      a[i] = i * 0.5;
      cuda.cg.this_grid().sync();
      out[i] = a[(i + 97) % n] + a[n - 1 - i];
      // Jacobi-style smoothing, ping-pong between a and b, a grid barrier after each sweep.
      for (let it = 0; it < 4; it++) {
        const l = i === 0 ? 0 : i - 1, r = i === n - 1 ? n - 1 : i + 1;
        if (it % 2 === 0) b[i] = (a[l] + a[i] + a[r]) / 3;
        else a[i] = (b[l] + b[i] + b[r]) / 3;
        g.sync();
      }
    },
    grid: 2, block: 128,
    args: () => [new Float32Array(256), new Float32Array(256), new Float32Array(256)],
    reference: ([a, b, out]: any) => {
      const n = 256;
      for (let i = 0; i < n; i++) a[i] = Math.fround(i * 0.5);
      for (let i = 0; i < n; i++) out[i] = Math.fround(a[(i + 97) % n] + a[n - 1 - i]);
      for (let it = 0; it < 4; it++) {
        const [src, dst] = it % 2 === 0 ? [a, b] : [b, a];
        const prev = Float32Array.from(src);
        for (let i = 0; i < n; i++) {
          const l = i === 0 ? 0 : i - 1, r = i === n - 1 ? n - 1 : i + 1;
          dst[i] = Math.fround(Math.fround(Math.fround(prev[l] + prev[i]) + prev[r]) / 3);
        }
      }
    },
    outputs: [0, 1, 2],
    rtol: 1e-6,
  },
  {
    // The cpu runs a block's threads on one worker, so its shared-memory atomics are plain
    // read-modify-writes (@numbat/llvm atomics.ts `plain`): the same old values and results.
    name: 'atomics_on_shared_every_op_chain',
    covers: ['every cuda.atomic op on shared i32, u32 and f32 arrays: old values and results', 'shared atomics of many lanes on the same elements'],
    kernel: function shared_atomic_chain(iIn: Int32Array, uIn: Uint32Array, fIn: Float32Array, oldI: Int32Array, oldU: Uint32Array, oldF: Float32Array, outI: Int32Array, outU: Uint32Array, outF: Float32Array) {
      const si = cuda.shared.array(6, i32), su = cuda.shared.array(6, u32), sf = cuda.shared.array(6, f32);
      const t = cuda.threadIdx.x;
      if (t < 6) { si[t] = iIn[t]; su[t] = uIn[t]; sf[t] = fIn[t]; }
      cuda.syncthreads();
      if (t === 0) {
        oldI[0] = cuda.atomic.add(si, 0, 2147483647);
        oldI[1] = cuda.atomic.sub(si, 1, -5);
        oldI[2] = cuda.atomic.and(si, 2, 0x0ff0);
        oldI[3] = cuda.atomic.or(si, 2, 0x7000);
        oldI[4] = cuda.atomic.xor(si, 3, -1);
        oldI[5] = cuda.atomic.max(si, 0, -3);
        oldI[6] = cuda.atomic.min(si, 1, -100);
        oldI[7] = cuda.atomic.exch(si, 3, 42);
        oldI[8] = cuda.atomic.cas(si, 3, 42, 7);
        oldI[9] = cuda.atomic.cas(si, 3, 42, 9);
        oldI[10] = cuda.atomic.nanmax(si, 2, 1 << 20);
        oldU[0] = cuda.atomic.add(su, 0, 0xfffffff0);
        oldU[1] = cuda.atomic.sub(su, 1, 10);
        oldU[2] = cuda.atomic.max(su, 2, 0x80000000);
        oldU[3] = cuda.atomic.min(su, 3, 1);
        oldU[4] = cuda.atomic.inc(su, 4, 3);
        oldU[5] = cuda.atomic.inc(su, 4, 3);
        oldU[6] = cuda.atomic.dec(su, 5, 7);
        oldU[7] = cuda.atomic.dec(su, 5, 7);
        oldU[8] = cuda.atomic.exch(su, 0, 99);
        oldU[9] = cuda.atomic.cas(su, 0, 99, 5);
        oldF[0] = cuda.atomic.add(sf, 0, 0.1);
        oldF[1] = cuda.atomic.sub(sf, 1, 2.5);
        oldF[2] = cuda.atomic.exch(sf, 2, -0);
        oldF[3] = cuda.atomic.cas(sf, 2, 0, 8);
        oldF[4] = cuda.atomic.cas(sf, 3, 1, 9);
        oldF[5] = cuda.atomic.nanmin(sf, 3, NaN);
        oldF[6] = cuda.atomic.nanmin(sf, 3, -7);
        oldF[7] = cuda.atomic.nanmax(sf, 4, 3);
        oldF[8] = cuda.atomic.max(sf, 5, 2);
        oldF[9] = cuda.atomic.min(sf, 5, -1);
      }
      cuda.syncthreads();
      // Every thread on the same few elements: the results do not depend on the order.
      cuda.atomic.add(si, 4, t);
      cuda.atomic.max(si, 5, t * 3);
      cuda.atomic.add(sf, 4, 0.5);
      cuda.atomic.or(su, 3, 1 << (t & 31));
      cuda.syncthreads();
      if (t < 6) { outI[t] = si[t]; outU[t] = su[t]; outF[t] = sf[t]; }
    },
    grid: 2, block: 40,
    args: () => [
      new Int32Array([5, -8, 0x1234, 0x55, 1000, -2]), new Uint32Array([20, 3, 7, 0x10000, 2, 0]), new Float32Array([1.5, 4, 3, NaN, -2, 1]),
      new Int32Array(11), new Uint32Array(10), new Float32Array(10), new Int32Array(6), new Uint32Array(6), new Float32Array(6),
    ],
    reference: ([iIn, uIn, fIn, oldI, oldU, oldF, outI, outU, outF]: any) => {
      const si = Int32Array.from(iIn), su = Uint32Array.from(uIn), sf = Float32Array.from(fIn);
      const at = (a: any, k: number, next: (o: number) => number): number => { const o = a[k]; a[k] = next(o); return o; };
      oldI.set([
        at(si, 0, (o) => o + 2147483647), at(si, 1, (o) => o + 5), at(si, 2, (o) => o & 0x0ff0), at(si, 2, (o) => o | 0x7000),
        at(si, 3, (o) => o ^ -1), at(si, 0, (o) => Math.max(o, -3)), at(si, 1, (o) => Math.min(o, -100)), at(si, 3, () => 42),
        at(si, 3, (o) => (o === 42 ? 7 : o)), at(si, 3, (o) => (o === 42 ? 9 : o)), at(si, 2, (o) => Math.max(o, 1 << 20)),
      ]);
      oldU.set([
        at(su, 0, (o) => o + 0xfffffff0), at(su, 1, (o) => o - 10), at(su, 2, (o) => Math.max(o, 0x80000000)), at(su, 3, (o) => Math.min(o, 1)),
        at(su, 4, (o) => incRef(o, 3)), at(su, 4, (o) => incRef(o, 3)), at(su, 5, (o) => decRef(o, 7)), at(su, 5, (o) => decRef(o, 7)),
        at(su, 0, () => 99), at(su, 0, (o) => (o === 99 ? 5 : o)),
      ]);
      oldF.set([
        at(sf, 0, (o) => o + Math.fround(0.1)), at(sf, 1, (o) => o - 2.5), at(sf, 2, () => -0), at(sf, 2, (o) => (o === 0 ? 8 : o)),
        at(sf, 3, (o) => (o === 1 ? 9 : o)), at(sf, 3, (o) => nanminRef(o, NaN)), at(sf, 3, (o) => nanminRef(o, -7)),
        at(sf, 4, (o) => nanmaxRef(o, 3)), at(sf, 5, (o) => Math.max(o, 2)), at(sf, 5, (o) => Math.min(o, -1)),
      ]);
      // The last block's shared arrays: both blocks write the same values.
      for (let t = 0; t < 40; t++) { si[4] += t; si[5] = Math.max(si[5], t * 3); sf[4] += 0.5; su[3] |= 1 << (t & 31); }
      outI.set(si); outU.set(su); outF.set(sf);
    },
    outputs: [3, 4, 5, 6, 7, 8],
  },
  {
    name: 'atomics_on_shared_f64_chain',
    covers: ['cuda.atomic add, sub, exch, cas, nanmin, nanmax, min, max on a shared f64 array: old values and results'],
    needsF64: true,
    kernel: function shared_atomic_f64(fIn: Float64Array, old: Float64Array, out: Float64Array) {
      const s = cuda.shared.array(4, f64);
      const t = cuda.threadIdx.x;
      if (t < 4) s[t] = fIn[t];
      cuda.syncthreads();
      if (t === 0) {
        old[0] = cuda.atomic.add(s, 0, 0.1);
        old[1] = cuda.atomic.sub(s, 1, 0.375);
        old[2] = cuda.atomic.exch(s, 2, 6.25);
        old[3] = cuda.atomic.cas(s, 2, 6.25, -1);
        old[4] = cuda.atomic.nanmin(s, 3, NaN);
        old[5] = cuda.atomic.nanmax(s, 3, 1e300);
        old[6] = cuda.atomic.max(s, 0, 2);
        old[7] = cuda.atomic.min(s, 1, -3);
      }
      cuda.syncthreads();
      cuda.atomic.add(s, 3, 0.25);
      cuda.syncthreads();
      if (t < 4) out[t] = s[t];
    },
    grid: 1, block: 24,
    args: () => [new Float64Array([0.2, 1, 3, -4]), new Float64Array(8), new Float64Array(4)],
    reference: ([fIn, old, out]: any) => {
      const s = Float64Array.from(fIn);
      const at = (k: number, next: (o: number) => number): number => { const o = s[k]; s[k] = next(o); return o; };
      old.set([at(0, (o) => o + 0.1), at(1, (o) => o - 0.375), at(2, () => 6.25), at(2, (o) => (o === 6.25 ? -1 : o)),
        at(3, (o) => nanminRef(o, NaN)), at(3, (o) => nanmaxRef(o, 1e300)), at(0, (o) => Math.max(o, 2)), at(1, (o) => Math.min(o, -3))]);
      for (let t = 0; t < 24; t++) s[3] += 0.25;
      out.set(s);
    },
    outputs: [1, 2],
  },
];
