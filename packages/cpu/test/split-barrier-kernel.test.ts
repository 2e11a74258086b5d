// A kernel with barriers splits in two like one without (codegen/kernel.ts splitRegion): its
// costliest region's full wide lane groups in the entry point, that region's tails in the second
// function (finished on the thread pool), the block level and the other regions in the entry
// point; the two share shared memory and per-thread storage through the launch's scratch memory.
// And a kernel in one function leaves its wide regions' narrow tails to the variant with them
// (thread-loops.ts narrowTailsOf), compiled at the first launch whose blocks leave a remainder.
// Every path against the simulator, bit for bit (uniform draws and f32 sums in a fixed order).
import { describe, expect, it } from 'vitest';
import { cuda, random, targetAvailability } from '@numbat/core';
import { compileRecords } from '@numbat/cpu';

const cpu = await targetAvailability('cpu');

// draws summed per thread, then a tree in shared memory (the seed's reduction, 64 slots)
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
  out[cuda.gridDim.x + i] = s; // each thread's own sum too
}

// the draws' region after a barrier, reading what the region before it left in per-thread storage
function drawsAfterBarrier(states: Uint32Array, out: Float32Array, n: number) {
  const sh = cuda.shared.array(64, 'f32');
  const t = cuda.threadIdx.x, i = cuda.grid(1);
  const w = t * 0.5 + 1; // lives across the barrier: per-thread storage
  sh[t] = w;
  cuda.syncthreads();
  let s = sh[(t + 1) % cuda.blockDim.x];
  for (let d = 0; d < n; d++) s += random.uniformF32(states, i) * w;
  out[i] = s;
}

async function matches(fn: typeof drawsThenTree, grid: number, block: number, outLength: number): Promise<void> {
  const make = () => [random.createStates(grid * block, 11), new Float32Array(outLength), 6] as const;
  const got = make(), want = make();
  await cuda.jit(fn, { target: 'cpu', cache: false }).configure(grid, block)(...got);
  await cuda.jit(fn, { target: 'sim' }).configure(grid, block)(...want);
  expect(Array.from(got[1]), `${fn.name}, blocks of ${block}`).toEqual(Array.from(want[1]));
  expect(Array.from(got[0]), 'the states after the draws').toEqual(Array.from(want[0]));
}

describe.skipIf(!cpu.ok)('cpu kernels with barriers built as two functions', () => {
  it('the draws\' region is split: its wide groups in the entry point, its tails in the second function', async () => {
    const k = cuda.jit(drawsThenTree, { target: 'cpu', cache: false });
    const opt = await k.inspect('opt', random.createStates(64, 1), new Float32Array(65), 1);
    const entry = /define i32 @(numbat_run_\w+)\(/.exec(opt)?.[1];
    expect(entry).toBeDefined();
    expect(opt).toMatch(new RegExp(`define internal i32 @${entry}_rest\\(`));
    expect(opt).toMatch(new RegExp(`call i32 @${entry}_rest\\(`));
  });

  it('match the simulator, with blocks that fill the groups and blocks that leave a remainder', async () => {
    for (const block of [64, 48, 20, 7]) await matches(drawsThenTree, 3, block, 3 + 3 * block);
    for (const block of [64, 40]) await matches(drawsAfterBarrier, 2, block, 2 * block);
  });

  it('blocks that leave a remainder compile the variant with narrow tails once', async () => {
    const k = cuda.jit(drawsThenTree, { target: 'cpu', cache: false });
    const compiles = compileRecords().length;
    const run = async (block: number): Promise<number> => {
      const args = [random.createStates(2 * block, 3), new Float32Array(2 + 2 * block), 4] as const;
      const want = [random.createStates(2 * block, 3), new Float32Array(2 + 2 * block), 4] as const;
      await k.configure(2, block)(...args);
      await cuda.jit(drawsThenTree, { target: 'sim' }).configure(2, block)(...want);
      expect(Array.from(args[1]), `blocks of ${block}`).toEqual(Array.from(want[1]));
      return compileRecords().length - compiles;
    };
    expect(await run(64)).toBe(1); // the kernel, without narrow tails
    expect(await run(32)).toBe(1);
    // a remainder for groups of 8, 16 or 32 lanes (the draws' width: lane-width.ts)
    expect(await run(36)).toBe(2); // the variant with them
    expect(await run(44)).toBe(2);
  });
});
