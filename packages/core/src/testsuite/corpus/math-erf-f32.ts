// @ts-nocheck: cases are data for the frontend and probe JavaScript semantics TypeScript's checker refuses.
// cuda.erf, erfc, gamma and lgamma on f32 kernels: swept over their whole ranges
// (negatives, tails down to underflow, the poles of gamma, ±0, ±Infinity, NaN)
// and called where JS evaluates lazily (?: arms, &&, loop conditions). The
// reference is the simulator's (the f64 reference rounded to f32); cpu and cuda
// use their math libraries, webgpu core's f32 library (legalize/erf-gamma-f32.ts),
// each within the bounds of docs/language.md.
import { cuda } from '@numbat/core';
import { evalMath } from '../../ir/semantics.js';
import type { CorpusCase } from './types.js';

const SPECIALS = [0, -0, Infinity, -Infinity, NaN, 1, 2, 3, -1, -2, -3, -10, -1e30, 1e-45, -1e-45, 1e-40, -1e-38, 1e-30, -1e-30, 1e-7, -1e-7, 0.5, -0.5, 1.5, -1.5, 3e38, -3e38, 1e10, 1048577];

/** n points spread over [lo, hi], rounded to f32, then the specials. */
function sweep(ranges: [number, number, number][]): Float32Array {
  const xs: number[] = [];
  for (const [lo, hi, n] of ranges) for (let i = 0; i < n; i++) xs.push(lo + ((hi - lo) * (i + 0.5)) / n);
  return Float32Array.from([...xs, ...SPECIALS]);
}

const f32 = (fn: string, ...v: number[]): number => evalMath(fn as any, 'f32', v) as number;

/** One case per function group: out[k i + j] = fns[j](x[i]). */
function sweepCase(name: string, fns: string[], xs: Float32Array, tol: { rtol: number; atol: number }, kernel: (...a: any[]) => void): CorpusCase {
  const n = xs.length, k = fns.length;
  return {
    name,
    covers: [...fns.map((f) => `cuda.${f} (f32)`), 'f32 sweep: negatives, tails, ±0, ±Infinity, NaN'],
    kernel,
    options: { float: 'f32' },
    grid: Math.ceil(n / 128), block: 128,
    args: () => [xs.slice(), new Float32Array(n * k)],
    reference: ([x, out]: any) => {
      for (let i = 0; i < n; i++) fns.forEach((f, j) => { out[i * k + j] = f32(f, x[i]); });
    },
    outputs: [1],
    ...tol,
  };
}

// erf and erfc: |x| up to 11 (erfc underflows past 10.05), dense near the branch points 0.5, 1, 1.5, 4.
const ERF_X = sweep([[-11, 11, 2200], [0.4, 1.6, 600], [3.9, 4.1, 100], [9.5, 10.2, 200], [-1e-3, 1e-3, 50]]);
const erfCase = sweepCase('math_erf_f32_sweep', ['erf', 'erfc'], ERF_X, { rtol: 3.6e-7, atol: 3e-45 },
  function erfSweep(x: Float32Array, out: Float32Array) {
    const i = cuda.grid(1);
    if (i >= x.length) return;
    out[i * 2] = cuda.erf(x[i]);
    out[i * 2 + 1] = cuda.erfc(x[i]);
  });

// gamma: from below its underflow (-46) to past its overflow (35.04), dense around the poles and 0.
const GAMMA_X = sweep([[-47, 36, 3000], [-0.01, 0.01, 100], [-3.001, -2.999, 60], [-20.01, -19.99, 40], [34.9, 35.2, 40]]);
const gammaCase = sweepCase('math_gamma_f32_sweep', ['gamma'], GAMMA_X, { rtol: 6e-7, atol: 3e-45 },
  function gammaSweep(x: Float32Array, out: Float32Array) {
    const i = cuda.grid(1);
    if (i >= x.length) return;
    out[i] = cuda.gamma(x[i]);
  });

