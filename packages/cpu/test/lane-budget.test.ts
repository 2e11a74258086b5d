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

/** Gamma(alpha) samples by Marsaglia and Tsang's method (alpha >= 1), `n` per thread, summed. */
function gammaSums(states: Uint32Array, out: Float32Array, n: number, alpha: number) {
  const i = cuda.grid(1);
  if (i >= out.length) return;
  const d = alpha - 1 / 3, c = 1 / Math.sqrt(9 * d);
  let acc = 0;
  for (let p = 0; p < n; p++) {
    let g = 0;
    for (;;) {
      const x = random.normalF32(states, i);
      let v = 1 + c * x;
      if (v <= 0) continue;
      v = v * v * v;
      const u = random.uniformF32(states, i);
      if (u < 1 - 0.0331 * x * x * x * x) { g = d * v; break; }
      if (Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) { g = d * v; break; }
    }
    acc += g;
  }
  out[i] = acc;
}

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
