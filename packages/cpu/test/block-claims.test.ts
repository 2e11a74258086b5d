// A launch on several workers: they claim the grid's blocks in chunks from one
// shared counter (abi.ts CHUNK, launch.ts runAsync) instead of each running a
// fixed share. Every block runs exactly once, whatever the grid's shape; and a
// block that waits for every other block finishes, which with fixed shares it
// could not (the blocks behind it in its worker's share never start).
// NUMBAT_CPU_SYNC_THREADS=0 puts a launch too small for the workers on them.
import { describe, expect, it } from 'vitest';
import { cuda } from '@numbat/core';
import { workerCount } from '../dist/runtime/launch.js';

describe('blocks claimed from a shared range', () => {
  it('every block of a 2D grid runs exactly once, with every thread', async () => {
    const k = cuda.jit(function countThreads(counts: Int32Array) {
      cuda.atomic.add(counts, cuda.blockIdx.y * cuda.gridDim.x + cuda.blockIdx.x, 1);
    }, { target: 'cpu' });
    // 1 073 blocks (37 × 29: no multiple of the chunk or of the worker count) of 8 threads: 8 584
    // threads, enough for the launch to go to the workers; then 64 × 1 blocks of 64 threads.
    for (const [grid, block] of [[[37, 29], 8], [[64, 1], 64]] as const) {
      const n = grid[0] * grid[1];
      const counts = new Int32Array(n);
      await k.configure(grid as [number, number], block)(counts);
      expect(counts.filter((c) => c !== block).length, `blocks of ${grid.join('×')} not run exactly once by ${block} threads`).toBe(0);
    }
  });

  const workers = workerCount();
  const skipped = workers < 2 ? ' (skipped: one worker on this machine)' : '';
  const waitForOthers = cuda.jit(function waitForOthers(done: Int32Array, gaveUp: Int32Array, n: number) {
    if (cuda.threadIdx.x !== 0) return;
    if (cuda.blockIdx.x === 0) {
      let spins = 0;
      while (cuda.atomic.add(done, 0, 0) < n - 1 && spins < 100000000) spins++;
      if (spins >= 100000000) gaveUp[0] = 1;
    } else {
      cuda.atomic.add(done, 0, 1);
    }
  }, { target: 'cpu' });

  it.skipIf(workers < 2)(`a block that waits for all the others finishes: the other workers take its share${skipped}`, async () => {
    // 40 blocks of 128 threads: one block per claim (fewer than 32 per worker), and with fixed
    // shares block 0's worker would also hold blocks 1… behind it.
    const done = new Int32Array(1), gaveUp = new Int32Array(1);
    await waitForOthers.configure(40, 128)(done, gaveUp, 40);
    expect(done[0]).toBe(39);
    expect(gaveUp[0]).toBe(0);
  });

  it.skipIf(workers < 2)(`NUMBAT_CPU_SYNC_THREADS=0 sends a small launch to the workers (as the fuzzer does)${skipped}`, async () => {
    // 2 blocks of 32 threads: one synchronous call runs block 1 only after block 0, which waits for it.
    const run = async () => {
      const done = new Int32Array(1), gaveUp = new Int32Array(1);
      await waitForOthers.configure(2, 32)(done, gaveUp, 2);
      return gaveUp[0];
    };
    expect(await run()).toBe(1);
    process.env.NUMBAT_CPU_SYNC_THREADS = '0';
    try {
      expect(await run()).toBe(0);
    } finally {
      delete process.env.NUMBAT_CPU_SYNC_THREADS;
    }
  });
});
