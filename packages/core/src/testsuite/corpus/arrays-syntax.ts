// @ts-nocheck: cases are data for the frontend and probe JavaScript semantics TypeScript's checker refuses.
import { cuda, f32, i8, i16, u8, u16 } from '@numbat/core';
import { ramp, type CorpusCase } from './types.js';

// Arrays and syntax from numba kernels: narrow conversions, views (subarray),
// shaped (n-d) arguments, for...of, shared shapes from constants.
export const arraysSyntax: CorpusCase[] = [
  {
    name: 'narrow_conversions',
    covers: ['i8(x)', 'u8(x)', 'i16(x)', 'u16(x)', 'narrow conversion of a constant'],
    kernel: function narrow(x: Float64Array, o: Int32Array) {
      const i = cuda.grid(1);
      if (i >= x.length) return;
      o[i * 5] = i8(x[i]);
      o[i * 5 + 1] = u8(x[i]) + 1000;
      o[i * 5 + 2] = i16(x[i]);
      o[i * 5 + 3] = u16(x[i]) * 2;
      o[i * 5 + 4] = i8(200) + u16(-1) + i16(40000) + u8(257.9);
    },
    grid: 1, block: 32,
    args: () => [new Float64Array([0, -0, 1.5, -1.5, 127, 128, -129, 255, 256, 32767, 32768, -32769, 65535, 65536, 2 ** 31, -(2 ** 31) - 1, 2 ** 32 + 5, 1e20, NaN, Infinity, -Infinity, 200.7, -200.7]), new Int32Array(23 * 5)],
    reference: ([x, o]: any) => {
      for (let i = 0; i < x.length; i++) {
        o[i * 5] = new Int8Array([x[i]])[0];
        o[i * 5 + 1] = new Uint8Array([x[i]])[0] + 1000;
        o[i * 5 + 2] = new Int16Array([x[i]])[0];
        o[i * 5 + 3] = new Uint16Array([x[i]])[0] * 2;
        o[i * 5 + 4] = -56 + 65535 + -25536 + 1;
      }
    },
    outputs: [1],
    needsF64: true,
  },
  {
    name: 'narrow_conversions_f32',
    covers: ['i8(x) of f32 and i32 values'],
    kernel: function narrow32(x: Float32Array, n: Int32Array, o: Int32Array) {
      const i = cuda.grid(1);
      if (i >= x.length) return;
      o[i * 4] = i8(x[i]) + u8(n[i]);
      o[i * 4 + 1] = i16(n[i] + 0x7fff);
      o[i * 4 + 2] = u16(n[i] * 3);
      o[i * 4 + 3] = i8(n[i] >>> 0);
    },
    grid: 1, block: 64,
    args: () => [ramp(40, (i) => (i - 20) * 13.7), ramp(40, (i) => (i - 20) * 1234567, Int32Array), new Int32Array(160)],
    reference: ([x, n, o]: any) => {
      for (let i = 0; i < x.length; i++) {
        o[i * 4] = new Int8Array([x[i]])[0] + new Uint8Array([n[i]])[0];
        o[i * 4 + 1] = new Int16Array([n[i] + 0x7fff])[0];
        o[i * 4 + 2] = new Uint16Array([n[i] * 3])[0];
        o[i * 4 + 3] = new Int8Array([n[i] >>> 0])[0];
      }
    },
    outputs: [2],
  },
];
