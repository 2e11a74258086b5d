// The frontend's typing of locals (issue 11 bugs 2-4) and its inlined-size
// limit (issue 12 item 13), checked on the typed IR (`inspect('ir')`).

import { describe, expect, it } from 'vitest';
import { cuda, CompileError } from '@numbat/core';

/** The types of the IR locals called `name`, in order. */
function localTypes(ir: string, name: string): string[] {
  return [...ir.matchAll(new RegExp(`local %\\d+ ${name.replace('.', '\\.')}: (\\w+)`, 'g'))].map((m) => m[1]);
}

describe('device functions are typed per call', () => {
  it('a call with an i32 argument keeps i32 arithmetic when another call passes 0.5', async () => {
    const dbl = cuda.jit(function dbl(x: number) { return (x * 2) | 0; }, { device: true });
    const both = cuda.jit(function both(i: Int32Array, o: Float64Array) { o[0] = dbl(i[0]); o[1] = dbl(0.5); }, { target: 'sim', globals: { dbl } });
    const ir = await both.inspect('ir', new Int32Array(1), new Float64Array(2));
    expect(localTypes(ir, 'x')).toEqual(['i32', 'f64']);
    const i = new Int32Array([2147483647]), o = new Float64Array(2);
    await both.configure(1, 1)(i, o);
    expect(Array.from(o)).toEqual([-2, 1]); // i32 wrap, as with dbl(i[0]) alone
  });

  it('device functions with the same text on one line do not share local types', async () => {
    // eslint-disable-next-line no-new-func
    const f = cuda.jit(new Function('x', 'let t = x; return t;'), { device: true }), g = cuda.jit(new Function('x', 'let t = x; return t;'), { device: true });
    const k = cuda.jit(function twoFns(u: Uint32Array, o: Float64Array) { o[0] = f(u[0]); o[1] = g(0.5); }, { target: 'sim', globals: { f, g } });
    const ir = await k.inspect('ir', new Uint32Array(1), new Float64Array(2));
    expect(localTypes(ir, 't')).toEqual(['u32', 'f64']);
  });
});

describe('type checks see settled types', () => {
  it('a local read before its u32 assignment is typed u32, not refused', async () => {
    const k = cuda.jit(function later(u: Uint32Array, o: Uint32Array) {
      let x;
      for (let j = 0; j < 2; j++) { if (j > 0) o[0] = x + o[1]; x = u[0]; }
    }, { target: 'sim' });
    const ir = await k.inspect('ir', new Uint32Array(1), new Uint32Array(2));
    expect(localTypes(ir, 'x')).toEqual(['u32']);
  });

  it('a real i32/u32 mix is still refused, at the operator', async () => {
    // Stored into a float array: JS keeps the exact sum (into an integer array it would wrap, which is fine).
    const k = cuda.jit(function mix(u: Uint32Array, i: Int32Array, o: Float64Array) { let x = u[0]; o[0] = x + i[1]; }, { target: 'sim' });
    const err = await k.inspect('ir', new Uint32Array(1), new Int32Array(2), new Float64Array(1)).catch((e) => e);
    expect(err).toBeInstanceOf(CompileError);
    expect(err.message).toMatch(/operator \+ mixes i32 and u32 operands/);
    expect(err.line).toBeGreaterThan(0);
  });
});

describe('inlined size', () => {
  it('a device function calling the next twice, 16 deep, is refused with the limit named', async () => {
    let f = cuda.jit(function leaf(x: number) { return x + 1; }, { device: true });
    for (let d = 1; d <= 16; d++) {
      // eslint-disable-next-line no-new-func
      f = cuda.jit(new Function('x', 'return g(x) + g(x + 1);'), { device: true, globals: { g: f } });
    }
    const k = cuda.jit(function deep(o: Float64Array) { o[0] = f(o[0]); }, { target: 'sim', globals: { f } });
    const err = await k.configure(1, 1)(new Float64Array(1)).catch((e) => e);
    expect(err).toBeInstanceOf(CompileError);
    expect(err.message).toMatch(/inlining device function '\w+' here makes the kernel larger than the limit of 50000 syntax nodes/);
  });

  it('10 deep (2047 inlined calls) still compiles and runs', async () => {
    let f = cuda.jit(function leaf(x: number) { return x + 1; }, { device: true });
    for (let d = 1; d <= 10; d++) {
      // eslint-disable-next-line no-new-func
      f = cuda.jit(new Function('x', 'return g(x) + g(x + 1);'), { device: true, globals: { g: f } });
    }
    const k = cuda.jit(function deep10(o: Float64Array) { o[0] = f(o[0]); }, { target: 'sim', globals: { f } });
    const o = new Float64Array(1);
    await k.configure(1, 1)(o);
    let want = (x: number) => x + 1;
    for (let d = 1; d <= 10; d++) { const g = want; want = (x) => g(x) + g(x + 1); }
    expect(o[0]).toBe(want(0));
  });
});
