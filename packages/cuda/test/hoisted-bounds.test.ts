// Bounds checks hoisted out of grid-stride loops (core's hoistBoundsChecks) on
// cuda: the loop is versioned in the LLVM module (an unchecked copy beside the
// checked one) and ptxas -arch=sm_90 accepts the PTX. Behaviour (results,
// errors still reported): packages/webgpu/test/hoisted-bounds.test.ts, which
// runs the same transform.

import { describe, expect, it } from 'vitest';
import { cuda } from '@numbat/core';
import { assemblePtx, findPtxas } from './helpers.js';

function scale(a: Float32Array, n: number, out: Float32Array) {
  for (let i = cuda.grid(1); i < n; i += cuda.gridsize(1)) out[i] = a[i] * 2;
}

const args = (n: number) => [new Float32Array(n), n, new Float32Array(n)] as const;

const ptxas = findPtxas();
describe.skipIf(!ptxas)(`hoisted bounds checks in PTX${ptxas ? '' : ' (skipped: ptxas not found)'}`, () => {
  it('the loop is versioned: an unchecked copy beside the checked one; ptxas -arch=sm_90 accepts it', async () => {
    const k = cuda.jit(scale, { target: 'cuda' });
    const llvm = await k.inspect('llvm', ...args(16));
    // Two copies of the loop read a[i] (one checked, one not), and only one copy checks: two bounds tests (a, out).
    expect(llvm.match(/load float, float addrspace\(1\)\*/g)?.length).toBe(2);
    expect(llvm.match(/br i1 %\S+, label %inbounds\S*, label %oob/g)?.length).toBe(2);
    const unchecked = await cuda.jit(scale, { target: 'cuda', boundscheck: false }).inspect('llvm', ...args(16));
    expect(unchecked.match(/load float, float addrspace\(1\)\*/g)?.length).toBe(1);
    assemblePtx(ptxas!, await k.inspect('ptx', ...args(16)), 'scale');
  });
});
