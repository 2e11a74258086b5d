// @ts-nocheck: cases are data for the frontend and probe JavaScript semantics TypeScript's checker refuses.
import { cuda } from '@numbat/core';
import type { CorpusCase } from './types.js';

// Regressions of issue 11 (fuzz seed 7000932): after a barrier, a loop whose body returns for
// some threads, then a uniform `if` that updates a local, then a loop that uses the local (an
// atomic, a store, the trip count). With barriers the cpu backend splits the code after the
// barrier into regions at block-uniform assignments (`const w = n * 2`); the `if` ran thread by
// thread (threads that returned skip it) and the loop after `w` in lane groups, which read the
// lane-uniform local from lane 0's slot: lane 0 had returned, its copy was stale, so every lane
// of its group used the old value (0 instead of 5). Lane-uniform code now runs as the group's
// first live lane, and a group none of whose threads is still running is skipped. The cases
// without barriers (one region) have the same shape and pass through lane code only.

const N = 64;
/** Threads that returned in the loop: i % 3 == 0 (lane 0 of some groups, not of others). */
const returns = (i: number, trips: number) => trips > 0 && i % 3 === 0;
/** Whole lane groups return (threads 0..15 and 40..55: every lane of a group of 4 or 8). */
const returnsGroups = (i: number, trips: number) => trips > 0 && (i < 16 || (i >= 40 && i < 56));
const sumTo = (t: number) => (t * (t - 1)) / 2;

