// A body that ends in `if (c) { … }` turned into `if (!c) return; …` (core's wrapToGuard,
// applied by the cpu where `c` tests the thread's position against a bound: cpu bound-guard.ts):
// the rewritten IR against the IR it came from, in the simulator, bit for bit, and on the cpu
// against the simulator; kernels it must leave as they are (a barrier, a warp collective, an
// else arm, statements after the `if`, a test that is not `guardable`).

import { describe, expect, it } from 'vitest';
import { cuda, random, wrapToGuard, type KernelIR } from '@numbat/core';
import { stateMismatches } from '@numbat/core/testsuite';
import { legalIR, simulateIR } from './helpers/ir-sim.js';

const T = 200;

/** The CUDA idiom: the work in `if (i < n)`, a loop of normals and a store (threads past n have no state). */
function wrappedNormals(st: Uint32Array, out: Float32Array, trips: number) {
  const i = cuda.grid(1);
  const half = trips >> 1;
  if (i < out.length) {
    let s = 0;
    for (let k = 0; k < trips; k++) s += random.normalF32(st, i);
    if ((i & 3) === 1) s += random.uniformF32(st, i) * half;
    out[i] = s;
  }
}

function withElse(out: Int32Array) {
  const i = cuda.grid(1);
  if (i < out.length) out[i] = i * 3; else return;
}

function withAfter(out: Int32Array) {
  const i = cuda.grid(1);
  if (i < out.length - 1) out[i] = i * 3;
  cuda.atomic.add(out, out.length - 1, 1);
}

function withBarrier(out: Int32Array) {
  const i = cuda.grid(1);
  const sh = cuda.shared.array(64, 'i32');
  sh[cuda.threadIdx.x] = i;
  cuda.syncthreads();
  if (i < out.length) out[i] = sh[63 - cuda.threadIdx.x];
}

function withWarp(out: Int32Array) {
  const i = cuda.grid(1);
  if (i < out.length) out[i] = cuda.shfl_down_sync(0xffffffff, i, 1);
}

const guards = (ir: KernelIR): number => ir.body.filter((s) => s.kind === 'if' && s.then.length === 1 && s.then[0].kind === 'return').length;

describe('wrapToGuard', () => {
  it('turns the last `if (i < n) { … }` into a guard: the same sums and states in the simulator, and on the cpu', async () => {
    const args = () => [random.createStates(T, 5), new Float32Array(T), 9];
    const ir = await legalIR(wrappedNormals, args());
    const guarded = wrapToGuard(ir, () => true);
    expect(guards(ir)).toBe(0);
    expect(guards(guarded)).toBe(1);
    expect(guarded.body.length).toBe(ir.body.length + (ir.body[ir.body.length - 1] as any).then.length); // the `if` → the guard and its arm
    const [want, got] = await Promise.all([simulateIR(ir, args(), 4, 64), simulateIR(guarded, args(), 4, 64)]);
    expect(Array.from(got[1] as Float32Array)).toEqual(Array.from(want[1] as Float32Array));
    expect(Array.from(got[0] as Uint32Array)).toEqual(Array.from(want[0] as Uint32Array));
    // the cpu (which applies it), 256 threads launched for 200 states
    const cpu = args(), sim = args();
    await cuda.jit(wrappedNormals, { target: 'cpu', cache: false }).configure(4, 64)(...cpu);
    await cuda.jit(wrappedNormals, { target: 'sim' }).configure(4, 64)(...sim);
    for (let i = 0; i < T; i++) expect(Math.abs((cpu[1] as Float32Array)[i] - (sim[1] as Float32Array)[i]), `thread ${i}`).toBeLessThanOrEqual(2e-6 * Math.max(1, Math.abs((sim[1] as Float32Array)[i])));
    // (a pending normal's f32 bits, word 6, within the math's ulps: docs/random.md)
    expect(stateMismatches(cpu[0] as Uint32Array, sim[0] as Uint32Array, 10)).toEqual([]);
  });

  it('leaves kernels with an else arm, statements after the `if`, a barrier or a warp collective, and tests not guardable', async () => {
    for (const [fn, n] of [[withElse, 40], [withAfter, 40], [withBarrier, 64], [withWarp, 32]] as const) {
      const ir = await legalIR(fn, [new Int32Array(n)]);
      expect(wrapToGuard(ir, () => true), fn.name).toBe(ir);
    }
    const ir = await legalIR(wrappedNormals, [random.createStates(8, 1), new Float32Array(8), 3]);
    expect(wrapToGuard(ir, () => false)).toBe(ir);
  });
});
