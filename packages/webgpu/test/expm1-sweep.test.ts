// Math.expm1, sinh and tanh in f32 against JS's (f64) results over a sweep that
// crosses |x| = 0.05 (where the old helper switched from a series to
// exp(x) - 1 and was up to 68 ulp off) and ln2/2 (the new reduction's edge).
// Limit: 2 ulp of the correctly rounded result (docs/backends/webgpu.md).

import { describe, expect, it } from 'vitest';
import { cuda } from '@numbat/core';
import { avail, onGpu, f32Ulp } from './helpers.js';


describe.skipIf(!avail.ok)(onGpu('expm1/sinh/tanh accuracy'), () => {
  it('stays within 2 ulp of the correctly rounded result from 1e-8 to 88', async () => {
    const n = 1 << 14;
    const x = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      // Dense around 0.05 and 0.35, log-spaced elsewhere, both signs.
      const t = i % 4 === 0 ? 0.03 + (0.04 * i) / n : i % 4 === 1 ? 0.3 + (0.1 * i) / n : 10 ** (-8 + (10 * i) / n);
      x[i] = Math.fround((i % 8 < 4 ? 1 : -1) * Math.min(t, 88));
    }
    const out = new Float32Array(n * 3);
    await cuda.jit(function hyp(x: Float32Array, o: Float32Array) {
      const i = cuda.grid(1);
      if (i < x.length) { o[i * 3] = Math.expm1(x[i]); o[i * 3 + 1] = Math.sinh(x[i]); o[i * 3 + 2] = Math.tanh(x[i]); }
    }, { target: 'webgpu' }).configure(n / 256, 256)(x, out);
    const fns = [Math.expm1, Math.sinh, Math.tanh];
    const worst = [0, 0, 0];
    const bad: string[] = [];
    for (let i = 0; i < n; i++) {
      for (let f = 0; f < 3; f++) {
        const want = fns[f](x[i]), got = out[i * 3 + f];
        if (Math.abs(want) > 3.4028234663852886e38) continue;
        const u = Math.abs(got - Math.fround(want)) / f32Ulp(want);
        worst[f] = Math.max(worst[f], u);
        if (!(u <= 2) && bad.length < 10) bad.push(`Math.${fns[f].name}(${x[i]}) = ${got}, want ${want} (${u.toFixed(1)} ulp)`);
      }
    }
    console.log(`expm1/sinh/tanh worst ulp: ${worst.map((w) => w.toFixed(2)).join(" / ")}`);
    expect(bad).toEqual([]);
  });
});
