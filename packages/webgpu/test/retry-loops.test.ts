// Rejection samplers on webgpu: a retry loop inside a counted loop is made one loop (core's
// flattenRetryLoops, applied by generateWgsl) so that the threads of a SIMD group wait for each
// other once per try rather than once per draw. The same draws as the simulator (final states),
// the same sums; the flattened loop's flags are in the WGSL. cuda: packages/cuda/test/retry-loops-ptx.test.ts.
import { describe, expect, it } from 'vitest';
import { cuda, random } from '@numbat/core';
import { stateMismatches } from '@numbat/core/testsuite';
import { sumGammas } from '../../../bench/suite/kernels.mjs';
import { polarNormals } from '../../../test/helpers/samplers.js';
import { avail, onGpu } from './helpers.js';

type Args = [Uint32Array, Float32Array, ...number[]];

async function againstSimulator(fn: (...a: any[]) => void, make: () => Args): Promise<string> {
  const got = make(), want = make();
  const k = cuda.jit(fn, { target: 'webgpu' });
  await k.configure(4, 64)(...got);
  await cuda.jit(fn, { target: 'sim', float: 'f32' }).configure(4, 64)(...want);
  // The same draws, so the same accept/reject decisions; the sums within f32 rounding.
  expect(stateMismatches(got[0], want[0], 10)).toEqual([]);
  for (let i = 0; i < want[1].length; i++) expect(Math.abs(got[1][i] - want[1][i])).toBeLessThanOrEqual(1e-5 * Math.max(1, Math.abs(want[1][i])));
  return k.inspect('wgsl', ...make());
}

describe.skipIf(!avail.ok)(onGpu('retry loops flattened'), () => {
  it("the bench's Gamma sampler (a for (;;) per draw): the simulator's draws and sums, one loop", async () => {
    const wgsl = await againstSimulator(sumGammas, () => [random.createStates(256, 11), new Float32Array(256), 6, 2.5]);
    expect(wgsl).toMatch(/\bretry_more_\d+\b/);
    expect(wgsl).toMatch(/\bretry_done_\d+\b/);
  });

  it("Marsaglia's polar method (a do…while per normal): the simulator's draws and sums, one loop", async () => {
    const wgsl = await againstSimulator(polarNormals, () => [random.createStates(200, 5), new Float32Array(200), 7]);
    expect(wgsl).toMatch(/\bretry_more_\d+\b/);
  });
});
