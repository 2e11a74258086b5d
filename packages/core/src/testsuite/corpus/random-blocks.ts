// @ts-nocheck: cases are data for the frontend and probe JavaScript semantics TypeScript's checker refuses.
import { cuda, random } from '@numbat/core';
import type { CorpusCase } from './types.js';
import { HostStream } from './random-loops.js';

// Loops that draw one value per trip, which the cpu runs in blocks of four trips
// where a lane group's threads all stand at a block boundary (core's
// blockDrawLoops; docs/random.md): lane groups whose threads start at the
// boundary (fresh states), groups whose threads start at different positions
// (draws ahead per thread, half a normal pair pending), trip counts that are
// not multiples of four or differ by lane group, `continue` and `break` after a
// draw, a do-while loop, a `return` inside the loop and a draw under a
// thread-dependent `if` before the loop. Each compares the
// results and the whole state array with the host model of the streams
// (random-loops.ts).

const THREADS = 200; // 4 blocks of 64: the last 56 threads have no state and return before drawing
const ALIGNED = 128; // threads 0..127 start at a block boundary, the rest do not
const LAUNCHED = 256; // cases without the guard: a state for every thread of the 4 blocks

/** Threads below ALIGNED fresh (at a block boundary), the others advanced by i % 5 words or half a normal pair. */
function mixedStates(seed: number, threads = THREADS): Uint32Array {
  const s = random.createStates(threads, seed);
  for (let i = ALIGNED; i < threads; i++) {
    const h = new HostStream(s, i);
    if (i % 6 === 1) h.normalF32();
    else for (let k = 0; k < i % 5; k++) h.uint32();
  }
  return s;
}

