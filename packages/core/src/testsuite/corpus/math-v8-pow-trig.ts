// @ts-nocheck: cases are data for the frontend and probe JavaScript semantics TypeScript's checker refuses.
// f64 Math.pow and Math.hypot against the simulator (JS's Math, i.e. V8) bit for bit: special
// and boundary pairs (signed zeros, infinities, NaN, ±1, odd and even integers with negative
// bases, results next to overflow and underflow, subnormals, x near 1 with huge y), and a
// random spread; sin/cos/tan of huge arguments (multiples of π/2 up to 1e300, the double
// nearest a multiple of π/2, the largest double), reduced with the digits of 2/π as fdlibm does:
// bit for bit too.
// webgpu has no f64: refused with a clear error.
import { cuda } from '@numbat/core';
import type { CorpusCase } from './types.js';

const SPECIALS = [0, -0, Infinity, -Infinity, NaN, 1, -1, 0.5, -0.5, 2, -2, 3, -3, 2 ** 53, -(2 ** 53), 2 ** 64,
  1e300, -1e300, 5e-324, -5e-324, 2 ** -1022, 1 + 2 ** -52, 1 - 2 ** -53, -(1 + 2 ** -52), 1024, -1075];

/** Deterministic pairs: every pair of specials, then hard and random ones. */
function pairs(): [Float64Array, Float64Array] {
  const a: number[] = [], b: number[] = [];
  for (const x of SPECIALS) for (const y of SPECIALS) { a.push(x); b.push(y); }
  let s = 12345;
  const r = (): number => { s = (Math.imul(s, 1103515245) + 12345) >>> 0; return s / 2 ** 32; };
  for (let i = 0; i < 256; i++) { const x = 0.5 + 3 * r(); a.push(x); b.push((1024 - 2e-7 * r()) / Math.log2(x)); }
  for (let i = 0; i < 256; i++) { const x = 0.5 + 3 * r(); a.push(x); b.push((-1074.5 + r()) / Math.log2(x)); }
  for (let i = 0; i < 128; i++) { a.push(1 + (r() - 0.5) * 2 ** -22); b.push((r() < 0.5 ? -1 : 1) * 2 ** (31 + 40 * r())); }
  for (let i = 0; i < 128; i++) { a.push(-(0.5 + 9 * r())); b.push((r() < 0.5 ? -1 : 1) * Math.floor(r() * 200)); }
  for (let i = 0; i < 512; i++) { a.push(Math.abs((r() - 0.5) * 2 ** (200 * r() - 100))); b.push((r() - 0.5) * 40); }
  return [Float64Array.from(a), Float64Array.from(b)];
}

const [PA, PB] = pairs();

const powHypot: CorpusCase = {
  name: 'math_v8_pow_hypot_f64',
  covers: ['Math.pow (f64, V8 bits)', 'Math.hypot (f64, V8 bits)', '** (f64)', 'pow special values'],
  needsF64: true,
  kernel: function powHypot(a: Float64Array, b: Float64Array, out: Float64Array) {
    const i = cuda.grid(1);
    if (i >= a.length) return;
    out[3 * i] = Math.pow(a[i], b[i]);
    out[3 * i + 1] = a[i] ** b[i];
    out[3 * i + 2] = Math.hypot(a[i], b[i]);
  },
  options: { float: 'f64' },
  grid: Math.ceil(PA.length / 128), block: 128,
  args: () => [PA.slice(), PB.slice(), new Float64Array(3 * PA.length)],
  reference: ([a, b, out]: any) => {
    for (let i = 0; i < a.length; i++) {
      out[3 * i] = Math.pow(a[i], b[i]);
      out[3 * i + 1] = a[i] ** b[i];
      out[3 * i + 2] = Math.hypot(a[i], b[i]);
    }
  },
  outputs: [2],
  rtol: 0, atol: 0, signedZero: true,
};

/** Multiples of π/2 (and neighbours) from 2^19 π up to 1e300, and random huge values. */
function hugeArgs(): Float64Array {
  const xs: number[] = [];
  for (let e = 21; e <= 996; e += 15) {
    const k = Math.round(2 ** e / (Math.PI / 2));
    const v = k * (Math.PI / 2);
    xs.push(v, -v, v * (1 + 2 ** -52), 2 ** e, 2 ** e * 1.7);
  }
  xs.push(1e300, -1e300, Number.MAX_VALUE, -Number.MAX_VALUE, 1e22, 1e15 * Math.PI, 6381956970095103 * 2 ** 797);
  return Float64Array.from(xs);
}
const HUGE = hugeArgs();

