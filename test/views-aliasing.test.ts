// Host views of one buffer passed as different arguments (`k(buf.subarray(2, 10),
// buf.subarray(6, 14))`): a write through one view is read through the other, as
// in JavaScript, on every target that runs it; webgpu (a GPU buffer per argument)
// refuses overlapping views with a LaunchError instead of running them apart.
// cuda: packages/cuda/test/views-fake.test.ts.

import { describe, expect, it } from 'vitest';
import { cuda, LaunchError, targetAvailability } from '@numbat/core';

function alias(a: Float32Array, b: Float32Array) {
  if (cuda.grid(1) === 0) { a[3] = 7; b[0] = a[3] + 1; a[4] = b[0] * 2; }
}

for (const target of ['sim', 'cpu', 'webgpu'] as const) {
  const avail = await targetAvailability(target);
  describe.skipIf(!avail.ok)(`host views as arguments on ${target}`, () => {
    // 8192 threads: the cpu backend runs such launches on worker threads, on copies of the arguments.
    for (const threads of [1, 8192]) {
      it(`overlapping subarrays of one buffer (${threads} threads)`, async () => {
        const buf = new Float32Array(16);
        const run = cuda.jit(alias, { target }).configure(threads / Math.min(threads, 256), Math.min(threads, 256))(buf.subarray(2, 10), buf.subarray(6, 14));
        if (target === 'webgpu') {
          await expect(run).rejects.toThrow(LaunchError);
          await expect(run).rejects.toThrow(/'a' and 'b' are overlapping views of one ArrayBuffer/);
          expect(Array.from(buf)).toEqual(new Array(16).fill(0));
          return;
        }
        await run;
        // b[0] is a[4] (buf[6]): the later write wins, as in JavaScript.
        expect(Array.from(buf.subarray(4, 8))).toEqual([0, 7, 16, 0]);
      });
    }
    it('the same array twice', async () => {
      const buf = new Float32Array(8);
      await cuda.jit(alias, { target }).configure(1, 1)(buf, buf);
      expect(Array.from(buf.subarray(0, 5))).toEqual([8, 0, 0, 7, 16]);
    });
  });
}
