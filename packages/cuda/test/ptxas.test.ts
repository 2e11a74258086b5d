// The PTX of every conformance-corpus kernel must pass NVIDIA's assembler for
// a current GPU (sm_90). No GPU needed: this runs in CI and proves the PTX is
// valid, including the sm_86-capped PTX being accepted for newer targets.

import { describe, expect, it } from 'vitest';
import { cuda } from '@numbat/core';
import { CORPUS } from '@numbat/core/testsuite';
import { assemblePtx, findPtxas } from './helpers.js';

const ptxas = findPtxas();
const assemble = (ptx: string, name: string, arch = 'sm_90'): void => assemblePtx(ptxas!, ptx, name, arch);

describe.skipIf(!ptxas)(`ptxas accepts the PTX of every corpus kernel${ptxas ? '' : ' (skipped: ptxas not found; install the CUDA toolkit or set PTXAS)'}`, () => {
  for (const c of CORPUS) {
    it(c.name, async () => {
      const k = cuda.jit(c.kernel, { ...c.options, target: 'cuda' });
      const ptx = await k.inspect('ptx', ...c.args());
      expect(ptx).toMatch(/\.visible \.entry numbat_/);
      expect(ptx).toMatch(/\.target sm_\d+/);
      assemble(ptx, c.name);
    });
  }

  it('fastmath and boundscheck-off variants of the math kernels assemble too', async () => {
    for (const c of CORPUS.filter((x) => /math|trig|transcend/i.test(x.name))) {
      for (const extra of [{ fastmath: true }, { boundscheck: false }]) {
        const k = cuda.jit(c.kernel, { ...c.options, ...extra, target: 'cuda' });
        assemble(await k.inspect('ptx', ...c.args()), `${c.name}-${Object.keys(extra)[0]}`);
      }
    }
  });
});
