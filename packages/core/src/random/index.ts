// numbat's random numbers: Philox4x32-10 states and draws usable in any
// kernel as `random.uniformF32(states, i)` without options.globals (the
// frontend resolves `random` like `cuda`). See docs/random.md.

import { philoxDevice } from './philox.js';
import {
  createStates, STATE_WORDS, uint32Device, uniformF32Device, uniformF64Device, normalF32Device, normalF64Device,
} from './states.js';

export const random = Object.freeze({
  /** States for n threads: a Uint32Array of n × STATE_WORDS words (word-major). */
  createStates,
  STATE_WORDS,
  /** Next raw u32 word of thread i's stream. */
  uint32: uint32Device,
  /** Uniform f32 in [0, 1) (24 bits). */
  uniformF32: uniformF32Device,
  /** Uniform f64 in [0, 1) (53 bits). */
  uniformF64: uniformF64Device,
  /** Standard normal f32 (Box-Muller, both outputs used). */
  normalF32: normalF32Device,
  /** Standard normal f64 (Box-Muller, both outputs used). */
  normalF64: normalF64Device,
  /** Stateless Philox4x32-10: philox(k0, k1, c0, c1, c2, c3, out, o) writes 4 words to out[o..o+3]. */
  philox: philoxDevice,
});
