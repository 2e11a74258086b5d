// @ts-nocheck: cases are data for the frontend and probe JavaScript semantics TypeScript's checker refuses.
// Regressions from the differential fuzzer (issue 11) in the simulator and the
// cpu code generator, each a minimal kernel with a plain-JS reference.
import { cuda } from '@numbat/core';
import { ramp, type CorpusCase } from './types.js';

/** cuda.atomic.add as plain JS: returns the old value. */
const add = (a: Int32Array | Float32Array, i: number, v: number): number => { const o = a[i]; a[i] = o + v; return o; };

export const regressSimcpu: CorpusCase[] = [
  {
    name: 'effectful_operands_evaluated_once',
    covers: ['atomic inside float truthiness, integer %, (a / b) | 0, Math.trunc(a / b), Math.floor(a / b): each operand once, in order, also for a zero divisor'],
    kernel: function effectfulOnce(c: Int32Array, f: Float32Array, out: Int32Array) {
      const i = cuda.grid(1);
      if (i >= out.length / 5) return;
      const k = i * 8;
      out[i * 5] = cuda.atomic.add(f, i, 1.5) ? 1 : 2;
      out[i * 5 + 1] = cuda.atomic.add(c, k, 3) % cuda.atomic.add(c, k + 1, 1);
      out[i * 5 + 2] = (cuda.atomic.add(c, k + 2, 3) / cuda.atomic.add(c, k + 3, 1)) | 0;
      out[i * 5 + 3] = Math.trunc(cuda.atomic.add(c, k + 4, 3) / cuda.atomic.add(c, k + 5, 1));
      out[i * 5 + 4] = Math.floor(cuda.atomic.add(c, k + 6, 3) / cuda.atomic.add(c, k + 7, 1));
    },
    grid: 1, block: 16,
    // Even threads divide by zero; f[i] is 0, NaN or a number.
    args: () => [ramp(16 * 8, (j) => (j % 2 === 0 ? 17 - j : (j >> 3) % 2 === 0 ? 0 : (j >> 3) - 3), Int32Array), ramp(16, (i) => (i % 3 === 0 ? 0 : i % 3 === 1 ? NaN : i - 5)), new Int32Array(16 * 5)],
    reference: ([c, f, out]: any) => {
      for (let i = 0; i < 16; i++) {
        const k = i * 8;
        out[i * 5] = add(f, i, 1.5) ? 1 : 2;
        out[i * 5 + 1] = add(c, k, 3) % add(c, k + 1, 1) | 0;
        out[i * 5 + 2] = (add(c, k + 2, 3) / add(c, k + 3, 1)) | 0;
        out[i * 5 + 3] = Math.trunc(add(c, k + 4, 3) / add(c, k + 5, 1)) | 0;
        out[i * 5 + 4] = Math.floor(add(c, k + 6, 3) / add(c, k + 7, 1)) | 0;
      }
    },
    outputs: [0, 1, 2],
  },
  {
    name: 'scalar_args_take_the_parameter_type',
    covers: ['signature: f32 parameter rounds 0.001, i32/u32 parameters get ToInt32/ToUint32 of 3000000000, -1, 2.5'],
    options: { signature: ['f32', 'i32', 'u32', 'i32', 'i32[]', 'u32[]'] },
    kernel: function scalarArgs(x: number, y: number, z: number, w: number, o: Int32Array, u: Uint32Array) {
      if (cuda.grid(1) !== 0) return;
      o[0] = (x * Math.fround(1e12)) | 0;
      o[1] = y; o[2] = y >> 1;
      o[3] = w; o[4] = w * 3;
      u[0] = z; u[1] = z >>> 1;
    },
    grid: 1, block: 4,
    args: () => [0.001, 3000000000, -1, 2.5, new Int32Array(5), new Uint32Array(2)],
    reference: ([, , , , o, u]: any) => {
      const f = Math.fround, x = f(0.001), y = 3000000000 | 0, z = -1 >>> 0, w = 2.5 | 0;
      o[0] = f(x * f(1e12)) | 0;
      o[1] = y; o[2] = y >> 1;
      o[3] = w; o[4] = w * 3;
      u[0] = z; u[1] = z >>> 1;
    },
    outputs: [4, 5],
  },
  {
    name: 'math_argument_reading_an_array_named_b',
    covers: ['Math.pow / Math.atan2 on loads from arrays named a and b (snippet substitution)'],
    kernel: function mathNamedB(a: Float32Array, b: Float32Array, out: Float32Array) {
      const i = cuda.grid(1);
      if (i < out.length) out[i] = Math.pow(b[i], 2) + Math.atan2(b[i], a[i]);
    },
    grid: 1, block: 32,
    args: () => [ramp(32, (i) => i - 7), ramp(32, (i) => (i % 5) - 2), new Float32Array(32)],
    reference: ([a, b, out]: any) => {
      const f = Math.fround;
      for (let i = 0; i < 32; i++) out[i] = f(f(Math.pow(b[i], 2)) + f(Math.atan2(b[i], a[i])));
    },
    outputs: [2],
    rtol: 1e-6,
  },
  {
    name: 'linear_index_through_a_local_read_before_assigned',
    covers: ['cpu lanes: compound store at b = t + 1 where t is assigned cuda.grid(1) only later in the loop (t not lane-linear in the region)'],
    kernel: function linearLater(out: Int32Array) {
      const i = cuda.grid(1);
      let t;
      let b = i;
      for (let j = 0; j < 3; j++) {
        if (j > 0) { b = t + 1; out[b] += j; }
        t = i;
      }
      out[b + 64] = b;
    },
    grid: 2, block: 32,
    args: () => [new Int32Array(64 + 65)],
    reference: ([out]: any) => {
      for (let i = 0; i < 64; i++) { out[i + 1] += 3; out[i + 1 + 64] = i + 1; }
    },
    outputs: [0],
  },
  {
    name: 'varying_loop_local_from_a_non_linear_outer_local',
    covers: ['cpu lanes: in a thread-dependent loop, c = q + 1 with q a per-thread load assigned before the loop'],
    kernel: function nonLinearOuter(perm: Int32Array, out: Int32Array, n: number) {
      const i = cuda.grid(1);
      const q = perm[i] | 0;
      for (let k = i; k < n; k += 1) { const c = q + 1; out[c] += k; }
    },
    grid: 2, block: 32,
    args: () => [ramp(64, (i) => (i * 37) % 64, Int32Array), new Int32Array(65), 80],
    reference: ([perm, out]: any) => {
      for (let i = 0; i < 64; i++) for (let k = i; k < 80; k++) out[perm[i] + 1] += k;
    },
    outputs: [1],
  },
  {
    name: 'loop_bounded_by_an_element_after_a_varying_loop',
    covers: ['cpu lanes: a thread-dependent loop, then a loop bounded by a[3] (its bounds check after the per-thread finish of the first)'],
    kernel: function boundAfterVarying(a: Int32Array, out: Int32Array) {
      const i = cuda.grid(1);
      let s = 0;
      for (let k = i; k < 70; k += 8) s += a[k];
      for (let j = 0; j < a[3]; j++) s += j;
      out[i] = s;
    },
    grid: 2, block: 32,
    args: () => [ramp(70, (i) => (i % 4) + 1, Int32Array), new Int32Array(64)],
    reference: ([a, out]: any) => {
      for (let i = 0; i < 64; i++) {
        let s = 0;
        for (let k = i; k < 70; k += 8) s += a[k];
        for (let j = 0; j < a[3]; j++) s += j;
        out[i] = s;
      }
    },
    outputs: [1],
  },
  {
    name: 'folded_nan_is_an_ordinary_nan',
    covers: ['a NaN folded at compile time with a V8 payload (Math.pow(-2, -1.3)), then Math.pow(x, 0) = 1 and x !== x'],
    kernel: function foldedNaN(a: Float64Array, out: Float64Array) {
      if (cuda.grid(1) !== 0) return;
      let x = a[0];
      if (a[1] > 0) x = Math.pow(-2, -1.3);
      out[0] = Math.pow(x, 0);
      out[1] = Math.pow(x, a[2]);
      out[2] = x !== x ? 1 : 0;
      out[3] = x;
    },
    grid: 1, block: 4,
    args: () => [new Float64Array([5, 1, 0]), new Float64Array(4)],
    reference: ([a, out]: any) => {
      const x = a[1] > 0 ? Math.pow(-2, -1.3) : a[0];
      out[0] = Math.pow(x, 0); out[1] = Math.pow(x, a[2]); out[2] = x !== x ? 1 : 0; out[3] = x;
    },
    outputs: [1],
    needsF64: true,
  },
  {
    name: 'atomic_cas_operands_in_argument_order',
    covers: ['cuda.atomic.cas(a, i, expected, value) evaluates expected before value (both with side effects)'],
    kernel: function casOrder(a: Int32Array, c: Int32Array, old: Int32Array) {
      const i = cuda.grid(1);
      if (i >= old.length) return;
      old[i] = cuda.atomic.cas(a, i, cuda.atomic.add(c, i, 1), cuda.atomic.add(c, i, 1) + 10);
    },
    grid: 1, block: 32,
    args: () => [ramp(32, (i) => i % 3, Int32Array), ramp(32, (i) => i % 2, Int32Array), new Int32Array(32)],
    reference: ([a, c, old]: any) => {
      for (let i = 0; i < 32; i++) {
        const expected = add(c, i, 1), value = add(c, i, 1) + 10;
        old[i] = a[i];
        if (a[i] === expected) a[i] = value;
      }
    },
    outputs: [0, 1, 2],
  },
];
