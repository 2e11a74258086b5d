// @ts-nocheck: cases are data for the frontend and probe JavaScript semantics TypeScript's checker refuses.
import { cuda, MATH_FNS } from '@numbat/core';
import type { CorpusCase } from './types.js';

// Every Math intrinsic, on f32 and (where the target has it) f64, against JS's Math.
const INPUTS = [0.25, 0.5, 0.75, 1.5, 2.0, -0.3, -1.75, 3.7, 0.999, 10.5];

function mathKernel(float: 'f32' | 'f64'): CorpusCase {
  const T = float === 'f32' ? Float32Array : Float64Array;
  const n = INPUTS.length;
  return {
    name: `math_intrinsics_${float}`,
    covers: ['every Math.* intrinsic', `${float} math`, 'Math.min/max n-ary', 'Math.fround'],
    needsF64: float === 'f64',
    kernel: function mathAll(x: Float32Array, out: Float32Array) {
      const i = cuda.grid(1);
      if (i >= x.length) return;
      const v = x[i], w = x[(i + 3) % x.length];
      const a = Math.abs(v) + 0.1, p = Math.min(Math.abs(v), 0.9);
      let k = i * 40;
      out[k++] = Math.sqrt(a); out[k++] = Math.cbrt(v); out[k++] = Math.exp(v); out[k++] = Math.expm1(v);
      out[k++] = Math.log(a); out[k++] = Math.log2(a); out[k++] = Math.log10(a); out[k++] = Math.log1p(a);
      out[k++] = Math.sin(v); out[k++] = Math.cos(v); out[k++] = Math.tan(v); out[k++] = Math.asin(p);
      out[k++] = Math.acos(p); out[k++] = Math.atan(v); out[k++] = Math.sinh(v); out[k++] = Math.cosh(v);
      out[k++] = Math.tanh(v); out[k++] = Math.asinh(v); out[k++] = Math.acosh(a + 1); out[k++] = Math.atanh(p);
      out[k++] = Math.atan2(v, w); out[k++] = Math.pow(a, w); out[k++] = Math.hypot(v, w); out[k++] = Math.abs(v);
      out[k++] = Math.sign(v); out[k++] = Math.floor(v); out[k++] = Math.ceil(v); out[k++] = Math.round(v);
      out[k++] = Math.trunc(v); out[k++] = Math.min(v, w, 0.5); out[k++] = Math.max(v, w); out[k++] = Math.fround(v * 3);
      out[k++] = Math.pow(v, 2); out[k++] = Math.pow(-2, 3); out[k++] = Math.round(-0.5 - i);
      out[k++] = Math.abs(i - 5) + Math.min(i, 3) + Math.max(i, 7) + Math.sign(i - 4);
      out[k++] = v ** 2;
    },
    options: { float },
    grid: 1, block: 32,
    args: () => [T.from(INPUTS), new T(n * 40)],
    reference: ([x, out]: any) => {
      const r = float === 'f32' ? Math.fround : (y: number) => y;
      for (let i = 0; i < n; i++) {
        const v = x[i], w = x[(i + 3) % n];
        const a = r(Math.abs(v) + 0.1), p = Math.min(Math.abs(v), 0.9);
        const vals = [Math.sqrt(a), Math.cbrt(v), Math.exp(v), Math.expm1(v), Math.log(a), Math.log2(a), Math.log10(a), Math.log1p(a),
          Math.sin(v), Math.cos(v), Math.tan(v), Math.asin(p), Math.acos(p), Math.atan(v), Math.sinh(v), Math.cosh(v),
          Math.tanh(v), Math.asinh(v), Math.acosh(r(a + 1)), Math.atanh(p), Math.atan2(v, w), Math.pow(a, w), Math.hypot(v, w), Math.abs(v),
          Math.sign(v), Math.floor(v), Math.ceil(v), Math.round(v), Math.trunc(v), Math.min(v, w, 0.5), Math.max(v, w), Math.fround(r(v * 3)),
          Math.pow(v, 2), -8, Math.round(-0.5 - i), Math.abs(i - 5) + Math.min(i, 3) + Math.max(i, 7) + Math.sign(i - 4), v ** 2];
        vals.forEach((y, j) => (out[i * 40 + j] = y));
      }
    },
    outputs: [1],
    rtol: float === 'f32' ? 2e-5 : 1e-13,
    atol: float === 'f32' ? 2e-6 : 1e-15,
  };
}

export const math: CorpusCase[] = [mathKernel('f32'), mathKernel('f64')];
/** Each intrinsic of core's table appears in the math kernel (checked by a test). */
export const MATH_KERNEL_SOURCE = mathKernel('f32').kernel.toString();
export { MATH_FNS };
