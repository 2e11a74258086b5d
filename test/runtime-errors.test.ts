// Runtime errors on the simulator: bounds and barrier misuse become rejected
// promises with kernel, array, index and thread — never a hang or a crash.

import { describe, expect, it } from 'vitest';
import { cuda, f32, LaunchError } from '@numbat/core';

describe('simulator runtime errors', () => {
  it('out-of-bounds store names kernel, array, index and thread', async () => {
    const k = cuda.jit(function oob(a: Float32Array) {
      const i = cuda.grid(1);
      a[i + 1] = 1;
    }, { target: 'sim' });
    const err = await k.configure(1, 8)(new Float32Array(8)).catch((e) => e);
    expect(err).toBeInstanceOf(LaunchError);
    expect(err.message).toMatch(/kernel 'oob': index 8 out of bounds for array 'a' of length 8/);
    expect(err.message).toMatch(/thread \(7, 0, 0\) of block \(0, 0, 0\)/);
  });

  it('negative index is out of bounds', async () => {
    const k = cuda.jit(function neg(a: Float32Array, out: Float32Array) { out[0] = a[cuda.threadIdx.x - 1]; }, { target: 'sim' });
    await expect(k.configure(1, 1)(new Float32Array(2), new Float32Array(1))).rejects.toThrow(/index -1 out of bounds for array 'a'/);
  });

  it('a thread that exits while others wait at a barrier is reported', async () => {
    const k = cuda.jit(function exitEarly(a: Float32Array) {
      const s = cuda.shared.array(32, f32);
      const t = cuda.threadIdx.x;
      if (t >= 16) return;
      s[t] = t;
      cuda.syncthreads();
      a[t] = s[15 - t];
    }, { target: 'sim' });
    await expect(k.configure(1, 32)(new Float32Array(32))).rejects.toThrow(/exited while thread .* waits at cuda\.syncthreads\(\)/);
  });

  it('the error is an ordinary rejection on every launch (no state left behind)', async () => {
    const k = cuda.jit(function oob2(a: Int32Array) { a[cuda.threadIdx.x * 2] = 1; }, { target: 'sim' });
    for (let r = 0; r < 3; r++) await expect(k.configure(1, 4)(new Int32Array(4))).rejects.toThrow(LaunchError);
    const ok = new Int32Array(8);
    await k.configure(1, 4)(ok);
    expect(Array.from(ok)).toEqual([1, 0, 1, 0, 1, 0, 1, 0]);
  });
});
