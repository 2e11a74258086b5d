// Per-thread generator states and the draws kernels make from them.
//
// A state array holds STATE_WORDS u32 words per thread, word-major (word w of
// thread i at states[w * n + i], n = states.length / STATE_WORDS) so that the
// threads of a warp or a CPU lane group touch consecutive addresses:
//   0, 1  Philox key (the seed's low and high 32 bits)
//   2, 3  block counter (64-bit, low word first): Philox blocks drawn so far
//   4     stream: the thread's counter word 2 (firstStream + i)
//   5     position: words 0..4 of the current block used, plus flags
//         8 (an f32 normal pair is half used) and 16 (an f64 pair is)
//   6..9  the current Philox block (4 output words)
// Thread i's words are Philox(key, [counter, stream, 0]) for counter = 0, 1, ...
// in order: independent of the grid, the target and how draws interleave
// across threads, so every target produces the same bits.

import { cuda } from '../api.js';
import { f32, f64 } from '../types.js';
import { PHILOX_M0, PHILOX_M1, PHILOX_W0, PHILOX_W1 } from './philox.js';
import { globalsAs } from '../source-names.js';
import { libraryFunction } from '../device-function.js';
import { checkThread } from './thread-check.js';
import { bitsF32, bitsF64, f32Bits, f64Hi, f64Lo } from './float-bits.js';
import { ulpCos, ulpLog, ulpSin } from './library-math.js';

export const STATE_WORDS = 10;
/** The word that holds the position in the current block (and the pair flags). */
export const POSITION_WORD = 5;
/** The position word's value when the block is used up (flags clear): the next draw starts a new block. */
export const BLOCK_USED_UP = 4;

/** States for n threads seeded with `seed` (integer 0..2^64-1); thread i gets stream firstStream + i. */
export function createStates(n: number, seed: number | bigint = 0, firstStream = 0): Uint32Array {
  if (!Number.isInteger(n) || n < 0 || n * STATE_WORDS > 2 ** 31 - 1) {
    throw new RangeError(`numbat: random.createStates(n, seed) needs an integer n from 0 to ${Math.floor((2 ** 31 - 1) / STATE_WORDS)}, got ${n}`);
  }
  const s = typeof seed === 'bigint' ? seed : Number.isSafeInteger(seed) && seed >= 0 ? BigInt(seed) : -1n;
  if (s < 0n || s >= 1n << 64n) throw new RangeError(`numbat: random.createStates: the seed must be an integer from 0 to 2^64-1 (a number up to 2^53 or a bigint), got ${seed}`);
  if (!Number.isInteger(firstStream) || firstStream < 0 || firstStream + n > 2 ** 32) {
    throw new RangeError(`numbat: random.createStates: streams firstStream..firstStream+n-1 must lie in 0..2^32-1, got firstStream ${firstStream}`);
  }
  const states = new Uint32Array(n * STATE_WORDS);
  states.fill(Number(s & 0xffffffffn), 0, n);
  states.fill(Number(s >> 32n), n, 2 * n);
  for (let i = 0; i < n; i++) states[4 * n + i] = firstStream + i;
  states.fill(BLOCK_USED_UP, POSITION_WORD * n, (POSITION_WORD + 1) * n); // the first draw computes block 0
  return states;
}

// Every draw below reads and writes the thread's words at fixed word numbers
// (w * n + i, w a constant) and stores each word it may change on every call,
// refilled or not: the block is picked from locals by selects, never read at a
// per-thread position, and the refill computes the new block into locals under
// the one branch. A loop of draws then touches the same ten addresses on every
// trip, with nothing in between that depends on the position, so a backend can
// keep the words in registers across the loop (state-locals.ts; docs/random.md,
// Performance).

/**
 * Refills thread i's block (words 6..9) with its next Philox block and
 * advances the counter when `refill` is true; either way stores the counter
 * and block words back (unchanged without a refill), so the draws' stores are
 * unconditional. Called only after its caller's checkThread: its accesses are
 * in bounds.
 */
