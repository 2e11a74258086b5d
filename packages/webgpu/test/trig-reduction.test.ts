// Math.sin/cos/tan over the whole f32 range against JS's results rounded to f32
// (the correctly rounded f32 result, but for double rounding once in ~2^29): the
// Cody-Waite reduction up to |x| = 8192 and Payne-Hanek beyond, both carrying r
// as a pair, must keep the accuracy docs/backends/webgpu.md states (within 2 ulp
// of the correctly rounded result; the measured maxima are printed), densely
// sampled next to multiples of pi/2 (where r cancels) and at large arguments.

import { describe, expect, it } from 'vitest';
import { cuda } from '@numbat/core';
import { avail, onGpu, f32Ulp } from './helpers.js';

const f32 = new Float32Array(1), u32 = new Uint32Array(f32.buffer);
/** The f32 `k` steps of one ulp away from f32 x (same sign, away from zero for k > 0). */
function step(x: number, k: number): number {
  f32[0] = x; u32[0] += k; return f32[0];
}
/** The ulp of a correctly rounded f32 value (the spacing just above its magnitude). */

/** Random arguments over every exponent, every f32 next to k pi/2 for k up to 8192 / (pi/2) and beyond, and known hard cases. */
function arguments_(): Float32Array {
  const xs: number[] = [];
  let seed = 2024;
  const rnd = (): number => (seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32;
  for (let i = 0; i < 8192; i++) {
    const e = i < 2048 ? rnd() * 14 - 6 : i < 4096 ? 12 + rnd() * 4 : rnd() * 127;
    xs.push((rnd() < 0.5 ? -1 : 1) * (1 + rnd()) * 2 ** e);
  }
  // Every multiple of pi/2 the Cody-Waite reduction covers, with its f32 neighbours.
  for (let k = 1; k <= 5216; k++) {
    const x = Math.fround(k * Math.PI / 2);
    for (const d of [-2, -1, 0, 1, 2]) xs.push(step(x, d));
  }
  // Multiples of pi/2 beyond (Payne-Hanek), from 2^13 to 2^127.
  for (let i = 0; i < 3000; i++) {
    const x = Math.fround(Math.round((2 ** (13 + rnd() * 114)) / (Math.PI / 2)) * (Math.PI / 2));
    for (const d of [-1, 0, 1]) xs.push((i & 1 ? -1 : 1) * step(x, d));
  }
  // f32 values closest to multiples of pi/2, and the edges of the two reductions.
  for (const v of [16367173, 1.6263033e38, 105414350, 8192, 8192.0009765625, 8191.99951171875, 2147483648, 3.4028234663852886e38, 12867.963, 1.5707964, 3.1415927, 4.712389, 0.7853982, 1e-30, 1.4e-45]) xs.push(v, -v);
  const n = Math.ceil(xs.length / 256) * 256;
  const out = new Float32Array(n);
  out.set(xs);
  return out;
}

describe.skipIf(!avail.ok)(onGpu('sin/cos/tan range reduction'), () => {
  it('stays within 2 ulp of the correctly rounded result for every finite argument (dense next to multiples of pi/2, up to 3.4e38)', async () => {
    const x = arguments_(), n = x.length;
    const out = new Float32Array(n * 3);
    await cuda.jit(function trig(x: Float32Array, o: Float32Array) {
      const i = cuda.grid(1);
      if (i < x.length) { o[i * 3] = Math.sin(x[i]); o[i * 3 + 1] = Math.cos(x[i]); o[i * 3 + 2] = Math.tan(x[i]); }
    }, { target: 'webgpu' }).configure(n / 256, 256)(x, out);
    const fns = [Math.sin, Math.cos, Math.tan];
    const worst = [0, 0, 0], at = [0, 0, 0];
    const bad: string[] = [];
    for (let i = 0; i < n; i++) {
      for (let f = 0; f < 3; f++) {
        const want = Math.fround(fns[f](x[i])), got = out[i * 3 + f];
        const u = Math.abs(got - want) / f32Ulp(want);
        if (!(u <= worst[f])) { worst[f] = u; at[f] = x[i]; }
        if (!(u <= 2) && bad.length < 10) bad.push(`Math.${fns[f].name}(${x[i]}) = ${got}, want ${want} (${u.toFixed(2)} ulp)`);
      }
    }
    console.log(`webgpu f32 sin/cos/tan over ${n} arguments, max ulp from the correctly rounded result: ${fns.map((f, k) => `${f.name} ${worst[k].toFixed(2)} (x = ${at[k]})`).join(', ')}`);
    expect(bad).toEqual([]);
  });

  it('sin/cos/tan of ±Infinity and NaN are NaN', async () => {
    const x = Float32Array.from([Infinity, -Infinity, NaN]);
    const out = new Float32Array(9);
    await cuda.jit(function trigNaN(x: Float32Array, o: Float32Array) {
      const i = cuda.grid(1);
      if (i < x.length) { o[i * 3] = Math.sin(x[i]); o[i * 3 + 1] = Math.cos(x[i]); o[i * 3 + 2] = Math.tan(x[i]); }
    }, { target: 'webgpu' }).configure(1, 32)(x, out);
    expect(Array.from(out).every(Number.isNaN)).toBe(true);
  });
});
