// cuda.ndarray(data, shape): n-d kernel arguments with constant extents (one
// specialisation per shape), their host-side checks, device arrays, and the
// per-dimension bounds check.

import { describe, expect, it } from 'vitest';
import { cuda, LaunchError, NdArray } from '@numbat/core';

function rowSums(a: Float32Array[], out: Float32Array) {
  const i = cuda.grid(1);
  if (i >= a.length) return;
  let s = 0;
  for (let j = 0; j < a.shape[1]; j++) s += a[i][j];
  out[i] = s;
}

describe('cuda.ndarray arguments', () => {
  it('checks its shape on the host', () => {
    expect(() => cuda.ndarray(new Float32Array(6), [2, 4])).toThrow(/holds 8 elements but data has 6/);
    expect(() => cuda.ndarray(new Float32Array(6), [1, 2, 3, 1])).toThrow(/1 to 3 positive integers/);
    expect(() => cuda.ndarray([1, 2] as any, [2])).toThrow(/typed array/);
    const nd = cuda.ndarray(new Int32Array(12), [3, 4]);
    expect(nd).toBeInstanceOf(NdArray);
    expect([nd.length, nd.dtype, ...nd.shape]).toEqual([3, 'i32', 3, 4]);
  });

  for (const target of ['sim', 'cpu'] as const) {
    it(`each shape is its own specialisation; device arrays keep the shape (${target})`, async () => {
      const k = cuda.jit(rowSums, { target });
      for (const [r, c] of [[3, 5], [5, 3]]) {
        const data = Float32Array.from({ length: r * c }, (_, i) => i);
        const out = new Float32Array(r);
        await k.configure(1, 32)(cuda.ndarray(data, [r, c]), out);
        expect(Array.from(out)).toEqual(Array.from({ length: r }, (_, i) => { let s = 0; for (let j = 0; j < c; j++) s += i * c + j; return s; }));
      }
      const dev = cuda.toDevice(cuda.ndarray(Float32Array.from({ length: 8 }, (_, i) => i), [2, 4]), { target });
      expect(dev.shape).toEqual([2, 4]);
      const out = cuda.deviceArray(2, 'f32', { target });
      await k.configure(1, 32)(dev, out);
      expect(Array.from(await out.copyToHost())).toEqual([6, 22]);
    });

    it(`a subscript past its own extent is out of bounds (${target})`, async () => {
      const k = cuda.jit(function over(a: Float32Array[]) { a[0][cuda.threadIdx.x] = 1; }, { target });
      await expect(k.configure(1, 5)(cuda.ndarray(new Float32Array(8), [2, 4]))).rejects.toThrow(LaunchError);
    });
  }

  it('a fixed 1-D signature refuses an n-d argument', async () => {
    const k = cuda.jit(rowSums, { target: 'sim', signature: ['f32[]', 'f32[]'] });
    await expect(k.configure(1, 1)(cuda.ndarray(new Float32Array(4), [2, 2]), new Float32Array(2))).rejects.toThrow(/compiled for \(f32\[\], f32\[\]\) and cannot take \(f32\[2x2\]/);
  });
});
