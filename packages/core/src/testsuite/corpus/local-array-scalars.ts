// @ts-nocheck: cases are data for the frontend and probe JavaScript semantics TypeScript's checker refuses.
import { cuda, random } from '@numbat/core';
import type { CorpusCase } from './types.js';
import { philoxJs } from './random-loops.js';

// Local arrays read and written only at constant indices, which the cpu turns into
// locals (core's scalarizeLocalArrays; its lane groups keep other local arrays in memory): the
// stateless Philox's output array in a loop, next to an array read at a
// thread-dependent index (kept as an array), a narrow (u8) array and one read
// before it is written (its zero).

const THREADS = 200; // 4 blocks of 64; the last 56 threads return first

export const localArrayScalars: CorpusCase[] = [
  {
    name: 'local_array_philox_words_in_a_loop',
    covers: ['random.philox into a cuda.local.array in a loop', 'local arrays at constant indices'],
    kernel: function philoxWords(keys: Uint32Array, words: Uint32Array, sums: Float32Array, blocks: number) {
      const i = cuda.grid(1);
      if (i >= sums.length) return;
      const w = cuda.local.array(4, 'u32');
      let x = 0;
      let s = 0;
      for (let b = 0; b < blocks; b++) {
        random.philox(keys[0], keys[1], b, 0, i, 0, w, 0);
        x = (x ^ w[0] ^ (w[3] >>> 1)) >>> 0;
        s += Math.fround(w[1] >>> 8) * 5.9604644775390625e-8 + Math.fround(w[2] >>> 8) * 5.9604644775390625e-8;
      }
      words[i] = x;
      sums[i] = s;
    },
    grid: 4, block: 64,
    args: () => [new Uint32Array([0x12345678, 0x9abcdef0]), new Uint32Array(THREADS), new Float32Array(THREADS), 9],
    reference: ([keys, words, sums, blocks]) => {
      for (let i = 0; i < THREADS; i++) {
        let x = 0, s = 0;
        for (let b = 0; b < blocks; b++) {
          const w = philoxJs(keys[0], keys[1], b, 0, i);
          x = (x ^ w[0] ^ (w[3] >>> 1)) >>> 0;
          s = Math.fround(s + Math.fround(Math.fround(w[1] >>> 8) * 5.9604644775390625e-8 + Math.fround(w[2] >>> 8) * 5.9604644775390625e-8));
        }
        words[i] = x; sums[i] = s;
      }
    },
    outputs: [1, 2],
  },
  {
    name: 'local_arrays_constant_and_varying_indices',
    covers: ['local arrays at constant indices next to one at a thread-dependent index', 'a u8 local array', 'a local array element read before it is written'],
    kernel: function localArraysMixed(a: Float32Array, out: Float32Array, bytes: Uint32Array) {
      const i = cuda.grid(1);
      if (i >= out.length) return;
      const acc = cuda.local.array(3, 'f32');
      const tab = cuda.local.array(4, 'f32');
      const small = cuda.local.array(2, 'u8');
      const first = acc[2]; // zero: a local array starts zeroed
      for (let k = 0; k < 4; k++) tab[k] = a[i] * (k + 1);
      for (let k = 0; k < 5; k++) {
        acc[0] += tab[(i + k) % 4];
        acc[1] = acc[1] * 0.5 + a[(i + k) % out.length];
      }
      small[0] = 250 + (i % 10); // wraps past 255
      small[1] = small[0] + 3;
      out[i] = acc[0] + acc[1] + first;
      bytes[i] = small[0] * 1000 + small[1];
    },
    grid: 4, block: 64,
    args: () => [Float32Array.from({ length: THREADS }, (_, k) => (k % 13) - 6.5), new Float32Array(THREADS), new Uint32Array(THREADS)],
    reference: ([a, out, bytes]) => {
      const f = Math.fround;
      for (let i = 0; i < THREADS; i++) {
        const tab = [1, 2, 3, 4].map((m) => f(a[i] * m));
        let a0 = 0, a1 = 0;
        for (let k = 0; k < 5; k++) { a0 = f(a0 + tab[(i + k) % 4]); a1 = f(f(a1 * 0.5) + a[(i + k) % THREADS]); }
        const s0 = (250 + (i % 10)) & 255, s1 = (s0 + 3) & 255;
        out[i] = f(f(a0 + a1) + 0);
        bytes[i] = s0 * 1000 + s1;
      }
    },
    outputs: [1, 2],
  },
];
