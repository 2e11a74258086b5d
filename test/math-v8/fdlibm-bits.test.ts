// Core's f64 library (legalize/fdlibm*.ts): V8's Math functions bit for bit. For each
// function it covers: the legalised IR run in the simulator, and the cpu target (a lane
// group, and the thread-by-thread path with NUMBAT_CPU_LANES=1), give exactly JS's
// Math.fn over test/math-v8/inputs.mjs (random over wide and narrow ranges, near 0,
// near multiples of π/4 and of ln 2, huge, subnormal, special values), and sin, cos and tan over
// test/math-v8/huge-inputs.mjs (|x| ≥ 2^19 π: fdlibm's reduction with the digits of 2/π); the
// lane group keeps the function in vectors (no libm call for it); the cuda PTX assembles (ptxas).

import { describe, expect, it } from 'vitest';
import { cuda, FDLIBM_FNS, forEachStmt, stmtExprs, forEachExpr } from '@numbat/core';
import type { KernelIR } from '@numbat/core';
import '@numbat/cpu';
import { assemblePtx, findPtxas } from '../../packages/cuda/test/helpers.js';
import { withLanes } from '../../packages/cpu/test/helpers.js';
import { inputs, ulpDistance } from './inputs.mjs';
import { libraryIR, librarySim } from './library-sim.mjs';
import { hugeTrigInputs } from './huge-inputs.mjs';

/** Inputs per function on the simulator (cheap) and on cpu. */
const SIM_N = 100_000, CPU_N = 20_000;

function mismatches(fn: string, args: number[][], got: ArrayLike<number>): string[] {
  const bad: string[] = [];
  for (let i = 0; i < got.length; i++) {
    const want = (Math as unknown as Record<string, (...a: number[]) => number>)[fn](...args.map((a) => a[i]));
    if (!Object.is(want, got[i])) bad.push(`${fn}(${args.map((a) => a[i]).join(', ')}): ${got[i]}, V8 ${want} (${ulpDistance(want, got[i])} ulp)`);
  }
  return bad;
}

function kernelOf(fn: string, arity: number): (...a: unknown[]) => void {
  // eslint-disable-next-line no-eval
  return (0, eval)(arity === 2
    ? `(function v8_${fn}(a, b, o) { const i = cuda.grid(1); if (i < o.length) o[i] = Math.${fn}(a[i], b[i]); })`
    : `(function v8_${fn}(a, o) { const i = cuda.grid(1); if (i < o.length) o[i] = Math.${fn}(a[i]); })`);
}

async function onCpu(fn: string, args: number[][], lanes: boolean): Promise<{ out: Float64Array; opt?: string }> {
  const xs = args.map((a) => Float64Array.from(a));
  const out = new Float64Array(xs[0].length);
  const run = async (): Promise<{ out: Float64Array; opt?: string }> => {
    const k = cuda.jit(kernelOf(fn, args.length), { target: 'cpu' });
    await k.configure(Math.ceil(out.length / 128), 128)(...xs, out);
    return { out, opt: lanes ? await k.inspect('opt', ...xs, out) : undefined };
  };
  return lanes ? run() : withLanes('1', run);
}

const ptxas = findPtxas();

describe('f64 Math with V8\'s bits: core\'s library (fdlibm)', () => {
  for (const fn of FDLIBM_FNS) {
    const arity = inputs(fn, 1).length;

    it(`${fn}: the legalised IR leaves no call to ${fn} and runs bit for bit as V8 in the simulator (${SIM_N} inputs)`, async () => {
      const ir = libraryIR(fn, arity);
      const calls = (k: KernelIR): string[] => {
        const out: string[] = [];
        forEachStmt(k.body, (s) => stmtExprs(s).forEach((e) => forEachExpr(e, (x) => { if (x.kind === 'math') out.push(x.fn); })));
        return out;
      };
      expect(calls(ir).filter((f) => f === fn)).toEqual([]);
      // declared native (the simulator): kept (pow with its NaN guard where 'math-pow' is not native too)
      expect(calls(libraryIR(fn, arity, ['math-f64-v8'])).filter((f) => f === fn)).toEqual([fn]);
      const args = inputs(fn, SIM_N, 2);
      expect(mismatches(fn, args, await librarySim(fn, args)).slice(0, 8)).toEqual([]);
    });

    it(`${fn}: cpu, in a lane group and thread by thread, bit for bit as V8 (${CPU_N} inputs)`, async () => {
      const args = inputs(fn, CPU_N);
      const lanes = await onCpu(fn, args, true);
      expect(mismatches(fn, args, lanes.out).slice(0, 8)).toEqual([]);
      expect(mismatches(fn, args, (await onCpu(fn, args, false)).out).slice(0, 8)).toEqual([]);
      // the lane group computes it in vectors: no call of the libm function or numbat's vector kernel
      const run = lanes.opt!.split(/\n(?=define )/).filter((f) => /^define .*@numbat_run_/.test(f)).join('\n');
      expect(run).toMatch(/<(4|8|16|32) x double>/);
      expect(run).not.toMatch(/call [^@]*@ldexp\(/);
      expect(run).not.toMatch(new RegExp(`call [^@]*@(${fn}|numbat_vmath_${fn}_\\w+)\\(`));
    });

    it.skipIf(!ptxas)(`${fn}: the cuda PTX assembles (ptxas -arch=sm_90)`, async () => {
      const args = inputs(fn, 256).map((a) => Float64Array.from(a));
      const ptx = await cuda.jit(kernelOf(fn, arity), { target: 'cuda' }).inspect('ptx', ...args, new Float64Array(256));
      expect(ptx).toMatch(/\.visible \.entry numbat_/);
      assemblePtx(ptxas!, ptx, fn);
    });
  }
});

describe('f64 sin, cos and tan of huge arguments (|x| ≥ 2^19 π): V8\'s bits', () => {
  const xs = hugeTrigInputs(24_000);
  for (const fn of ['sin', 'cos', 'tan']) {
    it(`${fn}: the simulator, and cpu in lane groups and thread by thread, give V8's bits (${xs.length} inputs)`, async () => {
      expect(xs.length).toBe(24_000);
      expect(mismatches(fn, [xs], await librarySim(fn, [xs])).slice(0, 8)).toEqual([]);
      const lanes = await onCpu(fn, [xs], true);
      expect(mismatches(fn, [xs], lanes.out).slice(0, 8)).toEqual([]);
      expect(mismatches(fn, [xs], (await onCpu(fn, [xs], false)).out).slice(0, 8)).toEqual([]);
      // a lane group, which hands itself to the thread-by-thread code when a lane needs the huge reduction
      expect(lanes.opt!).toMatch(/<(4|8|16|32) x double>/);
      const llvm = await cuda.jit(kernelOf(fn, 1), { target: 'cpu' }).inspect('llvm', Float64Array.from(xs), new Float64Array(xs.length));
      expect(llvm).toMatch(/^lanes\.rare\d*:/m);
    });
  }

  it('legalisation adds the 2/π table once per kernel (a const array), whatever the number of calls', () => {
    const ir = libraryIR('sin', 1);
    expect(ir.arrays.filter((a) => a.space === 'const').map((a) => [a.name, a.values!.length])).toEqual([['two_over_pi', 68]]);
  });
});

