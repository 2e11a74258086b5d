// The lane groups' code budget (lane-budget.ts) counts what lane-stmts.ts builds: a region after a
// guard such as `if (i >= n) return` once (a group with a lane out hands itself to the
// thread-by-thread code), so a rejection sampler of that CUDA idiom runs in lane groups; checked
// against the simulator (its draws, so its decisions and final states, are the simulator's).
import { describe, expect, it } from 'vitest';
import { continueToElse, cuda, forEachStmt, keepThreadStatesInLocals, random, type Stmt } from '@numbat/core';
import { stateMismatches } from '@numbat/core/testsuite';
import { analyseKernel, kernelAnalyses } from '../src/codegen/kernel.js';
import { regionLanes } from '../src/codegen/thread-loops.js';
import { LANE_COST_BUDGET, loopsWithoutFastCopies, regionLaneCost } from '../src/codegen/lane-budget.js';
import { legalIR } from '../../../test/helpers/ir-sim.js';
import { drawWhenLow } from './helpers.js';
// the bench's gamma sampler (bench/suite/kernels.mjs: the random-gamma workload)
import { sumGammas as gammaSums } from '../../../bench/suite/kernels.mjs';

/** A loop of uniform draws, each times a sum of twenty elements gathered at thread-dependent indices. */
function drawsTimesGathers(states: Uint32Array, a: Float32Array, out: Float32Array, m: number) {
  const i = cuda.grid(1);
  if (i >= out.length) return;
  let s = 0;
  for (let k = 0; k < m; k++) {
    const u = random.uniformF32(states, i);
    s += u * (a[(i * 3 + k * 5) & 63] + a[(i * 4 + k * 7) & 63] + a[(i * 5 + k * 9) & 63] + a[(i * 6 + k * 11) & 63] + a[(i * 7 + k * 13) & 63] +
      a[(i * 8 + k * 15) & 63] + a[(i * 9 + k * 17) & 63] + a[(i * 10 + k * 19) & 63] + a[(i * 11 + k * 21) & 63] + a[(i * 12 + k * 23) & 63] +
      a[(i * 13 + k * 25) & 63] + a[(i * 14 + k * 27) & 63] + a[(i * 15 + k * 29) & 63] + a[(i * 16 + k * 31) & 63] + a[(i * 17 + k * 33) & 63] +
      a[(i * 18 + k * 35) & 63] + a[(i * 19 + k * 37) & 63] + a[(i * 20 + k * 39) & 63] + a[(i * 21 + k * 41) & 63] + a[(i * 22 + k * 43) & 63]);
  }
  out[i] = s;
}


/** The CUDA idiom `if (i < n) { … }` around a loop of normals, and the same after a guard. */
function normalsInIf(states: Uint32Array, out: Float32Array, trips: number) {
  const i = cuda.grid(1);
  if (i < out.length) {
    let f = 0;
    for (let k = 0; k < trips; k++) f += random.normalF32(states, i);
    out[i] = f;
  }
}
function normalsAfterGuard(states: Uint32Array, out: Float32Array, trips: number) {
  const i = cuda.grid(1);
  if (i >= out.length) return;
  let f = 0;
  for (let k = 0; k < trips; k++) f += random.normalF32(states, i);
  out[i] = f;
}

