// Local arrays used only at constant indices become locals on the cpu (core's
// scalarizeLocalArrays, kernel.ts analyseKernel), so their regions run in lane
// groups (which take no local arrays); arrays read at a thread-dependent index,
// narrow element types and indices outside the array stay arrays. Results: the
// corpus cases local-array-scalars.ts in the conformance tests.
import { describe, expect, it } from 'vitest';
import { cuda, forEachExpr, forEachStmt, random, scalarizeLocalArrays, stmtExprs, type KernelIR } from '@numbat/core';
import { CORPUS } from '@numbat/core/testsuite';
import { analyseKernel } from '../src/codegen/kernel.js';
import { legalIR } from '../../../test/helpers/ir-sim.js';
import { regionLanes } from '../src/codegen/thread-loops.js';

/** The cpu's legalisation (test/helpers/ir-sim.ts legalIR). */
const CPU = { target: 'cpu' };

/** Names of the local arrays the kernel still reads or writes. */
function localArraysUsed(ir: KernelIR): string[] {
  const used = new Set<number>();
  forEachStmt(ir.body, (s) => {
    if (s.kind === 'store' && s.array.space === 'local') used.add(s.array.id);
    for (const x of stmtExprs(s)) forEachExpr(x, (y) => { if ((y.kind === 'load' || y.kind === 'length') && y.array.space === 'local') used.add(y.array.id); });
  });
  return [...used].map((id) => ir.arrays[id].name).sort();
}

describe('cpu: local arrays at constant indices', () => {
  it('random.philox into a local array in a loop: the array becomes locals and the loop runs in lane groups', async () => {
    const c = CORPUS.find((x) => x.name === 'local_array_philox_words_in_a_loop')!;
    const ir = await legalIR(c.kernel, c.args(), CPU);
    expect(localArraysUsed(ir)).toEqual(['w']);
    expect(localArraysUsed(scalarizeLocalArrays(ir))).toEqual([]);
    const { analyses } = analyseKernel(ir);
    expect(regionLanes({ ...analyses, opts: { laneWidth: 8 } } as any, analyses.layout.regions[0].stmts).jam).toBe(true);
  });

  it('keeps arrays read at a thread-dependent index, u8 arrays and indices outside the array', async () => {
    const c = CORPUS.find((x) => x.name === 'local_arrays_constant_and_varying_indices')!;
    expect(localArraysUsed(scalarizeLocalArrays(await legalIR(c.kernel, c.args(), CPU)))).toEqual(['small', 'tab']);
    function outside(out: Float32Array) {
      const i = cuda.grid(1);
      if (i >= out.length) return;
      const w = cuda.local.array(2, 'f32');
      w[0] = 1;
      w[2] = 3; // outside: stays an access, which reports the error
      out[i] = w[0];
    }
    expect(localArraysUsed(scalarizeLocalArrays(await legalIR(outside, [new Float32Array(4)], CPU)))).toEqual(['w']);
  });

  it('random.philox through a local array gives the simulator words', async () => {
    function words(keys: Uint32Array, out: Uint32Array) {
      const i = cuda.grid(1);
      if (i >= out.length) return;
      const w = cuda.local.array(4, 'u32');
      random.philox(keys[0], keys[1], 7, 0, i, 0, w, 0);
      out[i] = (w[0] ^ w[1] ^ w[2] ^ w[3]) >>> 0;
    }
    const got: Record<string, Uint32Array> = {};
    for (const target of ['sim', 'cpu']) {
      const out = new Uint32Array(100);
      await cuda.jit(words, { target }).configure(2, 64)(new Uint32Array([3, 4]), out);
      got[target] = out;
    }
    expect(Array.from(got.cpu)).toEqual(Array.from(got.sim));
  });
});
