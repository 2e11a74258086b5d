// The real driver: on a machine without libcuda or a GPU, 'cuda' is reported
// unavailable with its reason, a launch is refused with that reason, 'auto'
// moves on, and inspect still produces PTX. With a GPU, the device is named.

import { describe, expect, it } from 'vitest';
import { cuda, targetAvailability } from '@numbat/core';

const avail = await targetAvailability('cuda');
const k = () => cuda.jit(function avail1(a: Int32Array) { a[cuda.threadIdx.x] = 1; }, { target: 'cuda' });

describe('cuda availability', () => {
  it(avail.ok ? `available: ${avail.device}` : `unavailable (${avail.reason})`, () => {
    if (avail.ok) {
      expect(avail.device).toMatch(/compute \d+\.\d+/);
      expect(avail.hardware).toBe(true);
    } else {
      expect(avail.reason).toMatch(/libcuda|GPU|CUDA_ERROR/);
    }
  });

  it.skipIf(avail.ok)('without a GPU a launch is refused with the reason, and auto moves on', async () => {
    await expect(k().configure(1, 4)(new Int32Array(4))).rejects.toThrow(/target 'cuda' is not available: .*(libcuda|GPU|CUDA_ERROR)/);
    if (!process.env.NUMBAT_TARGET) expect(await cuda.jit(function auto1(a: Int32Array) { a[0] = 1; }).target()).not.toBe('cuda');
  });

  it('inspect produces PTX with or without a GPU', async () => {
    expect(await k().inspect('ptx', new Int32Array(4))).toMatch(/\.visible \.entry numbat_avail1\(/);
  });
});
