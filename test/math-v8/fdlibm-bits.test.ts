// Core's f64 library (legalize/fdlibm*.ts): V8's Math functions bit for bit. For each
// function it covers: the legalised IR run in the simulator, and the cpu target (a lane
// group, and the thread-by-thread path with NUMBAT_CPU_LANES=1), give exactly JS's
// Math.fn over test/math-v8/inputs.mjs (random over wide and narrow ranges, near 0,
// near multiples of π/4 and of ln 2, huge, subnormal, special values; sin, cos and tan beyond
// 2^19 π come from the target, within 1 ulp); the lane group
// keeps the function in vectors (no libm call for it); the cuda PTX assembles (ptxas).

import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cuda, FDLIBM_FNS, forEachStmt, stmtExprs, forEachExpr } from '@numbat/core';
import type { KernelIR } from '@numbat/core';
import '@numbat/cpu';
import { findPtxas } from '../../packages/cuda/test/helpers.js';
import { inputs, ulpDistance } from './inputs.mjs';
import { libraryIR, librarySim } from './library-sim.mjs';

/** Inputs per function on the simulator (cheap) and on cpu. */
const SIM_N = 100_000, CPU_N = 20_000;

/**
 * Where the library leaves a function to the target: sin, cos and tan beyond fdlibm's medium
 * reduction (|x| ≥ 2^19 π, high word above 0x413921fb), where the target's sin/cos must be
 * within 1 ulp of V8's (glibc's is; the simulator runs JS's Math there, so it agrees exactly).
 */
const FAR = fromWords(0x413921fc);
const targetsOwn = (fn: string, x: number): boolean => ['sin', 'cos', 'tan'].includes(fn) && Math.abs(x) >= FAR && Number.isFinite(x);

function fromWords(hi: number): number {
  const v = new DataView(new ArrayBuffer(8));
  v.setUint32(0, hi);
  return v.getFloat64(0);
}

function mismatches(fn: string, args: number[][], got: ArrayLike<number>): string[] {
  const bad: string[] = [];
  for (let i = 0; i < got.length; i++) {
    const want = (Math as unknown as Record<string, (...a: number[]) => number>)[fn](...args.map((a) => a[i]));
    if (targetsOwn(fn, args[0][i]) && ulpDistance(want, got[i]) <= 1) continue;
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
  const before = process.env.NUMBAT_CPU_LANES;
  if (!lanes) process.env.NUMBAT_CPU_LANES = '1';
  try {
    const k = cuda.jit(kernelOf(fn, args.length), { target: 'cpu' });
    await k.configure(Math.ceil(out.length / 128), 128)(...xs, out);
    return { out, opt: lanes ? await k.inspect('opt', ...xs, out) : undefined };
  } finally {
    if (before === undefined) delete process.env.NUMBAT_CPU_LANES; else process.env.NUMBAT_CPU_LANES = before;
  }
}

/**
 * Functions whose kernel is over the cpu lane groups' code budget (LANE_COST_BUDGET): the region
 * runs thread by thread, no lane group. pow (fdlibm's log2 in extra precision, 2^z, and its
 * special cases: about 2 700 of 2 048). asinh and acosh (log and log1p both built branch-free)
 * are just under it since one sqrt and the inputs' clamps were shared out (2 036 and 2 016).
 */
const OVER_LANE_BUDGET = ['pow'];

const ptxas = findPtxas();
const dir = mkdtempSync(join(tmpdir(), 'numbat-v8math-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('f64 Math with V8\'s bits: core\'s library (fdlibm)', () => {
  for (const fn of FDLIBM_FNS) {
    const arity = inputs(fn, 1).length;

    it(`${fn}: the legalised IR leaves no call to ${fn} and runs bit for bit as V8 in the simulator (${SIM_N} inputs)`, async () => {
      const ir = libraryIR(fn, arity);
      const calls = (k: KernelIR, lazyArm = false): string[] => {
        const out: string[] = [];
        forEachStmt(k.body, (s) => stmtExprs(s).forEach((e) => forEachExpr(e, (x) => {
          if (!lazyArm && x.kind === 'math') out.push(x.fn);
          if (lazyArm && x.kind === 'cond' && x.a.kind === 'math') out.push(x.a.fn);
        })));
        return out;
      };
      // sin, cos and tan keep one call, the lazy arm for |x| ≥ 2^19 π; the others none
      expect(calls(ir).filter((f) => f === fn)).toEqual(calls(ir, true).filter((f) => f === fn));
      expect(calls(ir).filter((f) => f === fn).length).toBe(['sin', 'cos', 'tan'].includes(fn) ? 1 : 0);
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
      if (!OVER_LANE_BUDGET.includes(fn)) expect(run).toMatch(/<8 x double>|<4 x double>/);
      expect(run).not.toMatch(/call [^@]*@ldexp\(/);
      if (['sin', 'cos', 'tan'].includes(fn)) {
        // the target's function for |x| ≥ 2^19 π only runs where a lane needs it: a lazy arm
        // in the lane group (lazy.v; a `lanes.any` block where it goes lane by lane), a
        // `cond.a` block on the thread-by-thread path
        expect(run).toMatch(/%lazy\.v/);
        const blocks = run.split(/\n\n/).filter((b) => new RegExp(`call [^@]*@${fn}\\(`).test(b));
        expect(blocks.map((b) => b.split(':')[0].trim()).filter((label) => !/^(cond\.a|lanes\.any)/.test(label))).toEqual([]);
      } else {
        expect(run).not.toMatch(new RegExp(`call [^@]*@(${fn}|numbat_vmath_${fn}_\\w+)\\(`));
      }
    });

    it.skipIf(!ptxas)(`${fn}: the cuda PTX assembles (ptxas -arch=sm_90)`, async () => {
      const args = inputs(fn, 256).map((a) => Float64Array.from(a));
      const ptx = await cuda.jit(kernelOf(fn, arity), { target: 'cuda' }).inspect('ptx', ...args, new Float64Array(256));
      expect(ptx).toMatch(/\.visible \.entry numbat_/);
      const file = join(dir, `${fn}.ptx`);
      writeFileSync(file, ptx);
      execFileSync(ptxas!, ['-arch=sm_90', file, '-o', join(dir, `${fn}.cubin`)], { stdio: 'pipe' });
    });
  }
});
