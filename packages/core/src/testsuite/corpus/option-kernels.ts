// @ts-nocheck: cases are data for the frontend and probe JavaScript semantics TypeScript's checker refuses.
import { cuda, random } from '@numbat/core';
import type { CorpusCase } from './types.js';
import { HostStream } from './random-loops.js';

// Monte Carlo payoff kernels (examples/option-pricing.mjs and variants): f64
// exp/log of random draws, Math.max/min with a constant operand, f64 sums. On
// the cpu such a region (f64 values, a loop of exp/log/sin/cos/sqrt/division)
// runs 32-lane groups where the host has AVX-512 (lane-width.ts), so the cases
// use blocks that are not a multiple of 32 (the rest runs in 8-lane groups, then
// thread by thread) and a guard that some lanes of a group fail (thread-by-thread
// fallback). States are compared
// word for word; f64 results from uniforms bit for bit (core's f64 library is
// V8's on every target).

const N = 340; // threads with a state; 3 blocks of 120 (3 groups of 32, then 3 of 8): the last 20 threads return first

function states(seed: number): Uint32Array {
  const s = random.createStates(N, seed);
  for (let i = 0; i < N; i++) {
    const h = new HostStream(s, i);
    for (let k = 0; k < i % 3; k++) h.uint32();
    if (i % 4 === 1) h.normalF32(); // half a pair pending: the loop starts with a sin output
  }
  return s;
}

/**
 * Values whose max/min with a zero constant tell ±0 and NaN apart. (Not Math.max(-0, v): LLVM 14's
 * InstCombine rewrites its `v < -0 ? -0 : v` as `v <= 0 ? -0 : v` when the kernel also compares v
 * with +0, which gives -0 for v = +0 on the cpu: a bug of its own, outside these kernels.)
 */
const EDGES = [0, -0, NaN, Infinity, -Infinity, 1.5, -1.5, 5e-324, -5e-324, 0.75, -3];

