// Math.pow and Math.hypot in f64 from core's library (legalize/fdlibm-pow.ts, fdlibm-hypot.ts):
// every pair of a table of special and boundary values (signed zeros, infinities, NaN, ±1, ½, 2,
// odd and even integers, 2^53 and beyond, subnormals, the largest doubles, values next to 1)
// gives exactly JS's result (Object.is: NaN is NaN, -0 is not +0), in the simulator's run of
// the library and on cpu (a lane group and thread by thread).

import { describe, expect, it } from 'vitest';
import { CompileError, cuda } from '@numbat/core';
import '@numbat/cpu';
import { librarySim } from './library-sim.mjs';

const SPECIALS = [0, -0, Infinity, -Infinity, NaN, 1, -1, 0.5, -0.5, 2, -2, 3, -3, 1.5, -1.5, 0.1, -0.1, 10, -10,
  2 ** 31, 2 ** 31 + 1, -(2 ** 31 + 1), 2 ** 52 + 1, -(2 ** 52 + 1), 2 ** 53, -(2 ** 53), 2 ** 64, 2 ** 64 + 2 ** 12, 1e300, -1e300,
  Number.MAX_VALUE, -Number.MAX_VALUE, Number.MIN_VALUE, -Number.MIN_VALUE, 2 ** -1022, -(2 ** -1022), 2 ** -1023, 1e-300,
  1 + 2 ** -52, 1 - 2 ** -53, -(1 + 2 ** -52), -(1 - 2 ** -53), 1 + 2 ** -21, 1 - 2 ** -21, 1024, -1075, 1023.5, -1074.5];

const pairs = (): [number[], number[]] => {
  const a: number[] = [], b: number[] = [];
  for (const x of SPECIALS) for (const y of SPECIALS) { a.push(x); b.push(y); }
  return [a, b];
};

function mismatches(fn: 'pow' | 'hypot', [a, b]: number[][], got: ArrayLike<number>): string[] {
  const bad: string[] = [];
  for (let i = 0; i < got.length; i++) {
    const want = Math[fn](a[i], b[i]);
    if (!Object.is(want, got[i])) bad.push(`${fn}(${a[i]}, ${b[i]}): ${got[i]}, V8 ${want}`);
  }
  return bad;
}

async function onCpu(fn: 'pow' | 'hypot', args: number[][], lanes: boolean): Promise<Float64Array> {
  const [a, b] = args.map((v) => Float64Array.from(v));
  const out = new Float64Array(a.length);
  const before = process.env.NUMBAT_CPU_LANES;
  if (!lanes) process.env.NUMBAT_CPU_LANES = '1';
  try {
    // eslint-disable-next-line no-eval
    const k = (0, eval)(`(function special_${fn}(a, b, o) { const i = cuda.grid(1); if (i < o.length) o[i] = Math.${fn}(a[i], b[i]); })`);
    await cuda.jit(k, { target: 'cpu' }).configure(Math.ceil(out.length / 64), 64)(a, b, out);
    return out;
  } finally {
    if (before === undefined) delete process.env.NUMBAT_CPU_LANES; else process.env.NUMBAT_CPU_LANES = before;
  }
}

describe('f64 Math.pow and Math.hypot: every pair of special values as V8', () => {
  for (const fn of ['pow', 'hypot'] as const) {
    it(`${fn}: the library in the simulator (${SPECIALS.length ** 2} pairs)`, async () => {
      const args = pairs();
      expect(mismatches(fn, args, await librarySim(fn, args))).toEqual([]);
    });
    it(`${fn}: cpu, a lane group and thread by thread`, async () => {
      const args = pairs();
      expect(mismatches(fn, args, await onCpu(fn, args, true))).toEqual([]);
      expect(mismatches(fn, args, await onCpu(fn, args, false))).toEqual([]);
    });
  }

  it('JS\'s own answers where C differs: x ** NaN, (±1) ** ±Infinity are NaN; x ** ±0 is 1 even for NaN x', async () => {
    const a = [1, -1, 1, -1, NaN, NaN, 1], b = [Infinity, -Infinity, -Infinity, Infinity, 0, -0, NaN];
    const got = await librarySim('pow', [a, b]);
    expect(Array.from(got)).toEqual([NaN, NaN, NaN, NaN, 1, 1, NaN]);
    expect(Array.from(await onCpu('pow', [a, b], true))).toEqual([NaN, NaN, NaN, NaN, 1, 1, NaN]);
  });

  it('Math.hypot with 3 or more arguments in a lazy arm, and a BigInt argument refused as JS throws', async () => {
    const a = Float64Array.from([0, 1, 2, 3]), o = new Float64Array(4);
    // eslint-disable-next-line no-eval
    const lazy = (0, eval)('(function hypotLazy(a, o) { const i = cuda.grid(1); o[i] = i > 1 ? Math.hypot(a[i], 1, 2, 2) : Math.hypot(); })');
    for (const target of ['sim', 'cpu'] as const) {
      await cuda.jit(lazy, { target }).configure(1, 4)(a, o);
      expect(Array.from(o)).toEqual([0, 0, Math.hypot(2, 1, 2, 2), Math.hypot(3, 1, 2, 2)]);
    }
    // eslint-disable-next-line no-eval
    const big = (0, eval)('(function hypotBig(a, o) { const i = cuda.grid(1); o[i] = Math.hypot(a[i], BigInt(i), 3); })');
    await expect(cuda.jit(big, { target: 'sim' }).configure(1, 4)(a, o)).rejects.toThrow(CompileError);
    await expect(cuda.jit(big, { target: 'sim' }).configure(1, 4)(a, o)).rejects.toThrow(/Cannot convert a BigInt value to a number \(Math\.hypot\)/);
  });
});
