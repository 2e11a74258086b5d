// @ts-nocheck: cases are data for the frontend and probe JavaScript semantics TypeScript's checker refuses.
// cuda.fma in f32 on every target (webgpu emulates it: exact product, sum
// rounded to odd), exact against the simulator: cancellation, ties a tiny c
// breaks, special values.
import { evalMath } from '../../ir/semantics.js';
import type { CorpusCase } from './types.js';

const A = [1.0000001, 1 + 2 ** -23 * 3, 0.1, -3.75, 1e30, 0, Infinity, NaN, 1 + 2 ** -12, 7.5, -1e-20, 2.5];
const B = [1.0000001, 1.5, 10, 1 + 2 ** -20, 1e10, 5, 0, 1, 1 - 2 ** -12, -2.2, 3e-20, 1e38];
const C = [-1.0000002, 2 ** -60, -1, 3.75, -1e40, -0, 1, 2, -1, 16.5, 0, -2.5e38];

const fmaF32: CorpusCase = {
  name: 'math_wgsl_fma_f32',
  covers: ['cuda.fma (one rounding) in f32, webgpu included'],
  kernel: function fmaF32(a: Float32Array, b: Float32Array, c: Float32Array, out: Float32Array) {
    const i = cuda.grid(1);
    if (i >= a.length) return;
    out[i * 2] = cuda.fma(a[i], b[i], c[i]);
    out[i * 2 + 1] = cuda.fma(a[i], b[(i + 1) % a.length], -c[i]);
  },
  options: { float: 'f32' },
  grid: 1, block: 32,
  args: () => [Float32Array.from(A), Float32Array.from(B), Float32Array.from(C), new Float32Array(A.length * 2)],
  reference: ([a, b, c, out]: any) => {
    for (let i = 0; i < a.length; i++) {
      out[i * 2] = evalMath('fma', 'f32', [a[i], b[i], c[i]]);
      out[i * 2 + 1] = evalMath('fma', 'f32', [a[i], b[(i + 1) % a.length], -c[i]]);
    }
  },
  outputs: [3],
  rtol: 0, atol: 0,
};

export const mathWgsl: CorpusCase[] = [fmaF32];
