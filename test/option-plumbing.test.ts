// Options say only what they do: each jit option reaches the compilation, and
// one that no backend would read is refused rather than accepted and ignored.

import { describe, expect, it } from 'vitest';
import { cuda, LaunchError } from '@numbat/core';

describe('jit options', () => {
  const fn = function k(a: Float32Array) { a[0] = 1; };

  it("refuses 'debug' (no backend has a debug build) as an unknown key", () => {
    expect(() => cuda.jit(fn, { debug: true } as any)).toThrow(TypeError);
    expect(() => cuda.jit(fn, { debug: true } as any)).toThrow(/unknown key 'debug' in cuda\.jit options of 'k'; valid keys: target, globals, signature, device, float, cache, boundscheck, fastmath, opt, source$/);
  });

  it('the simulator checks bounds even with boundscheck: false (it is the oracle)', async () => {
    const k = cuda.jit(function past(a: Float32Array) { a[cuda.threadIdx.x + 1] = 1; }, { target: 'sim', boundscheck: false });
    const e = await k.configure(1, 4)(new Float32Array(4)).catch((x) => x);
    expect(e).toBeInstanceOf(LaunchError);
    expect(e.message).toMatch(/kernel 'past': index 4 out of bounds for array 'a' of length 4/);
    expect(await k.inspect('js', new Float32Array(4))).toMatch(/rt\.ix\(/);
  });
});
