// A NaN constant is built from the one quiet f32 NaN's bits, whatever payload
// V8 gave the folded value.
import { describe, expect, it } from 'vitest';
import { cuda } from '@numbat/core';

describe('webgpu NaN constants', () => {
  it('a folded f32 NaN is bitcast from 0x7fc00000', async () => {
    const k = cuda.jit(function k(a: Float32Array, out: Float32Array) {
      let x = a[0];
      if (a[1] > 0) x = Math.fround(Math.pow(-2, -1.3));
      out[0] = Math.pow(x, 0);
    }, { target: 'webgpu' });
    const wgsl = await k.inspect('wgsl', new Float32Array(2), new Float32Array(1));
    const nans = [...wgsl.matchAll(/nb_f32_bits\((0x[0-9a-f]+)u\)/g)].map((m) => Number(m[1])).filter((v) => (v & 0x7fffffff) > 0x7f800000);
    expect(nans.length).toBeGreaterThan(0);
    expect(nans.filter((v) => v !== 0x7fc00000)).toEqual([]);
  });
});
