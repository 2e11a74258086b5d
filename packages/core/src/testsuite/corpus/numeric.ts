// @ts-nocheck: cases are data for the frontend and probe JavaScript semantics TypeScript's checker refuses.
import { cuda, f32, f64, i32, u32 } from '@numbat/core';
import { ramp, type CorpusCase } from './types.js';

const INTS = [0, 1, -1, 7, -7, 13, -13, 2147483647, -2147483648, 65536, -65537, 3, 100000, -5];

// JavaScript's numeric meaning: wrapping, integer division, shifts, conversions.
export const numeric: CorpusCase[] = [
  {
    name: 'int_division_and_remainder',
    covers: ['(a / b) | 0', 'Math.floor(a / b)', 'Math.trunc(a / b)', '%', 'division by zero gives 0', 'int/int gives a float'],
    kernel: function idiv(a: Int32Array, b: Int32Array, out: Int32Array, outf: Float32Array) {
      const i = cuda.grid(1);
      if (i >= a.length) return;
      out[i * 4] = (a[i] / b[i]) | 0;
      out[i * 4 + 1] = Math.floor(a[i] / b[i]);
      out[i * 4 + 2] = Math.trunc(a[i] / b[i]);
      out[i * 4 + 3] = a[i] % b[i];
      outf[i] = Math.fround(a[i] / 7);
    },
    grid: 2, block: 64,
    args: () => {
      const a: number[] = [], b: number[] = [];
      for (const x of INTS) for (const y of [3, -3, 0, 1, -1, 7]) { a.push(x); b.push(y); }
      return [Int32Array.from(a), Int32Array.from(b), new Int32Array(a.length * 4), new Float32Array(a.length)];
    },
    reference: ([a, b, out, outf]: any) => {
      for (let i = 0; i < a.length; i++) {
        const x = a[i], y = b[i];
        out[i * 4] = y === 0 ? 0 : (x / y) | 0;
        out[i * 4 + 1] = y === 0 ? 0 : Math.floor(x / y) | 0;
        out[i * 4 + 2] = y === 0 ? 0 : Math.trunc(x / y) | 0;
        out[i * 4 + 3] = y === 0 ? 0 : (x % y) | 0;
        outf[i] = x / 7;
      }
    },
    outputs: [2, 3],
  } as CorpusCase,
  {
    name: 'wrapping_and_bits',
    covers: ['i32 wraps', 'u32 wraps', 'Math.imul', '>>> 0', 'shift counts masked by 31', '~', '^', 'Math.clz32', 'u32 LCG'],
    kernel: function bits(a: Int32Array, u: Uint32Array, out: Int32Array, outu: Uint32Array) {
      const i = cuda.grid(1);
      if (i >= a.length) return;
      const x = a[i];
      const y = u[i];
      out[i * 6] = x + 2147483647;
      out[i * 6 + 1] = Math.imul(x, 1103515245);
      out[i * 6 + 2] = x << (i + 30);
      out[i * 6 + 3] = x >> (i % 40);
      out[i * 6 + 4] = ~x ^ (x >>> 3);
      out[i * 6 + 5] = Math.clz32(x);
      let s = y;
      for (let k = 0; k < 5; k++) s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
      outu[i * 3] = s;
      outu[i * 3 + 1] = y * 3 + 4000000000;
      outu[i * 3 + 2] = (y >>> (i % 33)) + (y - 5);
    },
    grid: 1, block: 32,
    args: () => [Int32Array.from(INTS), Uint32Array.from(INTS.map((v) => v >>> 0)), new Int32Array(INTS.length * 6), new Uint32Array(INTS.length * 3)],
    reference: ([a, u, out, outu]: any) => {
      for (let i = 0; i < a.length; i++) {
        const x = a[i], y = u[i];
        out[i * 6] = (x + 2147483647) | 0; out[i * 6 + 1] = Math.imul(x, 1103515245); out[i * 6 + 2] = x << (i + 30);
        out[i * 6 + 3] = x >> (i % 40); out[i * 6 + 4] = ~x ^ (x >>> 3); out[i * 6 + 5] = Math.clz32(x);
        let s = y; for (let k = 0; k < 5; k++) s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
        outu[i * 3] = s; outu[i * 3 + 1] = (Math.imul(y, 3) + 4000000000) >>> 0; outu[i * 3 + 2] = ((y >>> (i % 33)) + ((y - 5) >>> 0)) >>> 0;
      }
    },
    outputs: [2, 3],
  },
  {
    name: 'umulhi',
    covers: ['cuda.umulhi (high word of the 64-bit u32 product)', 'i32 arguments taken as ToUint32', 'literal arguments'],
    kernel: function mulhi(u: Uint32Array, v: Uint32Array, a: Int32Array, out: Uint32Array) {
      const i = cuda.grid(1);
      if (i >= u.length) return;
      out[i * 3] = cuda.umulhi(u[i], v[i]);
      out[i * 3 + 1] = cuda.umulhi(u[i], 0xd2511f53);
      out[i * 3 + 2] = cuda.umulhi(a[i], a[i] - 1);
    },
    grid: 3, block: 64,
    args: () => {
      const special = [0, 1, 2, 0xffff, 0x10000, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff, 0xd2511f53, 0xcd9e8d57, 0x9e3779b9];
      const u: number[] = [], v: number[] = [];
      for (const x of special) for (const y of special) { u.push(x); v.push(y); }
      let s = 12345;
      while (u.length < 192) { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; u.push(s); s = (Math.imul(s, 1664525) + 1013904223) >>> 0; v.push(s); }
      return [Uint32Array.from(u), Uint32Array.from(v), Int32Array.from(u.map((x) => x | 0)), new Uint32Array(u.length * 3)];
    },
    reference: ([u, v, a, out]: any) => {
      const hi = (x: number, y: number) => Number((BigInt(x >>> 0) * BigInt(y >>> 0)) >> 32n);
      for (let i = 0; i < u.length; i++) {
        out[i * 3] = hi(u[i], v[i]); out[i * 3 + 1] = hi(u[i], 0xd2511f53); out[i * 3 + 2] = hi(a[i], (a[i] - 1) | 0);
      }
    },
    outputs: [3],
  },
  {
    name: 'dtype_conversions',
    covers: ['f32(x) = Math.fround', 'i32(x) = x | 0', 'u32(x) = x >>> 0', 'u32 → f32 exact below 2^24'],
    kernel: function dconv(f: Float32Array, u: Uint32Array, out: Float32Array, outi: Int32Array, outu: Uint32Array) {
      const i = cuda.grid(1);
      if (i >= f.length) return;
      out[i * 2] = f32(u[i] >>> 8) * 5.9604644775390625e-8;
      out[i * 2 + 1] = f32(f[i] / 3);
      outi[i] = i32(f[i] * 1000);
      outu[i] = u32(f[i] * -1000) + u32(u[i]);
    },
    grid: 1, block: 32,
    args: () => [Float32Array.from([0, 1.5, -2.25, 1e9, -1e9, 3.3, NaN, Infinity]), Uint32Array.from([0, 1, 255, 256, 0xffffffff, 0x80000000, 12345678, 0xdeadbeef]),
      new Float32Array(16), new Int32Array(8), new Uint32Array(8)],
    reference: ([f, u, out, outi, outu]: any) => {
      for (let i = 0; i < f.length; i++) {
        out[i * 2] = Math.fround(u[i] >>> 8) * 5.9604644775390625e-8; out[i * 2 + 1] = Math.fround(f[i] / 3);
        outi[i] = Math.fround(f[i] * 1000) | 0; outu[i] = ((Math.fround(f[i] * -1000) >>> 0) + u[i]) >>> 0;
      }
    },
    outputs: [2, 3, 4],
  },
  {
    name: 'dtype_conversion_f64',
    covers: ['f64(x) widens before arithmetic (53-bit uniform from two words)'],
    kernel: function dconv64(u: Uint32Array, out: Float64Array) {
      const i = cuda.grid(1);
      if (i + 1 >= u.length) return;
      out[i] = (f64(u[i] >>> 5) * 67108864 + f64(u[i + 1] >>> 6)) * 1.1102230246251565e-16;
    },
    needsF64: true,
    grid: 1, block: 32,
    args: () => [Uint32Array.from([0, 1, 0xffffffff, 0xffffffff, 0x80000000, 12345678, 0xdeadbeef, 7]), new Float64Array(7)],
    reference: ([u, out]: any) => {
      for (let i = 0; i + 1 < u.length; i++) out[i] = ((u[i] >>> 5) * 67108864 + (u[i + 1] >>> 6)) * 2 ** -53;
    },
    outputs: [1],
  },
  {
    name: 'float_to_int_conversions',
    covers: ['x | 0 on floats (ToInt32)', 'x >>> 0 on floats (ToUint32)', 'NaN and Infinity to int', 'stores into int arrays convert', 'f32 store rounds'],
    kernel: function conv(f: Float32Array, out: Int32Array, outu: Uint32Array, back: Float32Array) {
      const i = cuda.grid(1);
      if (i >= f.length) return;
      out[i * 2] = f[i] | 0;
      out[i * 2 + 1] = f[i] * 3;
      outu[i] = f[i] >>> 0;
      back[i] = (f[i] | 0) + 0.5;
    },
    grid: 1, block: 32,
    args: () => [Float32Array.from([0, -0.5, 1.9, -1.9, 2147483648, -2147483904, 4294967296 * 2 + 5 * 256, 1e10, -1e10, NaN, Infinity, -Infinity, 3e9, 123456.7]), new Int32Array(28), new Uint32Array(14), new Float32Array(14)],
    reference: ([f, out, outu, back]: any) => {
      for (let i = 0; i < f.length; i++) { out[i * 2] = f[i] | 0; out[i * 2 + 1] = Math.fround(f[i] * 3) | 0; outu[i] = f[i] >>> 0; back[i] = (f[i] | 0) + 0.5; }
    },
    outputs: [1, 2, 3],
  },
  {
    name: 'narrow_int_arrays',
    covers: ['Int8Array/Uint8Array/Int16Array/Uint16Array load as i32', 'narrow stores wrap'],
    narrowInts: true,
    kernel: function narrow(a8: Int8Array, u8: Uint8Array, a16: Int16Array, u16: Uint16Array, out: Int32Array) {
      const i = cuda.grid(1);
      if (i >= out.length) return;
      out[i] = a8[i] + u8[i] * 1000 + a16[i] + u16[i];
      a8[i] = a8[i] * 3;
      u8[i] = u8[i] + 200;
      a16[i] = a16[i] * 300;
      u16[i] = u16[i] - 40000;
    },
    grid: 1, block: 16,
    args: () => [Int8Array.from([1, -2, 100, -128, 127, 0, 55, -90]), Uint8Array.from([0, 1, 255, 128, 7, 56, 200, 99]), Int16Array.from([1, -300, 32767, -32768, 1000, 7, -7, 12345]), Uint16Array.from([0, 65535, 1, 40000, 9, 30000, 2, 3]), new Int32Array(8)],
    reference: ([a8, u8, a16, u16, out]: any) => {
      for (let i = 0; i < 8; i++) { out[i] = a8[i] + u8[i] * 1000 + a16[i] + u16[i]; a8[i] = a8[i] * 3; u8[i] = u8[i] + 200; a16[i] = a16[i] * 300; u16[i] = u16[i] - 40000; }
    },
    outputs: [0, 1, 2, 3, 4],
  },
  {
    name: 'monte_carlo_pi_lcg',
    covers: ['seed Monte Carlo kernel', 'u32 state arrays', 'int/int true division', 'early return guard', 'count++'],
    kernel: function monte_carlo_pi(states: Uint32Array, counts: Uint32Array, nSamples: number) {
      const i = cuda.grid(1);
      if (i >= counts.length) return;
      let count = 0;
      let state = states[i];
      for (let k = 0; k < nSamples; k++) {
        state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
        const x = (state & 0xffff) / 65535;
        state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
        const y = (state & 0xffff) / 65535;
        if (x * x + y * y <= 1.0) count++;
      }
      counts[i] = count;
      states[i] = state;
    },
    grid: 8, block: 128,
    args: () => [ramp(1000, (i) => (Math.imul(i, -1640531535) + 1) >>> 0, Uint32Array), new Uint32Array(1000), 200],
    reference: ([states, counts, n]: any) => {
      for (let i = 0; i < counts.length; i++) {
        let s = states[i], c = 0;
        for (let k = 0; k < n; k++) {
          s = (Math.imul(s, 1664525) + 1013904223) >>> 0; const x = (s & 0xffff) / 65535;
          s = (Math.imul(s, 1664525) + 1013904223) >>> 0; const y = (s & 0xffff) / 65535;
          if (x * x + y * y <= 1) c++;
        }
        counts[i] = c; states[i] = s;
      }
    },
    outputs: [0, 1],
    // With f32 as the default float (webgpu), x*x + y*y rounds differently near the circle.
    intAtol: 3,
  },
  {
    name: 'local_type_join',
    covers: ['a local holding i32 and f32 values becomes f32', 'abstract literals take the other operand type', 'unary minus', 'bool arithmetic'],
    kernel: function join(x: Float32Array, out: Float32Array) {
      const i = cuda.grid(1);
      if (i >= out.length) return;
      let acc = 0;
      acc += x[i];
      acc = acc * 2;
      const b = x[i] > 0;
      out[i] = acc + -x[i] + (+b) * 100;
    },
    grid: 1, block: 32,
    args: () => [ramp(32, (i) => (i - 10) * 0.3), new Float32Array(32)],
    reference: ([x, out]: any) => { for (let i = 0; i < 32; i++) out[i] = Math.fround(Math.fround(x[i] * 2) - x[i] + (x[i] > 0 ? 100 : 0)); },
    outputs: [1],
  },
];
