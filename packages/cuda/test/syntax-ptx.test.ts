// PTX of kernels that throw assembles with ptxas (the corpus kernels of
// arrays-syntax.ts are assembled by ptxas.test.ts); the thrown message reaches
// the cuda runtime through the bounds-check sites of its plan.

import { describe, expect, it } from 'vitest';
import { cuda } from '@numbat/core';
import { assemblePtx, findPtxas } from './helpers.js';

const ptxas = findPtxas();

function checked(a: Float32Array, o: Float32Array) {
  const i = cuda.grid(1);
  if (i < a.length) {
    if (a[i] < 0) throw new Error('negative input');
    for (const x of a.subarray(i, i + 2)) o[i] += x;
  }
}

describe.skipIf(!ptxas)('ptxas accepts kernels that throw and log', () => {
  it('throw inside a branch, with views and for...of', async () => {
    const ptx = await cuda.jit(checked, { target: 'cuda' }).inspect('ptx', new Float32Array(4), new Float32Array(4));
    expect(ptx).toMatch(/atom\.global\.cas/); // the error record's claim: the throw reports through it
    assemblePtx(ptxas!, ptx, 'checked');
  });

  it('console.log records (atomic slot, stores of registers and values)', async () => {
    const k = cuda.jit(function logs(a: Float32Array, u: Uint32Array) {
      const i = cuda.grid(1);
      if (i < a.length) console.log('thread', i, a[i], a[i] > 1, u[i], `x=${a[i]}`);
    }, { target: 'cuda' });
    const ptx = await k.inspect('ptx', new Float32Array(4), new Uint32Array(4));
    expect(ptx).toMatch(/atom\.global\.add/);
    assemblePtx(ptxas!, ptx, 'logs');
  });
});
