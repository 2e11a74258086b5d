// Every Math intrinsic and float operator on special and ordinary f32 inputs,
// against the simulator: NaN, ±Infinity and ±0 must come out as in JS; other
// values within f32 tolerance (transcendentals on llvmpipe are not correctly
// rounded).

import { describe, expect, it } from 'vitest';
import { cuda, MATH_FNS } from '@numbat/core';
import { MATH_LOWERING } from '@numbat/webgpu';
import { avail, both, f32Mismatches, onGpu } from './helpers.js';

const SPECIAL = [NaN, Infinity, -Infinity, 0, -0, 1, -1, 0.5, -0.5, 2.5, -2.5, 1e-30, -1e-30, 1e30, 3.4e38, 0.49999997, -0.49999997, 100, -100, 89, -89, 0.7, 3, -3, 1.5, 7.25];
const N = SPECIAL.length;

const UNARY = ['sqrt', 'cbrt', 'exp', 'expm1', 'log', 'log2', 'log10', 'log1p', 'sin', 'cos', 'tan', 'asin', 'acos', 'atan',
  'sinh', 'cosh', 'tanh', 'asinh', 'acosh', 'atanh', 'abs', 'sign', 'floor', 'ceil', 'round', 'trunc'] as const;
const BINARY = ['atan2', 'pow', 'hypot', 'min', 'max', 'rem', 'div', 'mul', 'add'] as const;

describe('math lowering table', () => {
  it('has exactly one lowering per core intrinsic', () => {
    expect(Object.keys(MATH_LOWERING).sort()).toEqual([...MATH_FNS].sort());
  });
});

describe.skipIf(!avail.ok)(onGpu('Math.* on f32 special values'), () => {
  it('unary functions', async () => {
    const unary = function mathUnary(x: Float32Array, out: Float32Array) {
      const i = cuda.grid(1);
      if (i >= x.length) return;
      const v = x[i];
      let k = i * 26;
      out[k++] = Math.sqrt(v); out[k++] = Math.cbrt(v); out[k++] = Math.exp(v); out[k++] = Math.expm1(v);
      out[k++] = Math.log(v); out[k++] = Math.log2(v); out[k++] = Math.log10(v); out[k++] = Math.log1p(v);
      out[k++] = Math.sin(v); out[k++] = Math.cos(v); out[k++] = Math.tan(v); out[k++] = Math.asin(v);
      out[k++] = Math.acos(v); out[k++] = Math.atan(v); out[k++] = Math.sinh(v); out[k++] = Math.cosh(v);
      out[k++] = Math.tanh(v); out[k++] = Math.asinh(v); out[k++] = Math.acosh(v); out[k++] = Math.atanh(v);
      out[k++] = Math.abs(v); out[k++] = Math.sign(v); out[k++] = Math.floor(v); out[k++] = Math.ceil(v);
      out[k++] = Math.round(v); out[k++] = Math.trunc(v);
    };
    const { gpu, sim } = await both(unary, 1, 32, () => [Float32Array.from(SPECIAL), new Float32Array(N * 26)]);
    const bad = f32Mismatches(gpu[1] as Float32Array, sim[1] as Float32Array, 1e-5, (j) => `Math.${UNARY[j % 26]}(${SPECIAL[Math.floor(j / 26)]})`);
    expect(bad).toEqual([]);
  });

  it('binary functions and operators', async () => {
    const binary = function mathBinary(x: Float32Array, y: Float32Array, out: Float32Array) {
      const i = cuda.grid(1);
      if (i >= x.length) return;
      const a = x[i], b = y[i];
      let k = i * 9;
      out[k++] = Math.atan2(a, b); out[k++] = Math.pow(a, b); out[k++] = Math.hypot(a, b);
      out[k++] = Math.min(a, b); out[k++] = Math.max(a, b); out[k++] = a % b; out[k++] = a / b; out[k++] = a * b; out[k++] = a + b;
    };
    const xs: number[] = [], ys: number[] = [];
    for (const a of SPECIAL) for (const b of SPECIAL) { xs.push(a); ys.push(b); }
    const { gpu, sim } = await both(binary, Math.ceil(xs.length / 64), 64, () => [Float32Array.from(xs), Float32Array.from(ys), new Float32Array(xs.length * 9)]);
    const bad = f32Mismatches(gpu[2] as Float32Array, sim[2] as Float32Array, 1e-5, (j) => `${BINARY[j % 9]}(${xs[Math.floor(j / 9)]}, ${ys[Math.floor(j / 9)]})`);
    expect(bad).toEqual([]);
  });

  it('fastmath: true uses the vendor builtins (looser, still close)', async () => {
    const trig = function trig(x: Float32Array, out: Float32Array) {
      const i = cuda.grid(1);
      if (i < x.length) out[i] = Math.sin(x[i]) + Math.cos(x[i]) * 0.5 + x[i] / (x[i] + 3);
    };
    const xs = Float32Array.from({ length: 64 }, (_, i) => (i - 32) * 0.1);
    const k = cuda.jit(trig, { target: 'webgpu', fastmath: true });
    expect(await k.inspect('wgsl', xs, xs)).toMatch(/= \(\(sin\(/);
    const out = new Float32Array(64);
    await k.configure(1, 64)(xs, out);
    for (let i = 0; i < 64; i++) expect(out[i]).toBeCloseTo(Math.sin(xs[i]) + Math.cos(xs[i]) * 0.5 + xs[i] / (xs[i] + 3), 3);
  });
});
