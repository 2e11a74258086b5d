// Rejection samplers the retry-loop tests share (the bench's gamma is bench/suite/kernels.mjs sumGammas).
import { cuda, random } from '@numbat/core';

/** Marsaglia's polar method: a do…while retry loop per normal, `n` normals per thread summed. */
export function polarNormals(states: Uint32Array, out: Float32Array, n: number) {
  const i = cuda.grid(1);
  if (i >= out.length) return;
  let s = 0;
  for (let k = 0; k < n; k++) {
    let u = 0, v = 0, q = 0;
    do {
      u = 2 * random.uniformF32(states, i) - 1;
      v = 2 * random.uniformF32(states, i) - 1;
      q = u * u + v * v;
    } while (q >= 1 || q === 0);
    s += u * Math.sqrt(-2 * Math.log(q) / q);
  }
  out[i] = s;
}
