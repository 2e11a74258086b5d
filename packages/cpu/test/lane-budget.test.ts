// The lane groups' code budget (lane-budget.ts) counts what lane-stmts.ts builds: a region after a
// guard such as `if (i >= n) return` once (a group with a lane out hands itself to the
// thread-by-thread code), so a rejection sampler of that CUDA idiom runs in lane groups; checked
// against the simulator (its draws, so its decisions and final states, are the simulator's).
import { describe, expect, it } from 'vitest';
import { cuda, random } from '@numbat/core';
import { stateMismatches } from '@numbat/core/testsuite';
import { analyseKernel } from '../src/codegen/kernel.js';
import { regionLanes } from '../src/codegen/thread-loops.js';
import { LANE_COST_BUDGET, regionLaneCost } from '../src/codegen/lane-budget.js';
import { legalIR } from '../../../test/helpers/ir-sim.js';
// the bench's gamma sampler (bench/suite/kernels.mjs: the random-gamma workload)
import { sumGammas as gammaSums } from '../../../bench/suite/kernels.mjs';

describe('cpu lane budget', () => {
  it('a gamma sampler after `if (i >= n) return` runs in lane groups (its rest counted once: 1 226, not 2 452)', async () => {
    const ir = await legalIR(gammaSums, [random.createStates(8, 1), new Float32Array(8), 3, 2.5], { target: 'cpu' });
    const { analyses } = analyseKernel(ir);
    const stmts = analyses.layout.regions[0].stmts;
    expect(regionLaneCost(stmts, analyses.laneUni)).toBeLessThanOrEqual(LANE_COST_BUDGET);
    expect(regionLanes({ ...analyses, opts: { laneWidth: 8 } } as any, stmts).jam).toBe(true);
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
