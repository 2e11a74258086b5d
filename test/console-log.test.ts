// console.log in kernels (numba's print): records in a bounded device buffer,
// printed on the host after the launch, in block order, thread order within a
// block, then each thread's own order; values printed as JavaScript prints
// them; a note when records are dropped. cuda's PTX: packages/cuda/test/syntax-ptx.test.ts.

import { afterEach, describe, expect, it, vi } from 'vitest';
import { cuda, CompileError, f64, targetAvailability } from '@numbat/core';

afterEach(() => vi.restoreAllMocks());

function logs(a: Float32Array, u: Uint32Array) {
  const i = cuda.grid(1);
  if (i < a.length) {
    console.log('thread', cuda.threadIdx.x, 'of', cuda.blockIdx.x, a[i], a[i] > 1, u[i]);
    if (i % 2 === 0) console.log(`second x=${a[i]} i=${i}`);
  }
}

for (const target of ['sim', 'cpu', 'webgpu'] as const) {
  const avail = await targetAvailability(target);
  describe.skipIf(!avail.ok)(`console.log in kernels on ${target}`, () => {
    it('prints after the launch, in block then thread order, values as JS prints them', async () => {
      const a = Float32Array.from({ length: 10 }, (_, i) => (i - 4) * 0.1 + (i === 7 ? Infinity : 0));
      a[8] = NaN;
      const u = Uint32Array.from({ length: 10 }, (_, i) => 4294967295 - i);
      const got: unknown[][] = [];
      vi.spyOn(console, 'log').mockImplementation((...x: unknown[]) => { got.push(x); });
      // 4 blocks of 3: the cpu target runs blocks on several workers, in any order.
      await cuda.jit(logs, { target }).configure(4, 3)(a, u);
      const want: unknown[][] = [];
      for (let i = 0; i < 10; i++) {
        want.push(['thread', i % 3, 'of', Math.floor(i / 3), a[i], a[i] > 1, u[i]]);
        if (i % 2 === 0) want.push([`second x=${a[i]} i=${i}`]);
      }
      expect(got).toEqual(want);
    });

    it('keeps the first records and notes how many were dropped', async () => {
      const lines: unknown[][] = [];
      vi.spyOn(console, 'log').mockImplementation((...x: unknown[]) => { lines.push(x); });
      const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
      const k = cuda.jit(function many(n: number) { const i = cuda.grid(1); if (i < n) { console.log(i); console.log(-i); } }, { target });
      await k.configure(20, 256)(5000);
      expect(lines.length).toBe(4096);
      expect(warn).toHaveBeenCalledWith("numbat: kernel 'many': 5904 console.log record(s) dropped: a launch keeps the first 4096");
      // Each kept record is one of the threads' values, in thread order.
      const threads = lines.map((l) => Math.abs(l[0] as number));
      expect(threads).toEqual([...threads].sort((x, y) => x - y));
    });
  });
}

describe('console.log refusals', () => {
  it('more than 8 values', async () => {
    const k = cuda.jit(function k9(a: Float32Array) { console.log(a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8]); }, { target: 'sim' });
    await expect(k.inspect('ir', new Float32Array(9))).rejects.toThrow(/at most 8 values/);
  });
  it('an array value and other console methods', async () => {
    await expect(cuda.jit(function arr(a: Float32Array) { console.log(a); }, { target: 'sim' }).inspect('ir', new Float32Array(1))).rejects.toThrow(CompileError);
    await expect(cuda.jit(function err(a: Float32Array) { console.error(a[0]); }, { target: 'sim' }).inspect('ir', new Float32Array(1))).rejects.toThrow(/console\.error is not supported/);
  });
  it('an f64 value where the default float is f32', async () => {
    const k = cuda.jit(function wide(a: Float32Array) { console.log(f64(a[0]) * 3); }, { target: 'sim', float: 'f32' });
    await expect(k.inspect('ir', new Float32Array(1))).rejects.toThrow(/console\.log of an f64 value in a kernel whose default float is f32/);
  });
});
