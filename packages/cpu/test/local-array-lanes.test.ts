// Local arrays in cpu lane groups (lane-group.ts): each lane's copy of a region's own local array
// lives in rows of <W x T> (storage.ts laneArray), so a kernel that keeps a small array per
// thread at loop-counter indices (a basket of correlated assets) runs in lockstep instead of
// thread by thread (13.6 → 135 M paths/s on the bench's basket, bench/suite/kernels.mjs
// basketCall, run here; docs/backends/cpu.md "Local arrays").
// Results against the simulator; the arrays the rows do not take (over the stack budget, or
// living across a barrier) still run thread by thread. The corpus's local-array-lanes.ts runs
// the indexing cases on every backend.
import { describe, expect, it } from 'vitest';
import { cuda, random } from '@numbat/core';
import { stateMismatches } from '@numbat/core/testsuite';
// the bench's basket-option kernel and its four assets' Cholesky factor (correlation 0.5)
import { basketCall, basketCholesky } from '../../../bench/suite/kernels.mjs';

const rows = (llvm: string): string[] => llvm.match(/\.lanes = alloca \[\d+ x <\d+ x \w+>\]/g) ?? [];

async function againstSimulator(fn: (...a: any[]) => void, make: () => any[], grid: number, block: number, outputs: number[]): Promise<string> {
  const got = make(), want = make();
  const k = cuda.jit(fn, { target: 'cpu', cache: false });
  await k.configure(grid, block)(...got);
  await cuda.jit(fn, { target: 'sim' }).configure(grid, block)(...want);
  for (const o of outputs) {
    for (let j = 0; j < want[o].length; j++) expect(Math.abs(got[o][j] - want[o][j]), `argument ${o} [${j}]`).toBeLessThanOrEqual(1e-5 * Math.max(1, Math.abs(want[o][j])));
  }
  return k.inspect('llvm', ...make());
}

describe('cpu lane groups: local arrays', () => {
  it('a basket of correlated assets (normals into a local array at a loop counter) runs in lane groups, with the simulator\'s draws', async () => {
    // 5 paths of 4 assets: spot 25, drift −0.02, volatility 0.2, strike 100
    const make = () => [random.createStates(200, 9), basketCholesky(), new Float32Array(200), 5, 4, 25, -0.02, 0.2, 100];
    const got = make(), want = make();
    const k = cuda.jit(basketCall, { target: 'cpu', cache: false });
    await k.configure(4, 64)(...got);
    await cuda.jit(basketCall, { target: 'sim' }).configure(4, 64)(...want);
    expect(stateMismatches(got[0] as Uint32Array, want[0] as Uint32Array, 10)).toEqual([]);
    for (let j = 0; j < 200; j++) expect(Math.abs(got[2][j] - want[2][j])).toBeLessThanOrEqual(1e-4 * Math.max(1, Math.abs(want[2][j])));
    const llvm = await k.inspect('llvm', ...make());
    expect(rows(llvm).length).toBeGreaterThan(0);
  });

  it('an array over the stack budget at every width runs thread by thread, with the same results', async () => {
    function bigTable(a: Float32Array, out: Float32Array, n: number) {
      const i = cuda.grid(1);
      if (i >= out.length) return;
      const t = cuda.local.array(1024, 'f32'); // 4 KiB a lane: over 16 KiB at 8 lanes
      for (let k = 0; k < n; k++) t[k] = a[(i + k) % a.length] * k;
      let s = 0;
      for (let k = 0; k < n; k++) s += t[(k * 7 + i) % n];
      out[i] = s;
    }
    const llvm = await againstSimulator(bigTable, () => [Float32Array.from({ length: 97 }, (_, k) => (k % 9) - 4), new Float32Array(150), 300], 3, 64, [1]);
    expect(rows(llvm)).toEqual([]);
  });

  it('the budget counts every region\'s arrays (their rows share one stack frame): two regions each under it alone run thread by thread', async () => {
    function twoRegions(a: Float32Array, out: Float32Array, n: number) {
      const i = cuda.grid(1);
      const p = cuda.local.array(384, 'f32'); // 1.5 KiB a lane: 12 KiB at 8 lanes, 24 KiB with q's
      const q = cuda.local.array(384, 'f32');
      const sh = cuda.shared.array(64, 'f32');
      for (let k = 0; k < n; k++) p[k] = a[(i + k) % a.length];
      let s = 0;
      for (let k = 0; k < n; k++) s += p[(k * 5 + i) % n];
      sh[cuda.threadIdx.x] = s;
      cuda.syncthreads();
      for (let k = 0; k < n; k++) q[k] = sh[(cuda.threadIdx.x + k) % 64] * k;
      let t = 0;
      for (let k = 0; k < n; k++) t += q[(k * 3 + i) % n];
      if (i < out.length) out[i] = t;
    }
    const llvm = await againstSimulator(twoRegions, () => [Float32Array.from({ length: 61 }, (_, k) => (k % 7) - 3), new Float32Array(128), 40], 2, 64, [1]);
    expect(rows(llvm)).toEqual([]);
  });

  it('an array that lives across a barrier keeps a slot per thread (thread by thread), with the same results', async () => {
    function acrossBarrier(a: Float32Array, out: Float32Array) {
      const i = cuda.grid(1);
      const t = cuda.local.array(4, 'f32');
      const sh = cuda.shared.array(64, 'f32');
      for (let k = 0; k < 4; k++) t[k] = a[(i + k) % a.length];
      sh[cuda.threadIdx.x] = t[i % 4];
      cuda.syncthreads();
      let s = sh[(cuda.threadIdx.x + 1) % 64];
      for (let k = 0; k < 4; k++) s += t[k] * (k + 1);
      if (i < out.length) out[i] = s;
    }
    const llvm = await againstSimulator(acrossBarrier, () => [Float32Array.from({ length: 50 }, (_, k) => k * 0.5 - 7), new Float32Array(128)], 2, 64, [1]);
    expect(rows(llvm)).toEqual([]);
  });
});
