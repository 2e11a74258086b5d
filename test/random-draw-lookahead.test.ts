// Lookahead blocks in loops of draws (core's lookaheadDraws, applied by the cpu
// after keepThreadStatesInLocals and blockDrawLoops): the transform itself, run in
// the simulator (a thread's own condition: it makes its block at its refill)
// against the IR it came from, on the corpus's loops of draws, whose threads start
// at different positions in their blocks. Results and final states must be
// bit-identical. A cpu lane group also makes blocks ahead for its lanes that do
// not refill: the cpu's results on these cases are in the conformance tests, and
// packages/cpu/test/draw-lookahead.test.ts checks that its lane groups take that
// path.

import { describe, expect, it } from 'vitest';
import { blockDrawLoops, cuda, forEachStmt, keepThreadStatesInLocals, lookaheadDraws, random, type KernelIR, type Stmt } from '@numbat/core';
import { CORPUS } from '@numbat/core/testsuite';
import { legalIR, simulateIR as simulate } from './helpers/ir-sim.js';

const anyLaneIfs = (ir: KernelIR): number => {
  let n = 0;
  forEachStmt(ir.body, (s) => { if (s.kind === 'if' && s.anyLane) n++; });
  return n;
};

/** A loop of one uniform per trip (blocked by blockDrawLoops). */
function uniforms(states: Uint32Array, out: Float32Array, n: number) {
  const i = cuda.grid(1);
  if (i >= out.length) return;
  let s = 0;
  for (let k = 0; k < n; k++) s += random.uniformF32(states, i);
  out[i] = s;
}

