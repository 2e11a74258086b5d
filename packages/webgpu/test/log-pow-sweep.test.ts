// Math.log1p, asinh, acosh and atanh in f32 against JS's (f64) results, dense where
// a naive formula cancels: log1p near |x| = 0.05 (its series/log switch) and up to 10,
// acosh just above 1 (log(x + sqrt(x² − 1)) was 300 ulp off at 1 + 1.2e-6: fuzz seed
// 18001086), asinh and atanh across their switch points; log, log2 and log10 near 1, where
// llvmpipe's log cancels (log(0.9999995) was 10% off) and over the whole range; pow with
// large integer parts of the exponent (squarings in f32 were ~n/2 ulp off).
// Limit: 3 ulp of the correctly rounded result (llvmpipe: 3.00 / 3.00 / 3.00 / 3.00, the rest
// is its log; docs/backends/webgpu.md).

import { describe, expect, it } from 'vitest';
import { cuda } from '@numbat/core';
import { avail, onGpu, f32Ulp } from './helpers.js';


describe.skipIf(!avail.ok)(onGpu('log, log1p, asinh/acosh/atanh and pow accuracy'), () => {
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
        const u = want !== want ? (got !== got ? 0 : Infinity) : Math.abs(got - Math.fround(want)) / f32Ulp(want);
        worst[f] = Math.max(worst[f], u);
        if (!(u <= 3) && bad.length < 12) bad.push(`Math.${names[f]}(${args[f]}) = ${got}, want ${want} (${u.toFixed(1)} ulp)`);
      }
    }
    console.log(`log1p/asinh/atanh/acosh worst ulp: ${worst.map((w) => w.toFixed(2)).join(' / ')}`);
    expect(bad).toEqual([]);
  });

  it('log, log2 and log10 stay within 3 ulp, next to 1 and across the range', async () => {
    const n = 1 << 14;
    const x = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      const t = i / n;
      // Every f32 within 1024 ulp below and above 1, dense across (0.5, 1.5), log-spaced 1e-38..1e38.
      x[i] = i < 2048 ? Math.fround(1 - (i + 1) * 2 ** -24) : i < 4096 ? Math.fround(1 + (i - 2047) * 2 ** -23)
        : i < 8192 ? Math.fround(0.5 + t) : Math.fround(10 ** (-38 + 76 * t));
    }
    const out = new Float32Array(n * 3);
    await cuda.jit(function logs3(x: Float32Array, o: Float32Array) {
      const i = cuda.grid(1);
      if (i < x.length) { o[i * 3] = Math.log(x[i]); o[i * 3 + 1] = Math.log2(x[i]); o[i * 3 + 2] = Math.log10(x[i]); }
    }, { target: 'webgpu' }).configure(n / 256, 256)(x, out);
    const fns = [Math.log, Math.log2, Math.log10];
    const worst = [0, 0, 0];
    const bad: string[] = [];
    for (let i = 0; i < n; i++) {
      for (let f = 0; f < 3; f++) {
        const want = fns[f](x[i]), got = out[i * 3 + f];
        const u = want === 0 ? (got === 0 ? 0 : Infinity) : Math.abs(got - Math.fround(want)) / f32Ulp(want);
        worst[f] = Math.max(worst[f], u);
        if (!(u <= 3) && bad.length < 12) bad.push(`Math.${fns[f].name}(${x[i]}) = ${got}, want ${want} (${u.toFixed(1)} ulp)`);
      }
    }
    console.log(`log/log2/log10 worst ulp: ${worst.map((w) => w.toFixed(2)).join(' / ')}`);
    expect(bad).toEqual([]);
  });

  it('pow stays within 4 ulp for integer parts of the exponent up to 2^24', async () => {
    const n = 1 << 12;
    const a = new Float32Array(n), b = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      // Bases near 1 (where large powers stay finite) and spread, exponents log-spaced to 1e7, both signs, some fractional.
      const near = i % 2 === 0;
      a[i] = Math.fround(near ? 1 + (((i * 7919) % 2001) - 1000) * 2 ** -22 : 0.25 + ((i * 104729) % 4096) / 1024);
      const e = 10 ** ((7 * ((i * 31) % 997)) / 997);
      const bb = Math.fround((i % 4 < 2 ? 1 : -1) * (i % 3 === 0 ? Math.round(e) : e));
      b[i] = near ? bb : Math.fround(bb % 60);
    }
    const out = new Float32Array(n);
    await cuda.jit(function pw(a: Float32Array, b: Float32Array, o: Float32Array) {
      const i = cuda.grid(1);
      if (i < a.length) o[i] = Math.pow(a[i], b[i]);
    }, { target: 'webgpu' }).configure(n / 256, 256)(a, b, out);
    let worst = 0, checked = 0;
    const bad: string[] = [];
    for (let i = 0; i < n; i++) {
      const want = Math.pow(a[i], b[i]);
      // Results that overflow or are subnormal in f32 are left to the special-value tests.
      if (!(Math.abs(want) >= 1.1754943508222875e-38 && Math.abs(want) <= 3.4028234663852886e38)) continue;
      checked++;
      const u = Math.abs(out[i] - Math.fround(want)) / f32Ulp(want);
      worst = Math.max(worst, u);
      if (!(u <= 4) && bad.length < 12) bad.push(`Math.pow(${a[i]}, ${b[i]}) = ${out[i]}, want ${want} (${u.toFixed(1)} ulp)`);
    }
    console.log(`pow worst ulp: ${worst.toFixed(2)} over ${checked} finite normal results`);
    expect(checked).toBeGreaterThan(n / 2);
    expect(bad).toEqual([]);
  });
});
