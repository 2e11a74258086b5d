// @ts-nocheck: cases are data for the frontend and probe JavaScript semantics TypeScript's checker refuses.
import { cuda } from '@numbat/core';
import type { CorpusCase } from './types.js';

// Locals that every pass through their statement list sets before reading
// (an inlined function's parameter copies and results, loop counters, a
// `const` at the top of a loop body) under thread-dependent control: the cpu
// lane groups keep them uniform (one value for the group) and the loops they
// count plain loops, and evaluate cheap `?:` arms for every lane. These cases
// check the results stay each thread's own: calls in both arms of a varying
// `if`, a counted loop with a uniform break inside one, a body-scoped `const`
// skipped by lanes that `continue` first, a local set in one arm only.

function mixJs(a: number, k: number, rounds: number): number {
  let x = a >>> 0;
  for (let r = 0; r < rounds; r++) {
    if (r === 5) break;
    x = (Math.imul(x, 0x9e3779b1) ^ (x >>> 15) ^ k) >>> 0;
  }
  return x;
}

const mix = cuda.jit(mixJs, { device: true });

const put = cuda.jit(function put(out: Int32Array, i: number, n: number, v: number) {
  out[i] = v | 0;
  out[n + i] = (v ^ 1) | 0;
  return 0;
}, { device: true });

function tailJs(i: number, y: number, rounds: number): number {
  let s = 0;
  for (let j = 0; j < 6; j++) {
    if (((i + j) & 3) === 0) continue;
    const t = j * 3 + rounds;
    s += t + (y & 15);
  }
  let u = 0;
  if (i % 3 === 0) u = 10;
  const flag = i % 2 === 0 ? (i & 4) === 0 : i > 9;
  return s * 100 + u + (i % 2 === 0 ? 1 : 2) + (i > 5 ? i & 3 : 9) + (flag ? 1000 : 0);
}

export const laneScoped: CorpusCase[] = [
  {
    name: 'lane_scoped_locals_under_varying_control',
    covers: ['device functions called under a thread-dependent if', 'loop counter and parameter copies under varying control', 'cheap ?: arms'],
    kernel: function laneScoped(a: Uint32Array, out: Int32Array, rounds: number) {
      const i = cuda.grid(1);
      if (i >= a.length) return;
      const n = a.length;
      let y = 0;
      if ((a[i] & 1) === 1) {
        y = mix(a[i], i, rounds) | 0;
        put(out, i, n, y);
      } else {
        y = (mix(a[i] + 7, 3, rounds + 1) ^ 5) | 0;
        out[i] = y | 0;
        out[n + i] = 0;
      }
      let s = 0;
      for (let j = 0; j < 6; j++) {
        if (((i + j) & 3) === 0) continue;
        const t = j * 3 + rounds;
        s += t + (y & 15);
      }
      let u = 0;
      if (i % 3 === 0) u = 10;
      const flag = i % 2 === 0 ? (i & 4) === 0 : i > 9;
      out[2 * n + i] = s * 100 + u + (i % 2 === 0 ? 1 : 2) + (i > 5 ? i & 3 : 9) + (flag ? 1000 : 0);
    },
    options: { globals: { mix, put } },
    grid: 3, block: 32,
    args: () => [Uint32Array.from({ length: 83 }, (_, k) => (k * 2654435761 + 12345) >>> 0), new Int32Array(3 * 83), 4],
    reference: ([a, out, rounds]: any) => {
      const n = a.length;
      for (let i = 0; i < n; i++) {
        let y: number;
        if ((a[i] & 1) === 1) {
          y = mixJs(a[i], i, rounds);
          out[i] = y | 0;
          out[n + i] = (y ^ 1) | 0;
        } else {
          y = (mixJs(a[i] + 7, 3, rounds + 1) ^ 5) >>> 0;
          out[i] = y | 0;
          out[n + i] = 0;
        }
        out[2 * n + i] = tailJs(i, y, rounds);
      }
    },
    outputs: [1],
  },
  {
    name: 'lane_scoped_counted_loop_with_return',
    covers: ['counted loop inside a thread-dependent if, with a varying return and a uniform break inside'],
    kernel: function scopedReturn(out: Int32Array, limit: number) {
      const i = cuda.grid(1);
      if (i >= out.length) return;
      out[i] = -1;
      if (i % 4 !== 1) {
        let acc = i;
        for (let r = 0; r < limit; r++) {
          if (r === 7) break;
          if (acc > 40 + r) { out[i] = r * 1000 + acc; return; }
          acc += r + (i & 7);
        }
        out[i] = acc;
      }
    },
    grid: 2, block: 32,
    args: () => [new Int32Array(50), 9],
    reference: ([out, limit]: any) => {
      for (let i = 0; i < out.length; i++) {
        out[i] = -1;
        if (i % 4 === 1) continue;
        let acc = i, done = false;
        for (let r = 0; r < limit; r++) {
          if (r === 7) break;
          if (acc > 40 + r) { out[i] = r * 1000 + acc; done = true; break; }
          acc += r + (i & 7);
        }
        if (!done) out[i] = acc;
      }
    },
    outputs: [0],
  },
];
