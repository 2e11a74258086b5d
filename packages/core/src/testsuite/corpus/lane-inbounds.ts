// @ts-nocheck: cases are data for the frontend and probe JavaScript semantics TypeScript's checker refuses.
import { cuda, random } from '@numbat/core';
import type { CorpusCase } from './types.js';
import { ramp } from './types.js';

// Accesses the IR marks `inBounds` run without a bounds test: the grid-stride
// loops core's hoistBoundsChecks versions (webgpu, cuda: an unchecked copy
// when i < n <= length is proven for every trip, else the checked loop) and
// the random library's state words (one check per draw, random/thread-check.ts),
// which cpu lane groups also leave unchecked. Launches with fewer threads than
// elements (several trips), more threads than elements (threads that never
// enter the loop), block sizes that leave a tail of a lane group, a loop bound
// past the arrays' length (the checked copy, kept inside by a guard), and
// marked accesses under a lane mask.

const N = 301;

/** Philox4x32-10 (Random123), for the references of the draws. */
function philox(k0: number, k1: number, c: number[]): number[] {
  const mulhi = (a: number, b: number) => Number((BigInt(a) * BigInt(b)) >> 32n);
  let [x0, x1, x2, x3] = c;
  for (let r = 0; r < 10; r++) {
    const hi0 = mulhi(0xd2511f53, x0), lo0 = Math.imul(0xd2511f53, x0) >>> 0;
    const hi1 = mulhi(0xcd9e8d57, x2), lo1 = Math.imul(0xcd9e8d57, x2) >>> 0;
    [x0, x1, x2, x3] = [(hi1 ^ x1 ^ k0) >>> 0, lo1, (hi0 ^ x3 ^ k1) >>> 0, lo0];
    k0 = (k0 + 0x9e3779b9) >>> 0;
    k1 = (k1 + 0xbb67ae85) >>> 0;
  }
  return [x0, x1, x2, x3];
}
/** The first `count` words of stream `i` of random.createStates(n, seed) (seed < 2^32). */
function streamWords(seed: number, i: number, count: number): number[] {
  const out: number[] = [];
  for (let block = 0; out.length < count; block++) out.push(...philox(seed, 0, [block, 0, i, 0]));
  return out.slice(0, count);
}

/** out[i] = 2 a[i] + b[i] for i < n, by a grid-stride loop. */
function scaleStride(a, b, out, n) {
  for (let i = cuda.grid(1); i < n; i += cuda.gridsize(1)) out[i] = a[i] * 2 + b[i];
}
const scaleCase = (name: string, grid: number, block: number, n: number): CorpusCase => ({
  name,
  covers: ['grid-stride loop', 'bounds checks proven by the loop (hoisted)'],
  kernel: scaleStride,
  grid, block,
  args: () => [ramp(N, (i) => i * 0.5 - 40), ramp(N, (i) => (i % 7) - 3), new Float32Array(N), n],
  reference: (e) => { for (let i = 0; i < n; i++) e[2][i] = e[0][i] * 2 + e[1][i]; },
  outputs: [2],
});

export const laneInbounds: CorpusCase[] = [
  // 60 threads, 301 elements: five or six trips each; blocks of 20 leave a tail of 4 (lane groups of 8 or 16).
  scaleCase('lane_inbounds_grid_stride_several_trips', 3, 20, N),
  // 512 threads for 301 elements: most threads never enter the loop.
  scaleCase('lane_inbounds_grid_stride_more_threads_than_elements', 4, 128, N),
  // n below the length: the loop's bound, not the arrays', ends it.
  scaleCase('lane_inbounds_grid_stride_short_bound', 2, 24, 150),
  {
    // n past the arrays' length: not provably inside, so the checked loop runs; the guard keeps it inside.
    name: 'lane_inbounds_grid_stride_bound_past_length_guarded',
    covers: ['grid-stride loop', 'bounds not provable: checked copy'],
    kernel: function strideGuarded(a, out, n) {
      for (let i = cuda.grid(1); i < n; i += cuda.gridsize(1)) {
        if (i < a.length) out[i] = a[i] + 1;
      }
    },
    grid: 2, block: 36,
    args: () => [ramp(N, (i) => i * 3 - 100, Int32Array), new Int32Array(N), N + 37],
    reference: (e) => { for (let i = 0; i < N; i++) e[1][i] = e[0][i] + 1; },
    outputs: [1],
  },
  {
    // Marked accesses under a lane mask (a lane-varying if in the loop), and an unmarked one (a[i + 1]) beside them.
    name: 'lane_inbounds_grid_stride_masked',
    covers: ['grid-stride loop', 'lane-varying if', 'bounds checks proven by the loop (hoisted)'],
    kernel: function strideMasked(a, out, n) {
      for (let i = cuda.grid(1); i < n; i += cuda.gridsize(1)) {
        if (a[i] % 3 === 0) out[i] = a[i] * 10;
        else if (i + 1 < n) out[i] = a[i + 1] - a[i];
      }
    },
    grid: 3, block: 20,
    args: () => [ramp(N, (i) => (i * 7) % 11, Int32Array), new Int32Array(N).fill(-5), N],
    reference: (e) => {
      const [a, out] = e;
      for (let i = 0; i < N; i++) {
        if (a[i] % 3 === 0) out[i] = a[i] * 10;
        else if (i + 1 < N) out[i] = a[i + 1] - a[i];
      }
    },
    outputs: [1],
  },
  {
    // Random draws (their state words marked inBounds) in a grid-stride loop: one uniform and seven raw words of
    // stream i (a refill of the state's block between them), for i < n; 48 threads, 203 streams.
    name: 'lane_inbounds_grid_stride_random_draws',
    covers: ['grid-stride loop', 'random.uniformF32', 'random.uint32', 'bounds checks proven by the random library'],
    kernel: function strideDraws(states, u, x, n) {
      for (let i = cuda.grid(1); i < n; i += cuda.gridsize(1)) {
        u[i] = random.uniformF32(states, i);
        let h = 0;
        for (let k = 0; k < 7; k++) h = (h ^ random.uint32(states, i)) + k;
        x[i] = h;
      }
    },
    grid: 2, block: 24,
    args: () => [random.createStates(203, 12345), new Float32Array(203), new Uint32Array(203), 203],
    reference: (e) => {
      for (let i = 0; i < 203; i++) {
        const w = streamWords(12345, i, 8);
        e[1][i] = (w[0] >>> 8) * 2 ** -24;
        let h = 0;
        for (let k = 0; k < 7; k++) h = ((h ^ w[1 + k]) + k) >>> 0;
        e[2][i] = h;
      }
    },
    outputs: [1, 2],
  },
  {
    // The same draws with threads past the streams (grid 4 x 64 = 256 threads for 100 streams): they never draw.
    name: 'lane_inbounds_grid_stride_random_draws_idle_threads',
    covers: ['grid-stride loop', 'random.uniformF32', 'bounds checks proven by the random library'],
    kernel: function strideDrawsIdle(states, u, n) {
      for (let i = cuda.grid(1); i < n; i += cuda.gridsize(1)) {
        let s = random.uniformF32(states, i);
        for (let k = 0; k < 5; k++) s = Math.max(s, random.uniformF32(states, i));
        u[i] = s;
      }
    },
    grid: 4, block: 64,
    args: () => [random.createStates(100, 99), new Float32Array(100), 100],
    reference: (e) => {
      for (let i = 0; i < 100; i++) e[1][i] = Math.max(...streamWords(99, i, 6).map((w) => (w >>> 8) * 2 ** -24));
    },
    outputs: [1],
  },
];