function advance(states: Uint32Array, i: number, n: number, refill: boolean): number {
  let lo = states[2 * n + i], hi = states[3 * n + i];
  let b0 = states[6 * n + i], b1 = states[7 * n + i], b2 = states[8 * n + i], b3 = states[9 * n + i];
  if (refill) {
    // Philox4x32-10 of counter (lo, hi, stream, 0) and key (words 0, 1): philox.ts's rounds, in locals.
    // (x3 = 0 >>> 0: a u32 from its declaration, so the lowering types it in one round.)
    let x0 = lo, x1 = hi, x2 = states[4 * n + i], x3 = 0 >>> 0, ka = states[i], kb = states[n + i];
    for (let r = 0; r < 10; r++) {
      const hi0 = cuda.umulhi(PHILOX_M0, x0), lo0 = Math.imul(PHILOX_M0, x0) >>> 0;
      const hi1 = cuda.umulhi(PHILOX_M1, x2), lo1 = Math.imul(PHILOX_M1, x2) >>> 0;
      x0 = (hi1 ^ x1 ^ ka) >>> 0;
      x1 = lo1;
      x2 = (hi0 ^ x3 ^ kb) >>> 0;
      x3 = lo0;
      ka = (ka + PHILOX_W0) >>> 0;
      kb = (kb + PHILOX_W1) >>> 0;
    }
    b0 = x0; b1 = x1; b2 = x2; b3 = x3;
    hi = lo === 0xffffffff ? (hi + 1) >>> 0 : hi;
    lo = (lo + 1) >>> 0;
  }
  states[2 * n + i] = lo;
  states[3 * n + i] = hi;
  states[6 * n + i] = b0;
  states[7 * n + i] = b1;
  states[8 * n + i] = b2;
  states[9 * n + i] = b3;
  return 0;
}
// Globals under the names the (possibly bundled) source uses: see source-names.ts.
const advanceDevice = libraryFunction(advance, globalsAs(() => [cuda, PHILOX_M0, PHILOX_M1, PHILOX_W0, PHILOX_W1], { cuda, PHILOX_M0, PHILOX_M1, PHILOX_W0, PHILOX_W1 }));

/** Word `pos` (0..3) of thread i's block, picked by selects (a fixed-word read each). */
function blockWord(states: Uint32Array, i: number, n: number, pos: number): number {
  const b0 = states[6 * n + i], b1 = states[7 * n + i], b2 = states[8 * n + i], b3 = states[9 * n + i];
  const odd = (pos & 1) !== 0; // three flat selects: cpu lane groups blend them without branches
  return (pos & 2) !== 0 ? (odd ? b3 : b2) : (odd ? b1 : b0);
}
const blockWordDevice = libraryFunction(blockWord);

/**
 * The thread's next raw u32 word. A half-used f32 normal pair (flag 8) stays for the next
 * normalF32, as cuRAND's and numpy's legacy cached Gaussian do: its partner sits in a used block
 * word, word 0 while the position is below 4 and word 2 at 4 (normalF32 leaves it so), and moves
 * along: to word 2 when this draw takes word 3, to the new block's word 0 when it refills. (Until
 * 2026-12-03 this cleared the flag and the partner was lost: a loop that drew a normal and a
 * uniform per trip computed a Philox block and a Box-Muller pair every trip, using half of each.)
 */
function uint32(states: Uint32Array, i: number): number {
  const n = (states.length / STATE_WORDS) | 0;
  checkThread(states, i, n); // the one bounds check: the accesses below are at w * n + i, w < STATE_WORDS
  const p = states[5 * n + i];
  const used = p & 7;
  const refill = used >= 4;
  const kept = refill ? states[8 * n + i] : states[6 * n + i]; // a half-used pair's partner, if any
  advance(states, i, n, refill);
  const pos = refill ? 0 : used;
  const half = (p & 8) !== 0;
  states[5 * n + i] = (pos + 1) | (p & 8); // (an f64 pair's flag, 16, is cleared: its partner fills block words 0 and 1)
  const w = blockWord(states, i, n, pos);
  // unconditional, as every store here: fixed words keep a loop's state in registers (state-locals.ts)
  states[6 * n + i] = half && pos < 3 ? kept : states[6 * n + i];
  states[8 * n + i] = half && pos === 3 ? kept : states[8 * n + i];
  return w;
}
export const uint32Device = libraryFunction(uint32, globalsAs(() => [advance, blockWord, STATE_WORDS, checkThread], { advance: advanceDevice, blockWord: blockWordDevice, STATE_WORDS, checkThread }));

/** Uniform f32 in [0, 1): the word's top 24 bits × 2^-24 (exact; at most 1 - 2^-24). */
function uniformF32(states: Uint32Array, i: number): number {
  return f32(uint32(states, i) >>> 8) * 5.9604644775390625e-8;
}

/** An integer in [0, 2^53) from 27 bits of `hi` and 26 of `lo` (exact in f64). */
function bits53(hi: number, lo: number): number {
  return f64(hi >>> 5) * 67108864 + f64(lo >>> 6);
}
const bits53Device = libraryFunction(bits53, globalsAs(() => [f64], { f64 }));

/** Uniform f64 in [0, 1): bits53 of two words × 2^-53 (exact; at most 1 - 2^-53). */
function uniformF64(states: Uint32Array, i: number): number {
  const hi = uint32(states, i);
  return bits53(hi, uint32(states, i)) * 1.1102230246251565e-16;
}

