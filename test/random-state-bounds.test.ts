// Random states and the threads that use them: a state array made for n
// threads holds their words interleaved (word w of thread i at w * n + i), so
// a thread i >= n would land on other threads' words inside the array. Every
// random entry that touches a thread's words checks once that 0 <= i < n and
// reports the ordinary out-of-bounds LaunchError naming the states array (the
// index of the thread's last word, length - n + i, the thread and the user's
// line); its state accesses are then marked in bounds, so backends drop their
// own checks. In-range kernels give the simulator's bits (test/random.test.ts).

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { cuda, LaunchError, random, targetAvailability, type Target } from '@numbat/core';
import { assemblePtx, findPtxas } from '../packages/cuda/test/helpers.js';
import { expectSameStates } from './fixtures/random-states.js';

const TARGETS: Target[] = ['sim', 'cpu', 'webgpu'];
const avail = await Promise.all(TARGETS.map((t) => targetAvailability(t)));

/**
 * The line reported for the kernel call marked `// @marker`: its line in this
 * file, or in the kernel function where the transpiled text cannot be placed in
 * the file (as under vitest: then lines count from the function's first).
 */
const ownText = readFileSync(fileURLToPath(import.meta.url), 'utf8').split('\n');
const lineIn = (text: string) => ownText.findIndex((l) => l.includes(text)) + 1;
const lineOf = (marker: string, fn: string) => [lineIn(`// @${marker}`), lineIn(`// @${marker}`) - lineIn(`function ${fn}(`) + 1];

function draw32(states: Uint32Array, out: Float32Array, which: number) {
  const i = cuda.grid(1);
  if (i >= out.length) return;
  if (which === 0) out[i] = random.uint32(states, i); // @uint32
  else if (which === 1) out[i] = random.uniformF32(states, i); // @uniformF32
  else out[i] = random.normalF32(states, i); // @normalF32
}

function draw64(states: Uint32Array, out: Float64Array, which: number) {
  const i = cuda.grid(1);
  if (i >= out.length) return;
  if (which === 0) out[i] = random.uniformF64(states, i); // @uniformF64
  else out[i] = random.normalF64(states, i); // @normalF64
}

/** Each thread draws with index i - shift (shift 7 makes thread 0's index negative). */
function drawShifted(states: Uint32Array, out: Float32Array, shift: number) {
  const i = cuda.grid(1);
  if (i >= out.length) return;
  out[i] = random.uniformF32(states, i - shift); // @shifted
}

/** The launch's error: a LaunchError naming the states array, a thread in `threads` and the index of its last word. */
async function launchError(run: Promise<unknown>): Promise<LaunchError> {
  const err = await run.then(() => undefined, (e) => e);
  expect(err).toBeInstanceOf(LaunchError);
  return err as LaunchError;
}

function expectStatesError(err: LaunchError, length: number, n: number, lines: number[]) {
  const d = err.detail as { array: string; index: number; length: number; thread: number[]; line?: number };
  expect(d.array).toBe('states');
  expect(d.length).toBe(length);
  const t = d.thread[0];
  expect(t).toBeGreaterThanOrEqual(n); // only threads without a state fail
  expect(d.index).toBe(length - n + t);
  expect(lines).toContain(d.line); // the user's call, not a line of core's library
  expect(err.message).toMatch(new RegExp(`kernel '\\w+': index ${d.index} out of bounds for array 'states' of length ${length} \\(line ${d.line}\\), thread \\(${t}, 0, 0\\)`));
}