// lgamma: both signs, its zeros at 1 and 2 (and between the negative poles: absolute bound), large x.
const LGAMMA_X = sweep([[-60, 60, 3000], [0.9, 1.1, 100], [1.9, 2.1, 100], [60, 1e7, 300], [-1e-3, 1e-3, 40]]);
const lgammaCase = sweepCase('math_lgamma_f32_sweep', ['lgamma'], LGAMMA_X, { rtol: 3.6e-7, atol: 2e-7 },
  function lgammaSweep(x: Float32Array, out: Float32Array) {
    const i = cuda.grid(1);
    if (i >= x.length) return;
    out[i] = cuda.lgamma(x[i]);
  });

// The functions where JS evaluates lazily: a ?: arm, the right of &&, a loop condition, a device function.
function erfcScaled(v: number) {
  return cuda.erfc(v) * 2;
}
const erfcScaledDevice = cuda.jit(erfcScaled, { device: true });
const LAZY_X = Float32Array.from([-3, -0.7, 0, 0.25, 0.8, 1.7, 2.9, 5, 9, NaN, Infinity, -Infinity, 0.1, 4.5, -12.5, 33]);

const lazyCase: CorpusCase = {
  name: 'math_erf_gamma_f32_lazy',
  covers: ['cuda.erf/gamma in a ?: arm', 'cuda.lgamma right of &&', 'cuda.erf in a loop condition', 'cuda.erfc in a device function'],
  kernel: function erfLazy(x: Float32Array, out: Float32Array) {
    const i = cuda.grid(1);
    if (i >= x.length) return;
    const v = x[i];
    out[i * 4] = v > 0 ? cuda.erf(v) : cuda.gamma(v);
    out[i * 4 + 1] = v < 3 && cuda.lgamma(v) > 0 ? 1 : 0;
    let n = 0;
    let t = v;
    while (n < 20 && cuda.erf(t) > 0.5) { t = t - 0.25; n++; }
    out[i * 4 + 2] = n;
    out[i * 4 + 3] = erfcScaledDevice(v);
  },
  options: { float: 'f32', globals: { erfcScaledDevice } },
  grid: 1, block: 16,
  args: () => [LAZY_X.slice(), new Float32Array(LAZY_X.length * 4)],
  reference: ([x, out]: any) => {
    for (let i = 0; i < x.length; i++) {
      const v = x[i];
      out[i * 4] = v > 0 ? f32('erf', v) : f32('gamma', v);
      out[i * 4 + 1] = v < 3 && f32('lgamma', v) > 0 ? 1 : 0;
      let n = 0, t = v;
      while (n < 20 && f32('erf', t) > 0.5) { t = Math.fround(t - 0.25); n++; }
      out[i * 4 + 2] = n;
      out[i * 4 + 3] = Math.fround(f32('erfc', v) * 2);
    }
  },
  outputs: [1],
  rtol: 6e-7, atol: 0,
};

// cuda.nextafter / fma of literals in an f32 kernel: the f32 forms, as on values (they were folded in f64).
const literalFolds: CorpusCase = {
  name: 'math_f32_literal_folds',
  covers: ['cuda.nextafter of literals in an f32 kernel', 'cuda.fma of literals in an f32 kernel'],
  kernel: function literalFolds(x: Float32Array, out: Float32Array) {
    out[0] = cuda.nextafter(1, 2) - 1;
    out[1] = cuda.nextafter(x[0], 2) - 1;
    out[2] = cuda.fma(0.1, 10, -1);
    out[3] = cuda.fma(x[1], 10, -1);
  },
  options: { float: 'f32' },
  grid: 1, block: 1,
  args: () => [Float32Array.from([1, 0.1]), new Float32Array(4)],
  reference: ([x, out]: any) => {
    out[0] = out[1] = f32('nextafter', 1, 2) - 1;
    out[2] = out[3] = evalMath('fma', 'f32', [Math.fround(0.1), 10, -1]) as number;
  },
  outputs: [1],
  rtol: 0, atol: 0,
};

export const mathErfF32: CorpusCase[] = [erfCase, gammaCase, lgammaCase, lazyCase, literalFolds];