export const randomBlocks: CorpusCase[] = [
  {
    name: 'random_blocks_uniforms_continue',
    covers: ['a loop of one uniformF32 per trip in blocks of four trips, continue after the draw', 'final random states'],
    kernel: function uniformBlocksContinue(states: Uint32Array, sums: Float32Array, trips: number) {
      const i = cuda.grid(1);
      if (i >= sums.length) return;
      let s = 0;
      for (let k = 0; k < trips; k++) {
        const u = random.uniformF32(states, i);
        if (u < 0.25) continue;
        s += u;
      }
      sums[i] = s;
    },
    grid: 4, block: 64,
    args: () => [mixedStates(31), new Float32Array(THREADS), 27],
    reference: ([states, sums, trips]) => {
      for (let i = 0; i < THREADS; i++) {
        const h = new HostStream(states, i);
        let s = 0;
        for (let k = 0; k < trips; k++) {
          const u = h.uniformF32();
          if (u < 0.25) continue;
          s = Math.fround(s + u);
        }
        sums[i] = s;
      }
    },
    randomStates: [0],
    outputs: [0, 1],
  },
  {
    name: 'random_blocks_uniforms_break_trips_differ',
    covers: ['a loop of one uniformF32 per trip in blocks of four trips, break after the draw, trip counts that differ by lane group', 'final random states'],
    kernel: function uniformBlocksBreak(states: Uint32Array, sums: Float32Array, trips: number) {
      const i = cuda.grid(1);
      if (i >= sums.length) return;
      let s = 0;
      for (let k = 0; k < trips + ((i >> 4) % 3); k++) {
        s += random.uniformF32(states, i);
        if (s > 6 + (i % 3)) break;
      }
      sums[i] = s;
    },
    grid: 4, block: 64,
    args: () => [mixedStates(34), new Float32Array(THREADS), 17],
    reference: ([states, sums, trips]) => {
      for (let i = 0; i < THREADS; i++) {
        const h = new HostStream(states, i);
        let s = 0;
        for (let k = 0; k < trips + ((i >> 4) % 3); k++) {
          s = Math.fround(s + h.uniformF32());
          if (s > 6 + (i % 3)) break;
        }
        sums[i] = s;
      }
    },
    randomStates: [0],
    outputs: [0, 1],
  },
  {
    name: 'random_blocks_normals_odd_trips',
    covers: ['a loop of one normalF32 per trip in blocks of four trips, an odd trip count', 'final random states'],
    kernel: function normalBlocks(states: Uint32Array, sums: Float32Array, trips: number) {
      const i = cuda.grid(1);
      if (i >= sums.length) return;
      let s = 0;
      for (let k = 0; k < trips; k++) s += random.normalF32(states, i);
      sums[i] = s;
    },
    grid: 4, block: 64,
    args: () => [mixedStates(32), new Float32Array(THREADS), 13],
    reference: ([states, sums, trips]) => {
      for (let i = 0; i < THREADS; i++) {
        const h = new HostStream(states, i);
        let s = 0;
        for (let k = 0; k < trips; k++) s = Math.fround(s + h.normalF32());
        sums[i] = s;
      }
    },
    // each target's log, sqrt, sin and cos (docs/random.md: normals agree to the math library's accuracy)
    rtol: 1e-5, atol: 1e-5,
    randomStates: [0],
    outputs: [0, 1],
  },
  {
    name: 'random_blocks_uint32_do_while',
    covers: ['a do-while loop of one uint32 per trip in blocks of four trips', 'final random states'],
    kernel: function wordBlocksDoWhile(states: Uint32Array, words: Uint32Array, trips: number) {
      const i = cuda.grid(1);
      if (i >= words.length) return;
      let x = 0;
      let k = 0;
      do {
        x = (Math.imul(x, 31) + random.uint32(states, i)) >>> 0;
        k++;
      } while (k < trips);
      words[i] = x;
    },
    grid: 4, block: 64,
    args: () => [mixedStates(33), new Uint32Array(THREADS), 41],
    reference: ([states, words, trips]) => {
      for (let i = 0; i < THREADS; i++) {
        const h = new HostStream(states, i);
        let x = 0, k = 0;
        do {
          x = (Math.imul(x, 31) + h.uint32()) >>> 0;
          k++;
        } while (k < trips);
        words[i] = x;
      }
    },
    randomStates: [0],
    outputs: [0, 1],
  },
  {
    name: 'random_blocks_uint32_return',
    covers: ['a loop of one uint32 per trip in blocks of four trips, a return inside it', 'final random states'],
    kernel: function wordBlocksReturn(states: Uint32Array, words: Uint32Array, trips: number) {
      const i = cuda.grid(1);
      if (i >= words.length) return;
      let x = 0;
      for (let k = 0; k < trips; k++) {
        const w = random.uint32(states, i);
        if ((w & 63) === 7) return; // this thread's word stays unwritten; its state must still be saved
        x = (x ^ w) >>> 0;
      }
      words[i] = x;
    },
    grid: 4, block: 64,
    args: () => [mixedStates(35), new Uint32Array(THREADS).fill(5), 29],
    reference: ([states, words, trips]) => {
      for (let i = 0; i < THREADS; i++) {
        const h = new HostStream(states, i);
        let x = 0, returned = false;
        for (let k = 0; k < trips; k++) {
          const w = h.uint32();
          if ((w & 63) === 7) { returned = true; break; }
          x = (x ^ w) >>> 0;
        }
        if (!returned) words[i] = x;
      }
    },
    randomStates: [0],
    outputs: [0, 1],
  },
  {
    name: 'random_blocks_uniforms_between_a_pairs_normals',
    covers: ["a loop of uniformF32 in blocks between the two normals of a Box-Muller pair: the pair's partner survives the loop's refills", 'final random states'],
    kernel: function uniformsInsidePair(states: Uint32Array, sums: Float32Array, trips: number) {
      const i = cuda.grid(1);
      if (i >= sums.length) return;
      let s = random.normalF32(states, i);
      for (let k = 0; k < trips + (i % 3); k++) s += random.uniformF32(states, i);
      sums[i] = s + 8 * random.normalF32(states, i);
    },
    grid: 4, block: 64,
    args: () => [mixedStates(36), new Float32Array(THREADS), 11],
    reference: ([states, sums, trips]) => {
      for (let i = 0; i < THREADS; i++) {
        const h = new HostStream(states, i);
        let s = h.normalF32();
        for (let k = 0; k < trips + (i % 3); k++) s = Math.fround(s + h.uniformF32());
        sums[i] = Math.fround(s + Math.fround(8 * h.normalF32()));
      }
    },
    rtol: 1e-5, atol: 1e-5,
    randomStates: [0],
    outputs: [0, 1],
  },
  {
    name: 'random_loops_normal_and_uniform_per_trip',
    covers: ['a loop drawing a normalF32 and a uniformF32 per trip: one Philox block and one Box-Muller pair every two trips', 'final random states'],
    kernel: function normalUniformTrips(states: Uint32Array, sums: Float32Array, trips: number) {
      const i = cuda.grid(1);
      if (i >= sums.length) return;
      let s = 0;
      for (let k = 0; k < trips; k++) {
        const x = random.normalF32(states, i);
        if (random.uniformF32(states, i) < 0.5) s += x;
      }
      sums[i] = s;
    },
    grid: 4, block: 64,
    args: () => [mixedStates(37), new Float32Array(THREADS), 15],
    reference: ([states, sums, trips]) => {
      for (let i = 0; i < THREADS; i++) {
        const h = new HostStream(states, i);
        let s = 0;
        for (let k = 0; k < trips; k++) {
          const x = h.normalF32();
          if (h.uniformF32() < 0.5) s = Math.fround(s + x);
        }
        sums[i] = s;
      }
    },
    rtol: 1e-5, atol: 1e-5,
    randomStates: [0],
    outputs: [0, 1],
  },
{
    name: 'random_blocks_uniforms_after_a_conditional_draw',
    covers: ['a uint32 drawn under a thread-dependent `if` before a loop of uniformF32 in blocks, no guard: the lane groups run the draw masked, then the blocks', 'final random states'],
    kernel: function uniformsAfterConditionalDraw(states: Uint32Array, sums: Float32Array, trips: number) {
      const i = cuda.grid(1); // (no guard: every thread has a state)
      let w = 0;
      if ((i & 1) === 0) w = random.uint32(states, i);
      let s = 0;
      for (let k = 0; k < trips; k++) s += random.uniformF32(states, i);
      sums[i] = s + (w >>> 28);
    },
    grid: 4, block: 64,
    args: () => [mixedStates(38, LAUNCHED), new Float32Array(LAUNCHED), 19],
    reference: ([states, sums, trips]) => {
      for (let i = 0; i < LAUNCHED; i++) {
        const h = new HostStream(states, i);
        const w = (i & 1) === 0 ? h.uint32() : 0;
        let s = 0;
        for (let k = 0; k < trips; k++) s = Math.fround(s + h.uniformF32());
        sums[i] = Math.fround(s + (w >>> 28));
      }
    },
    randomStates: [0],
    outputs: [0, 1],
  },
  {
    name: 'random_blocks_normals_after_a_conditional_normal',
    covers: ['a normalF32 drawn under a thread-dependent `if` before a loop of normalF32 in blocks, no guard: half a pair pending in some threads of a lane group', 'final random states'],
    kernel: function normalsAfterConditionalNormal(states: Uint32Array, sums: Float32Array, trips: number) {
      const i = cuda.grid(1); // (no guard: every thread has a state)
      let z = 0;
      if ((i & 3) === 0) z = random.normalF32(states, i);
      let s = 0;
      for (let k = 0; k < trips; k++) s += random.normalF32(states, i);
      sums[i] = s + 4 * z;
    },
    grid: 4, block: 64,
    args: () => [mixedStates(39, LAUNCHED), new Float32Array(LAUNCHED), 13],
    reference: ([states, sums, trips]) => {
      for (let i = 0; i < LAUNCHED; i++) {
        const h = new HostStream(states, i);
        const z = (i & 3) === 0 ? h.normalF32() : 0;
        let s = 0;
        for (let k = 0; k < trips; k++) s = Math.fround(s + h.normalF32());
        sums[i] = Math.fround(s + Math.fround(4 * z));
      }
    },
    rtol: 1e-5, atol: 1e-5,
    randomStates: [0],
    outputs: [0, 1],
  },
];
