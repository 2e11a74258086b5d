// One definition of JS's conversions in core (types.ts CONVERT_JS): the host
// dtype functions, constant folding (evalConvert) and the kernel's run-time
// conversions must all give what JavaScript's own operators give.

import { describe, expect, it } from 'vitest';
import { cuda, evalConvert, f32, f64, i32, u32, i16, u16, i8, u8 } from '@numbat/core';

const VALUES = [0, -0, 1.5, -1.5, 2 ** 31, 2 ** 31 + 0.5, -(2 ** 31) - 1, 2 ** 32 + 5, -1, 1e20, -1e20, 0.1, NaN, Infinity, -Infinity, 70000, 200, -129];

describe('JS conversions, defined once', () => {
  it('host dtype functions are ToInt32, ToUint32, fround, Number and the narrow wraps', () => {
    for (const x of VALUES) {
      expect(Object.is(i32(x), x | 0)).toBe(true);
      expect(Object.is(u32(x), x >>> 0)).toBe(true);
      expect(Object.is(f32(x), Math.fround(x))).toBe(true);
      expect(Object.is(f64(x), +x)).toBe(true);
      expect(i16(x)).toBe(new Int16Array([x])[0]);
      expect(u16(x)).toBe(new Uint16Array([x])[0]);
      expect(i8(x)).toBe(new Int8Array([x])[0]);
      expect(u8(x)).toBe(new Uint8Array([x])[0]);
    }
  });

  it('constant folding converts as JS does', () => {
    for (const x of VALUES) {
      expect(Object.is(evalConvert('f64', 'i32', x), x | 0)).toBe(true);
      expect(Object.is(evalConvert('f64', 'u32', x), x >>> 0)).toBe(true);
      expect(Object.is(evalConvert('f64', 'f32', x), Math.fround(x))).toBe(true);
      expect(evalConvert('f64', 'bool', x)).toBe(Boolean(x));
    }
    expect(evalConvert('bool', 'f64', true)).toBe(1);
    expect(evalConvert('i32', 'u32', -1)).toBe(4294967295);
  });

  it('a kernel converts literals (folded) and run-time values alike', async () => {
    const k = cuda.jit(function convs(x: Float64Array, o: Float64Array) {
      const i = cuda.threadIdx.x;
      o[i * 6] = i32(x[i]);
      o[i * 6 + 1] = u32(x[i]);
      o[i * 6 + 2] = f32(x[i]);
      o[i * 6 + 3] = x[i] | 0;
      o[i * 6 + 4] = x[i] >>> 0;
      o[i * 6 + 5] = x[i] ? 1 : 0;
    }, { target: 'sim', globals: { i32, u32, f32 } });
    const lits = cuda.jit(function litConvs(o: Float64Array) {
      o[0] = i32(3000000000.5); o[1] = u32(-1.5); o[2] = f32(0.1); o[3] = 1e20 | 0; o[4] = -1 >>> 0; o[5] = NaN ? 1 : 0;
    }, { target: 'sim', globals: { i32, u32, f32 } });
    const x = new Float64Array(VALUES), o = new Float64Array(6 * VALUES.length);
    await k.configure(1, VALUES.length)(x, o);
    VALUES.forEach((v, i) => {
      expect(Array.from(o.subarray(i * 6, i * 6 + 6))).toEqual([v | 0, v >>> 0, Math.fround(v), v | 0, v >>> 0, v ? 1 : 0]);
    });
    const ol = new Float64Array(6);
    await lits.configure(1, 1)(ol);
    expect(Array.from(ol)).toEqual([3000000000.5 | 0, -1.5 >>> 0, Math.fround(0.1), 1e20 | 0, -1 >>> 0, 0]);
  });
});
