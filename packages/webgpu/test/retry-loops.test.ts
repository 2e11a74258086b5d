// Rejection samplers on webgpu: a retry loop inside a counted loop is made one loop (core's
// flattenRetryLoops, applied by generateWgsl) so that the threads of a SIMD group wait for each
// other once per try rather than once per draw. The same draws as the simulator (final states),
// the same sums; the flattened loop's flags are in the WGSL. cuda: packages/cuda/test/retry-loops-ptx.test.ts.
import { describe, expect, it } from 'vitest';
import { cuda, random } from '@numbat/core';
import { stateMismatches } from '@numbat/core/testsuite';
import { sumGammas } from '../../../bench/suite/kernels.mjs';
import { avail, onGpu } from './helpers.js';

/** Marsaglia's polar method: a do…while retry loop per normal. */
function polar(states: Uint32Array, out: Float32Array, n: number) {
  const i = cuda.grid(1);
  if (i >= out.length) return;
  let s = 0;
  for (let k = 0; k < n; k++) {
    let u = 0, v = 0, q = 0;
    do {
      u = 2 * random.uniformF32(states, i) - 1;
      v = 2 * random.uniformF32(states, i) - 1;
      q = u * u + v * v;
    } while (q >= 1 || q === 0);
    s += u * Math.sqrt(-2 * Math.log(q) / q);
  }
  out[i] = s;
}

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
    const wgsl = await againstSimulator(polar, () => [random.createStates(200, 5), new Float32Array(200), 7]);
    expect(wgsl).toMatch(/\bretry_more_\d+\b/);
  });
});
