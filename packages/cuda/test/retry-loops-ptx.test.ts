// A rejection sampler's retry loop inside a counted loop is one loop in cuda's LLVM module
// (core's flattenRetryLoops, applied by buildCudaModule: a warp's threads wait for each other
// once per try, not per draw), and ptxas -arch=sm_90 accepts the PTX. Results against the
// simulator: packages/webgpu/test/retry-loops.test.ts (the same transform) and, on a GPU, the
// corpus's `loops_retry_until_done` in the conformance tests.
import { describe, expect, it } from 'vitest';
import { cuda, random } from '@numbat/core';
import { sumGammas } from '../../../bench/suite/kernels.mjs';
import { assemblePtx, findPtxas } from './helpers.js';

const ptxas = findPtxas();
describe.skipIf(!ptxas)(`retry loops flattened in PTX${ptxas ? '' : ' (skipped: ptxas not found)'}`, () => {
  it("the bench's Gamma sampler: the flattened loop's flags in the module; ptxas accepts the PTX", async () => {
    const args = [random.createStates(64, 1), new Float32Array(64), 4, 2.5];
    const k = cuda.jit(sumGammas, { target: 'cuda' });
    const llvm = await k.inspect('llvm', ...args);
    expect(llvm).toMatch(/%retry\.more/);
    expect(llvm).toMatch(/%retry\.done/);
    assemblePtx(ptxas!, await k.inspect('ptx', ...args), 'sumGammas');
  });
});