for (const [k, target] of TARGETS.entries()) {
  const a = avail[k];
  describe.skipIf(!a.ok)(`random state bounds on ${target}${a.ok ? '' : ` (skipped: ${a.reason})`}`, () => {
    it('more threads than states: every f32 entry fails with a LaunchError naming the states array', async () => {
      const kernel = cuda.jit(draw32, { target });
      for (const [which, entry] of ['uint32', 'uniformF32', 'normalF32'].entries()) {
        const states = random.createStates(4, 7);
        const err = await launchError(kernel.configure(1, 6)(states, new Float32Array(6), which));
        expectStatesError(err, 40, 4, lineOf(entry, 'draw32'));
      }
    });

    it('a states array whose length is not a multiple of STATE_WORDS holds floor(length / 10) threads', async () => {
      const kernel = cuda.jit(draw32, { target });
      const states = new Uint32Array(45);
      states.set(random.createStates(4, 7));
      const err = await launchError(kernel.configure(1, 5)(states, new Float32Array(5), 1));
      expectStatesError(err, 45, 4, lineOf('uniformF32', 'draw32'));
    });

    it('a negative thread index is reported as itself', async () => {
      const err = await launchError(cuda.jit(drawShifted, { target }).configure(1, 4)(random.createStates(4, 7), new Float32Array(4), 7));
      const d = err.detail as { array: string; index: number; thread: number[]; line?: number };
      expect(d.array).toBe('states');
      expect(d.index).toBe(d.thread[0] - 7);
      expect(d.index).toBeLessThan(0);
      expect(lineOf('shifted', 'drawShifted')).toContain(d.line);
    });

    it('in range, the draws are the simulator\'s (as many threads as states, and extra threads that do not draw)', async () => {
      // 96 threads, 64 states: threads 64..95 return before drawing.
      const run = async (t: Target) => {
        const states = random.createStates(64, 11);
        const outs = [0, 1, 2].map(() => new Float32Array(64));
        const k = cuda.jit(draw32, { target: t }).configure(3, 32);
        for (const [which, out] of outs.entries()) await k(states, out, which);
        return { states, outs };
      };
      const [mine, sim] = await Promise.all([run(target), run('sim')]);
      expectSameStates(mine.states, sim.states, 5e-5); // a kept Box-Muller partner is a normal: compared as one
      expect(mine.outs[0]).toEqual(sim.outs[0]);
      expect(mine.outs[1]).toEqual(sim.outs[1]);
      // Normals go through each target's log, sqrt, sin, cos (docs/random.md: cpu within 2 ulps, llvmpipe 8.9e-6).
      for (let j = 0; j < 64; j++) expect(Math.abs(mine.outs[2][j] - sim.outs[2][j])).toBeLessThan(5e-5 * Math.max(1, Math.abs(sim.outs[2][j])));
    });

    if (target !== 'webgpu') {
      it('f64 entries check too', async () => {
        const kernel = cuda.jit(draw64, { target });
        for (const [which, entry] of ['uniformF64', 'normalF64'].entries()) {
          const err = await launchError(kernel.configure(1, 6)(random.createStates(4, 7), new Float64Array(6), which));
          expectStatesError(err, 40, 4, lineOf(entry, 'draw64'));
        }
      });
    }

    if (target !== 'sim') {
      it('the check is one access per entry, the state accesses are marked in bounds; boundscheck: false has no check', async () => {
        const args = [random.createStates(4, 7), new Float32Array(4), 1] as const;
        const ir = await cuda.jit(draw32, { target }).inspect('ir', ...args);
        expect(ir.match(/thread_check/g)?.length).toBe(2 * 3); // a local and its assignment per entry
        expect(ir.match(/states\[[^\n]*\]!/g)?.length).toBeGreaterThan(3 * 10);
        expect(ir).not.toMatch(/states\[[^\n\]]*\] =/); // no state store left checked
        const unchecked = await cuda.jit(draw32, { target, boundscheck: false }).inspect('ir', ...args);
        expect(unchecked).not.toMatch(/thread_check/);
      });
    }
  });
}

const ptxas = findPtxas();
describe.skipIf(!ptxas)(`random state bounds on cuda (PTX, ptxas -arch=sm_90)${ptxas ? '' : ' (skipped: ptxas not found)'}`, () => {
  it('one bounds test per draw besides the kernel\'s own store; ptxas accepts the PTX', async () => {
    const args = [random.createStates(4, 7), new Float32Array(4), 1] as const;
    const oobBranches = async (boundscheck: boolean) => (await cuda.jit(draw32, { target: 'cuda', boundscheck }).inspect('llvm', ...args)).match(/label %oob/g)?.length ?? 0;
    // Three entries, each one check, and three checked stores of out[i].
    expect(await oobBranches(true)).toBe(6);
    expect(await oobBranches(false)).toBe(0);
    assemblePtx(ptxas!, await cuda.jit(draw32, { target: 'cuda' }).inspect('ptx', ...args), 'draw32');
  });
});
