// @ts-nocheck: cases are data for the frontend and probe JavaScript semantics TypeScript's checker refuses.
import { cuda } from '@numbat/core';
import { ramp, type CorpusCase } from './types.js';

// Thread indexing over 1-D, 2-D and 3-D grids.
export const basic: CorpusCase[] = [
  {
    name: 'saxpy',
    covers: ['cuda.grid(1)', 'x.length', 'scalar f32 param', 'guarded store'],
    kernel: function saxpy(a: number, x: Float32Array, y: Float32Array, out: Float32Array) {
      const i = cuda.grid(1);
      if (i < out.length) out[i] = a * x[i] + y[i];
    },
    grid: 4, block: 256,
    args: () => [2.5, ramp(1000, (i) => i * 0.5), ramp(1000, (i) => 1 - i), new Float32Array(1000)],
    reference: ([a, x, y, out]: any) => { for (let i = 0; i < out.length; i++) out[i] = Math.fround(a * x[i] + y[i]); },
    outputs: [3],
  },
  {
    name: 'vector_add_f64',
    covers: ['f64 arrays'],
    needsF64: true,
    kernel: function vadd(a: Float64Array, b: Float64Array, out: Float64Array) {
      const i = cuda.grid(1);
      if (i < out.length) out[i] = a[i] + b[i];
    },
    grid: 8, block: 128,
    args: () => [ramp(1000, (i) => Math.sin(i), Float64Array), ramp(1000, (i) => 1 / (i + 1), Float64Array), new Float64Array(1000)],
    reference: ([a, b, out]: any) => { for (let i = 0; i < out.length; i++) out[i] = a[i] + b[i]; },
    outputs: [2],
  },
  {
    name: 'matrix_add_2d',
    covers: ['cuda.grid(2)', 'destructuring', '2-D grid and block'],
    kernel: function madd(a: Float32Array, b: Float32Array, out: Float32Array, w: number, h: number) {
      const [x, y] = cuda.grid(2);
      if (x < w && y < h) out[y * w + x] = a[y * w + x] * 2 + b[y * w + x];
    },
    grid: [4, 3], block: [16, 8],
    args: () => [ramp(50 * 20, (i) => i % 17), ramp(50 * 20, (i) => i % 5), new Float32Array(50 * 20), 50, 20],
    reference: ([a, b, out]: any) => { for (let i = 0; i < out.length; i++) out[i] = a[i] * 2 + b[i]; },
    outputs: [2],
  },
  {
    name: 'grid_3d_ids',
    covers: ['cuda.grid(3)', 'threadIdx/blockIdx/blockDim/gridDim .x .y .z', 'cuda.gridsize(3)'],
    kernel: function ids(out: Int32Array) {
      const [x, y, z] = cuda.grid(3);
      const [sx, sy, sz] = cuda.gridsize(3);
      const flat = (z * sy + y) * sx + x;
      out[flat * 4] = cuda.threadIdx.x + 10 * cuda.threadIdx.y + 100 * cuda.threadIdx.z;
      out[flat * 4 + 1] = cuda.blockIdx.x + 10 * cuda.blockIdx.y + 100 * cuda.blockIdx.z;
      out[flat * 4 + 2] = cuda.blockDim.x + 10 * cuda.blockDim.y + 100 * cuda.blockDim.z;
      out[flat * 4 + 3] = cuda.gridDim.x + 10 * cuda.gridDim.y + 100 * cuda.gridDim.z + 1000 * sz;
    },
    grid: [2, 3, 2], block: [4, 2, 3],
    args: () => [new Int32Array(2 * 3 * 2 * 4 * 2 * 3 * 4)],
    reference: ([out]: any) => {
      const G = [2, 3, 2], B = [4, 2, 3], S = [8, 6, 6];
      for (let z = 0; z < S[2]; z++) for (let y = 0; y < S[1]; y++) for (let x = 0; x < S[0]; x++) {
        const f = ((z * S[1] + y) * S[0] + x) * 4;
        out[f] = (x % B[0]) + 10 * (y % B[1]) + 100 * (z % B[2]);
        out[f + 1] = Math.floor(x / B[0]) + 10 * Math.floor(y / B[1]) + 100 * Math.floor(z / B[2]);
        out[f + 2] = B[0] + 10 * B[1] + 100 * B[2];
        out[f + 3] = G[0] + 10 * G[1] + 100 * G[2] + 1000 * S[2];
      }
    },
    outputs: [0],
  },
  {
    name: 'grid_stride_loop',
    covers: ['cuda.gridsize(1)', 'for loop with param bound', 'compound assignment on array'],
    kernel: function scale(x: Float32Array, n: number) {
      const start = cuda.grid(1);
      const stride = cuda.gridsize(1);
      for (let i = start; i < n; i += stride) x[i] *= 3;
    },
    grid: 3, block: 64,
    args: () => [ramp(2000, (i) => i), 1999],
    reference: ([x]: any) => { for (let i = 0; i < 1999; i++) x[i] = x[i] * 3; },
    outputs: [0],
  },
  {
    name: 'early_return',
    covers: ['early return', 'bool param', 'ternary'],
    kernel: function early(out: Int32Array, flag: boolean) {
      const i = cuda.grid(1);
      if (i >= out.length) return;
      if (i % 3 === 0) return;
      out[i] = flag ? i * 2 : -i;
    },
    grid: 2, block: 64,
    args: () => [new Int32Array(100).fill(7), true],
    reference: ([out]: any) => { for (let i = 0; i < 100; i++) if (i % 3 !== 0) out[i] = i * 2; },
    outputs: [0],
  },
];
