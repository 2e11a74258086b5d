// Lookahead blocks in loops of draws on the cpu (core's lookaheadDraws, kernel.ts
// analyseKernel, for loops in blocks and loops with a draw under an `if` or in an inner loop of
// their own): a refill one trip at a time tests over the
// lane group whether any lane refills without a lookahead (IfStmt.anyLane, the
// `lany.then` branch), and then every lane makes the block of its next refill. The transform
// against the simulator: test/random-draw-lookahead.test.ts; results here, with
// lanes at mixed positions, against the simulator, and the lane groups kept.
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { cuda, forEachStmt, random, type KernelIR } from '@numbat/core';
import { analyseKernel } from '../src/codegen/kernel.js';
import { legalIR } from '../../../test/helpers/ir-sim.js';
import { drawWhenLow } from './helpers.js';
import { regionLanes } from '../src/codegen/thread-loops.js';
// the bench's draw loops (bench/suite/kernels.mjs) and the option-pricing example's kernel
import { barrierArgs, barrierCall, sumGammas, sumNormals, sumNormals64, sumUniforms } from '../../../bench/suite/kernels.mjs';
import { stateMismatches } from '@numbat/core/testsuite';
import { europeanCall } from '../../../examples/option-pricing.mjs';

const CPU = { target: 'cpu' };
const count = (ir: KernelIR, flag: 'anyLane' | 'groupWide'): number => {
  let n = 0;
  forEachStmt(ir.body, (s) => { if (s.kind === 'if' && s[flag]) n++; });
  return n;
};

/** Thread i's state `i % 4` words (and from i % 7 == 3 on, half a normal pair) ahead. */
function skewed(n: number, seed: number): Uint32Array {
  const s = random.createStates(n, seed);
  const ahead = cuda.jit(function skew(st: Uint32Array, t: number) {
    const i = cuda.grid(1);
    if (i >= t) return;
    for (let k = 0; k < i % 4; k++) random.uint32(st, i);
    if (i % 7 === 3) random.normalF32(st, i);
  }, { target: 'sim' });
  return ahead.configure(Math.ceil(n / 64), 64)(s, n).then(() => s) as unknown as Uint32Array;
}

describe('cpu: lookahead blocks in loops of draws', () => {
  it('the bench loops in blocks get lookaheads and keep their lane groups; loops not in blocks get none', async () => {
    const states = random.createStates(8, 1), f32 = new Float32Array(8);
    const kernels: [Function, unknown[], boolean][] = [
      // (f64 normals: no blocks, their f64 math outweighs the bookkeeping: core's draw-blocks.ts `diluted`)
      [sumUniforms, [states, f32, 3], true], [sumNormals, [states, f32, 3], true], [sumNormals64, [states, new Float64Array(8), 3], false],
      [sumGammas, [states, f32, 3, 2.5], false], [europeanCall, [states, f32, f32, 1, 100, 105, 0.03, 0.2], false],
    ];
    for (const [fn, args, blocked] of kernels) {
      const { analyses } = analyseKernel(await legalIR(fn as any, args, CPU));
      expect(count(analyses.ir, 'groupWide'), fn.name).toBe(blocked ? 1 : 0);
      expect(count(analyses.ir, 'anyLane') > 0, fn.name).toBe(blocked);
      const lanes = regionLanes({ ...analyses, opts: { laneWidth: 8 } } as any, analyses.layout.regions[0].stmts);
      expect(lanes.jam, fn.name).toBe(true);
    }
  });

  it('loops not in blocks with a draw under an `if` or in an inner loop of their own get one (kernel.ts: lookaheadDraws "conditional")', async () => {
    const states = random.createStates(8, 1), f32 = new Float32Array(8);
    const kernels: [Function, unknown[], boolean][] = [
      [drawWhenLow, [states, f32, 3], true], [barrierCall, [states, f32, 1, ...barrierArgs()], true],
      // over the lane budget with it at 16 lanes: as it was
      [sumGammas, [states, f32, 3, 2.5], false],
      [europeanCall, [states, f32, f32, 1, 100, 105, 0.03, 0.2], false], [sumNormals64, [states, new Float64Array(8), 3], false],
    ];
    for (const [fn, args, ahead] of kernels) {
      const { analyses } = analyseKernel(await legalIR(fn as any, args, CPU));
      expect(count(analyses.ir, 'groupWide'), fn.name).toBe(0);
      expect(count(analyses.ir, 'anyLane') > 0, fn.name).toBe(ahead);
      expect(regionLanes({ ...analyses, opts: { laneWidth: 8 } } as any, analyses.layout.regions[0].stmts).jam, fn.name).toBe(true);
    }
    // the barrier option's paths (a path's steps left at the barrier by a `break`): the simulator's
    // prices within its f64 exp's ulps, and its states (the kept normal partners within theirs)
    const T = 256, out: Record<string, { sums: Float32Array; states: Uint32Array }> = {};
    for (const target of ['sim', 'cpu']) {
      const st = await skewed(T, 8), sums = new Float32Array(T);
      await cuda.jit(barrierCall, { target, cache: false }).configure(T / 64, 64)(st, sums, 3, ...barrierArgs());
      out[target] = { sums, states: st };
    }
    for (let i = 0; i < T; i++) expect(Math.abs(out.cpu.sums[i] - out.sim.sums[i]), `thread ${i}`).toBeLessThanOrEqual(1e-4 * Math.max(1, Math.abs(out.sim.sums[i])));
    expect(stateMismatches(out.cpu.states, out.sim.states, 10)).toEqual([]);
  });

  it("lane groups at mixed positions: the simulator's sums and states, the any-lane branch in the code", async () => {
    const T = 300; // the last lane group partial
    const out: Record<string, unknown[]> = {};
    let llvm = '';
    for (const target of ['sim', 'cpu']) {
      const args = [await skewed(T, 5), new Float32Array(T), 37];
      const k = cuda.jit(sumUniforms, { target });
      await k.configure(Math.ceil(T / 64), 64)(...args);
      if (target === 'cpu') llvm = await k.inspect('llvm', ...args);
      out[target] = args;
    }
    for (const a of [0, 1]) expect(Array.from(out.cpu[a] as Uint32Array), `argument ${a}`).toEqual(Array.from(out.sim[a] as Uint32Array));
    expect(llvm).toMatch(/lany\.then/);
  });

  it("bench/cpu/draws-mixed.mjs: its check against the simulator passes and it reports each loop", () => {
    // (a small problem: the script's own check, not its timings)
    const r = spawnSync(process.execPath, [join(import.meta.dirname, '../../../bench/cpu/draws-mixed.mjs'), '--threads', '512', '--rounds', '1'], { encoding: 'utf8', timeout: 120_000 });
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.stdout.match(/of fresh\)/g)?.length).toBe(3);
  }, 130_000);
});