const hugeTrig: CorpusCase = {
  name: 'math_v8_trig_huge_f64',
  covers: ['Math.sin/cos/tan of huge f64 arguments (beyond 2^19·π)'],
  needsF64: true,
  kernel: function hugeTrig(x: Float64Array, out: Float64Array) {
    const i = cuda.grid(1);
    if (i >= x.length) return;
    out[3 * i] = Math.sin(x[i]);
    out[3 * i + 1] = Math.cos(x[i]);
    out[3 * i + 2] = Math.tan(x[i]);
  },
  options: { float: 'f64' },
  grid: Math.ceil(HUGE.length / 64), block: 64,
  args: () => [HUGE.slice(), new Float64Array(3 * HUGE.length)],
  reference: ([x, out]: any) => {
    for (let i = 0; i < x.length; i++) {
      out[3 * i] = Math.sin(x[i]);
      out[3 * i + 1] = Math.cos(x[i]);
      out[3 * i + 2] = Math.tan(x[i]);
    }
  },
  outputs: [1],
  rtol: 0, atol: 0, signedZero: true,
};

/** Triples for n-ary hypot: specials in every position, then a random spread over wide exponents. */
function triples(): Float64Array {
  const S = [0, -0, Infinity, -Infinity, NaN, 1, -3, 1e300, -1e-300, 5e-324, 2 ** 1023];
  const v: number[] = [];
  for (const a of S) for (const b of S) for (const c of [0, NaN, -Infinity, 2.5]) v.push(a, b, c);
  let s = 777;
  const r = (): number => { s = (Math.imul(s, 1103515245) + 12345) >>> 0; return s / 2 ** 32; };
  for (let i = 0; i < 300; i++) for (let j = 0; j < 3; j++) v.push((r() - 0.5) * 2 ** (600 * r() - 300));
  return Float64Array.from(v);
}
const TRIPLES = triples();

function hypotNary(float: 'f32' | 'f64'): CorpusCase {
  const T = float === 'f64' ? Float64Array : Float32Array;
  const n = TRIPLES.length / 3;
  return {
    name: `math_hypot_nary_${float}`,
    covers: [`Math.hypot with 0, 1, 3 and 4 arguments (${float}${float === 'f64' ? ', V8 bits' : ''})`],
    needsF64: float === 'f64',
    kernel: function hypotNary(v: Float64Array, out: Float64Array) {
      const i = cuda.grid(1);
      if (i >= out.length / 4) return;
      const a = v[3 * i], b = v[3 * i + 1], c = v[3 * i + 2];
      out[4 * i] = Math.hypot(a, b, c);
      out[4 * i + 1] = Math.hypot(c, a, b, a);
      out[4 * i + 2] = Math.hypot(b);
      out[4 * i + 3] = Math.hypot() + Math.hypot(3, 4, 12);
    },
    options: { float },
    grid: Math.ceil(n / 64), block: 64,
    args: () => [T.from(TRIPLES), new T(4 * n)],
    reference: ([v, out]: any) => {
      const r = float === 'f32' ? Math.fround : (y: number) => y;
      for (let i = 0; i < n; i++) {
        const a = v[3 * i], b = v[3 * i + 1], c = v[3 * i + 2];
        out[4 * i] = r(Math.hypot(a, b, c));
        out[4 * i + 1] = r(Math.hypot(c, a, b, a));
        out[4 * i + 2] = r(Math.hypot(b));
        out[4 * i + 3] = 13;
      }
    },
    outputs: [1],
    // f64: V8's steps exactly; f32: the same steps in f32 (webgpu's ÷ and sqrt within WGSL's bounds)
    ...(float === 'f64' ? { rtol: 0, atol: 0, signedZero: true } : { rtol: 1e-6, atol: 0 }),
  };
}

export const mathV8PowTrig: CorpusCase[] = [powHypot, hugeTrig, hypotNary('f64'), hypotNary('f32')];
