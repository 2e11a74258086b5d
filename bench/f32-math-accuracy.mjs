// Worst error, in f32 ulps of the exact result, of cpu's f32 Math.exp / log and of the sin-and-cos
// pair (sin and cos of one argument, as Box-Muller takes them) in lane groups, over a range of f32
// bit patterns (every one by default), against the same lane groups' f64 functions (within 1 ulp
// of f64, far below an f32 ulp). Measures what packages/cpu/test/lane-math-f32.test.ts samples
// (docs/backends/cpu.md, "Vector math").
//
//   node bench/f32-math-accuracy.mjs log 0x1 0x7f800000        every positive f32
//   node bench/f32-math-accuracy.mjs sin 0x0 0x48000000 [step] 0 ≤ x ≤ 2^17
import { cuda, f64 } from '@numbat/core';

const [fn, loArg, hiArg, stepArg] = process.argv.slice(2);
const kernels = {
  log: function f32_log(x, y, r, _o) { for (let i = cuda.grid(1); i < x.length; i += cuda.gridsize(1)) { const v = x[i]; y[i] = Math.log(v); r[i] = Math.log(f64(v)); } },
  exp: function f32_exp(x, y, r, _o) { for (let i = cuda.grid(1); i < x.length; i += cuda.gridsize(1)) { const v = x[i]; y[i] = Math.exp(v); r[i] = Math.exp(f64(v)); } },
  // the pair: the other function's values go to `o`
  sin: function f32_sin(x, y, r, o) { for (let i = cuda.grid(1); i < x.length; i += cuda.gridsize(1)) { const v = x[i]; y[i] = Math.sin(v); o[i] = Math.cos(v); r[i] = Math.sin(f64(v)); } },
  cos: function f32_cos(x, y, r, o) { for (let i = cuda.grid(1); i < x.length; i += cuda.gridsize(1)) { const v = x[i]; y[i] = Math.cos(v); o[i] = Math.sin(v); r[i] = Math.cos(f64(v)); } },
};
if (!kernels[fn] || loArg === undefined || hiArg === undefined) {
  console.error('usage: node bench/f32-math-accuracy.mjs exp|log|sin|cos LO HI [STEP]   (f32 bit patterns LO ≤ b < HI)');
  process.exit(2);
}
const lo = Number(loArg), hi = Number(hiArg), step = Number(stepArg ?? 1);
const CHUNK = 1 << 22;
const launch = cuda.jit(kernels[fn], { target: 'cpu' }).configure(256, 128);
const bits = new Uint32Array(CHUNK), x = new Float32Array(bits.buffer), y = new Float32Array(CHUNK), r = new Float64Array(CHUNK), o = new Float32Array(CHUNK);
const dv = new DataView(new ArrayBuffer(8));
const ulp = (v) => { dv.setFloat64(0, v); return 2 ** Math.max(((dv.getUint16(0) >> 4) & 0x7ff) - 1023 - 23, -149); };
let worst = 0, at = NaN, n = 0, over = 0, within = 0;
for (let b = lo; b < hi; b += CHUNK * step) {
  let m = 0;
  for (; m < CHUNK && b + m * step < hi; m++) bits[m] = b + m * step;
  await launch(x.subarray(0, m), y.subarray(0, m), r.subarray(0, m), o.subarray(0, m));
  for (let i = 0; i < m; i++) {
    const ref = r[i];
    if (!Number.isFinite(ref) || Math.abs(ref) > 3.4028234663852886e38 || Math.abs(ref) < 2 ** -149) continue;
    const e = Math.abs(y[i] - ref) / ulp(ref);
    n++;
    if (e > 0.5) over++;
    if (e >= 1) within++;
    if (e > worst) { worst = e; at = x[i]; }
  }
}
console.log(`${fn} over f32 bits 0x${lo.toString(16)}..0x${hi.toString(16)} (step ${step}): ${n} finite results, worst ${worst.toFixed(4)} ulp at x = ${at}; ${over} above 0.5 ulp (not correctly rounded), ${within} at 1 ulp or more`);
