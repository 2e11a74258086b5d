// @ts-nocheck: cases are data for the frontend and probe JavaScript semantics TypeScript's checker refuses.
import { cuda, random } from '@numbat/core';
import type { CorpusCase } from './types.js';
import { bitsF32, bitsF64, f32Bits, f64Hi, f64Lo } from '../../random/float-bits.js';

// Loops of random draws (docs/random.md): a backend may keep the thread's state
// words in registers across such a loop (core's keepThreadStatesInLocals, the
// cpu does), storing them back after it and before a `return` inside it. Each
// case compares the draws' results and the whole state array afterwards with a
// host model of the streams written here from docs/random.md (Philox4x32-10,
// the state layout, the draws' position rules and a normal pair's partner kept
// in the state): trip counts that differ by
// thread, draws under thread-dependent ifs, an early return between draws,
// nested loops with break, f32/f64 and u32 draws mixed, and a loop that also
// writes another array (kept in memory).

const W = 10; // random.STATE_WORDS

function umulhi(a: number, b: number): number {
  return Number((BigInt(a >>> 0) * BigInt(b >>> 0)) >> 32n);
}

/** Philox4x32-10 of counter (c0, c1, c2, 0) and key (k0, k1). */
export function philoxJs(k0: number, k1: number, c0: number, c1: number, c2: number): number[] {
  let x0 = c0 >>> 0, x1 = c1 >>> 0, x2 = c2 >>> 0, x3 = 0, ka = k0 >>> 0, kb = k1 >>> 0;
  for (let r = 0; r < 10; r++) {
    const hi0 = umulhi(0xd2511f53, x0), lo0 = Math.imul(0xd2511f53, x0) >>> 0;
    const hi1 = umulhi(0xcd9e8d57, x2), lo1 = Math.imul(0xcd9e8d57, x2) >>> 0;
    x0 = (hi1 ^ x1 ^ ka) >>> 0; x1 = lo1; x2 = (hi0 ^ x3 ^ kb) >>> 0; x3 = lo0;
    ka = (ka + 0x9e3779b9) >>> 0; kb = (kb + 0xbb67ae85) >>> 0;
  }
  return [x0, x1, x2, x3];
}

/** Thread i's stream in a state array, drawn on the host as the kernels draw. */
/** normalF32's Box-Muller pair of two words, on the host, in f32: [r cos θ, r sin θ]. */
export function hostPairF32(w1: number, w2: number): [number, number] {
  const f = Math.fround;
  const u1 = f((16777216 - (w1 >>> 8)) * 2 ** -24);
  const r = f(Math.sqrt(f(0 - f(2 * f(Math.log(u1))))));
  const theta = f(f(w2 >>> 8) * f(3.7450702829239290e-7));
  return [f(r * f(Math.cos(theta))), f(r * f(Math.sin(theta)))];
}

export class HostStream {
  constructor(private s: Uint32Array, private i: number) {}
  private get n(): number { return Math.floor(this.s.length / W); }
  private at(w: number): number { return this.s[w * this.n + this.i]; }
  private set(w: number, v: number): void { this.s[w * this.n + this.i] = v >>> 0; }
  private refill(): void {
    const lo = this.at(2), hi = this.at(3);
    const b = philoxJs(this.at(0), this.at(1), lo, hi, this.at(4));
    for (let k = 0; k < 4; k++) this.set(6 + k, b[k]);
    this.set(2, lo + 1);
    if (lo === 0xffffffff) this.set(3, hi + 1);
  }
  uint32(): number {
    const p = this.at(5);
    let pos = p & 7;
    // a half-used f32 normal pair (flag 8) stays, its partner in block word 0 below position 4 and
    // in word 2 at 4: moved to word 2 when this takes word 3, to the new block's word 0 on a refill
    const kept = pos >= 4 ? this.at(8) : this.at(6);
    if (pos >= 4) { this.refill(); pos = 0; }
    this.set(5, (pos + 1) | (p & 8));
    const w = this.at(6 + pos);
    if (p & 8) this.set(pos + 1 === 4 ? 8 : 6, kept);
    return w;
  }
  uniformF32(): number { return Math.fround((this.uint32() >>> 8) * 2 ** -24); }
  uniformF64(): number { const hi = this.uint32(); return ((hi >>> 5) * 67108864 + (this.uint32() >>> 6)) * 2 ** -53; }
  normalF32(): number {
    const p = this.at(5), second = (p & 8) !== 0;
    const even = ((p & 7) + 1) & 14;
    const refillNow = !second && even >= 4;
    if (refillNow) this.refill();
    const pos = second ? p & 7 : (refillNow ? 0 : even) + 2;
    this.set(5, second ? pos : pos + 8);
    // the second of a pair: the partner the first kept in the pair's first word (its f32 bits),
    // block word 2 at position 4, else 0 (where uint32 moves it)
    if (second) return bitsF32(this.at(pos === 4 ? 8 : 6));
    const [z, partner] = hostPairF32(this.at(4 + pos), this.at(5 + pos));
    this.set(4 + pos, f32Bits(partner));
    return z;
  }
  normalF64(): number {
    const second = (this.at(5) & 16) !== 0;
    if (!second) this.refill();
    this.set(5, second ? 4 : 4 + 16);
    // the second of a pair: the partner the first kept in block words 0 and 1 (high word first)
    if (second) return bitsF64(this.at(6), this.at(7));
    const bits53 = (hi: number, lo: number) => (hi >>> 5) * 67108864 + (lo >>> 6);
    const u1 = (9007199254740992 - bits53(this.at(6), this.at(7))) * 1.1102230246251565e-16;
    const r = Math.sqrt(0 - 2 * Math.log(u1));
    const theta = bits53(this.at(8), this.at(9)) * 6.975736996017264e-16;
    const s = r * Math.sin(theta);
    this.set(6, f64Hi(s));
    this.set(7, f64Lo(s));
    return r * Math.cos(theta);
  }
}