/**
 * Standard normal f32 by Box-Muller on two words: the first call of a pair
 * computes r cos θ and r sin θ, returns the first and stores the second's f32
 * bits in the pair's first word (block word pos - 2: used, and read by no
 * other draw; uint32 moves it along); the next call returns it, whatever
 * 32-bit draws came between. So each pair costs one log, sqrt, sin and cos,
 * and a lane group or warp whose threads are in step (every thread draws the
 * same sequence) skips the math on every other call.
 * u1 = 1 - uniform lies in (0, 1], so log(u1) is finite.
 */
function normalF32(states: Uint32Array, i: number): number {
  const n = (states.length / STATE_WORDS) | 0;
  checkThread(states, i, n);
  const p = states[5 * n + i];
  const second = (p & 8) !== 0;
  // The first of a pair rounds the position up to even (pairs never straddle
  // two blocks) and refills a used-up block; the position arithmetic is
  // branch-free, the refill the one branch (inside advance).
  const even = ((p & 7) + 1) & 14;
  const refillNow = !second && even >= 4;
  advance(states, i, n, refillNow);
  // the first of a pair: 2 or 4, the pair is words pos - 2, pos - 1; the second: where the 32-bit draws since left it
  const pos = second ? p & 7 : (refillNow ? 0 : even) + 2;
  states[5 * n + i] = second ? pos : pos + 8;
  const b0 = states[6 * n + i], b1 = states[7 * n + i], b2 = states[8 * n + i], b3 = states[9 * n + i];
  // the pair's first word, where the second call finds the partner: block word 2 at position 4, else 0
  const w1 = pos === 4 ? b2 : b0;
  let z = f32(0);
  let kept = w1; // the second call leaves the word as it is
  if (second) {
    z = bitsF32(w1);
  } else {
    const w2 = pos === 4 ? b3 : b1;
    const u1 = f32(16777216 - (w1 >>> 8)) * 5.9604644775390625e-8;
    const r = Math.sqrt(0 - 2 * Math.log(u1)); // 0 - x: +0 rather than -0 when u1 = 1
    const theta = f32(w2 >>> 8) * 3.7450702829239290e-7; // 2π × 2^-24
    z = r * Math.cos(theta);
    kept = f32Bits(r * Math.sin(theta));
  }
  // both words stored (a select each): fixed word numbers keep the words in registers (state-locals.ts)
  states[6 * n + i] = pos === 4 ? b0 : kept;
  states[8 * n + i] = pos === 4 ? kept : b2;
  return z;
}

/**
 * Standard normal f64 by Box-Muller on a whole block (53-bit u1 and u2): pairs as normalF32,
 * the second value's bits kept in block words 0 and 1 (high word first).
 */
function normalF64(states: Uint32Array, i: number): number {
  const n = (states.length / STATE_WORDS) | 0;
  checkThread(states, i, n);
  const second = (states[5 * n + i] & 16) !== 0;
  advance(states, i, n, !second);
  states[5 * n + i] = second ? 4 : 4 + 16;
  const b0 = states[6 * n + i], b1 = states[7 * n + i];
  let z = f64(0);
  let hi = b0, lo = b1; // the second call leaves the words as they are
  if (second) {
    z = bitsF64(b0, b1);
  } else {
    const k1 = bits53(b0, b1);
    const k2 = bits53(states[8 * n + i], states[9 * n + i]);
    const u1 = (9007199254740992 - k1) * 1.1102230246251565e-16;
    const r = Math.sqrt(0 - 2 * ulpLog(u1)); // 0 - x: +0 rather than -0 when u1 = 1
    const theta = k2 * 6.975736996017264e-16; // 2π × 2^-53
    z = r * ulpCos(theta);
    const s = r * ulpSin(theta);
    hi = f64Hi(s);
    lo = f64Lo(s);
  }
  states[6 * n + i] = hi;
  states[7 * n + i] = lo;
  return z;
}

const drawGlobals = globalsAs(
  () => [uint32, advance, bits53, STATE_WORDS, f32, f64, checkThread, f32Bits, bitsF32, f64Hi, f64Lo, bitsF64, ulpLog, ulpSin, ulpCos],
  { uint32: uint32Device, advance: advanceDevice, bits53: bits53Device, STATE_WORDS, f32, f64, checkThread, f32Bits, bitsF32, f64Hi, f64Lo, bitsF64, ulpLog, ulpSin, ulpCos },
);
export const uniformF32Device = libraryFunction(uniformF32, drawGlobals);
export const uniformF64Device = libraryFunction(uniformF64, drawGlobals);
export const normalF32Device = libraryFunction(normalF32, drawGlobals);
export const normalF64Device = libraryFunction(normalF64, drawGlobals);
