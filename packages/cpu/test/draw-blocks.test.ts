// Loops of random draws in blocks of four trips on the cpu (core's
// blockDrawLoops, kernel.ts analyseKernel): where a loop of one draw per trip
// fits the lane budget five times over, its lane groups test whether all their
// threads stand at a block boundary (IfStmt.groupWide) and then draw four trips
// with one refill; where it does not fit, the loop stays as it was (it would
// otherwise run thread by thread). A `continue` after the draw becomes an else
// arm first (core's continueToElse), so such loops are blocked too. Results: the corpus (random-blocks.ts) in the
// conformance tests, and here the bench's loops of draws against the simulator
// with threads at mixed positions.
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { cuda, forEachStmt, random, type KernelIR } from '@numbat/core';
import { CORPUS } from '@numbat/core/testsuite';
import { analyseKernel } from '../src/codegen/kernel.js';
import { legalIR } from '../../../test/helpers/ir-sim.js';
import { regionLanes } from '../src/codegen/thread-loops.js';
import { handOverOf, laneLinearLocals, withinLaneBudget } from '../src/codegen/lane-budget.js';
// the bench's draw loops (bench/suite/kernels.mjs: the random-uniform and random-normal workloads)
import { sumNormals, sumUniforms } from '../../../bench/suite/kernels.mjs';

/** Draws summed in one region, then after a barrier a loop of f64 library math with a thread-dependent trip count and break. */
function drawsThenMath(st: Uint32Array, sums: Float64Array, out: Float64Array, n: number) {
  const i = cuda.grid(1);
  let s = 0;
  for (let j = 0; j < n; j++) s += random.uniformF32(st, i);
  cuda.syncthreads();
  if (i < sums.length) sums[i] = s;
  let a = s;
  for (let q = 0; q < (i & 7); q++) {
    a = Math.sin(a * 1.5) + Math.cos(a * 2.5) + Math.tan(a * 0.5);
    if (a > 2) break;
    a += Math.exp(a * 0.25) + Math.log(a + 3) + Math.atan2(a, 2) + Math.pow(a, 1.5);
  }
  if (i < out.length) out[i] = a;
}

/** A loop of words with a `return` among them and thread-dependent updates: too much lane code to block. */
function wordsReturnMixed(states: Uint32Array, words: Uint32Array, trips: number) {
  const i = cuda.grid(1);
  if (i >= words.length) return;
  let x = 0;
  for (let k = 0; k < trips; k++) {
    const w = random.uint32(states, i);
    if ((w & 63) === 7) return;
    x = (x ^ w) >>> 0;
    if ((x & 3) === 1) x = (x * 3 + (w >>> 3)) >>> 0; else if ((x & 3) === 2) x = (x ^ (w << 5)) >>> 0;
  }
  words[i] = x;
}

/** The cpu's legalisation (test/helpers/ir-sim.ts legalIR). */
const CPU = { target: 'cpu' };

const groupWide = (ir: KernelIR): number => {
  let n = 0;
  forEachStmt(ir.body, (s) => { if (s.kind === 'if' && s.groupWide) n++; });
  return n;
};