const THREADS = 200; // 4 blocks of 64: the last 56 threads have no state and return before drawing

/** States for THREADS threads, advanced a little per thread so threads start at different positions. */
function freshStates(seed: number): Uint32Array {
  const s = random.createStates(THREADS, seed);
  for (let i = 0; i < THREADS; i++) {
    const h = new HostStream(s, i);
    for (let k = 0; k < i % 6; k++) h.uint32();
    if (i % 5 === 1) h.normalF32(); // half a pair pending
  }
  return s;
}

export const randomLoops: CorpusCase[] = [
  {
    name: 'random_loops_trip_counts_differ_by_thread',
    covers: ['random draws in a loop whose trip count varies by thread', 'final random states'],
    kernel: function drawsVaryingTrips(states: Uint32Array, words: Uint32Array, sums: Float32Array) {
      const i = cuda.grid(1);
      if (i >= words.length) return;
      let x = 0;
      let s = 0;
      for (let k = 0; k < (i % 7) * 3 + 1; k++) {
        x = (x ^ random.uint32(states, i)) >>> 0;
        s += random.uniformF32(states, i);
      }
      words[i] = x;
      sums[i] = s;
    },
    grid: 4, block: 64,
    args: () => [freshStates(11), new Uint32Array(THREADS), new Float32Array(THREADS)],
    reference: ([states, words, sums]) => {
      for (let i = 0; i < THREADS; i++) {
        const h = new HostStream(states, i);
        let x = 0, s = 0;
        for (let k = 0; k < (i % 7) * 3 + 1; k++) { x = (x ^ h.uint32()) >>> 0; s = Math.fround(s + h.uniformF32()); }
        words[i] = x; sums[i] = s;
      }
    },
    randomStates: [0],
    outputs: [0, 1, 2],
  },
  {
    name: 'random_loops_draws_under_varying_ifs',
    covers: ['random draws under thread-dependent ifs inside a loop', 'uint32, uniformF32 and normalF32 draws mixed', 'final random states'],
    kernel: function drawsUnderIfs(states: Uint32Array, words: Uint32Array, normals: Float32Array, rounds: number) {
      const i = cuda.grid(1);
      if (i >= words.length) return;
      let x = 0;
      let z = 0;
      for (let k = 0; k < rounds; k++) {
        if ((k + i) % 3 === 0) x = (x + random.uint32(states, i)) >>> 0;
        else if ((k ^ i) & 1) z += random.normalF32(states, i);
        if (random.uniformF32(states, i) < 0.25) {
          z += random.normalF32(states, i);
          if (i & 2) x = (x ^ random.uint32(states, i)) >>> 0;
        }
      }
      words[i] = x;
      normals[i] = z;
    },
    grid: 4, block: 64,
    args: () => [freshStates(12), new Uint32Array(THREADS), new Float32Array(THREADS), 23],
    reference: ([states, words, normals, rounds]) => {
      for (let i = 0; i < THREADS; i++) {
        const h = new HostStream(states, i);
        let x = 0, z = 0;
        for (let k = 0; k < rounds; k++) {
          if ((k + i) % 3 === 0) x = (x + h.uint32()) >>> 0;
          else if ((k ^ i) & 1) z = Math.fround(z + h.normalF32());
          if (h.uniformF32() < 0.25) {
            z = Math.fround(z + h.normalF32());
            if (i & 2) x = (x ^ h.uint32()) >>> 0;
          }
        }
        words[i] = x; normals[i] = z;
      }
    },
    randomStates: [0],
    outputs: [0, 1, 2],
    rtol: 1e-5, atol: 1e-5, // normals go through each target's log, sqrt, sin, cos
  },
  {
    name: 'random_loops_early_return_between_draws',
    covers: ['return inside a loop of random draws', 'final random states'],
    kernel: function drawsThenReturn(states: Uint32Array, words: Uint32Array, limit: number) {
      const i = cuda.grid(1);
      if (i >= words.length) return;
      let x = 0;
      for (let k = 0; k < limit; k++) {
        const w = random.uint32(states, i);
        if (w % 11 === 3) return; // this thread's words stay unwritten; its state must still be saved
        x = (x + (w >>> 3)) >>> 0;
        if (k > 4 && (w & 255) < 8) break;
        x = (x ^ random.uint32(states, i)) >>> 0;
      }
      words[i] = x;
    },
    grid: 4, block: 64,
    args: () => [freshStates(13), new Uint32Array(THREADS).fill(7), 40],
    reference: ([states, words, limit]) => {
      for (let i = 0; i < THREADS; i++) {
        const h = new HostStream(states, i);
        let x = 0, returned = false;
        for (let k = 0; k < limit; k++) {
          const w = h.uint32();
          if (w % 11 === 3) { returned = true; break; }
          x = (x + (w >>> 3)) >>> 0;
          if (k > 4 && (w & 255) < 8) break;
          x = (x ^ h.uint32()) >>> 0;
        }
        if (!returned) words[i] = x;
      }
    },
    randomStates: [0],
    outputs: [0, 1],
  },
  {
    name: 'random_loops_nested_with_break',
    covers: ['random draws in nested loops with break and continue', 'final random states'],
    kernel: function nestedDraws(states: Uint32Array, counts: Int32Array, sums: Float32Array) {
      const i = cuda.grid(1);
      if (i >= counts.length) return;
      let c = 0;
      let s = 0;
      for (let a = 0; a < 6; a++) {
        if (a === i % 4) continue;
        for (let b = 0; b < 9; b++) {
          const u = random.uniformF32(states, i);
          if (u < 0.1) break;
          s += u;
          c++;
        }
      }
      counts[i] = c;
      sums[i] = s;
    },
    grid: 4, block: 64,
    args: () => [freshStates(14), new Int32Array(THREADS), new Float32Array(THREADS)],
    reference: ([states, counts, sums]) => {
      for (let i = 0; i < THREADS; i++) {
        const h = new HostStream(states, i);
        let c = 0, s = 0;
        for (let a = 0; a < 6; a++) {
          if (a === i % 4) continue;
          for (let b = 0; b < 9; b++) {
            const u = h.uniformF32();
            if (u < 0.1) break;
            s = Math.fround(s + u);
            c++;
          }
        }
        counts[i] = c; sums[i] = s;
      }
    },
    randomStates: [0],
    outputs: [0, 1, 2],
  },
  {
    name: 'random_loops_f64_and_f32_draws_mixed',
    covers: ['uniformF64, normalF64, normalF32 and uint32 draws mixed in a loop', 'final random states'],
    kernel: function mixedDraws(states: Uint32Array, u: Float64Array, z: Float64Array, words: Uint32Array, rounds: number) {
      const i = cuda.grid(1);
      if (i >= words.length) return;
      let su = 0;
      let sz = 0;
      let x = 0;
      for (let k = 0; k < rounds + (i & 3); k++) {
        su += random.uniformF64(states, i);
        if (k % 3 !== 1) sz += random.normalF64(states, i);
        else sz += random.normalF32(states, i);
        if (i % 3 === k % 3) x = (x ^ random.uint32(states, i)) >>> 0;
      }
      u[i] = su;
      z[i] = sz;
      words[i] = x;
    },
    grid: 4, block: 64,
    args: () => [freshStates(15), new Float64Array(THREADS), new Float64Array(THREADS), new Uint32Array(THREADS), 9],
    reference: ([states, u, z, words, rounds]) => {
      for (let i = 0; i < THREADS; i++) {
        const h = new HostStream(states, i);
        let su = 0, sz = 0, x = 0;
        for (let k = 0; k < rounds + (i & 3); k++) {
          su += h.uniformF64();
          sz += k % 3 !== 1 ? h.normalF64() : h.normalF32();
          if (i % 3 === k % 3) x = (x ^ h.uint32()) >>> 0;
        }
        u[i] = su; z[i] = sz; words[i] = x;
      }
    },
    randomStates: [0],
    outputs: [0, 1, 2, 3],
    rtol: 1e-5, atol: 1e-5,
    needsF64: true,
  },
  {
    name: 'random_loops_writing_another_array',
    covers: ['random draws in a loop that also stores to another array', 'final random states'],
    kernel: function drawsAndStores(states: Uint32Array, words: Uint32Array, draws: number) {
      const i = cuda.grid(1);
      if (i * draws >= words.length) return;
      for (let k = 0; k < draws; k++) words[i * draws + k] = random.uint32(states, i) ^ random.uint32(states, i);
    },
    grid: 4, block: 64,
    args: () => [freshStates(16), new Uint32Array(THREADS * 5), 5],
    reference: ([states, words, draws]) => {
      for (let i = 0; i < THREADS; i++) {
        const h = new HostStream(states, i);
        for (let k = 0; k < draws; k++) { const a = h.uint32(); words[i * draws + k] = (a ^ h.uint32()) >>> 0; }
      }
    },
    randomStates: [0],
    outputs: [0, 1],
  },
];
