// Bounds checks hoisted out of grid-stride loops (core's hoistBoundsChecks):
// the loop is versioned on `i >= 0 && n <= length && ...`, its copy reads and
// writes a[i] without checks, the original stays for the other case.
//  - the WGSL: no check in the fast copy's body, checks in the fallback; loops
//    that do not qualify keep every check
//  - results equal the simulator's, and an out-of-range access is still
//    reported with array, index and thread
// cuda: packages/cuda/test/hoisted-bounds.test.ts.

import { describe, expect, it } from 'vitest';
import { cuda } from '@numbat/core';
import { avail, onGpu } from './helpers.js';

function scale(a: Float32Array, n: number, out: Float32Array) {
  for (let i = cuda.grid(1); i < n; i += cuda.gridsize(1)) out[i] = a[i] * 2;
}

/** a[i + 1] is not indexed by i itself: that access keeps its check, out[i] loses it. */
function shifted(a: Float32Array, n: number, out: Float32Array) {
  for (let i = cuda.grid(1); i < n; i += cuda.gridsize(1)) out[i] = a[i + 1];
}

/** The bound is read from memory inside the loop: no versioning. */
function boundFromMemory(a: Float32Array, lim: Int32Array, out: Float32Array) {
  for (let i = cuda.grid(1); i < lim[0]; i += cuda.gridsize(1)) out[i] = a[i];
}

/** The step changes in the loop: no versioning. */
function changingStep(a: Float32Array, n: number, out: Float32Array) {
  let s = 1;
  for (let i = cuda.grid(1); i < n; i += s) { out[i] = a[i]; s += 1; }
}

const args = (n: number, len = n) => [Float32Array.from({ length: len }, (_, i) => i * 0.5 - 3), n, new Float32Array(len)] as const;
/** The body of the loop in the `if` branch (the fast copy) and of the one in `else` (the fallback). */
function copies(wgsl: string): { fast: string; fallback: string } | undefined {
  const m = /\n(\s*)if \(\(\(\(\(.*?i_\d+ >= 0i.*\) \{\n([\s\S]*?)\n\1\} else \{\n([\s\S]*?)\n\1\}\n/.exec(wgsl);
  return m ? { fast: m[2], fallback: m[3] } : undefined;
}

describe.skipIf(!avail.ok)(onGpu('hoisted bounds checks'), () => {
  it('the fast copy of a grid-stride loop has no check; the fallback keeps them', async () => {
    const wgsl = await cuda.jit(scale, { target: 'webgpu' }).inspect('wgsl', ...args(16));
    const c = copies(wgsl);
    expect(c, wgsl).toBeDefined();
    expect(c!.fast).toMatch(/out_g\[i_\d+\] = .*a_g\[i_\d+\]/);
    expect(c!.fast).not.toMatch(/nb_ck_|nb_ok_/);
    expect(c!.fallback).toMatch(/nb_ok_i\(/);
    expect(c!.fallback).toMatch(/nb_ck_i\(/);
  });

  it('only accesses indexed by the loop variable lose their check', async () => {
    const c = copies(await cuda.jit(shifted, { target: 'webgpu' }).inspect('wgsl', ...args(16)))!;
    expect(c.fast).toMatch(/out_g\[i_\d+\] = .*a_g\[nb_ck_i\(\(i_\d+ \+ 1i\)/);
    expect(c.fast).not.toMatch(/nb_ok_/);
  });

  it('loops whose bound or step may change are left as they were', async () => {
    const lim = new Int32Array([16]);
    for (const wgsl of [
      await cuda.jit(boundFromMemory, { target: 'webgpu' }).inspect('wgsl', new Float32Array(16), lim, new Float32Array(16)),
      await cuda.jit(changingStep, { target: 'webgpu' }).inspect('wgsl', ...args(16)),
    ]) {
      expect(copies(wgsl)).toBeUndefined();
      expect(wgsl).toMatch(/nb_ok_i\(/);
    }
  });

  it('gives the simulator\'s results (arrays as long as n, and longer)', async () => {
    for (const [grid, n, len] of [[1, 1000, 1000], [3, 1000, 1003], [2, 0, 8], [4, 4096 + 3, 4096 + 3]] as const) {
      const got = args(n, len), want = args(n, len);
      await cuda.jit(scale, { target: 'webgpu' }).configure(grid, 64)(...got);
      await cuda.jit(scale, { target: 'sim', float: 'f32' }).configure(grid, 64)(...want);
      expect(Array.from(got[2]), `grid ${grid}, n ${n}, length ${len}`).toEqual(Array.from(want[2]));
    }
  });

  it('an out-of-range index is still reported (the checked copy runs)', async () => {
    const k = cuda.jit(scale, { target: 'webgpu' }).configure(1, 8);
    await expect(k(new Float32Array(20), 21, new Float32Array(30))).rejects.toThrow(/index 20 out of bounds for array 'a' of length 20 .*thread \(4, 0, 0\)/);
    await expect(k(new Float32Array(30), 21, new Float32Array(20))).rejects.toThrow(/index 20 out of bounds for array 'out' of length 20/);
    // a[i + 1] at the last i: the check that stays in the fast copy reports it.
    await expect(cuda.jit(shifted, { target: 'webgpu' }).configure(1, 8)(...args(16))).rejects.toThrow(/index 16 out of bounds for array 'a' of length 16/);
  });
});