describe('lookaheadDraws', () => {
  const cases = CORPUS.filter((c) => c.name.startsWith('random_blocks_') || c.name.startsWith('random_loops_'));
  it('the corpus has its cases', () => expect(cases.length).toBeGreaterThanOrEqual(10));
  let transformed = 0;
  for (const c of cases) {
    it(`${c.name}: with lookaheads (and in blocks) the results and states of the loop it came from`, async () => {
      const args = c.args();
      const ir = keepThreadStatesInLocals(await legalIR(c.kernel, args));
      const ahead = lookaheadDraws(ir), both = lookaheadDraws(blockDrawLoops(ir));
      if (anyLaneIfs(ahead) > 0) transformed++;
      expect(anyLaneIfs(both)).toBe(anyLaneIfs(ahead)); // blocks keep their refills; the trips one by one get the lookahead
      const [want, got, gotBoth] = await Promise.all([ir, ahead, both].map((x) => simulate(x, args, c.grid, c.block)));
      for (const k of c.outputs) {
        expect(Array.from(got[k] as any), `argument ${k}`).toEqual(Array.from(want[k] as any));
        expect(Array.from(gotBoth[k] as any), `argument ${k}, in blocks`).toEqual(Array.from(want[k] as any));
      }
    });
  }
  it('transformed all but one (a loop that writes another array keeps its state words in memory)', () => {
    expect(transformed).toBe(cases.length - 1);
  });

  it('one lookahead per loop serves all its refills: two draws per trip, a draw in an inner rejection loop', async () => {
    function twoKinds(states: Uint32Array, out: Float32Array, n: number) {
      const i = cuda.grid(1);
      if (i >= out.length) return;
      let s = 0;
      for (let k = 0; k < n; k++) {
        let u = random.uniformF32(states, i);
        while (u < 0.5) u = random.uniformF32(states, i); // a rejection loop: positions part
        s += u + random.uint32(states, i) * 2.3283064365386963e-10;
      }
      out[i] = s;
    }
    const args = [random.createStates(64, 9), new Float32Array(64), 7];
    const ir = keepThreadStatesInLocals(await legalIR(twoKinds, args));
    const ahead = lookaheadDraws(ir);
    expect(anyLaneIfs(ahead)).toBe(3);
    expect(ahead.locals.filter((l) => l.name === 'lookahead.have')).toHaveLength(1);
    const [want, got] = await Promise.all([simulate(ir, args, 1, 64), simulate(ahead, args, 1, 64)]);
    expect(Array.from(got[0] as Uint32Array)).toEqual(Array.from(want[0] as Uint32Array));
    expect(Array.from(got[1] as Float32Array)).toEqual(Array.from(want[1] as Float32Array));
  });

  it("'conditional': only loops with a draw under an `if` or in an inner loop of their own, with the results of the loop it came from", async () => {
    function drawWhenLow(states: Uint32Array, out: Float32Array, n: number) {
      const i = cuda.grid(1);
      if (i >= out.length) return;
      let s = 0;
      for (let k = 0; k < n; k++) {
        const u = random.uniformF32(states, i);
        if (u < 0.5) s += random.uniformF32(states, i);
      }
      out[i] = s;
    }
    function stepsUntil(states: Uint32Array, out: Float32Array, n: number) {
      const i = cuda.grid(1);
      if (i >= out.length) return;
      let s = 0;
      for (let p = 0; p < n; p++) {
        let x = 0;
        for (let t = 0; t < 8; t++) { x += random.uniformF32(states, i) - 0.4; if (x > 1) break; }
        s += x;
      }
      out[i] = s;
    }
    const args = () => [random.createStates(64, 4), new Float32Array(64), 7];
    for (const [fn, rewritten] of [[uniforms, false], [drawWhenLow, true], [stepsUntil, true]] as const) {
      const ir = keepThreadStatesInLocals(await legalIR(fn, args()));
      const ahead = lookaheadDraws(ir, 'conditional');
      expect(anyLaneIfs(ahead) > 0, fn.name).toBe(rewritten);
      expect(anyLaneIfs(lookaheadDraws(ir)) > 0, fn.name).toBe(true);
      const [want, got] = await Promise.all([simulate(ir, args(), 1, 64), simulate(ahead, args(), 1, 64)]);
      expect(Array.from(got[0] as Uint32Array), fn.name).toEqual(Array.from(want[0] as Uint32Array));
      expect(Array.from(got[1] as Float32Array), fn.name).toEqual(Array.from(want[1] as Float32Array));
    }
  });

  it('a loop in blocks: its blocks forget the lookahead; a loop with Philox rounds of another kind is left as it is', async () => {
    const args = [random.createStates(8, 3), new Float32Array(8), 9];
    const both = lookaheadDraws(blockDrawLoops(keepThreadStatesInLocals(await legalIR(uniforms, args))));
    let blockArm: Stmt[] | undefined;
    forEachStmt(both.body, (s) => { if (s.kind === 'if' && s.groupWide) blockArm = s.then; });
    const have = both.locals.find((l) => l.name === 'lookahead.have')!;
    expect(blockArm?.[0]).toMatchObject({ kind: 'assign', local: have.id, value: { kind: 'const', value: false } });

    function withStateless(states: Uint32Array, out: Float32Array, n: number) {
      const i = cuda.grid(1);
      if (i >= out.length) return;
      const w = cuda.local.array(4, 'u32');
      let s = 0;
      for (let k = 0; k < n; k++) s += random.uniformF32(states, i) + random.philox(1, 2, k, 0, i, 0, w, 0);
      out[i] = s;
    }
    const legal = await legalIR(withStateless, args), ir = keepThreadStatesInLocals(legal);
    expect(ir).not.toBe(legal); // (its state words are locals: the loop qualifies but for the stateless rounds)
    expect(lookaheadDraws(ir)).toBe(ir);
  });

  it('refuses a loop that moves a counter word other than at a refill (a lookahead made before would be stale)', async () => {
    const ir = keepThreadStatesInLocals(await legalIR(uniforms, [random.createStates(8, 3), new Float32Array(8), 9]));
    expect(anyLaneIfs(lookaheadDraws(ir))).toBe(1);
    // The same loop (the same object: the one whose state words are locals) with `state.word2 = 0`,
    // the counter's low word, at the end of its body.
    const word2 = ir.locals.find((l) => l.name === 'state.word2')!;
    const loop = ir.body.find((s) => s.kind === 'loop') as Stmt & { kind: 'loop' };
    loop.body.push({ kind: 'assign', local: word2.id, value: { kind: 'const', value: 0, type: 'u32' } });
    expect(lookaheadDraws(ir)).toBe(ir);
  });

  it('leaves as it is a loop whose state words stay in memory', async () => {
    function drawsAndStores(states: Uint32Array, out: Float32Array, n: number) {
      const i = cuda.grid(1);
      if (i >= out.length) return;
      for (let k = 0; k < n; k++) out[i] += random.uniformF32(states, i); // out is written in the loop: not promoted
    }
    const ir = keepThreadStatesInLocals(await legalIR(drawsAndStores, [random.createStates(8, 1), new Float32Array(8), 3]));
    expect(lookaheadDraws(ir)).toBe(ir);
  });
});
