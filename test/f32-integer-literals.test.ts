// Integer literals in f32 kernels (issue 12 item 10). A +/- sum of 32-bit
// integers consumed by ToUint32/ToInt32 is exact (32-bit wrapping), so
// `a[(0xfffffff0 + i) >>> 0]` is out of bounds, as in JS, instead of reading
// a[0]; an integer literal f32 cannot hold, used in f32 arithmetic, is a
// CompileError naming it (never a silent 16777216 for 16777217). The
// conformance corpus (int_sum_wraps_under_uint32_f32) checks the values.

import { describe, expect, it } from 'vitest';
import { cuda, f32, CompileError, LaunchError, targetAvailability, type Target } from '@numbat/core';

const TARGETS: Target[] = ['sim', 'cpu', 'webgpu'];
const avail = await Promise.all(TARGETS.map((t) => targetAvailability(t)));

function wrappedIndex(a: Float32Array, o: Float32Array) {
  const i = cuda.grid(1);
  o[i] = a[(0xfffffff0 + i) >>> 0];
}
function inexact(o: Float32Array) {
  const i = cuda.grid(1);
  o[i] = o[i] + 16777217;
}
function roundedAsJsDoes(o: Float32Array) {
  o[0] = 16777217;              // a store into a Float32Array rounds in JS too
  o[1] = Math.fround(16777217);
  o[2] = f32(16777217) + o[3];
}

TARGETS.forEach((target, ti) => {
  const a = avail[ti];
  describe.skipIf(!a.ok)(`${target}${a.ok ? '' : ` (skipped: ${a.reason})`}`, () => {
    it('(0xfffffff0 + i) >>> 0 as an index is out of bounds in an f32 kernel', async () => {
      const k = cuda.jit(wrappedIndex, { target, float: 'f32' });
      const err = await k.configure(1, 32)(new Float32Array(64).fill(7), new Float32Array(32)).catch((e) => e);
      expect(err).toBeInstanceOf(LaunchError);
      expect(err.message).toMatch(/out of bounds/);
      expect(err.message).toMatch(/'a'/);
    });

    it('an integer literal f32 cannot hold, in f32 arithmetic, is a CompileError naming it', async () => {
      const k = cuda.jit(inexact, { target, float: 'f32' });
      const err = await k.configure(1, 1)(new Float32Array(1)).catch((e) => e);
      expect(err).toBeInstanceOf(CompileError);
      expect(err.message).toMatch(/integer literal 16777217 is not exact in f32/);
      expect(err.message).toMatch(/f64/);
      expect(err.message).toMatch(/u32\(/);
      expect(err.file).toMatch(/f32-integer-literals\.test\.ts$/);
      expect(err.frame).toContain('16777217');
    });

    it('JS\'s own f32 roundings of a literal are accepted', async () => {
      const k = cuda.jit(roundedAsJsDoes, { target, float: 'f32', globals: { f32 } });
      const o = new Float32Array([0, 0, 0, 1]);
      await k.configure(1, 1)(o);
      expect(Array.from(o)).toEqual([16777216, 16777216, 16777216, 1]);
    });
  });
});

describe('f64 kernels', () => {
  it('keep the literal exact', async () => {
    const k = cuda.jit(function exact(o: Float64Array) { o[0] = o[0] + 16777217; }, { target: 'sim' });
    const o = new Float64Array([0.5]);
    await k.configure(1, 1)(o);
    expect(o[0]).toBe(16777217.5);
  });
});
