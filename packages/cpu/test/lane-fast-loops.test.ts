// A lane-varying loop gets fast copies in a lane group (lane-stmts.ts varyingLoop: two unmasked
// trips per turn while every lane is in the loop, beside the masked loop), three copies of its
// body. Where they alone put a region over the lane budget, its loops are built masked only
// (thread-loops.ts regionLanes, lane-budget.ts loopsWithoutFastCopies) instead of the region
// running thread by thread: a Gamma sampler written as one loop that counts its accepted draws
// ran at a third of the nested form's speed that way. Results against the simulator.
import { describe, expect, it } from 'vitest';
import { cuda, random } from '@numbat/core';
import { stateMismatches } from '@numbat/core/testsuite';
import { sumGammas } from '../../../bench/suite/kernels.mjs';
import { polarNormals } from '../../../test/helpers/samplers.js';

/** Marsaglia-Tsang Gamma(alpha) draws as one loop: a trip that accepts adds its draw and counts it. */
function gammasOneLoop(states: Uint32Array, sums: Float32Array, trips: Int32Array, draws: number, alpha: number) {
  const i = cuda.grid(1);
  if (i >= sums.length) return;
  const d = alpha - 1 / 3, c = 1 / Math.sqrt(9 * d);
  let s = 0, k = 0, t = 0;
  while (k < draws) {
    t++;
    const x = random.normalF32(states, i);
    let v = 1 + c * x;
    if (v <= 0) continue;
    v = v * v * v;
    const u = random.uniformF32(states, i);
    if (u < 1 - 0.0331 * x * x * x * x) { s += d * v; k++; continue; }
    if (Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) { s += d * v; k++; }
  }
  sums[i] = s;
  trips[i] = t;
}

/** A grid-stride sum: a varying loop well within the budget. */
function strideSum(x: Float32Array, out: Float32Array) {
  const i = cuda.grid(1);
  let s = 0;
  for (let j = i; j < x.length; j += cuda.gridsize(1)) s += x[j];
  if (i < out.length) out[i] = s;
}

const lanes = (llvm: string): boolean => /<\d+ x (float|double|i32)>/.test(llvm);
const fastCopies = (llvm: string): number => (llvm.match(/^vloop\.all[\d.]*:/gm) ?? []).length;

describe('cpu lane groups: varying loops without their fast copies', () => {
  it('a rejection sampler written as one loop runs as a lane group, masked only, with the simulator\'s draws', async () => {
    const n = 256, draws = 6;
    const make = (): [Uint32Array, Float32Array, Int32Array, number, number] => [random.createStates(n, 11), new Float32Array(n), new Int32Array(n), draws, 2.5];
    const got = make(), want = make();
    const cpu = cuda.jit(gammasOneLoop, { target: 'cpu', cache: false });
    await cpu.configure(4, 64)(...got);
    await cuda.jit(gammasOneLoop, { target: 'sim' }).configure(4, 64)(...want);
    expect(Array.from(got[2])).toEqual(Array.from(want[2])); // every thread's trips
    for (let i = 0; i < n; i++) expect(Math.abs(got[1][i] - want[1][i])).toBeLessThanOrEqual(1e-5 * Math.abs(want[1][i]));
    const llvm = await cpu.inspect('llvm', ...make());
    expect(lanes(llvm)).toBe(true); // before: over the budget, thread by thread
    expect(fastCopies(llvm)).toBe(0);
  });

  it('the textbook form (a retry loop per draw, the bench\'s kernel) made one loop by core\'s flattenRetryLoops: the same', async () => {
    const n = 256;
    const make = (): [Uint32Array, Float32Array, number, number] => [random.createStates(n, 11), new Float32Array(n), 6, 2.5];
    const got = make(), want = make();
    const cpu = cuda.jit(sumGammas, { target: 'cpu', cache: false });
    await cpu.configure(4, 64)(...got);
    await cuda.jit(sumGammas, { target: 'sim' }).configure(4, 64)(...want);
    expect(stateMismatches(got[0], want[0], 10)).toEqual([]); // the same draws, so the same decisions
    for (let i = 0; i < n; i++) expect(Math.abs(got[1][i] - want[1][i])).toBeLessThanOrEqual(1e-5 * Math.abs(want[1][i]));
    const llvm = await cpu.inspect('llvm', ...make());
    expect(lanes(llvm)).toBe(true);
    expect(fastCopies(llvm)).toBe(0);
  });

  it('a do…while retry loop (Marsaglia\'s polar method, flattened too): the simulator\'s draws', async () => {
    const make = (): [Uint32Array, Float32Array, number] => [random.createStates(200, 5), new Float32Array(200), 7];
    const got = make(), want = make();
    await cuda.jit(polarNormals, { target: 'cpu', cache: false }).configure(4, 64)(...got);
    await cuda.jit(polarNormals, { target: 'sim' }).configure(4, 64)(...want);
    expect(stateMismatches(got[0], want[0], 10)).toEqual([]);
    for (let i = 0; i < 200; i++) expect(Math.abs(got[1][i] - want[1][i])).toBeLessThanOrEqual(1e-5 * Math.max(1, Math.abs(want[1][i])));
  });

  it('a loop within the budget keeps its fast copy', async () => {
    const x = Float32Array.from({ length: 5000 }, (_, k) => (k % 17) - 8), out = new Float32Array(256), want = new Float32Array(256);
    const cpu = cuda.jit(strideSum, { target: 'cpu', cache: false });
    await cpu.configure(4, 64)(x, out);
    await cuda.jit(strideSum, { target: 'sim' }).configure(4, 64)(x, want);
    expect(Array.from(out)).toEqual(Array.from(want));
    const llvm = await cpu.inspect('llvm', x, out);
    expect(lanes(llvm)).toBe(true);
    expect(fastCopies(llvm)).toBeGreaterThan(0);
  });
});
