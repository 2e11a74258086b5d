// @ts-nocheck: cases are data for the frontend and probe JavaScript semantics TypeScript's checker refuses.
import { cuda, u32 } from '@numbat/core';
import { ramp, type CorpusCase } from './types.js';

// Regressions found by the kernel fuzzer (test/fuzz, issue 11) in the frontend and
// the simulator. The references run the kernels' JavaScript meaning.

const plusOne = cuda.jit(function plusOne(p: number) { return p + 1; }, { device: true });
const seven = cuda.jit(function seven(p: number) { if (p > 100) return (8 >>> 0); return (7 >>> 0); }, { device: true });

const TINY_X = [-2.5e-310, -5e-324, -1e-305, -7e-301, -2e-300, 2.5e-310, 1e-305, -1e-250];

export const regressFuzzCore: CorpusCase[] = [
  {
    name: 'fuzz_u32_constant_unsigned_shift',
    covers: ['a constant `n >>> 0` is a u32 (not an abstract literal, which alone is i32): next to u32 operands, in ?: arms, in a u32 local'],
    kernel: function u32Const(oU: Uint32Array, b: Int32Array) {
      const i = cuda.grid(1);
      if (i >= oU.length / 4) return;
      const v = 2 >>> 0;
      oU[i * 4] = oU[i * 4] + v;
      let w = u32(0);
      w = i > 3 ? (5 >>> 0) : (-1 >>> 0);
      oU[i * 4 + 1] = w;
      const q = ((2147483647 >>> 0) / (1000000 >>> 0)) >>> 0;
      oU[i * 4 + 2] = q % u32(7) + (w !== (0 >>> 0) ? u32(1) : u32(0));
      b[i] = ((true ? (0 >>> 0) : (31 >>> 0)) !== u32(1)) ? 1 : 0;
    },
    grid: 1, block: 8,
    args: () => [ramp(32, (i) => 4294967290 + i, Uint32Array), new Int32Array(8)],
    reference: ([oU, b]: any) => {
      for (let i = 0; i < 8; i++) {
        oU[i * 4] = oU[i * 4] + 2;
        oU[i * 4 + 1] = i > 3 ? 5 : -1 >>> 0;
        oU[i * 4 + 2] = (2147 % 7) + 1;
        b[i] = 1;
      }
    },
    outputs: [0, 1],
  },
  {
    name: 'fuzz_device_result_next_to_u32',
    covers: ['a device function result used bare next to a u32 operand: typed by its own call (f64 for a float argument, u32 for `n >>> 0` returns)'],
    kernel: function devResult(oU: Uint32Array, s: number) {
      const i = cuda.grid(1);
      if (i >= oU.length / 3) return;
      oU[i * 3] = oU[i * 3 + 1] + plusOne(s);
      oU[i * 3 + 1] = oU[i * 3 + 2] + seven(i);
      oU[i * 3 + 2] += seven(i * 40);
    },
    options: { globals: { plusOne, seven } },
    grid: 1, block: 8,
    args: () => [ramp(24, (i) => 4294967290 + i, Uint32Array), 0.5],
    reference: ([oU, s]: any) => {
      for (let i = 0; i < 8; i++) {
        oU[i * 3] = oU[i * 3 + 1] + s + 1;
        oU[i * 3 + 1] = oU[i * 3 + 2] + 7;
        oU[i * 3 + 2] += i * 40 > 100 ? 8 : 7;
      }
    },
    outputs: [0],
  },
  {
    // fuzz seed 17003103: the simulator's gamma split 1/x into halves for a
    // double-double step, which overflowed below |x| ~ 1e-300 (NaN, want -Infinity).
    name: 'fuzz_gamma_of_tiny_negative',
    covers: ['cuda.gamma and cuda.lgamma of tiny and subnormal arguments: Gamma(x) = 1/x there, overflowing to ±Infinity'],
    needsF64: true,
    kernel: function gammaTiny(x: Float64Array, out: Float64Array) {
      const i = cuda.grid(1);
      if (i >= x.length) return;
      out[i * 2] = cuda.gamma(x[i]);
      out[i * 2 + 1] = cuda.lgamma(x[i]);
    },
    options: { float: 'f64' },
    grid: 1, block: 16,
    args: () => [Float64Array.from(TINY_X), new Float64Array(TINY_X.length * 2)],
    // Independent of the library: Gamma(x) = 1/x - 0.5772... + O(x), the rest far below an ulp of 1/x.
    reference: ([x, out]: any) => {
      for (let i = 0; i < x.length; i++) { out[i * 2] = 1 / x[i]; out[i * 2 + 1] = -Math.log(Math.abs(x[i])); }
    },
    outputs: [1],
    rtol: 1e-14, atol: 0,
  },
];