describe('cpu: loops of draws in blocks of four trips', () => {
  it('the bench loops of uniforms and normals are blocked and still run in lane groups', async () => {
    for (const fn of [sumUniforms, sumNormals]) {
      const { analyses } = analyseKernel(await legalIR(fn, [random.createStates(8, 1), new Float32Array(8), 3], CPU));
      expect(groupWide(analyses.ir), fn.name).toBe(1);
      const lanes = regionLanes({ ...analyses, opts: { laneWidth: 8 } } as any, analyses.layout.regions[0].stmts);
      expect(lanes.jam, fn.name).toBe(true);
    }
  });

  it('a loop with `if (u < p) continue` after its draw: blocked and in lane groups (core continueToElse first)', async () => {
    const c = CORPUS.find((x) => x.name === 'random_blocks_uniforms_continue')!;
    const { analyses } = analyseKernel(await legalIR(c.kernel, c.args(), CPU));
    expect(groupWide(analyses.ir)).toBe(1);
    expect(regionLanes({ ...analyses, opts: { laneWidth: 8 } } as any, analyses.layout.regions[0].stmts).jam).toBe(true);
  });

  it('a loop with a thread-dependent `break` after its draw: blocked and in lane groups', async () => {
    // (its lanes leave by the break, so the lane code has the masked copy only, no fast path for
    // full groups: 816 blocked, which the cost model counted three times over and ran thread by thread)
    const c = CORPUS.find((x) => x.name === 'random_blocks_uniforms_break_trips_differ')!;
    const { analyses } = analyseKernel(await legalIR(c.kernel, c.args(), CPU));
    expect(groupWide(analyses.ir)).toBe(1);
    expect(regionLanes({ ...analyses, opts: { laneWidth: 8 } } as any, analyses.layout.regions[0].stmts).jam).toBe(true);
  });

  it('a loop whose blocks would take its lane groups over their budget stays as it was, in lane groups', async () => {
    // (a `return` among the draws and two thread-dependent updates after each: its lane code
    // costs 994 as it is, 2 274 blocked)
    const { analyses } = analyseKernel(await legalIR(wordsReturnMixed, [random.createStates(8, 1), new Uint32Array(8), 3], CPU));
    expect(groupWide(analyses.ir)).toBe(0);
    const lanes = regionLanes({ ...analyses, opts: { laneWidth: 8 } } as any, analyses.layout.regions[0].stmts);
    expect(lanes.jam).toBe(true);
    const T = 256, out: Record<string, { words: Uint32Array; states: Uint32Array }> = {};
    for (const target of ['sim', 'cpu']) {
      const states = random.createStates(T, 6), words = new Uint32Array(T).fill(5);
      await cuda.jit(wordsReturnMixed, { target, cache: false }).configure(T / 64, 64)(states, words, 23);
      out[target] = { words, states };
    }
    expect(Array.from(out.cpu.words)).toEqual(Array.from(out.sim.words));
    expect(Array.from(out.cpu.states)).toEqual(Array.from(out.sim.states));
  });

  it('loops after a draw under a thread-dependent `if`, and with a `return` among their draws, are blocked and in lane groups', async () => {
    // The draw before the loop is lowered masked and once (lane-stmts.ts makes no unmasked copy of
    // an `if` outside the loops of a region that has some) and its thread check is a compare, not a
    // gather: the budget counted both (the uniforms' region 1 868 + 240 at 16 lanes, over 2 048), and
    // until 2026-12-03 such a region lost its blocks, or with a normal before the loop its lane
    // groups (0.11 G normals per second, 1.0–1.3 since). Results: the corpus in the conformance tests.
    for (const name of ['random_blocks_uniforms_after_a_conditional_draw', 'random_blocks_normals_after_a_conditional_normal', 'random_blocks_uint32_return']) {
      const c = CORPUS.find((x) => x.name === name)!;
      const { analyses } = analyseKernel(await legalIR(c.kernel, c.args(), CPU));
      expect(groupWide(analyses.ir), name).toBe(1);
      expect(regionLanes({ ...analyses, opts: { laneWidth: 8 } } as any, analyses.layout.regions[0].stmts).jam, name).toBe(true);
    }
  });

  it('a loop of draws is blocked when another region of the kernel is over its lane budget (the budget asks the regions with blocks)', async () => {
    // Region 1 draws; region 2, after the barrier, a thread-dependent loop of f64 library math
    // (over the budget at 16 lanes): until 2026-12-03 that region cost region 1 its blocks.
    const { analyses } = analyseKernel(await legalIR(drawsThenMath, [random.createStates(8, 1), new Float64Array(8), new Float64Array(8), 3], CPU));
    expect(groupWide(analyses.ir)).toBe(1);
    const an = analyses as any;
    const budget = an.layout.regions.map((r: any) => withinLaneBudget(r.stmts, an.laneUni, 16, handOverOf(an), laneLinearLocals(an)));
    expect(budget).toEqual([true, false]);
    // the draws as the simulator makes them, threads at mixed positions (a word ahead in every third)
    const T = 256, out: Record<string, { sums: Float64Array; states: Uint32Array }> = {};
    for (const target of ['sim', 'cpu']) {
      const states = random.createStates(T, 5);
      await cuda.jit(function ahead(st: Uint32Array, n: number) {
        const i = cuda.grid(1);
        if (i < n && i % 3 === 0) random.uint32(st, i);
      }, { target }).configure(Math.ceil(T / 64), 64)(states, T);
      const sums = new Float64Array(T);
      await cuda.jit(drawsThenMath, { target }).configure(T / 64, 64)(states, sums, new Float64Array(T), 29);
      out[target] = { sums, states };
    }
    expect(Array.from(out.cpu.sums)).toEqual(Array.from(out.sim.sums));
    expect(Array.from(out.cpu.states)).toEqual(Array.from(out.sim.states));
  });

  it('match the simulator with threads at mixed positions and draw counts off the block', async () => {
    const T = 300;
    for (const [fn, draws] of [[sumUniforms, 37], [sumNormals, 23]] as const) {
      const out: Record<string, { sums: Float32Array; states: Uint32Array }> = {};
      for (const target of ['sim', 'cpu']) {
        const states = random.createStates(T, 9);
        // from thread 64 on, every third thread one uniform ahead and every seventh half a normal
        // pair: those lane groups are mixed, the first block's aligned
        const ahead = cuda.jit(function ahead(st: Uint32Array, n: number) {
          const i = cuda.grid(1);
          if (i >= n) return;
          if (i % 3 === 0 && i >= 64) random.uniformF32(st, i);
          if (i % 7 === 0 && i >= 64) random.normalF32(st, i);
        }, { target });
        await ahead.configure(Math.ceil(T / 64), 64)(states, T);
        const sums = new Float32Array(T);
        await cuda.jit(fn, { target }).configure(Math.ceil(T / 64), 64)(states, sums, draws);
        out[target] = { sums, states };
      }
      // uniforms bit for bit; normals through each target's log, sqrt, sin, cos (docs/random.md)
      const tol = fn === sumUniforms ? 0 : 2e-6;
      for (let i = 0; i < T; i++) expect(Math.abs(out.cpu.sums[i] - out.sim.sums[i]), `${fn.name} thread ${i}`).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(out.sim.sums[i])));
      if (fn === sumUniforms) expect(Array.from(out.cpu.states)).toEqual(Array.from(out.sim.states));
    }
  });

  it("bench/cpu/draws-lockstep.mjs: the library's sums equal the lockstep kernel's, bit for bit", () => {
    // (a small problem: the script's own check, not its timings)
    const r = spawnSync(process.execPath, [join(import.meta.dirname, '../../../bench/cpu/draws-lockstep.mjs'), '--threads', '512', '--rounds', '1'], { encoding: 'utf8', timeout: 120_000 });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.match(/sums bit-identical/g)?.length).toBe(2);
  }, 130_000);
});
