// Philox4x32-10 (Salmon et al., "Parallel Random Numbers: As Easy as 1, 2, 3",
// SC'11; the generator cuRAND and JAX use) as numbat device functions: only
// 32-bit integer arithmetic, so it runs unchanged on every target, WGSL
// included, and gives bit-identical words everywhere. Checked against
// Random123's known-answer vectors in test/random.test.ts.

import { cuda } from '../api.js';
import { globalsAs } from '../source-names.js';
import { libraryFunction } from '../device-function.js';

/** Round multipliers and Weyl key increments (Random123's constants). */
export const PHILOX_M0 = 0xd2511f53;
export const PHILOX_M1 = 0xcd9e8d57;
export const PHILOX_W0 = 0x9e3779b9;
export const PHILOX_W1 = 0xbb67ae85;

/**
 * The 4 output words of Philox4x32-10 for key (k0, k1) and counter
 * (c0, c1, c2, c3), written to out[o], out[o + step], out[o + 2 step],
 * out[o + 3 step]; returns the first word. The stride lets the per-thread
 * states (word-major) receive the words in place.
 */
export function philoxStrided(k0: number, k1: number, c0: number, c1: number, c2: number, c3: number, out: Uint32Array, o: number, step: number): number {
  let x0 = c0 >>> 0, x1 = c1 >>> 0, x2 = c2 >>> 0, x3 = c3 >>> 0;
  let ka = k0 >>> 0, kb = k1 >>> 0;
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
  out[o] = x0;
  out[o + step] = x1;
  out[o + 2 * step] = x2;
  out[o + 3 * step] = x3;
  return x0;
}

// Globals under the names the (possibly bundled) source uses: see source-names.ts.
export const philoxStridedDevice = libraryFunction(philoxStrided, globalsAs(() => [cuda, PHILOX_M0, PHILOX_M1, PHILOX_W0, PHILOX_W1], { cuda, PHILOX_M0, PHILOX_M1, PHILOX_W0, PHILOX_W1 }));

/**
 * Stateless Philox4x32-10: writes the 4 words for key (k0, k1) and counter
 * (c0..c3) to out[o..o+3] (any u32 array: global, shared or local) and
 * returns out[o].
 */
function philox(k0: number, k1: number, c0: number, c1: number, c2: number, c3: number, out: Uint32Array, o: number): number {
  return philoxStrided(k0, k1, c0, c1, c2, c3, out, o, 1);
}

export const philoxDevice = libraryFunction(philox, globalsAs(() => [philoxStrided], { philoxStrided: philoxStridedDevice }));
