// Retry loops flattened into one loop (core's flattenRetryLoops, applied by the cpu before its
// lane analyses): the transform run in the simulator against the IR it came from, results and
// final random states bit-identical; the loops it must leave alone (something else leaves the
// outer loop, a barrier in it, an inner loop with a condition). The cpu's results on the
// corpus's `loops_retry_until_done` are in the conformance tests.

import { describe, expect, it } from 'vitest';
import { cuda, flattenRetryLoops, forEachStmt, random, type KernelIR } from '@numbat/core';
import { CORPUS } from '@numbat/core/testsuite';
import { legalIR, simulateIR } from './helpers/ir-sim.js';
// Marsaglia-Tsang Gamma(alpha) draws, the textbook way: a retry loop per draw (the bench's kernel)
import { sumGammas } from '../bench/suite/kernels.mjs';

const loops = (ir: KernelIR): number => {
  let n = 0;
  forEachStmt(ir.body, (s) => { if (s.kind === 'loop') n++; });
  return n;
};

async function sameInSimulator(fn: (...a: any[]) => void, args: unknown[], grid: number, block: number, outputs: number[]): Promise<KernelIR> {
  const ir = await legalIR(fn, args);
  const flat = flattenRetryLoops(ir);
  expect(flat).not.toBe(ir);
  const [want, got] = await Promise.all([ir, flat].map((x) => simulateIR(x, args, grid, block)));
  for (const k of outputs) expect(Array.from(got[k] as any), `argument ${k}`).toEqual(Array.from(want[k] as any));
  return flat;
}

describe('flattenRetryLoops', () => {
  it('a Gamma sampler\'s retry loop (the bench\'s): one loop, the same sums and final states', async () => {
    const n = 200;
    const flat = await sameInSimulator(sumGammas, [random.createStates(n, 3), new Float32Array(n), 7, 2.5], 2, 128, [0, 1]);
    const ir = await legalIR(sumGammas, [random.createStates(4, 3), new Float32Array(4), 1, 2.5]);
    expect(loops(flat)).toBe(loops(ir) - 1);
  });

  it('the corpus\'s retry loops (statements before and after, an inner continue, a loop inside)', async () => {
    const c = CORPUS.find((x) => x.name === 'loops_retry_until_done')!;
    await sameInSimulator(c.kernel, c.args(), c.grid as number, c.block as number, c.outputs);
  });

  it('an outer loop whose condition reads memory and whose update writes it; one left by a break of its own stays', async () => {
    function effects(out: Int32Array, count: Int32Array, n: number) {
      const i = cuda.grid(1);
      if (i >= out.length) return;
      let x = i + 3, k = 0;
      for (; k < n && out[i] < 150; k++, out[i] += k, cuda.atomic.add(count, 0, 1)) {
        for (;;) { x = (x * 5 + 1) % 17; if (x < 6) break; }
        out[i] += x;
      }
      while (true) { // left by its own break: stays as it is
        if (x > 100) break;
        for (;;) { x += 7; if (x % 3 === 0) break; }
      }
      out[i] = out[i] * 1000 + x;
    }
    const args = [new Int32Array(70), new Int32Array(1), 4];
    const flat = await sameInSimulator(effects, args, 1, 70, [0, 1]);
    expect(loops(flat)).toBe(loops(await legalIR(effects, args)) - 1);
  });

  it('a do…while retry loop (the polar method) and a `for (;; t++)` one: their tests and updates where they were', async () => {
    function polar(states: Uint32Array, out: Float32Array, tries: Int32Array, n: number) {
      const i = cuda.grid(1);
      if (i >= out.length) return;
      let s = 0, t = 0;
      for (let k = 0; k < n; k++) {
        let u = 0, v = 0, q = 0;
        do {
          t++;
          u = 2 * random.uniformF32(states, i) - 1;
          v = 2 * random.uniformF32(states, i) - 1;
          q = u * u + v * v;
          if (q === 0) continue; // to the test, which sends it round again
        } while (q >= 1 || q === 0);
        s += u * Math.sqrt(-2 * Math.log(q) / q);
      }
      for (let k = 0; k < n; k++) {
        for (let r = 0; ; r++, t += 3) { if (random.uniformF32(states, i) < 0.3 + 0.1 * r) break; }
      }
      out[i] = s;
      tries[i] = t;
    }
    const n = 150, args = [random.createStates(n, 9), new Float32Array(n), new Int32Array(n), 5];
    const flat = await sameInSimulator(polar, args, 2, 96, [0, 1, 2]);
    expect(loops(flat)).toBe(loops(await legalIR(polar, args)) - 2);
  });

  it('leaves alone the loops it must', async () => {
    const cases: [string, (...a: any[]) => void][] = [
      ['a break of the outer loop', function breaks(out: Int32Array, n: number) {
        const i = cuda.grid(1);
        let x = i;
        for (let k = 0; k < n; k++) {
          if (x > 50) break;
          for (;;) { x += 3; if (x % 4 === 0) break; }
        }
        out[i] = x;
      }],
      ['a return', function returns(out: Int32Array, n: number) {
        const i = cuda.grid(1);
        let x = i;
        for (let k = 0; k < n; k++) {
          for (;;) { x += 3; if (x > 90) return; if (x % 4 === 0) break; }
        }
        out[i] = x;
      }],
      ['a barrier', function barrier(out: Int32Array, n: number) {
        const i = cuda.grid(1);
        let x = i;
        for (let k = 0; k < n; k++) {
          cuda.syncthreads();
          for (;;) { x += 3; if (x % 4 === 0) break; }
        }
        out[i] = x;
      }],
      ['an inner loop with a condition', function bounded(out: Int32Array, n: number) {
        const i = cuda.grid(1);
        let x = i;
        for (let k = 0; k < n; k++) {
          while (x % 5 !== 0) { x += 3; if (x % 4 === 0) break; }
          x++;
        }
        out[i] = x;
      }],
    ];
    for (const [what, fn] of cases) {
      const ir = await legalIR(fn, [new Int32Array(32), 4]);
      expect(flattenRetryLoops(ir), what).toBe(ir);
    }
  });
});
