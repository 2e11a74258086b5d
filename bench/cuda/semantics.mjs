// JS semantics at the edges, on the GPU against the simulator: float %,
// division, sqrt, conversions, rounding, min/max with -0 and NaN (bit-exact:
// Object.is), and the transcendental functions at special values (within a
// few ulps; exact for NaN, infinities and the sign of zero).
//   node bench/cuda/semantics.mjs [out.json]
import { writeFileSync } from 'node:fs';
import { cuda } from '@numbat/core';

const SPECIAL = [0, -0, 1, -1, 0.5, -0.5, 1.5, 2.5, -2.5, 5.5, -5.5, 3, -3, 1e-3, 1e7, -1e7, 3.4e38, 1e300, 1e-40, 1e-310, 0.49999999999999994, 2147483648.5, -2147483649, 4294967296.75, Infinity, -Infinity, NaN];
const pairs = (T) => {
  const a = [], b = [];
  for (const x of SPECIAL) for (const y of SPECIAL) { a.push(x); b.push(y); }
  return [T.from(a), T.from(b)];
};

export const CASES = {
  rem: { exact: true, fn: function rem(a, b, out) { const i = cuda.grid(1); if (i < out.length) out[i] = a[i] % b[i]; } },
  div: { exact: true, fn: function div(a, b, out) { const i = cuda.grid(1); if (i < out.length) out[i] = a[i] / b[i]; } },
  sqrtRound: { exact: true, fn: function sqrtRound(a, b, out) { const i = cuda.grid(1); if (i < out.length) out[i] = Math.sqrt(a[i]) + Math.round(b[i]) * 0 + Math.round(a[i]); } },
  minmax: { exact: true, fn: function minmax(a, b, out) { const i = cuda.grid(1); if (i < out.length) out[i] = Math.min(a[i], b[i]) - Math.max(b[i], a[i]) * 0.5; } },
  toInt: { exact: true, fn: function toInt(a, b, out) { const i = cuda.grid(1); if (i < out.length) out[i] = (a[i] | 0) + (b[i] >>> 0) * 0.25 + Math.trunc(a[i] * 0.5); } },
  floorCeil: { exact: true, fn: function floorCeil(a, b, out) { const i = cuda.grid(1); if (i < out.length) out[i] = Math.floor(a[i]) - Math.ceil(b[i]) + Math.sign(a[i]); } },
  sin: { exact: false, fn: function sin_(a, b, out) { const i = cuda.grid(1); if (i < out.length) out[i] = Math.sin(a[i]); } },
  exp: { exact: false, fn: function exp_(a, b, out) { const i = cuda.grid(1); if (i < out.length) out[i] = Math.exp(a[i]); } },
  log: { exact: false, fn: function log_(a, b, out) { const i = cuda.grid(1); if (i < out.length) out[i] = Math.log(a[i]); } },
  pow: { exact: false, fn: function pow_(a, b, out) { const i = cuda.grid(1); if (i < out.length) out[i] = Math.pow(a[i], b[i]); } },
  atan2: { exact: false, fn: function atan2_(a, b, out) { const i = cuda.grid(1); if (i < out.length) out[i] = Math.atan2(a[i], b[i]); } },
  hypot: { exact: false, fn: function hypot_(a, b, out) { const i = cuda.grid(1); if (i < out.length) out[i] = Math.hypot(a[i], b[i]); } },
  cbrt: { exact: false, fn: function cbrt_(a, b, out) { const i = cuda.grid(1); if (i < out.length) out[i] = Math.cbrt(a[i]); } },
  expm1: { exact: false, fn: function expm1_(a, b, out) { const i = cuda.grid(1); if (i < out.length) out[i] = Math.expm1(a[i]); } },
  tanh: { exact: false, fn: function tanh_(a, b, out) { const i = cuda.grid(1); if (i < out.length) out[i] = Math.tanh(a[i]); } },
};

export function kernelOf(name, T) {
  return cuda.jit(CASES[name].fn, { target: 'cuda', cache: true, float: T === Float32Array ? 'f32' : 'f64' });
}
export function argsOf(T) {
  const [a, b] = pairs(T);
  return [a, b, new T(a.length)];
}

function same(g, w, exact, f32) {
  if (Number.isNaN(w)) return Number.isNaN(g);
  if (exact || !Number.isFinite(w) || w === 0) return Object.is(g, w);
  return Math.abs(g - w) <= (f32 ? 4e-6 : 1e-13) * Math.abs(w) + (f32 ? 1e-30 : 1e-300);
}

if (process.argv[1] && import.meta.url.endsWith(`/${process.argv[1].split('/').pop()}`)) {
  const results = [];
  for (const name of Object.keys(CASES)) {
    for (const T of [Float32Array, Float64Array]) {
      const label = `${name} ${T === Float32Array ? 'f32' : 'f64'}`;
      try {
        const args = argsOf(T);
        const n = args[2].length;
        await kernelOf(name, T).configure(Math.ceil(n / 128), 128)(...args);
        const want = argsOf(T);
        await cuda.jit(CASES[name].fn, { target: 'sim', float: T === Float32Array ? 'f32' : 'f64' }).configure(Math.ceil(n / 128), 128)(...want);
        const bad = [];
        for (let i = 0; i < n; i++) {
          if (!same(args[2][i], want[2][i], CASES[name].exact, T === Float32Array)) bad.push(`(${args[0][i]}, ${args[1][i]}) → ${args[2][i]}, sim ${want[2][i]}`);
        }
        results.push({ name: label, n, mismatches: bad.length, first: bad.slice(0, 6) });
      } catch (e) {
        results.push({ name: label, error: String(e?.message ?? e).split('\n')[0] });
      }
      const r = results.at(-1);
      console.log(`${r.error ? 'ERROR' : r.mismatches ? 'DIFF ' : 'ok   '} ${label}${r.error ? `: ${r.error}` : r.mismatches ? `: ${r.mismatches}/${r.n}: ${r.first.join('; ')}` : ` (${r.n} pairs)`}`);
    }
  }
  if (process.argv[2]) writeFileSync(process.argv[2], JSON.stringify(results, null, 2));
}
