// NaN constants reach LLVM as the one quiet NaN, whatever payload V8 gave the
// value (Math.pow(-2, -1.3) is 0x7FFC...; a NaN that reads as signalling folds
// differently: pow(x, 0) gave NaN instead of 1).
import { describe, expect, it } from 'vitest';
import { cuda } from '@numbat/core';

describe('cuda NaN constants', () => {
  it('a folded NaN is emitted as 0x7FF8000000000000', async () => {
    const k = cuda.jit(function k(a: Float64Array, out: Float64Array) {
      let x = a[0];
      if (a[1] > 0) x = Math.pow(-2, -1.3);
      out[0] = x;
    }, { target: 'cuda' });
    const llvm = await k.inspect('llvm', new Float64Array(2), new Float64Array(1));
    const nans = (llvm.match(/0x7FF[0-9A-F]{13}/g) ?? []).filter((n) => n !== '0x7FF0000000000000');
    expect(nans.length).toBeGreaterThan(0);
    expect(nans.filter((n) => n !== '0x7FF8000000000000')).toEqual([]);
  });

  it('a NaN in a constant array is stored as 0x7FF8000000000000', async () => {
    const C = new Float64Array([Math.pow(-2, -1.3), 2]);
    const k = cuda.jit(function k(a: Float64Array, out: Float64Array) {
      out[0] = C[a[0] | 0];
    }, { target: 'cuda', globals: { C } });
    const ptx = await k.inspect('ptx', new Float64Array(1), new Float64Array(1));
    // little-endian bytes of 0x7FF8000000000000, then 2.0
    expect(ptx).toMatch(/numbat_const_\d+\[16\] = \{0, 0, 0, 0, 0, 0, 248, 127, 0, 0, 0, 0, 0, 0, 0, 64\}/);
  });
});
