// @ts-nocheck: cases are data for the frontend and probe JavaScript semantics TypeScript's checker refuses.
// numba's math.* functions JS's Math lacks (cuda.erf …), frexp's two results,
// device functions returning array literals, and Number.isNaN/isFinite, on
// edge values: ±0, subnormals, NaN, ±Infinity, large arguments.
import { cuda } from '@numbat/core';
import { evalMath } from '../../ir/semantics.js';
import type { CorpusCase } from './types.js';

const EDGES = [0, -0, 0.5, -0.75, 1, 2.5, -3.25, 1e-310, -5e-324, 1e300, -1e300, Infinity, -Infinity, NaN, 7, 0.1, -2.5, 30, 1.5, 3e-8];
const EDGES_F32 = [0, -0, 0.5, -0.75, 1, 2.5, -3.25, 1e-40, -1.4e-45, 3e38, -3e38, Infinity, -Infinity, NaN, 7, 0.1, -2.5, 30, 1.5, 3e-8];

// Exact functions (bit operations and exact steps): every target, f32 and f64.
function exactCase(float: 'f32' | 'f64'): CorpusCase {
  const T = float === 'f32' ? Float32Array : Float64Array;
  const edges = float === 'f32' ? EDGES_F32 : EDGES;
  const n = edges.length, K = 10;
  return {
    name: `math2_exact_${float}`,
    covers: ['cuda.copysign', 'cuda.nextafter', 'cuda.remainder', 'cuda.ldexp', 'cuda.frexp (destructured)', 'Number.isNaN / isFinite, isNaN / isFinite', float],
    needsF64: float === 'f64',
    kernel: function math2Exact(x: Float32Array, out: Float32Array, e: Int32Array) {
      const i = cuda.grid(1);
      if (i >= x.length) return;
      const v = x[i], w = x[(i + 5) % x.length];
      const k = i * 10;
      out[k] = cuda.copysign(2.5, v);
      out[k + 1] = cuda.copysign(v, w);
      out[k + 2] = cuda.nextafter(v, w);
      out[k + 3] = cuda.nextafter(v, 0);
      out[k + 4] = cuda.remainder(v, w);
      out[k + 5] = cuda.remainder(v * 3, 1.25);
      out[k + 6] = cuda.ldexp(v, i - 10);
      out[k + 7] = cuda.ldexp(v, 300 - i * 40);
      const [m, ex] = cuda.frexp(v);
      out[k + 8] = m;
      e[i * 2] = ex;
      let flags = 0;
      if (Number.isNaN(v)) flags += 1;
      if (Number.isFinite(v)) flags += 2;
      if (isNaN(w * 0)) flags += 4;
      if (isFinite(i)) flags += 8;
      if (Number.isFinite(v > 0)) flags += 16;
      e[i * 2 + 1] = flags;
      const [m2] = cuda.frexp(w);
      out[k + 9] = m2 + Number.MIN_VALUE * 0;
    },
    options: { float },
    grid: 1, block: 32,
    args: () => [T.from(edges), new T(n * K), new Int32Array(n * 2)],
    reference: ([x, out, e]: any) => {
      const single = float === 'f32';
      const m = (fn: string, args: number[]) => evalMath(fn as any, float, args);
      for (let i = 0; i < n; i++) {
        const v = x[i], w = x[(i + 5) % n], k = i * K;
        out[k] = m('copysign', [2.5, v]);
        out[k + 1] = m('copysign', [v, w]);
        out[k + 2] = m('nextafter', [v, w]);
        out[k + 3] = m('nextafter', [v, 0]);
        out[k + 4] = m('remainder', [v, w]);
        out[k + 5] = m('remainder', [single ? Math.fround(v * 3) : v * 3, 1.25]);
        out[k + 6] = m('ldexp', [v, i - 10]);
        out[k + 7] = m('ldexp', [v, 300 - i * 40]);
        out[k + 8] = m('frexpMant', [v]);
        e[i * 2] = evalMath('frexpExp', 'i32', [v]);
        e[i * 2 + 1] = (Number.isNaN(v) ? 1 : 0) + (Number.isFinite(v) ? 2 : 0) + (isNaN(w * 0) ? 4 : 0) + 8;
        out[k + 9] = m('frexpMant', [w]);
      }
    },
    outputs: [1, 2],
    rtol: 0, atol: 0,
  };
}

