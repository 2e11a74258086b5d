// Math.log1p, asinh, acosh and atanh in f32 against JS's (f64) results, dense where
// a naive formula cancels: log1p near |x| = 0.05 (its series/log switch) and up to 10,
// acosh just above 1 (log(x + sqrt(x² − 1)) was 300 ulp off at 1 + 1.2e-6: fuzz seed
// 18001086), asinh and atanh across their switch points.
// Limit: 3 ulp of the correctly rounded result (llvmpipe: 3.00 / 3.00 / 3.00 / 3.00, the rest
// is its log; docs/backends/webgpu.md).

import { describe, expect, it } from 'vitest';
import { cuda } from '@numbat/core';
import { avail, onGpu } from './helpers.js';

function ulp(v: number): number {
  const a = Math.abs(Math.fround(v));
  if (a < 1.1754943508222875e-38) return 2 ** -149;
  return 2 ** (Math.floor(Math.log2(a)) - 23);
}

describe.skipIf(!avail.ok)(onGpu('log1p/asinh/acosh/atanh accuracy'), () => {
  it('stays within 3 ulp of the correctly rounded result', async () => {
    const n = 1 << 14;
    const x = new Float32Array(n), y = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      const t = i / n;
      // log1p, asinh, atanh: dense around 0.05 (both signs), log-spaced from 1e-8 to 10 (atanh below 1).
      const s = i % 4 === 0 ? 0.03 + 0.04 * t : i % 4 === 1 ? 0.3 + 0.4 * t : 10 ** (-8 + 9 * t);
      x[i] = Math.fround((i % 8 < 4 ? 1 : -1) * s);
      // acosh: 1 + d for d log-spaced from 2^-23 to 8, and every f32 just above 1.
      y[i] = i < 4096 ? Math.fround(1 + i * 2 ** -23) : Math.fround(1 + 2 ** (-23 + 26 * t));
    }
    const out = new Float32Array(n * 4);
    await cuda.jit(function logs(x: Float32Array, y: Float32Array, o: Float32Array) {
      const i = cuda.grid(1);
      if (i < x.length) {
        o[i * 4] = Math.log1p(x[i]); o[i * 4 + 1] = Math.asinh(x[i]);
        o[i * 4 + 2] = Math.atanh(x[i] * 0.0999999940395355); o[i * 4 + 3] = Math.acosh(y[i]);
      }
    }, { target: 'webgpu' }).configure(n / 256, 256)(x, y, out);
    const names = ['log1p', 'asinh', 'atanh', 'acosh'];
    const worst = [0, 0, 0, 0];
    const bad: string[] = [];
    for (let i = 0; i < n; i++) {
      const args = [x[i], x[i], Math.fround(x[i] * 0.0999999940395355), y[i]];
      for (let f = 0; f < 4; f++) {
        const want = (Math as any)[names[f]](args[f]) as number, got = out[i * 4 + f];
        const u = want !== want ? (got !== got ? 0 : Infinity) : Math.abs(got - Math.fround(want)) / ulp(want);
        worst[f] = Math.max(worst[f], u);
        if (!(u <= 3) && bad.length < 12) bad.push(`Math.${names[f]}(${args[f]}) = ${got}, want ${want} (${u.toFixed(1)} ulp)`);
      }
    }
    console.log(`log1p/asinh/atanh/acosh worst ulp: ${worst.map((w) => w.toFixed(2)).join(' / ')}`);
    expect(bad).toEqual([]);
  });
});
