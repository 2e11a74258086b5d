// The f32 sin-and-cos kernel computed in f32 (codegen/lane-math-f32.ts: hosts
// with FMA; a Box-Muller pair's) below 1 ulp of the exact result, on an even
// spread of f32 values over its fast range and beyond: every 151st f32 bit
// pattern (up to 8 million values per case), against the f64 sin and cos of the
// same lane groups (within 1 ulp of f64: far below an f32 ulp).
// `node bench/f32-math-accuracy.mjs sin|cos LO HI` measures every f32
// (docs/backends/cpu.md, "Vector math").
import { describe, expect, it } from 'vitest';
import { cuda, f64 } from '@numbat/core';
import { f32InF32 } from '../dist/codegen/lane-math-ir.js';

const inF32 = f32InF32();
const STEP = 151;

/** Worst error in f32 ulps of the exact result over the f32 bit patterns lo, lo + STEP, … below hi. */
async function worstUlp(fn: 'sin' | 'cos', lo: number, hi: number): Promise<{ worst: number; at: number; n: number }> {
  // sin and cos of one argument: the pair kernel
  const kernel = function f32_sincos(x: Float32Array, y: Float32Array, r: Float64Array) {
    for (let i = cuda.grid(1); i < x.length; i += cuda.gridsize(1)) { const v = x[i]; y[2 * i] = Math.sin(v); y[2 * i + 1] = Math.cos(v); r[2 * i] = Math.sin(f64(v)); r[2 * i + 1] = Math.cos(f64(v)); }
  };
  const per = 2;
  const launch = cuda.jit(kernel, { target: 'cpu' }).configure(256, 128);
  const CHUNK = 1 << 20;
  const bits = new Uint32Array(CHUNK), x = new Float32Array(bits.buffer), y = new Float32Array(CHUNK * per), r = new Float64Array(CHUNK * per);
  const dv = new DataView(new ArrayBuffer(8));
  const ulp = (v: number): number => { dv.setFloat64(0, v); return 2 ** Math.max(((dv.getUint16(0) >> 4) & 0x7ff) - 1023 - 23, -149); };
  let worst = 0, at = NaN, counted = 0;
  for (let start = lo; start < hi; start += CHUNK * STEP) {
    let n = 0;
    for (; n < CHUNK && start + n * STEP < hi; n++) bits[n] = start + n * STEP;
    await launch(x.subarray(0, n), y.subarray(0, n * per), r.subarray(0, n * per));
    const j = fn === 'cos' ? 1 : 0;
    for (let k = 0; k < n; k++) {
      const ref = r[k * per + j], got = y[k * per + j];
      if (!Number.isFinite(ref) || Math.abs(ref) > 3.4028234663852886e38 || Math.abs(ref) < 2 ** -149) {
        // (sin of the least subnormals) 0 or the least subnormal
        const ok = Number.isFinite(ref) && Math.abs(got - ref) <= 2 ** -149;
        expect(ok, `${fn}(${x[k]}): ${got} vs ${ref}`).toBe(true);
        continue;
      }
      counted++;
      const e = Math.abs(got - ref) / ulp(ref);
      if (e > worst) { worst = e; at = x[k]; }
    }
  }
  return { worst, at, n: counted };
}

describe.skipIf(!inF32)('cpu lane groups: f32 sin and cos of one argument, computed in f32, stay below 1 ulp', () => {
  const cases: Array<['sin' | 'cos', string, number, number]> = [
    ['sin', '0 ≤ x ≤ 2^17 (the fast range)', 0, 0x48000000],
    ['sin', '−2^17 ≤ x < 0', 0x80000001, 0xc8000000],
    ['cos', '0 ≤ x ≤ 2^17', 0, 0x48000000],
    ['cos', '−2^17 ≤ x < 0', 0x80000001, 0xc8000000],
    ['sin', '2^17 < x < 2^22 (libm\'s sinf)', 0x48000001, 0x4a800000],
    ['cos', '2^17 < x < 2^22', 0x48000001, 0x4a800000],
  ];
  for (const [fn, what, lo, hi] of cases) {
    it(`${fn}: ${what}`, async () => {
      const { worst, at, n } = await worstUlp(fn, lo, hi);
      expect(n).toBeGreaterThan(100_000);
      expect(worst, `worst at ${fn}(${at})`).toBeLessThan(1);
    });
  }
});

describe.skipIf(inF32)('cpu lane groups: f32 sin and cos computed in f32', () => {
  it('not on this host: it has no FMA, so they run in f64 (lane-math.test.ts)', () => {
    expect(inF32).toBe(false);
  });
});
