// @ts-nocheck: cases are data for the frontend and probe JavaScript semantics TypeScript's checker refuses.
import { cuda, i32 } from '@numbat/core';
import { ramp, type CorpusCase } from './types.js';

// Warp functions under thread-dependent control: in the arms of ifs on the lane
// (with the matching partial masks), in nested ifs, in loops whose trip count
// depends on the thread (mask from activemask()), after an early return, in
// 2-D blocks and blocks whose size is not a multiple of 32. sim and cuda run
// them natively; cpu and webgpu if-convert the control around them
// (ir/warp-predication.ts) and must agree with the simulator.

/** A device function that returns early for some lanes before its shuffle (inlined into a thread-dependent if). */
const xorPartner = cuda.jit(function xorPartner(x: number) {
  if (x < 0) return -1;
  return cuda.shfl_xor_sync(cuda.activemask(), x, 1);
}, { device: true });

const lanes = (n: number, f: (i: number) => number, T = Int32Array) => ramp(n, f, T);
/** The u32 mask of the lanes 0..31 for which f holds. */
const maskOf = (f: (l: number) => boolean): number => { let m = 0; for (let l = 0; l < 32; l++) if (f(l)) m |= 1 << l; return m >>> 0; };

export const warpDivergent: CorpusCase[] = [
  {
    name: 'warpdiv_first_warp_reduces',
    covers: ['shfl_down_sync in `if (t < 32)`: only the first warp of the block takes part, the other lanes keep their values'],
    kernel: function first_warp(a: Int32Array, out: Int32Array) {
      const t = cuda.threadIdx.x;
      let v = a[cuda.grid(1)];
      if (t < 32) {
        v += cuda.shfl_down_sync(0xffffffff, v, 16);
        v += cuda.shfl_down_sync(0xffffffff, v, 8);
        v += cuda.shfl_down_sync(0xffffffff, v, 4);
      }
      out[cuda.grid(1)] = v;
    },
    grid: 2, block: 96,
    args: () => [lanes(192, (i) => (i * 13) % 29 - 7), new Int32Array(192)],
    reference: ([a, out]: any) => {
      for (let b = 0; b < 2; b++) {
        let v = Array.from(a.slice(b * 96, b * 96 + 96)) as number[];
        for (const off of [16, 8, 4]) v = v.map((x, t) => (t < 32 ? x + (t + off < 32 ? v[t + off] : x) : x));
        v.forEach((x, t) => { out[b * 96 + t] = x; });
      }
    },
    outputs: [1],
  },
  {
    name: 'warpdiv_half_warps_votes_shuffles',
    covers: ['shuffles, votes, ballot and match_any in both arms of `if (laneid < 16)`, each with its half-warp mask'],
    kernel: function halves(a: Int32Array, sh: Int32Array, bal: Uint32Array, votes: Int32Array, mat: Uint32Array) {
      const i = cuda.grid(1);
      const x = a[i];
      if (cuda.laneid < 16) {
        sh[i] = cuda.shfl_xor_sync(0x0000ffff, x, 3) * 100 + cuda.shfl_sync(0x0000ffff, x, 5);
        bal[i] = cuda.ballot_sync(0x0000ffff, x > 10);
        votes[i] = (cuda.all_sync(0x0000ffff, x >= 0) ? 1 : 0) + (cuda.any_sync(0x0000ffff, x > 20) ? 2 : 0) + (cuda.eq_sync(0x0000ffff, x > 25) ? 4 : 0);
        mat[i] = cuda.match_any_sync(0x0000ffff, x % 3);
      } else {
        sh[i] = cuda.shfl_up_sync(0xffff0000, x, 2) - cuda.shfl_down_sync(0xffff0000, x, 1) * 10;
        bal[i] = cuda.ballot_sync(0xffff0000, (x & 1) === 1);
        votes[i] = cuda.all_sync(0xffff0000, x < 100) ? 8 : 16;
        mat[i] = cuda.match_any_sync(0xffff0000, x >> 2);
      }
    },
    grid: 1, block: 64,
    args: () => [lanes(64, (i) => (i < 32 ? (i * 7) % 23 : 30 + (i % 5))), new Int32Array(64), new Uint32Array(64), new Int32Array(64), new Uint32Array(64)],
    reference: ([a, sh, bal, votes, mat]: any) => {
      for (let i = 0; i < 64; i++) {
        const l = i % 32, base = i - l, lo = l < 16;
        const inHalf = (k: number) => (k < 16) === lo;
        const at = (k: number) => a[base + k];
        const ballot = (p: (x: number) => boolean) => maskOf((k) => inHalf(k) && p(at(k)));
        const half = maskOf(inHalf);
        if (lo) {
          sh[i] = at(l ^ 3) * 100 + at(5);
          bal[i] = ballot((x) => x > 10);
          votes[i] = (ballot((x) => x >= 0) === half ? 1 : 0) + (ballot((x) => x > 20) !== 0 ? 2 : 0) + ([0, half].includes(ballot((x) => x > 25)) ? 4 : 0);
          mat[i] = ballot((x) => x % 3 === a[i] % 3);
        } else {
          sh[i] = (l - 2 >= 16 ? at(l - 2) : a[i]) - (l + 1 < 32 ? at(l + 1) : a[i]) * 10;
          bal[i] = ballot((x) => (x & 1) === 1);
          votes[i] = ballot((x) => x < 100) === half ? 8 : 16;
          mat[i] = ballot((x) => x >> 2 === a[i] >> 2);
        }
      }
    },
    outputs: [1, 2, 3, 4],
  },
  {
    name: 'warpdiv_nested_ifs',
    covers: ['warp functions in nested thread-dependent ifs, with masks of the lanes each arm holds', 'match_all_sync in an arm', 'a value written in one arm and shuffled in a later one'],
    kernel: function nested(a: Int32Array, out: Int32Array, m: Uint32Array) {
      const i = cuda.grid(1);
      const l = cuda.laneid;
      let v = a[i];
      if (l < 16) {
        if ((l & 3) === 0) {
          v = cuda.shfl_down_sync(0x00001111, v, 4);
          const [mm, same] = cuda.match_all_sync(0x00001111, a[i] & 1);
          m[i] = same ? mm : 99;
        } else {
          v = v * 2 + (cuda.ballot_sync(0x0000eeee, v > 3) | 0);
          m[i] = cuda.match_any_sync(0x0000eeee, v & 7);
        }
        v += cuda.shfl_xor_sync(0x0000ffff, v, 8);
      } else if (l >= 24) {
        v -= cuda.shfl_sync(0xff000000, v, 31);
      }
      out[i] = v;
    },
    grid: 1, block: 64,
    args: () => [lanes(64, (i) => (i < 32 ? i % 6 : (i * 5) % 9)), new Int32Array(64), new Uint32Array(64)],
    reference: ([a, out, m]: any) => {
      for (let w = 0; w < 2; w++) {
        const base = w * 32;
        const v = Array.from({ length: 32 }, (_, l) => a[base + l]);
        const quad = (l: number) => (l & 3) === 0;
        const v1 = v.map((x, l) => (l >= 16 ? x : quad(l) ? (l + 4 < 16 && quad(l + 4) ? v[l + 4] : x) : x * 2 + maskOf((k) => k < 16 && !quad(k) && v[k] > 3)));
        for (let l = 0; l < 16; l++) {
          if (quad(l)) {
            const same = [0, 4, 8, 12].every((k) => (a[base + k] & 1) === (a[base + l] & 1));
            m[base + l] = same ? 0x1111 : 99;
          } else m[base + l] = maskOf((k) => k < 16 && !quad(k) && (v1[k] & 7) === (v1[l] & 7));
        }
        for (let l = 0; l < 32; l++) out[base + l] = l < 16 ? v1[l] + v1[l ^ 8] : l >= 24 ? v[l] - v[31] : v[l];
      }
    },
    outputs: [1, 2],
  },
  {
    name: 'warpdiv_half_warp_reduction_loop',
    covers: ['a shuffle reduction loop inside `if (laneid < 16)` with mask 0xffff', 'lanes outside keep their values'],
    kernel: function half_reduce(a: Float32Array, out: Float32Array) {
      const i = cuda.grid(1);
      let v = a[i];
      if (cuda.laneid < 16) {
        for (let off = 8; off > 0; off >>= 1) v += cuda.shfl_down_sync(0x0000ffff, v, off);
      }
      out[i] = v;
    },
    grid: 2, block: 64,
    args: () => [ramp(128, (i) => Math.sin(i) * 10), new Float32Array(128)],
    reference: ([a, out]: any) => {
      for (let base = 0; base < 128; base += 32) {
        let v = Array.from({ length: 32 }, (_, l) => a[base + l]);
        for (let off = 8; off > 0; off >>= 1) v = v.map((x, l) => (l < 16 ? Math.fround(x + (l + off < 16 ? v[l + off] : x)) : x));
        v.forEach((x, l) => { out[base + l] = x; });
      }
    },
    outputs: [1],
  },
  {
    name: 'warpdiv_loop_per_thread_trips',
    covers: ['a loop whose trip count differs per thread, with activemask() and shuffles inside', 'break and continue under thread-dependent conditions in that loop'],
    kernel: function trips(n: Int32Array, a: Int32Array, out: Int32Array, masks: Uint32Array, steps: Int32Array) {
      const i = cuda.grid(1);
      let v = a[i];
      let s = 0;
      let seen = 0;
      for (let k = 0; k < n[i]; k++) {
        const m = cuda.activemask();
        seen |= m;
        v += cuda.shfl_xor_sync(m, v, 1) + cuda.shfl_down_sync(m, k, 2);
        if (v > 400) break;
        if ((v & 1) === 1) continue;
        s += 1;
      }
      out[i] = v;
      masks[i] = seen;
      steps[i] = s;
    },
    grid: 1, block: 64,
    args: () => [lanes(64, (i) => (i * 7) % 9), lanes(64, (i) => (i * 11) % 17), new Int32Array(64), new Uint32Array(64), new Int32Array(64)],
    reference: ([n, a, out, masks, steps]: any) => {
      for (let base = 0; base < 64; base += 32) {
        const v = Array.from({ length: 32 }, (_, l) => a[base + l]);
        const s = new Array(32).fill(0), seen = new Array(32).fill(0);
        const running = Array.from({ length: 32 }, (_, l) => n[base + l] > 0);
        for (let k = 0; running.some((r) => r); k++) {
          const m = maskOf((l) => running[l]);
          const old = v.slice();
          for (let l = 0; l < 32; l++) {
            if (!running[l]) continue;
            seen[l] |= m;
            const x = running[l ^ 1] ? old[l ^ 1] : old[l];
            const d = l + 2 < 32 && running[l + 2] ? k : k;
            v[l] += x + d;
          }
          for (let l = 0; l < 32; l++) {
            if (!running[l]) continue;
            if (v[l] > 400) { running[l] = false; continue; }
            if ((v[l] & 1) === 0) s[l] += 1;
            if (k + 1 >= n[base + l]) running[l] = false;
          }
        }
        for (let l = 0; l < 32; l++) { out[base + l] = v[l]; masks[base + l] = seen[l] >>> 0; steps[base + l] = s[l]; }
      }
    },
    outputs: [2, 3, 4],
  },
  {
    name: 'warpdiv_reduce_after_return',
    covers: ['a warp reduction after `if (i >= n) return;` (the last warp partly exited), mask from activemask()'],
    kernel: function after_return(a: Int32Array, sums: Int32Array, masks: Uint32Array, n: number) {
      const i = cuda.grid(1);
      if (i >= n) return;
      const m = cuda.activemask();
      let v = a[i];
      for (let off = 16; off > 0; off >>= 1) v += cuda.shfl_down_sync(m, v, off);
      if (cuda.laneid === 0) { sums[i >> 5] = v; masks[i >> 5] = m; }
    },
    grid: 2, block: 64,
    args: () => [lanes(100, (i) => (i * 37) % 41 - 20), new Int32Array(4), new Uint32Array(4), 100],
    reference: ([a, sums, masks]: any) => {
      for (let w = 0; w < 4; w++) {
        const base = w * 32, live = Math.min(32, 100 - base);
        let v = Array.from({ length: 32 }, (_, l) => (l < live ? a[base + l] : 0));
        for (let off = 16; off > 0; off >>= 1) v = v.map((x, l) => x + (l + off < live ? v[l + off] : x));
        sums[w] = v[0];
        masks[w] = live === 32 ? 0xffffffff : (1 << live) - 1;
      }
    },
    outputs: [1, 2],
  },
  {
    name: 'warpdiv_return_in_loop',
    covers: ['a return inside a loop that calls warp functions: the lanes that return leave the meetings of later iterations'],
    kernel: function return_in_loop(a: Int32Array, out: Int32Array, m: Uint32Array) {
      const i = cuda.grid(1);
      let v = a[i];
      for (let k = 0; k < 6; k++) {
        const b = cuda.ballot_sync(cuda.activemask(), v > 0);
        v = v * 3 + (b & 15);
        if (v > 200) { out[i] = v; m[i] = b; return; }
        v -= 40;
      }
      out[i] = -v;
    },
    grid: 1, block: 32,
    args: () => [lanes(32, (i) => (i * 5) % 13 + (i % 3 === 0 ? 60 : 0) - 2), new Int32Array(32), new Uint32Array(32)],
    reference: ([a, out, m]: any) => {
      const v = Array.from(a) as number[];
      const live = new Array(32).fill(true);
      for (let k = 0; k < 6; k++) {
        const b = maskOf((l) => live[l] && v[l] > 0);
        for (let l = 0; l < 32; l++) {
          if (!live[l]) continue;
          v[l] = v[l] * 3 + (b & 15);
          if (v[l] > 200) { out[l] = v[l]; m[l] = b; live[l] = false; continue; }
          v[l] -= 40;
        }
      }
      for (let l = 0; l < 32; l++) if (live[l]) out[l] = -v[l];
    },
    outputs: [1, 2],
  },
  {
    name: 'warpdiv_2d_block_rows',
    covers: ['a 2-D block (8 x 12): an if on threadIdx.y selects every other row of 8 lanes', 'shfl_xor and ballot with that mask'],
    kernel: function rows(a: Int32Array, sh: Int32Array, bal: Uint32Array) {
      const x = cuda.threadIdx.x, y = cuda.threadIdx.y;
      const i = y * cuda.blockDim.x + x;
      if (y % 2 === 0) {
        sh[i] = cuda.shfl_xor_sync(0x00ff00ff, a[i], 17);
        bal[i] = cuda.ballot_sync(0x00ff00ff, a[i] % 4 === 1);
      } else {
        sh[i] = -cuda.shfl_sync(0xff00ff00, a[i], 8);
      }
    },
    grid: 1, block: [8, 12],
    args: () => [lanes(96, (i) => (i * 29) % 31), new Int32Array(96), new Uint32Array(96)],
    reference: ([a, sh, bal]: any) => {
      for (let i = 0; i < 96; i++) {
        const l = i % 32, base = i - l;
        if (Math.floor(i / 8) % 2 === 0) {
          sh[i] = a[base + (l ^ 17)];
          bal[i] = maskOf((k) => ((k >> 3) & 1) === 0 && a[base + k] % 4 === 1);
        } else sh[i] = -a[base + 8];
      }
    },
    outputs: [1, 2],
  },
  {
    name: 'warpdiv_partial_block_every_third',
    covers: ['a block of 40 threads (partial last warp): warp functions under `if (t % 3 === 0)` with activemask()', 'a shuffle source lane that does not take part returns the caller\'s own value'],
    kernel: function thirds(a: Int32Array, am: Uint32Array, bal: Uint32Array, src: Int32Array) {
      const t = cuda.threadIdx.x;
      const i = cuda.grid(1);
      if (t % 3 === 0) {
        const m = cuda.activemask();
        am[i] = m;
        bal[i] = cuda.ballot_sync(m, a[i] > 5);
        src[i] = cuda.shfl_sync(m, a[i], 0) * 100 + cuda.shfl_down_sync(m, a[i], 3);
      } else {
        src[i] = -1;
      }
    },
    grid: 2, block: 40,
    args: () => [lanes(80, (i) => (i * 7) % 11), new Uint32Array(80), new Uint32Array(80), new Int32Array(80)],
    reference: ([a, am, bal, src]: any) => {
      for (let b = 0; b < 2; b++) for (let t = 0; t < 40; t++) {
        const i = b * 40 + t, l = t % 32, wbase = t - l, n = Math.min(32, 40 - wbase);
        if (t % 3 !== 0) { src[i] = -1; continue; }
        const on = (k: number) => k < n && (wbase + k) % 3 === 0;
        const m = maskOf(on);
        am[i] = m;
        bal[i] = maskOf((k) => on(k) && a[b * 40 + wbase + k] > 5);
        const at = (k: number) => (k < 32 && on(k) ? a[b * 40 + wbase + k] : a[i]);
        src[i] = at(0) * 100 + at(l + 3);
      }
    },
    outputs: [1, 2, 3],
  },
  {
    name: 'warpdiv_syncwarp_shared_exchange',
    covers: ['cuda.syncwarp(mask) in a thread-dependent if, ordering shared-memory stores the half warp then reads'],
    kernel: function syncwarp_half(a: Int32Array, out: Int32Array) {
      const s = cuda.shared.array(64, i32);
      const t = cuda.threadIdx.x;
      if (cuda.laneid < 16) {
        s[t] = a[t] * 2;
        cuda.syncwarp(0x0000ffff);
        out[t] = s[t ^ 5];
      } else out[t] = a[t];
    },
    grid: 1, block: 64,
    args: () => [lanes(64, (i) => i * i), new Int32Array(64)],
    reference: ([a, out]: any) => { for (let t = 0; t < 64; t++) out[t] = t % 32 < 16 ? a[t ^ 5] * 2 : a[t]; },
    outputs: [1],
  },
  {
    name: 'warpdiv_while_any_sync',
    covers: ['a loop whose condition is a vote (any_sync over activemask()) and whose body shuffles: every lane leaves together when none votes'],
    kernel: function while_vote(a: Int32Array, out: Int32Array, rounds: Int32Array) {
      const i = cuda.grid(1);
      let v = a[i];
      let r = 0;
      if (v > 0) {
        while (cuda.any_sync(cuda.activemask(), v > 1)) {
          v = v > 1 ? (v & 1 ? 3 * v + 1 : v >> 1) : 1;
          r += 1;
        }
      }
      out[i] = v;
      rounds[i] = r;
    },
    grid: 1, block: 64,
    args: () => [lanes(64, (i) => (i % 5 === 0 ? 0 : (i * 3) % 19)), new Int32Array(64), new Int32Array(64)],
    reference: ([a, out, rounds]: any) => {
      for (let base = 0; base < 64; base += 32) {
        const on = Array.from({ length: 32 }, (_, l) => a[base + l] > 0);
        const v = Array.from({ length: 32 }, (_, l) => a[base + l]);
        let r = 0;
        while (v.some((x, l) => on[l] && x > 1)) {
          for (let l = 0; l < 32; l++) if (on[l]) v[l] = v[l] > 1 ? (v[l] & 1 ? 3 * v[l] + 1 : v[l] >> 1) : 1;
          r++;
        }
        for (let l = 0; l < 32; l++) { out[base + l] = v[l]; rounds[base + l] = on[l] ? r : 0; }
      }
    },
    outputs: [1, 2],
  },
  {
    name: 'warpdiv_device_function_early_return',
    covers: ['a device function with an early return before a shuffle over activemask(), called in `if (laneid < 16)`: lanes that returned are absent from the shuffle'],
    kernel: function device_early(a: Int32Array, out: Int32Array) {
      const i = cuda.grid(1);
      if (cuda.laneid < 16) {
        const b = cuda.ballot_sync(0x0000ffff, a[i] > 2);
        out[i] = xorPartner(a[i]) + b;
      } else out[i] = 7;
    },
    options: { globals: { xorPartner } },
    grid: 1, block: 64,
    args: () => [lanes(64, (i) => (i % 5) + (i % 9 === 7 ? -9 : 0)), new Int32Array(64)],
    reference: ([a, out]: any) => {
      for (let i = 0; i < 64; i++) {
        const l = i % 32, base = i - l;
        if (l >= 16) { out[i] = 7; continue; }
        const b = maskOf((k) => k < 16 && a[base + k] > 2);
        const x = a[i], p = a[base + (l ^ 1)];
        out[i] = (x < 0 ? -1 : p >= 0 ? p : x) + (b | 0);
      }
    },
    outputs: [1],
  },
];
