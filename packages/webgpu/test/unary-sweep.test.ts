// Every unary f32 Math function on webgpu against JS's (f64) result rounded to f32, over
// 16384 arguments: log-spaced from 1e-30 to 1e30 and from 1e-8 to 100, every scale next to 1
// from both sides, and a dense [0, 4], both signs. Subnormal results count (in units of
// 2^-149; a flush to zero is allowed, as in WGSL), special values (NaN, ±Infinity) must match exactly. Limit: 3 ulp of the correctly
// rounded result (docs/backends/webgpu.md; measured on llvmpipe: exp, cosh, sin, cos, tan,
// cbrt, expm1 1; log, log1p, atan, sinh, tanh, atanh 2; log2, log10, asin, acos, asinh,
// acosh 3). WGSL's own exp may be 3 + 2|x| ulp off: llvmpipe's was 51 ulp at x = 88.6.

import { describe, expect, it } from 'vitest';
import { cuda } from '@numbat/core';
import { avail, onGpu, f32Ulp } from './helpers.js';

const FNS = ['sqrt', 'cbrt', 'exp', 'expm1', 'log', 'log2', 'log10', 'log1p', 'sin', 'cos', 'tan', 'asin', 'acos', 'atan',
  'sinh', 'cosh', 'tanh', 'asinh', 'acosh', 'atanh'] as const;


describe.skipIf(!avail.ok)(onGpu('unary Math functions in f32'), () => {
  it('stay within 3 ulp of the correctly rounded result, subnormal results included', async () => {
    const n = 1 << 14;
    const x = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      const t = i / n, sgn = i % 2 ? -1 : 1, k = i % 5;
      x[i] = Math.fround(k === 0 ? sgn * 10 ** (-30 + 60 * t) : k === 1 ? 1 + sgn * 2 ** (-24 + 23 * t) : k === 2 ? sgn * (t * 4)
        : k === 3 ? sgn * 10 ** (-8 + 10 * t) : sgn * (1 - 2 ** (-24 + 20 * t)));
    }
    const out = new Float32Array(n * FNS.length);
    // One kernel calling each function (written out: the frontend reads the source).
    const body = FNS.map((f, j) => `o[i * ${FNS.length} + ${j}] = Math.${f}(v);`).join(' ');
    const kernel = new Function('cuda', `return function unarySweep(x, o) { const i = cuda.grid(1); if (i < x.length) { const v = x[i]; ${body} } }`)(cuda);
    await cuda.jit(kernel, { target: 'webgpu' }).configure(n / 256, 256)(x, out);
    const worst: Record<string, number> = {};
    const bad: string[] = [];
    FNS.forEach((f, j) => {
      worst[f] = 0;
      for (let i = 0; i < n; i++) {
        const want = Math.fround((Math as any)[f](x[i]) as number), got = out[i * FNS.length + j];
        // A subnormal result may also be flushed to zero (WGSL allows it; llvmpipe keeps them).
        const flushed = Math.abs(want) < 1.1754943508222875e-38 && got === 0;
        const u = !Number.isFinite(want) ? (Object.is(got, want) || (want !== want && got !== got) ? 0 : Infinity) : flushed ? 0 : Math.abs(got - want) / f32Ulp(want);
        worst[f] = Math.max(worst[f], u);
        if (!(u <= 3) && bad.length < 12) bad.push(`Math.${f}(${x[i]}) = ${got}, want ${want} (${u.toFixed(1)} ulp)`);
      }
    });
    console.log(`worst ulp: ${FNS.map((f) => `${f} ${worst[f].toFixed(0)}`).join(', ')}`);
    expect(bad).toEqual([]);
  });
});