describe('cpu lane budget', () => {
  it('a draw under a thread-dependent `if` in a loop of draws: in lane groups, the simulator\'s draws', async () => {
    // The arm's only memory access is the draw's thread check, whose load nobody reads: no unmasked
    // copy for it (lane-stmts.ts), and the budget counts none (2 128 with one: thread by thread, 5×
    // slower); the same sums and states as the simulator, threads at mixed positions.
    const ir = await legalIR(drawWhenLow, [random.createStates(8, 1), new Float32Array(8), 3], { target: 'cpu' });
    const { analyses } = analyseKernel(ir);
    const stmts = analyses.layout.regions[0].stmts;
    expect(regionLaneCost(stmts, analyses.laneUni)).toBeLessThanOrEqual(LANE_COST_BUDGET);
    expect(regionLanes({ ...analyses, opts: { laneWidth: 8 } } as any, stmts).jam).toBe(true);
    const T = 256, out: Record<string, { f: Float32Array; states: Uint32Array }> = {};
    for (const target of ['sim', 'cpu']) {
      const states = random.createStates(T, 12), f = new Float32Array(T);
      await cuda.jit(function ahead(st: Uint32Array) { const i = cuda.grid(1); if (i % 3 === 0) random.uint32(st, i); }, { target }).configure(T / 64, 64)(states);
      await cuda.jit(drawWhenLow, { target, cache: false }).configure(T / 64, 64)(states, f, 21);
      out[target] = { f, states };
    }
    expect(Array.from(out.cpu.f)).toEqual(Array.from(out.sim.f));
    expect(Array.from(out.cpu.states)).toEqual(Array.from(out.sim.states));
  });

  it('a loop of normals in `if (i < n) { … }` is counted and built as after `if (i >= n) return` (core\'s wrapToGuard)', async () => {
    const args = [random.createStates(8, 1), new Float32Array(8), 3];
    const cost = async (fn: (...a: any[]) => void): Promise<number> => {
      const { analyses } = analyseKernel(await legalIR(fn, args, { target: 'cpu' }));
      return regionLaneCost(analyses.layout.regions[0].stmts, analyses.laneUni);
    };
    // (1 612 as written: the whole region masked, and twice; the guard's `!` is one node more)
    expect(await cost(normalsInIf) - await cost(normalsAfterGuard)).toBe(1);
    // Only a test of the position against a bound (bound-guard.ts): after a guard a group with a
    // lane out runs thread by thread, and `(i & 1) === 0` has a lane out in every group.
    const guards = async (fn: (...a: any[]) => void): Promise<number> => {
      const { analyses } = analyseKernel(await legalIR(fn, args, { target: 'cpu' }));
      return analyses.ir.body.filter((s) => s.kind === 'if' && s.then.length === 1 && s.then[0].kind === 'return').length;
    };
    expect(await guards(normalsInIf)).toBe(1);
    expect(await guards(function normalsOnEven(states: Uint32Array, out: Float32Array, trips: number) {
      const i = cuda.grid(1);
      if ((i & 1) === 0) { let f = 0; for (let k = 0; k < trips; k++) f += random.normalF32(states, i); out[i] = f; }
    })).toBe(0);
    expect(await guards(function rows(states: Uint32Array, out: Float32Array, trips: number) {
      const [x, y] = cuda.grid(2);
      if (x < 8 && y * 8 + x < out.length) { let f = 0; for (let k = 0; k < trips; k++) f += random.normalF32(states, y * 8 + x); out[y * 8 + x] = f; }
    })).toBe(1);
  });


  it('a gamma sampler after `if (i >= n) return` runs in lane groups (its rest counted once: 1 226, not 2 452)', async () => {
    const ir = await legalIR(gammaSums, [random.createStates(8, 1), new Float32Array(8), 3, 2.5], { target: 'cpu' });
    // as written (analyseKernel first makes its two loops one: below)
    const an = kernelAnalyses(keepThreadStatesInLocals(continueToElse(ir)));
    const stmts = an.layout.regions[0].stmts;
    expect(regionLaneCost(stmts, an.laneUni)).toBeLessThanOrEqual(LANE_COST_BUDGET);
    expect(regionLanes({ ...an, opts: { laneWidth: 8 } } as any, stmts).jam).toBe(true);
  });

  it('flattened into one loop (core\'s flattenRetryLoops), it stays in lane groups, that loop built masked only', async () => {
    const ir = await legalIR(gammaSums, [random.createStates(8, 1), new Float32Array(8), 3, 2.5], { target: 'cpu' });
    const { analyses } = analyseKernel(ir);
    const stmts = analyses.layout.regions[0].stmts;
    expect(regionLaneCost(stmts, analyses.laneUni)).toBeGreaterThan(LANE_COST_BUDGET); // with the loop's fast copies
    const cg = { ...analyses, opts: { laneWidth: 8 } } as any; // (the analyses' memo: where regionLanes records the loops)
    expect(regionLanes(cg, stmts)).toMatchObject({ jam: true, W: 8 });
    const loops: Stmt[] = [];
    forEachStmt(stmts as Stmt[], (s) => { if (s.kind === 'loop' && analyses.laneUni.varyingLoops.has(s)) loops.push(s); });
    expect(loops.length).toBeGreaterThan(0);
    for (const l of loops) expect(loopsWithoutFastCopies(cg).has(l)).toBe(true);
  });

  it('a loop of draws with twenty gathers, over the budget at the width a Philox loop gets, runs at the base width', async () => {
    // AVX-512: 32 lanes counted without the gathers (lane-width.ts), over the budget with them; 8 lanes fit.
    // Such a loop (ten gathers when Philox loops ran 64 lanes) ran thread by thread there (50 M draws
    // per CPU-second against 107–115 M at 8 lanes); ten gathers fit at 32 lanes now.
    const args = (): [Uint32Array, Float32Array, Float32Array, number] => [random.createStates(200, 4), Float32Array.from({ length: 64 }, (_, j) => j / 64), new Float32Array(200), 6];
    const ir = await legalIR(drawsTimesGathers, args(), { target: 'cpu' });
    const { analyses } = analyseKernel(ir);
    expect(regionLanes({ ...analyses, opts: { laneWidth: 8 } } as any, analyses.layout.regions[0].stmts).jam).toBe(true);
    const got = args(), want = args();
    await cuda.jit(drawsTimesGathers, { target: 'cpu', cache: false }).configure(4, 64)(...got);
    await cuda.jit(drawsTimesGathers, { target: 'sim' }).configure(4, 64)(...want);
    expect(Array.from(got[2])).toEqual(Array.from(want[2]));
    expect(Array.from(got[0])).toEqual(Array.from(want[0]));
  });

  it("its samples are the simulator's (decisions and final states; sums within f32 math's ulps) and average alpha", async () => {
    const T = 256, n = 8, alpha = 2.5;
    const out: Record<string, { sums: Float32Array; states: Uint32Array }> = {};
    for (const target of ['sim', 'cpu']) {
      const states = random.createStates(T, 77), sums = new Float32Array(T);
      await cuda.jit(gammaSums, { target }).configure(T / 64, 64)(states, sums, n, alpha);
      out[target] = { sums, states };
    }
    expect(stateMismatches(out.cpu.states, out.sim.states, 10)).toEqual([]);
    for (let i = 0; i < T; i++) expect(Math.abs(out.cpu.sums[i] - out.sim.sums[i]), `thread ${i}`).toBeLessThanOrEqual(1e-5 * out.sim.sums[i]);
    const mean = out.cpu.sums.reduce((a, b) => a + b, 0) / (T * n);
    expect(Math.abs(mean - alpha)).toBeLessThan(0.1); // sd of the mean: sqrt(2.5 / 2048) ≈ 0.035
  });
});