// erf, erfc, gamma, lgamma and fma (f64: the simulator's references, math-ref.ts;
// targets within the documented bounds; webgpu refuses them).
const SPECIAL_X = [0, -0, 1e-300, -1e-20, 0.3, -0.9, 1.5, 2.2, -2.7, 3.6, 5.5, -6.1, 10, 26.8, 171.5, -171.5, 0.5, -0.5, 100, Infinity, -Infinity, NaN, -3, 2, 1];

const special: CorpusCase = {
  name: 'math2_special_f64',
  covers: ['cuda.erf', 'cuda.erfc', 'cuda.gamma', 'cuda.lgamma', 'cuda.fma (one rounding)', 'f64'],
  needsF64: true,
  kernel: function math2Special(x: Float64Array, out: Float64Array) {
    const i = cuda.grid(1);
    if (i >= x.length) return;
    const v = x[i];
    out[i * 6] = cuda.erf(v);
    out[i * 6 + 1] = cuda.erfc(v);
    out[i * 6 + 2] = cuda.gamma(v);
    out[i * 6 + 3] = cuda.lgamma(v);
    out[i * 6 + 4] = cuda.fma(v, 1 + 2 ** -30, -v);
    out[i * 6 + 5] = cuda.fma(0.1, 10, -1);
  },
  options: { float: 'f64' },
  grid: 1, block: 32,
  args: () => [Float64Array.from(SPECIAL_X), new Float64Array(SPECIAL_X.length * 6)],
  reference: ([x, out]: any) => {
    for (let i = 0; i < x.length; i++) {
      const v = x[i];
      out[i * 6] = cuda.erf(v); out[i * 6 + 1] = cuda.erfc(v); out[i * 6 + 2] = cuda.gamma(v);
      out[i * 6 + 3] = cuda.lgamma(v); out[i * 6 + 4] = cuda.fma(v, 1 + 2 ** -30, -v); out[i * 6 + 5] = cuda.fma(0.1, 10, -1);
    }
  },
  outputs: [1],
  rtol: 1e-14, atol: 0,
};

// A device function returning an array literal, destructured (numba's tuple returns).
function divmod(a: number, b: number) {
  const q = Math.floor(a / b);
  if (b === 0) return [0, a];
  return [q, a - q * b];
}
const divmodDevice = cuda.jit(divmod, { device: true });

const tupleReturn: CorpusCase = {
  name: 'math2_device_array_return',
  covers: ['device function returning an array literal', 'const [a, b] = f(x)', 'returns of different types joined per element'],
  kernel: function tupleRet(x: Int32Array, out: Float32Array) {
    const i = cuda.grid(1);
    if (i >= x.length) return;
    const [q, r] = divmod(x[i], 3);
    const [q2, r2] = divmod(x[i] + 0.5, i % 2);
    out[i * 4] = q; out[i * 4 + 1] = r; out[i * 4 + 2] = q2; out[i * 4 + 3] = r2;
  },
  options: { globals: { divmod: divmodDevice } },
  grid: 1, block: 32,
  args: () => [Int32Array.from([-7, -1, 0, 1, 5, 8, 100, 2147483647]), new Float32Array(32)],
  reference: ([x, out]: any) => {
    for (let i = 0; i < x.length; i++) {
      const [q, r] = divmod(x[i], 3);
      const [q2, r2] = divmod(x[i] + 0.5, i % 2);
      out[i * 4] = q; out[i * 4 + 1] = r; out[i * 4 + 2] = q2; out[i * 4 + 3] = r2;
    }
  },
  outputs: [1],
};

export const math2: CorpusCase[] = [exactCase('f32'), exactCase('f64'), special, tupleReturn];
