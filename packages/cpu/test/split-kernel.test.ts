// A kernel whose wide lane groups (lane-width.ts: Philox rounds in a loop run
// twice the base width) leave a remainder is built as two functions
// (codegen/kernel.ts SplitRole): the entry point runs the full groups and
// calls the second function for the rest of each row of threads and for a
// group that falls back; without a disk cache the two are optimised and
// emitted on two threads (codegen/compile.ts, @numbat/llvm pool-finish.ts)
// and both objects are loaded. The second function runs a remainder thread by
// thread; a launch whose blocks leave one runs the kernel's variant with narrow
// tails (lane groups of the base width), compiled at the first such launch. A
// kernel whose groups are of the base width splits too: its second function is
// the thread-by-thread code. A kernel with barriers splits at its costliest region
// (its wide groups in the entry point with the block level and the other regions,
// its tails in the second function; the two share shared memory and per-thread
// storage through the launch's scratch memory), and a kernel left in one function
// leaves its wide regions' narrow tails to the variant with them.
// Every path against the simulator, bit for bit.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cuda, random, targetAvailability } from '@numbat/core';
import { NativeModule } from '@numbat/llvm';
import { compileRecords } from '@numbat/cpu';
import { withLanes } from './helpers.js';

const cpu = await targetAvailability('cpu');

function sumDraws(states: Uint32Array, out: Float32Array, n: number) {
  const i = cuda.grid(1);
  if (i >= out.length) return; // fails for some lanes of the last block's groups: they fall back
  let s = 0;
  for (let d = 0; d < n; d++) s += random.uniformF32(states, i) * (d + 1);
  out[i] = s;
}

// 3-D blocks: the second function is called for rows (ty, tz) other than the first
function rows(states: Uint32Array, out: Float32Array, n: number) {
  const t = (cuda.threadIdx.z * cuda.blockDim.y + cuda.threadIdx.y) * cuda.blockDim.x + cuda.threadIdx.x;
  const i = cuda.blockIdx.x * cuda.blockDim.x * cuda.blockDim.y * cuda.blockDim.z + t;
  let s = 0;
  for (let d = 0; d < n; d++) s += random.uniformF32(states, i);
  out[i] = s + cuda.threadIdx.y * 1000 + cuda.threadIdx.z * 100000;
}

// draws summed per thread, then a tree in shared memory (barriers); `out` holds the blocks' sums, then the threads'
function drawsThenTree(states: Uint32Array, out: Float32Array, n: number) {
  const sh = cuda.shared.array(64, 'f32');
  const t = cuda.threadIdx.x, i = cuda.grid(1);
  let s = 0;
  for (let d = 0; d < n; d++) s += random.uniformF32(states, i) * (d + 1);
  sh[t] = s;
  cuda.syncthreads();
  for (let st = 32; st > 0; st >>= 1) {
    if (t < st && t + st < cuda.blockDim.x) sh[t] += sh[t + st];
    cuda.syncthreads();
  }
  if (t === 0) out[cuda.blockIdx.x] = sh[0];
  out[cuda.gridDim.x + i] = s;
}

// the draws after a barrier, with what the region before it left in per-thread storage (`w`) and shared memory
function drawsAfterBarrier(states: Uint32Array, out: Float32Array, n: number) {
  const sh = cuda.shared.array(64, 'f32');
  const t = cuda.threadIdx.x, i = cuda.grid(1);
  const w = t * 0.5 + 1;
  sh[t] = w;
  cuda.syncthreads();
  let s = sh[(t + 1) % cuda.blockDim.x];
  for (let d = 0; d < n; d++) s += random.uniformF32(states, i) * w;
  out[i] = s;
}

type Shape = [grid: number, block: number | [number, number, number], threads: number, length: number];
// full groups only; a remainder; fewer threads than a group; a partial last block (the guard)
const SHAPES: Shape[] = [[2, 64, 128, 128], [3, 45, 135, 135], [4, 5, 20, 20], [3, 40, 120, 100]];

