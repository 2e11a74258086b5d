// Loops of random draws in blocks of four trips (core's blockDrawLoops, applied
// by the cpu after keepThreadStatesInLocals): the transform itself, run in the
// simulator against the IR it came from, on loops the cpu's lane budget may keep
// from it (continue, break, return, do-while, trip counts that differ by
// thread, threads that start inside a block). Results and final states must be
// bit-identical: the transform runs the same trips in the same order. The cpu's
// results on the corpus cases (random-blocks.ts) are in the conformance tests.

import { describe, expect, it } from 'vitest';
import { blockDrawLoops, cuda, forEachStmt, keepThreadStatesInLocals, random, type KernelIR } from '@numbat/core';
import { CORPUS } from '@numbat/core/testsuite';
import { legalIR, simulateIR as simulate } from './helpers/ir-sim.js';

const groupWideIfs = (ir: KernelIR): number => {
  let n = 0;
  forEachStmt(ir.body, (s) => { if (s.kind === 'if' && s.groupWide) n++; });
  return n;
};

describe('blockDrawLoops', () => {
  const cases = CORPUS.filter((c) => c.name.startsWith('random_blocks_'));
  it('the corpus has its cases', () => expect(cases.length).toBeGreaterThanOrEqual(5));
  for (const c of cases) {
    it(`${c.name}: the blocked loop gives the results and states of the loop it came from`, async () => {
      const args = c.args();
      const ir = keepThreadStatesInLocals(await legalIR(c.kernel, args));
      const blocked = blockDrawLoops(ir);
      expect(groupWideIfs(blocked)).toBe(1);
      const [want, got] = await Promise.all([simulate(ir, args, c.grid, c.block), simulate(blocked, args, c.grid, c.block)]);
      for (const k of c.outputs) expect(Array.from(got[k] as any), `argument ${k}`).toEqual(Array.from(want[k] as any));
    });
  }

  it('leaves as they are a loop of three draws per trip (over the size limit) and a loop without draws', async () => {
    function twoDrawsPerTrip(states: Uint32Array, out: Float32Array, n: number) {
      const i = cuda.grid(1);
      if (i >= out.length) return;
      let s = 0;
      for (let k = 0; k < n; k++) s += random.normalF32(states, i) * random.normalF32(states, i) + random.uniformF32(states, i);
      out[i] = s;
    }
    function noDraws(words: Uint32Array, out: Float32Array, n: number) {
      const i = cuda.grid(1);
      if (i >= out.length) return;
      let s = 0;
      for (let k = 0; k < n; k++) s += words[5 * out.length + i] + words[2 * out.length + i];
      out[i] = s;
    }
    const states = random.createStates(8, 1);
    for (const [fn, args] of [[twoDrawsPerTrip, [states, new Float32Array(8), 3]], [noDraws, [new Uint32Array(80), new Float32Array(8), 3]]] as const) {
      const ir = keepThreadStatesInLocals(await legalIR(fn, args as unknown[]));
      expect(blockDrawLoops(ir)).toBe(ir);
    }
  });

  it('blocks loops whose trip is mostly bookkeeping: not f64 normals, nor draws beside an exp in the loop around them', async () => {
    function sumNormals64(states: Uint32Array, out: Float64Array, n: number) {
      const i = cuda.grid(1);
      if (i >= out.length) return;
      let s = 0;
      for (let k = 0; k < n; k++) s += random.normalF64(states, i);
      out[i] = s;
    }
    function expOfNormalsF32(states: Uint32Array, out: Float32Array, n: number) {
      const i = cuda.grid(1);
      if (i >= out.length) return;
      let s = 0;
      for (let k = 0; k < n; k++) s += Math.fround(Math.exp(random.normalF32(states, i)));
      out[i] = s;
    }
    // A basket: its normals drawn into a local array (the loop of draws), then one price per asset.
    function basketExp(states: Uint32Array, chol: Float32Array, out: Float32Array, paths: number) {
      const i = cuda.grid(1);
      if (i >= out.length) return;
      const z = cuda.local.array(4, 'f32');
      let s = 0;
      for (let p = 0; p < paths; p++) {
        for (let a = 0; a < 4; a++) z[a] = random.normalF32(states, i);
        let b = 0;
        for (let a = 0; a < 4; a++) b += 25 * Math.exp(0.2 * chol[a] * z[a]);
        s += Math.max(b - 100, 0);
      }
      out[i] = s;
    }
    function basketLinear(states: Uint32Array, chol: Float32Array, out: Float32Array, paths: number) {
      const i = cuda.grid(1);
      if (i >= out.length) return;
      const z = cuda.local.array(4, 'f32');
      let s = 0;
      for (let p = 0; p < paths; p++) {
        for (let a = 0; a < 4; a++) z[a] = random.normalF32(states, i);
        let b = 0;
        for (let a = 0; a < 4; a++) b += 25 * (1 + 0.2 * chol[a] * z[a]);
        s += Math.max(b - 100, 0);
      }
      out[i] = s;
    }
    const chol = new Float32Array([1, 0.5, 0.5, 0.5]);
    const cases: [string, (...a: any[]) => void, unknown[], number, number][] = [
      ['f64 normals', sumNormals64, [random.createStates(8, 1), new Float64Array(8), 3], 0, 1],
      ['f32 normals, an f32 exp each', expOfNormalsF32, [random.createStates(8, 1), new Float32Array(8), 3], 1, 1],
      ['a basket with an exp per asset', basketExp, [random.createStates(8, 1), chol, new Float32Array(8), 3], 0, 2],
      ['a basket without', basketLinear, [random.createStates(8, 1), chol, new Float32Array(8), 3], 1, 2],
    ];
    for (const [name, fn, args, blocks, output] of cases) {
      // (the cpu's legalisation: an f64 exp or log is core's library written out as IR there)
      const ir = keepThreadStatesInLocals(await legalIR(fn, args, { target: 'cpu' }));
      const blocked = blockDrawLoops(ir);
      expect(groupWideIfs(blocked), name).toBe(blocks);
      if (!blocks) continue;
      const [want, got] = await Promise.all([simulate(ir, args, 2, 4), simulate(blocked, args, 2, 4)]);
      expect(Array.from(got[output] as any), name).toEqual(Array.from(want[output] as any));
    }
  });
});
