// @ts-nocheck: cases are data for the frontend and probe JavaScript semantics TypeScript's checker refuses.
import { cuda } from '@numbat/core';
import { ramp, type CorpusCase } from './types.js';

const clampDev = cuda.jit(function clamp01(v: number) {
  if (v < 0) return 0;
  if (v > 1) return 1;
  return v;
}, { device: true });

const firstDivisor = cuda.jit(function firstDivisor(n: number) {
  for (let d = 2; d * d <= n; d++) {
    if (n % d === 0) return d;
  }
  return n;
}, { device: true });

const sumTo = cuda.jit(function sumTo(a: Float32Array, i: number) {
  let s = 0;
  for (let k = 0; k <= i; k++) s += a[k];
  return s;
}, { device: true, globals: {} });

const twice = cuda.jit((x: number) => clampDev(x) * 2, { device: true, globals: { clampDev } });

export const control: CorpusCase[] = [
  {
    name: 'loops_break_continue',
    covers: ['while', 'do-while', 'break', 'continue', 'nested loops', 'i++ / --'],
    kernel: function loops(out: Int32Array) {
      const i = cuda.grid(1);
      if (i >= out.length) return;
      let acc = 0;
      for (let j = 0; j < 20; j++) {
        if (j % 2 === 1) continue;
        if (j > i) break;
        acc += j;
      }
      let k = i;
      while (true) { k--; if (k < i - 3) break; }
      let m = 0;
      do { m++; } while (m < i % 4);
      let nested = 0;
      for (let a = 0; a < 4; a++) for (let b = 0; b < 4; b++) { if (b === a) continue; nested++; }
      out[i] = acc * 1000 + (i - k) * 100 + m * 10 + nested;
    },
    grid: 1, block: 32,
    args: () => [new Int32Array(32)],
    reference: ([out]: any) => {
      for (let i = 0; i < 32; i++) {
        let acc = 0; for (let j = 0; j < 20; j++) { if (j % 2 === 1) continue; if (j > i) break; acc += j; }
        out[i] = acc * 1000 + 4 * 100 + Math.max(1, i % 4) * 10 + 12;
      }
    },
    outputs: [0],
  },
  {
    // every backend but the simulator flattens these into one loop (core's flattenRetryLoops): the same steps per thread
    name: 'loops_retry_until_done',
    covers: ['for (;;) retry loop inside a counted loop', 'break/continue of the inner loop', 'statements before and after the retry loop', 'a loop with its own break inside it'],
    kernel: function retries(out: Int32Array, n: number) {
      const i = cuda.grid(1);
      if (i >= out.length) return;
      let total = 0, trips = 0;
      for (let k = 0; k < n; k += 1) {
        let x = ((i * 37 + k * 11) % 101) + 1;
        let steps = 0;
        for (;;) {
          trips++;
          if (x === 1) break;
          steps++;
          if (x % 2 === 0) { x = x >> 1; continue; }
          x = 3 * x + 1;
          let inner = 0;
          for (let b = 0; b < 3; b++) { if (b === (x & 3)) break; inner++; }
          steps += inner;
        }
        total += steps * (k + 1);
      }
      out[i] = total * 1000 + (trips % 1000);
    },
    grid: 3, block: 48,
    args: () => [new Int32Array(131), 5],
    reference: ([out, n]: any) => {
      for (let i = 0; i < out.length; i++) {
        let total = 0, trips = 0;
        for (let k = 0; k < n; k += 1) {
          let x = ((i * 37 + k * 11) % 101) + 1, steps = 0;
          for (;;) {
            trips++;
            if (x === 1) break;
            steps++;
            if (x % 2 === 0) { x = x >> 1; continue; }
            x = 3 * x + 1;
            let inner = 0;
            for (let b = 0; b < 3; b++) { if (b === (x & 3)) break; inner++; }
            steps += inner;
          }
          total += steps * (k + 1);
        }
        out[i] = total * 1000 + (trips % 1000);
      }
    },
    outputs: [0],
  },
  {
    name: 'short_circuit_guard',
    covers: ['&& short-circuit guards a load', 'insertion sort per thread', 'local array'],
    kernel: function isort(v: Float32Array, out: Float32Array, n: number) {
      const t = cuda.grid(1);
      if (t >= out.length / 8) return;
      const buf = cuda.local.array(8, f32);
      for (let i = 0; i < 8; i++) buf[i] = v[t * 8 + i];
      for (let j = 1; j < 8; j++) {
        const k = buf[j];
        let m = j - 1;
        while (m >= 0 && buf[m] > k) { buf[m + 1] = buf[m]; m--; }
        buf[m + 1] = k;
      }
      for (let i = 0; i < 8; i++) out[t * 8 + i] = buf[i];
    },
    grid: 2, block: 32,
    args: () => [ramp(64 * 8, (i) => ((i * 7919) % 101) - 50), new Float32Array(64 * 8), 0],
    reference: ([v, out]: any) => {
      for (let t = 0; t < 64; t++) { const s = Array.from(v.slice(t * 8, t * 8 + 8) as Float32Array).sort((a, b) => a - b); s.forEach((x, i) => (out[t * 8 + i] = x)); }
    },
    outputs: [1],
  },
  {
    name: 'device_functions',
    covers: ['device function', 'early returns in device functions', 'return inside loop', 'nested device calls', 'array argument to device function', 'arrow function device'],
    kernel: function dev(x: Float32Array, ints: Int32Array, out: Float32Array, outi: Int32Array) {
      const i = cuda.grid(1);
      if (i >= out.length) return;
      out[i] = clampDev(x[i]) + twice(x[i]) * 10 + sumTo(x, i % 4) * 100;
      outi[i] = firstDivisor(ints[i]);
    },
    options: { globals: { clampDev, twice, sumTo, firstDivisor } },
    grid: 1, block: 64,
    args: () => [ramp(64, (i) => (i - 20) / 25), ramp(64, (i) => i * 3 + 2, Int32Array), new Float32Array(64), new Int32Array(64)],
    reference: ([x, ints, out, outi]: any) => {
      const c = (v: number) => (v < 0 ? 0 : v > 1 ? 1 : v);
      for (let i = 0; i < 64; i++) {
        let s = 0; for (let k = 0; k <= i % 4; k++) s = Math.fround(s + x[k]);
        out[i] = Math.fround(c(x[i]) + c(x[i]) * 2 * 10 + s * 100);
        const n = ints[i]; let d = 2; for (; d * d <= n; d++) if (n % d === 0) break;
        outi[i] = d * d <= n ? d : n;
      }
    },
    outputs: [2, 3],
  },
  {
    name: 'globals_constants',
    covers: ['numbers from globals', 'constant arrays from globals', 'Math constants'],
    kernel: function consts(out: Float64Array) {
      const i = cuda.grid(1);
      if (i < out.length) out[i] = SCALE * TABLE[i % TABLE.length] + Math.PI;
    },
    options: { globals: { SCALE: 3, TABLE: [1, 2, 4, 8, 16] } },
    needsF64: true,
    grid: 1, block: 32,
    args: () => [new Float64Array(20)],
    reference: ([out]: any) => { for (let i = 0; i < 20; i++) out[i] = 3 * [1, 2, 4, 8, 16][i % 5] + Math.PI; },
    outputs: [0],
  },
  {
    name: 'globals_constants_f32',
    covers: ['constant arrays from globals (Float32Array)', 'float: f32 option'],
    kernel: function consts32(out: Float32Array) {
      const i = cuda.grid(1);
      if (i < out.length) out[i] = SCALE * TABLE[i % 3] + 0.5;
    },
    options: { globals: { SCALE: 3, TABLE: new Float32Array([0.25, 0.5, 0.75]) }, float: 'f32' },
    grid: 1, block: 32,
    args: () => [new Float32Array(20)],
    reference: ([out]: any) => { for (let i = 0; i < 20; i++) out[i] = Math.fround(3 * [0.25, 0.5, 0.75][i % 3] + 0.5); },
    outputs: [0],
  },
];

// `f32` and the globals are free names resolved by the compiler.
import { f32 } from '@numbat/core';
declare const SCALE: number;
declare const TABLE: number[];
