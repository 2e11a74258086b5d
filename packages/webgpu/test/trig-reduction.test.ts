// Math.sin/cos/tan over the whole f32 range against JS's (f64) results: the
// Cody-Waite reduction up to |x| = 8192 and Payne-Hanek beyond must keep the
// accuracy docs/backends/webgpu.md states (measured: sin/cos <= 2.5 ulp of the exact result, tan
// <= 3.5 ulp), including arguments next to multiples of pi/2.

import { describe, expect, it } from 'vitest';
import { cuda } from '@numbat/core';
import { avail, onGpu } from './helpers.js';

function ulp(v: number): number {
  const a = Math.abs(Math.fround(v));
  if (a < 1.1754943508222875e-38) return 2 ** -149;
  return 2 ** (Math.floor(Math.log2(a)) - 23);
}

describe.skipIf(!avail.ok)(onGpu('sin/cos/tan range reduction'), () => {
  it('stays within 2.5 ulp (sin, cos) and 4 ulp (tan) for arguments up to 3.4e38', async () => {
    const n = 1 << 14;
    const x = new Float32Array(n);
    let seed = 2024;
    const rnd = (): number => (seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32;
    for (let i = 0; i < n; i++) {
      const e = i < n / 4 ? rnd() * 14 - 6 : i < n / 2 ? 12 + rnd() * 4 : rnd() * 127;
      x[i] = (rnd() < 0.5 ? -1 : 1) * (1 + rnd()) * 2 ** e;
    }
    // f32 values close to multiples of pi/2, and the edges of the two reductions.
    [16367173, 1.6263033e38, 105414350, 8192, 8192.0009765625, 8191.99951171875, 2147483648, 3.4028234663852886e38, 12867.963]
      .forEach((v, i) => { x[i] = v; x[i + 16] = -v; });
    const out = new Float32Array(n * 3);
    await cuda.jit(function trig(x: Float32Array, o: Float32Array) {
      const i = cuda.grid(1);
      if (i < x.length) { o[i * 3] = Math.sin(x[i]); o[i * 3 + 1] = Math.cos(x[i]); o[i * 3 + 2] = Math.tan(x[i]); }
    }, { target: 'webgpu' }).configure(n / 256, 256)(x, out);
    const fns = [Math.sin, Math.cos, Math.tan];
    const limit = [2.5, 2.5, 4];
    const bad: string[] = [];
    for (let i = 0; i < n; i++) {
      for (let f = 0; f < 3; f++) {
        const want = fns[f](x[i]), got = out[i * 3 + f];
        const u = Math.abs(got - want) / ulp(want);
        if (!(u <= limit[f]) && bad.length < 10) bad.push(`Math.${fns[f].name}(${x[i]}) = ${got}, want ${want} (${u.toFixed(1)} ulp)`);
      }
    }
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
