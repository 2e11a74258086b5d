// cuda.fma on webgpu (an emulation in f32: Dekker's exact product, then a sum
// rounded to odd) against the simulator's exact fma, on random operands over
// the whole exponent range and on the hard cases: cancellation (c = -a*b
// rounded), products that fall on a tie which a tiny c must break, c far above
// and far below the product. Subnormal results are left out (rounded twice,
// docs/backends/webgpu.md).

import { describe, expect, it } from 'vitest';
import { cuda } from '@numbat/core';
import { avail, both, onGpu } from './helpers.js';

/** Deterministic f32 values: random 24-bit significands, exponents in [lo, hi]. */
function randomF32(n: number, seed: number, lo: number, hi: number): Float32Array {
  let s = seed >>> 0;
  const next = (): number => { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; return s / 2 ** 32; };
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = (next() < 0.5 ? -1 : 1) * (1 + next()) * 2 ** Math.floor(lo + next() * (hi - lo + 1));
  return out;
}

describe.skipIf(!avail.ok)(onGpu('cuda.fma exactness'), () => {
  it('rounds a * b + c once, as the simulator does', async () => {
    const n = 1 << 14;
    const a = randomF32(n, 1, -60, 60), b = randomF32(n, 2, -60, 60), c = randomF32(n, 3, -130, 120);
    for (let i = 0; i < n; i++) {
      const k = i % 8;
      if (k === 1) c[i] = -Math.fround(a[i] * b[i]); // cancellation: the result is the product's rounding error
      if (k === 2) { a[i] = 1 + 2 ** -23 * (2 * (i % 64) + 1); b[i] = 1.5; c[i] = (i % 16 < 8 ? 1 : -1) * 2 ** (-30 - (i % 50)); } // a * b is a tie; c breaks it
      if (k === 3) { a[i] = Math.fround(1 + 2 ** -12 * (i % 7)); b[i] = Math.fround(1 - 2 ** -12); c[i] = -1; } // near-total cancellation
      if (k === 4) c[i] = Math.fround(a[i] * b[i] * (i % 16 < 8 ? 2 ** 40 : 2 ** -40)); // c far above / below
    }
    const kernel = function fmaSweep(a: Float32Array, b: Float32Array, c: Float32Array, o: Float32Array) {
      const i = cuda.grid(1);
      if (i < a.length) o[i] = cuda.fma(a[i], b[i], c[i]);
    };
    const { gpu, sim } = await both(kernel, n / 256, 256, () => [a.slice(), b.slice(), c.slice(), new Float32Array(n)]);
    const got = gpu[3] as Float32Array, want = sim[3] as Float32Array;
    const bad: string[] = [];
    let compared = 0;
    for (let i = 0; i < n; i++) {
      if (Math.abs(want[i]) < 2 ** -126 && want[i] !== 0) continue;
      compared++;
      if (!Object.is(got[i], want[i]) && bad.length < 10) bad.push(`fma(${a[i]}, ${b[i]}, ${c[i]}) = ${got[i]}, want ${want[i]}`);
    }
    expect(compared).toBeGreaterThan(n * 0.9);
    expect(bad).toEqual([]);
  });
});
