// Launches of one compiled kernel that overlap in time (un-awaited calls, no
// stream, or different streams) must not share per-launch state: on 'cpu'
// each launch borrows its own shared-memory/per-thread scratch. The kernel
// keeps a value live across a barrier and reverses each block through shared
// memory, so any scratch shared by two launches in flight shows up as a
// wrong element.

import { describe, expect, it } from 'vitest';
import { cuda, targetAvailability, type Target } from '@numbat/core';

const TARGETS: Target[] = ['sim', 'cpu', 'webgpu', 'cuda'];
const avail = await Promise.all(TARGETS.map((t) => targetAvailability(t)));
const BLOCK = 128;

function blockReverse(target: Target) {
  return cuda.jit(function blockReverse(src: Int32Array, dst: Int32Array, salt: number) {
    const s = cuda.shared.array(128, 'i32');
    const t = cuda.threadIdx.x;
    const i = cuda.grid(1);
    const mine = src[i] * 3 + salt; // live across the barrier
    s[t] = mine;
    cuda.syncthreads();
    dst[i] = s[127 - t] - mine;
  }, { target });
}

function expected(src: Int32Array, salt: number): Int32Array {
  const out = new Int32Array(src.length);
  for (let i = 0; i < src.length; i++) {
    const b = i - (i % BLOCK), t = i % BLOCK;
    out[i] = (src[b + BLOCK - 1 - t] * 3 + salt) - (src[i] * 3 + salt);
  }
  return out;
}

TARGETS.forEach((target, ti) => {
  const a = avail[ti];
  describe.skipIf(!a.ok)(`concurrent launches of one kernel on ${target}${a.ok ? '' : ` (skipped: ${a.reason})`}`, () => {
    it('overlapping launches each see their own shared memory', async () => {
      const k = blockReverse(target);
      const blocks = target === 'sim' ? 4 : 256;
      const n = blocks * BLOCK;
      const runs = Array.from({ length: 6 }, (_, r) => {
        const src = Int32Array.from({ length: n }, (_, i) => (i * 7919 + r * 104729) % 100003);
        return { src, dst: new Int32Array(n), salt: r * 1000 };
      });
      // Not awaited one by one: all launches are in flight together.
      await Promise.all(runs.map((r) => k.configure(blocks, BLOCK)(r.src, r.dst, r.salt)));
      for (const r of runs) expect(r.dst).toEqual(expected(r.src, r.salt));
    });

    it('launches on different streams overlap correctly', async () => {
      const k = blockReverse(target);
      const blocks = target === 'sim' ? 4 : 256;
      const n = blocks * BLOCK;
      const streams = [cuda.stream(), cuda.stream(), cuda.stream()];
      const runs = streams.map((stream, r) => {
        const src = Int32Array.from({ length: n }, (_, i) => (i * 31 + r * 17) % 65521);
        return { stream, src, dst: cuda.toDevice(new Int32Array(n), { target }), salt: r + 1 };
      });
      for (let rep = 0; rep < 3; rep++) for (const r of runs) k.configure(blocks, BLOCK, { stream: r.stream })(r.src, r.dst, r.salt);
      await Promise.all(streams.map((s) => s.synchronize()));
      for (const r of runs) {
        expect(await r.dst.copyToHost()).toEqual(expected(r.src, r.salt));
        await r.dst.free();
      }
      await Promise.all(streams.map((s) => s.destroy()));
    });
  });
});