/** Blocks of 64, 48, 20 and 7 threads of drawsThenTree (a multiple of every wide width, a remainder, fewer than a group). */
const TREE_SHAPES: Shape[] = [64, 48, 20, 7].map((b) => [3, b, 3 * b, 3 + 3 * b]);

/** The entry point's name where `opt` (a kernel's optimised module) has it call a second function; else undefined. */
function splitEntry(opt: string): string | undefined {
  const entry = /define i32 @(numbat_run_\w+)\(/.exec(opt)?.[1];
  return entry && new RegExp(`define internal i32 @${entry}_rest\\(`).test(opt) && new RegExp(`call i32 @${entry}_rest\\(`).test(opt) ? entry : undefined;
}

async function matches(fn: typeof sumDraws, cache: boolean, [grid, block, threads, length]: Shape): Promise<void> {
  const make = () => [random.createStates(threads, 7), new Float32Array(length), 5] as const;
  const got = make(), want = make();
  await cuda.jit(fn, { target: 'cpu', cache }).configure(grid, block)(...got);
  await cuda.jit(fn, { target: 'sim' }).configure(grid, block)(...want);
  expect(Array.from(got[1]), `grid ${grid} block ${block}`).toEqual(Array.from(want[1]));
  expect(Array.from(got[0]), 'the states after the draws').toEqual(Array.from(want[0]));
}

describe.skipIf(!cpu.ok)('cpu kernels built as two functions', () => {
  it('the kernel has two functions, linked into one module where texts are made', async () => {
    const k = cuda.jit(sumDraws, { target: 'cpu', cache: false });
    expect(splitEntry(await k.inspect('opt', random.createStates(4, 1), new Float32Array(4), 1))).toBeDefined();
  });

  it('a kernel with barriers splits at its draws\' region, and matches the simulator', async () => {
    const opt = await cuda.jit(drawsThenTree, { target: 'cpu', cache: false }).inspect('opt', random.createStates(64, 1), new Float32Array(65), 1);
    expect(splitEntry(opt)).toBeDefined();
    for (const shape of TREE_SHAPES) await matches(drawsThenTree, false, shape);
    for (const block of [64, 40]) await matches(drawsAfterBarrier, false, [2, block, 2 * block, 2 * block]);
  });

  it('a kernel with barriers leaves its narrow tails to the variant, compiled at the first launch whose blocks leave a remainder', async () => {
    const k = cuda.jit(drawsThenTree, { target: 'cpu', cache: false });
    const compiles = compileRecords().length;
    const run = async (block: number): Promise<number> => {
      const got = [random.createStates(2 * block, 3), new Float32Array(2 + 2 * block), 4] as const;
      const want = [random.createStates(2 * block, 3), new Float32Array(2 + 2 * block), 4] as const;
      await k.configure(2, block)(...got);
      await cuda.jit(drawsThenTree, { target: 'sim' }).configure(2, block)(...want);
      expect(Array.from(got[1]), `blocks of ${block}`).toEqual(Array.from(want[1]));
      return compileRecords().length - compiles;
    };
    expect(await run(64)).toBe(1);
    expect(await run(32)).toBe(1);
    // a remainder for groups of 8, 16 or 32 lanes (the draws' width: lane-width.ts)
    expect(await run(36)).toBe(2);
    expect(await run(44)).toBe(2);
  });

  it('match the simulator with the second function finished on the thread pool', async () => {
    expect(NativeModule.poolFinishState().available).toBe(true);
    const jobs = NativeModule.poolFinishState().jobs;
    for (const shape of SHAPES) await matches(sumDraws, false, shape);
    await matches(rows, false, [2, [20, 3, 2], 240, 240]);
    // each compile's larger module went there; blocks of 45, 5, 40 and 20 threads also compiled the variant with narrow tails
    expect(NativeModule.poolFinishState().jobs - jobs).toBe(SHAPES.length + 1 + 4);
  });

  it('a launch whose blocks leave a remainder of the wide groups compiles the variant with narrow tails, once', async () => {
    const k = cuda.jit(sumDraws, { target: 'cpu', cache: false });
    const jobs = NativeModule.poolFinishState().jobs;
    const compiles = () => NativeModule.poolFinishState().jobs - jobs;
    const run = async (block: number): Promise<void> => {
      const got = [random.createStates(3 * block, 7), new Float32Array(3 * block), 5] as const;
      const want = [random.createStates(3 * block, 7), new Float32Array(3 * block), 5] as const;
      await k.configure(3, block)(...got);
      await cuda.jit(sumDraws, { target: 'sim' }).configure(3, block)(...want);
      expect(Array.from(got[1]), `block ${block}`).toEqual(Array.from(want[1]));
      expect(Array.from(got[0]), `block ${block}: the states`).toEqual(Array.from(want[0]));
    };
    await run(64); // a multiple of every wide width (16, 32 or 64 lanes on x86, 8 on NEON or SSE)
    expect(compiles()).toBe(1);
    await run(45);
    expect(compiles()).toBe(2);
    await run(40);
    await run(1); // fewer threads than a group, run synchronously by the variant
    await run(128);
    expect(compiles()).toBe(2);
  });

  it('a kernel of base-width groups splits too: its second function is the thread-by-thread code, for any block, with no variant', async () => {
    // (the groups' code and the scalar code on two cores: option pricing on an AVX2 host.)
    // NUMBAT_CPU_LANES fixes every region at that width on any host: base-width groups here.
    await withLanes('4', async () => {
      const k = cuda.jit(sumDraws, { target: 'cpu', cache: false });
      const jobs = NativeModule.poolFinishState().jobs;
      const opt = await k.inspect('opt', random.createStates(4, 1), new Float32Array(4), 1);
      expect(splitEntry(opt)).toBeDefined();
      expect(opt).toMatch(/<4 x i32>/);
      for (const [grid, block, threads, length] of [...SHAPES, [2, 13, 26, 26]]) {
        const got = [random.createStates(threads, 7), new Float32Array(length), 5] as const;
        const want = [random.createStates(threads, 7), new Float32Array(length), 5] as const;
        await k.configure(grid, block)(...got);
        await cuda.jit(sumDraws, { target: 'sim' }).configure(grid, block)(...want);
        expect(Array.from(got[1]), `grid ${grid} block ${block}`).toEqual(Array.from(want[1]));
        expect(Array.from(got[0]), `grid ${grid} block ${block}: the states`).toEqual(Array.from(want[0]));
      }
      expect(NativeModule.poolFinishState().jobs - jobs).toBe(1); // inspect's compile; no variant with narrow tails
    });
  });

  it('a small kernel of base-width groups stays one function', async () => {
    function scale(x: Float32Array, out: Float32Array, a: number) {
      const i = cuda.grid(1);
      if (i < out.length) out[i] = Math.sqrt(x[i]) * a;
    }
    const opt = await cuda.jit(scale, { target: 'cpu', cache: false }).inspect('opt', new Float32Array(4), new Float32Array(4), 1.5);
    expect(opt).not.toMatch(/_rest\(/);
  });

  it('match the simulator linked into one module (cache entries)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'numbat-split-'));
    const prev = process.env.NUMBAT_CACHE_DIR;
    process.env.NUMBAT_CACHE_DIR = dir;
    try {
      const jobs = NativeModule.poolFinishState().jobs;
      for (const shape of SHAPES) await matches(sumDraws, true, shape);
      await matches(rows, true, [2, [20, 3, 2], 240, 240]);
      for (const shape of TREE_SHAPES) await matches(drawsThenTree, true, shape);
      expect(NativeModule.poolFinishState().jobs).toBe(jobs);
    } finally {
      if (prev === undefined) delete process.env.NUMBAT_CACHE_DIR; else process.env.NUMBAT_CACHE_DIR = prev;
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