export const optionKernels: CorpusCase[] = [
  {
    name: 'option_kernels_european_call',
    covers: ['f64 Math.exp of an f32 normal draw in a loop', 'Math.max with a zero constant', 'final random states'],
    kernel: function europeanCall(states: Uint32Array, sums: Float32Array, sumSquares: Float32Array, paths: number, s0: number, strike: number, drift: number, vol: number) {
      const i = cuda.grid(1);
      if (i >= sums.length) return;
      let sum = 0;
      let sumSq = 0;
      for (let p = 0; p < paths; p++) {
        const z = random.normalF32(states, i);
        const payoff = Math.max(s0 * Math.exp(drift + vol * z) - strike, 0);
        sum += payoff;
        sumSq += payoff * payoff;
      }
      sums[i] = sum;
      sumSquares[i] = sumSq;
    },
    grid: 3, block: 120,
    args: () => [states(31), new Float32Array(N), new Float32Array(N), 37, 100, 105, 0.03, 0.2],
    reference: ([st, sums, sumSquares, paths, s0, strike, drift, vol]) => {
      for (let i = 0; i < N; i++) {
        const h = new HostStream(st, i);
        let sum = 0, sumSq = 0;
        for (let p = 0; p < paths; p++) {
          const payoff = Math.max(s0 * Math.exp(drift + vol * h.normalF32()) - strike, 0);
          sum += payoff;
          sumSq += payoff * payoff;
        }
        sums[i] = sum; sumSquares[i] = sumSq;
      }
    },
    randomStates: [0],
    outputs: [0, 1, 2],
    rtol: 1e-4, atol: 1e-3, // normals go through each target's log, sqrt, sin, cos; webgpu computes in f32
  },
  {
    name: 'option_kernels_f64_payoffs_exact',
    covers: ['f64 Math.exp of uniform draws and f64 division in a loop', 'Math.max/Math.min with constant operands', 'final random states'],
    kernel: function payoffs(states: Uint32Array, out: Float64Array, strike: number, a: number, b: number, trips: number) {
      const i = cuda.grid(1);
      if (i >= out.length >> 1) return;
      let call = 0;
      let capped = 0;
      for (let k = 0; k < trips; k++) {
        const s = 100 * Math.exp(a * random.uniformF32(states, i) - b); // f64: a and b are f64 parameters
        call += Math.max(s - strike, 0);
        capped += Math.min(b / random.uniformF32(states, i), 1.5) / (1 + k);
      }
      out[2 * i] = call;
      out[2 * i + 1] = capped;
    },
    grid: 3, block: 120,
    args: () => [states(32), new Float64Array(2 * N), 99.5, 0.4, 0.2, 23],
    reference: ([st, out, strike, a, b, trips]) => {
      for (let i = 0; i < N; i++) {
        const h = new HostStream(st, i);
        let call = 0, capped = 0;
        for (let k = 0; k < trips; k++) {
          const s = 100 * Math.exp(a * h.uniformF32() - b);
          call += Math.max(s - strike, 0);
          capped += Math.min(b / h.uniformF32(), 1.5) / (1 + k);
        }
        out[2 * i] = call; out[2 * i + 1] = capped;
      }
    },
    randomStates: [0],
    outputs: [0, 1],
    rtol: 0, atol: 0, // V8's exp (core's f64 library), summed in the same order: the same bits
    needsF64: true,
  },
  {
    name: 'option_kernels_max_min_zero_constant_signs',
    covers: ['Math.max/Math.min with ±0 constants: -0, NaN and infinities', 'f64 Math.exp in the same loop'],
    kernel: function zeroClamps(vals: Float64Array, out: Float64Array, trips: number) {
      const i = cuda.grid(1);
      if (i >= out.length / 6) return;
      let e = 0;
      for (let k = 0; k < trips; k++) {
        const v = vals[(i + 3 * k) % vals.length];
        e += Math.exp(Math.min(v, 2)) / (2 + k);
        if (k === trips - 1) {
          out[6 * i] = Math.max(v, 0);
          out[6 * i + 1] = Math.max(v, 0.5);
          out[6 * i + 2] = Math.min(v, 0);
          out[6 * i + 3] = Math.min(-0, v);
          out[6 * i + 4] = Math.max(v, -1.5);
        }
      }
      out[6 * i + 5] = e;
    },
    grid: 1, block: 90,
    args: () => [Float64Array.from(EDGES), new Float64Array(6 * 70), 4],
    reference: ([vals, out, trips]) => {
      for (let i = 0; i < 70; i++) {
        let e = 0;
        for (let k = 0; k < trips; k++) {
          const v = vals[(i + 3 * k) % vals.length];
          e += Math.exp(Math.min(v, 2)) / (2 + k);
          if (k === trips - 1) {
            out[6 * i] = Math.max(v, 0); out[6 * i + 1] = Math.max(v, 0.5);
            out[6 * i + 2] = Math.min(v, 0); out[6 * i + 3] = Math.min(-0, v);
            out[6 * i + 4] = Math.max(v, -1.5);
          }
        }
        out[6 * i + 5] = e;
      }
    },
    outputs: [1],
    rtol: 0, atol: 0, signedZero: true,
    needsF64: true,
  },
  {
    name: 'option_kernels_max_min_zero_constant_signs_f32',
    covers: ['Math.max/Math.min with ±0 constants on f32: -0, NaN and infinities'],
    kernel: function zeroClampsF32(vals: Float32Array, out: Float32Array) {
      const i = cuda.grid(1);
      if (i >= out.length / 4) return;
      const v = vals[i % vals.length] * Math.exp(vals[(i + 1) % vals.length] * 0); // exp(±0 or NaN)
      out[4 * i] = Math.max(v, 0);
      out[4 * i + 1] = Math.max(v, 0.5);
      out[4 * i + 2] = Math.min(v, 0);
      out[4 * i + 3] = Math.min(-0, v);
    },
    grid: 1, block: 45,
    args: () => [Float32Array.from(EDGES), new Float32Array(4 * 45)],
    reference: ([vals, out]) => {
      for (let i = 0; i < 45; i++) {
        const v = Math.fround(vals[i % vals.length] * Math.fround(Math.exp(Math.fround(vals[(i + 1) % vals.length] * 0))));
        out[4 * i] = Math.max(v, 0); out[4 * i + 1] = Math.max(v, 0.5);
        out[4 * i + 2] = Math.min(v, 0); out[4 * i + 3] = Math.min(-0, v);
      }
    },
    outputs: [1],
    rtol: 0, atol: 0, signedZero: true,
  },
];