export const regressLaneReturn: CorpusCase[] = [
  {
    name: 'lane_return_in_loop_barrier_uniform_if_then_atomic',
    covers: ['return in a loop after a barrier', 'uniform if updating a local after a varying return', 'atomics in a loop'],
    kernel: function laneReturnAtomic(inI, n, out) {
      const i = cuda.grid(1);
      let v = 0;
      cuda.syncthreads();
      for (let k = 0; k < inI[0]; k++) { if (i % 3 === 0) return; }
      const z = n - n;
      if (z === 0) { v += 5; }
      const w = n * 2;
      for (let q = 0; q < inI[1]; q++) { cuda.atomic.add(out, i, v + q * w); }
    },
    grid: 2, block: 32,
    args: () => [new Int32Array([2, 3]), 7, new Int32Array(N)],
    reference: (a) => { for (let i = 0; i < N; i++) a[2][i] = returns(i, 2) ? 0 : 5 * 3 + 14 * sumTo(3); },
    outputs: [2],
  },
  {
    name: 'lane_return_in_loop_barrier_uniform_if_then_f32_nanmax',
    covers: ['return in a for…of loop after syncthreads_count', 'uniform if updating an f32 local after a varying return', 'cuda.atomic.nanmax'],
    kernel: function laneReturnNanmax(inU, inI, n, oF) {
      const i = cuda.grid(1);
      let vf = Math.fround(0);
      let c = 0;
      c ^= cuda.syncthreads_count(true);
      for (const x of inU.subarray(-1)) { if (i % 3 === (x | 0)) return; }
      if (Number.isFinite(Math.fround(0.5) - 0.5)) { vf += Math.fround(0.5); }
      const w = n + 1;
      for (const q of cuda.range(inI[0] & w)) { cuda.atomic.nanmax(oF, i, vf); }
    },
    grid: 2, block: 32,
    args: () => [new Uint32Array([7, 0]), new Int32Array([1]), 6, new Float32Array(N)],
    reference: (a) => { for (let i = 0; i < N; i++) a[3][i] = returns(i, 1) ? 0 : 0.5; },
    outputs: [3],
  },
  {
    name: 'lane_return_in_loop_barrier_uniform_if_then_store',
    covers: ['return in a loop after a barrier', 'uniform if updating a local after a varying return', 'stores in a loop'],
    kernel: function laneReturnStore(inI, n, out) {
      const i = cuda.grid(1);
      let v = 1;
      cuda.syncthreads();
      for (let k = 0; k < inI[0]; k++) { if (i % 3 === 0) return; }
      const z = n - n;
      if (z === 0) { v = v * 10 + inI[1]; }
      const w = n * 2;
      for (let q = 0; q < inI[1]; q++) { out[i] = v * 100 + q * w; }
    },
    grid: 2, block: 32,
    args: () => [new Int32Array([1, 4]), 3, new Int32Array(N)],
    reference: (a) => { for (let i = 0; i < N; i++) a[2][i] = returns(i, 1) ? 0 : 14 * 100 + 3 * 6; },
    outputs: [2],
  },
  {
    name: 'lane_return_in_loop_barrier_uniform_if_sets_trip_count',
    covers: ['return in a loop after a barrier', 'a loop bounded by a local set in a uniform if after a varying return'],
    kernel: function laneReturnTrips(inI, n, out) {
      const i = cuda.grid(1);
      let t = 0;
      cuda.syncthreads();
      for (let k = 0; k < inI[0]; k++) { if (i % 3 === 0) return; }
      const z = n * 0;
      if (z === 0) { t = inI[1]; }
      const w = n + 1;
      for (let q = 0; q < t; q++) { out[i] += q + w; }
    },
    grid: 2, block: 32,
    args: () => [new Int32Array([3, 5]), 2, new Int32Array(N)],
    reference: (a) => { for (let i = 0; i < N; i++) a[2][i] = returns(i, 3) ? 0 : sumTo(5) + 5 * 3; },
    outputs: [2],
  },
  {
    name: 'lane_return_whole_groups_barrier_uniform_if_then_store',
    covers: ['return of whole lane groups in a loop after a barrier', 'uniform if updating a local after a varying return'],
    kernel: function laneReturnGroups(inI, n, out) {
      const i = cuda.grid(1);
      let v = 2;
      cuda.syncthreads();
      for (let k = 0; k < inI[0]; k++) { if (i < 16 || (i >= 40 && i < 56)) return; }
      const z = n - n;
      if (z === 0) { v += inI[1]; }
      const w = n - 4;
      for (let q = 0; q < inI[1]; q++) { out[i] = v * 100 + q * w; cuda.atomic.add(out, 64 + (i & 3), v); }
    },
    grid: 2, block: 32,
    args: () => [new Int32Array([1, 3]), 5, new Int32Array(N + 4)],
    reference: (a) => {
      for (let i = 0; i < N; i++) {
        if (returnsGroups(i, 1)) continue;
        a[2][i] = 5 * 100 + 2;
        a[2][N + (i & 3)] += 5 * 3;
      }
    },
    outputs: [2],
  },
  {
    name: 'lane_return_in_loop_uniform_if_then_atomic_no_barrier',
    covers: ['return in a loop', 'uniform if updating a local after a varying return', 'atomics in a loop'],
    kernel: function laneReturnAtomicNoBarrier(inI, n, out) {
      const i = cuda.grid(1);
      let v = 0;
      for (let k = 0; k < inI[0]; k++) { if (i % 3 === 0) return; }
      const z = n - n;
      if (z === 0) { v += 5; }
      const w = n * 2;
      for (let q = 0; q < inI[1]; q++) { cuda.atomic.add(out, i, v + q * w); }
    },
    grid: 2, block: 32,
    args: () => [new Int32Array([2, 3]), 7, new Int32Array(N)],
    reference: (a) => { for (let i = 0; i < N; i++) a[2][i] = returns(i, 2) ? 0 : 5 * 3 + 14 * sumTo(3); },
    outputs: [2],
  },
  {
    name: 'lane_return_in_loop_uniform_if_then_store_no_barrier',
    covers: ['return in a loop', 'uniform if updating a local after a varying return', 'a loop bounded by that local, stores'],
    kernel: function laneReturnStoreNoBarrier(inI, n, out) {
      const i = cuda.grid(1);
      let t = 0;
      for (let k = 0; k < inI[0]; k++) { if (i % 3 === 0) return; }
      const z = n * 0;
      if (z === 0) { t = inI[1]; }
      for (let q = 0; q < t; q++) { out[i] = t * 100 + q; }
    },
    grid: 2, block: 32,
    args: () => [new Int32Array([1, 4]), 3, new Int32Array(N)],
    reference: (a) => { for (let i = 0; i < N; i++) a[2][i] = returns(i, 1) ? 0 : 403; },
    outputs: [2],
  },
];
