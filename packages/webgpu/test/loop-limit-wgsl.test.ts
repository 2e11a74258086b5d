// The WGSL variant for drivers with a loop limit (no GPU needed): innermost
// loops are unrolled LOOP_UNROLL times, loops with continue or barriers are
// not, and every loop checks after itself that it was left on purpose; loops
// whose passes the IR bounds (few in all) are not unrolled, and a kernel
// whose every loop is so bounded gets the plain shader.

import { describe, expect, it } from 'vitest';
import { cuda, type KernelIR } from '@numbat/core';
import { generateWgsl, LOOP_PASS_MARGIN, LOOP_UNROLL, type WgslKernel } from '@numbat/webgpu';

async function irOf(fn: (...a: any[]) => void, ...args: unknown[]): Promise<KernelIR> {
  const k = cuda.jit(fn, { target: 'webgpu', boundscheck: false });
  await k.inspect('wgsl', ...args);
  return (await [...(k as any).specs.values()][0]).legal;
}

const LIMIT = 65535;
/** The variant under llvmpipe's limit, and the plain shader. */
async function variants(fn: (...a: any[]) => void, ...args: unknown[]): Promise<{ limited: WgslKernel; plain: WgslKernel }> {
  const ir = await irOf(fn, ...args);
  return {
    limited: generateWgsl(ir, { float: 'f32', boundscheck: true, loopIterationLimit: LIMIT }),
    plain: generateWgsl(ir, { float: 'f32', boundscheck: true }),
  };
}
/** How many times a loop on local `v` tests its condition in the shader text. */
const tests = (code: string, v: string): number => count(code, new RegExp(`if \\(!\\(\\(${v}_\\d+ <`, 'g'));

const count = (code: string, re: RegExp): number => (code.match(re) ?? []).length;

describe('WGSL under a driver loop limit', () => {
  it('unrolls an innermost loop and checks every loop after it', async () => {
    const ir = await irOf(function loops(o: Int32Array, n: number) {
      let s = 0;
      for (let j = 0; j < n; j++) s += j;            // unrolled
      for (let j = 0; j < n; j++) { if (j === 3) continue; s -= 1; } // continue: one iteration per pass
      o[0] = s;
    }, new Int32Array(1), 5);
    const plain = generateWgsl(ir, { float: 'f32', boundscheck: false }).code;
    const limited = generateWgsl(ir, { float: 'f32', boundscheck: false, loopIterationLimit: 65535 }).code;
    expect(count(plain, /nb_report\(3u/g)).toBe(0);
    expect(count(limited, /nb_report\(3u/g)).toBe(2);
    // The first loop's condition appears once per unrolled copy, the second's once.
    expect(count(limited, /if \(!\(\(j_\d+ < nb_a\.n_p1\)\)\) \{ nb_done\d+ = true; break; \}/g)).toBe(LOOP_UNROLL + 1);
    expect(count(plain, /if \(!\(\(j_\d+ < nb_a\.n_p1\)\)\) \{ break; \}/g)).toBe(2);
  });

  it('a kernel whose loops all have small constant bounds gets the plain shader', async () => {
    const { limited, plain } = await variants(function small(o: Float32Array) {
      let s = 0;
      for (let z = 0; z < 8; z++) s += z;
      for (let a = 0; a < 4; a++) for (const b of cuda.range(0, 16)) s += a * b;
      for (let z = 0; z < 3; z++) s += z % 1.5; // numbat's fmod: at most 32 passes a call
      o[0] = s;
    }, new Float32Array(1));
    expect(limited.loopForm).toBe('plain');
    expect(limited.code).toBe(plain.code);
    expect(limited.code).not.toMatch(/nb_passes|nb_done|nb_report\(3u/);
  });

  it('a run-time bound keeps the unrolled, counted loop; a constant one beside it stays one iteration per pass', async () => {
    const { limited } = await variants(function mixed(o: Float32Array, n: number) {
      let s = 0;
      for (let z = 0; z < 8; z++) s += z;
      for (let j = 0; j < n; j++) s += j;
      o[0] = s;
    }, new Float32Array(1), 5);
    expect(limited.loopForm).toBe('counted');
    expect(tests(limited.code, 'z')).toBe(1);
    expect(tests(limited.code, 'j')).toBe(LOOP_UNROLL);
    // Both loops still count their passes and report a cut.
    expect(count(limited.code, /nb_passes \+= 1u;/g)).toBe(2);
    expect(count(limited.code, /nb_report\(3u/g)).toBe(2);
  });

  it('a constant loop inside a grid-stride loop is unrolled (its passes have no bound), in as few copies as finish it in one pass', async () => {
    const { limited } = await variants(function inner(o: Float32Array) {
      for (let i = cuda.grid(1); i < o.length; i += cuda.gridsize(1)) {
        let s = 0;
        for (let z = 0; z < 4; z++) s += z;   // 4 copies and the test that ends it
        for (let y = 0; y < 20; y++) s += y;  // LOOP_UNROLL copies
        o[i] = s;
      }
    }, new Float32Array(1));
    expect(limited.loopForm).toBe('counted');
    expect(tests(limited.code, 'z')).toBe(4 + 1);
    expect(tests(limited.code, 'y')).toBe(LOOP_UNROLL);
    expect(count(limited.code, /nb_report\(3u/g)).toBe(3);
  });

  it('nested constant loops whose passes pass the margin are unrolled and counted', async () => {
    const budget = Math.floor(LIMIT / LOOP_PASS_MARGIN);
    // 64 × 65 inner passes: just over the budget.
    expect(64 * 65).toBeGreaterThan(budget);
    const big = await variants(function nested(o: Float32Array) {
      let s = 0;
      for (let a = 0; a < 64; a++) for (let b = 0; b < 64; b++) s += a ^ b;
      o[0] = s;
    }, new Float32Array(1));
    expect(big.limited.loopForm).toBe('unrolled');
    expect(tests(big.limited.code, 'b')).toBe(LOOP_UNROLL);
    expect(count(big.limited.code, /nb_report\(3u/g)).toBe(2);
    // 62 × 65 fits: plain.
    const fits = await variants(function nested(o: Float32Array) {
      let s = 0;
      for (let a = 0; a < 62; a++) for (let b = 0; b < 64; b++) s += a ^ b;
      o[0] = s;
    }, new Float32Array(1));
    expect(62 * 65 + 63).toBeLessThanOrEqual(budget);
    expect(fits.limited.loopForm).toBe('plain');
  });

  it("numbat's own loops count: fmod's passes per call, compare-exchange loops unbounded", async () => {
    // 200 calls of fmod, up to 32 passes each: over the budget.
    const fmod = await variants(function manyFmod(o: Float32Array) {
      let s = 0;
      for (let z = 0; z < 200; z++) s += o[z & 0] % 1.5;
      o[0] = s;
    }, new Float32Array(1));
    expect(fmod.limited.loopForm).toBe('unrolled');
    expect(tests(fmod.limited.code, 'z')).toBe(LOOP_UNROLL);
    // A float atomic is a compare-exchange loop: bounded loops stay, but everything is counted.
    const cas = await variants(function casLoop(o: Float32Array) {
      for (let z = 0; z < 8; z++) cuda.atomic.add(o, 0, z);
    }, new Float32Array(1));
    expect(cas.limited.loopForm).toBe('counted');
    expect(tests(cas.limited.code, 'z')).toBe(1);
    expect(count(cas.limited.code, /nb_report\(3u/g)).toBe(1);
  });
});
