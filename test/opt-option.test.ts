// cuda.jit's `opt: false` (as numba-cuda's `opt`): compile for latency, not speed.
// cpu runs the threads one at a time (no SIMD lane groups), cuda runs a short
// pipeline before PTX; the results are the simulator's either way. reduce
// compiles its final pass (one block) this way.

import { describe, expect, it } from 'vitest';
import { cuda, reduce, targetAvailability } from '@numbat/core';
import { assemblePtx, findPtxas } from '../packages/cuda/test/helpers.js';

function saxpy(a: number, x: Float32Array, y: Float32Array) {
  const i = cuda.grid(1);
  if (i < y.length) y[i] = a * x[i] + y[i];
}

/** A loop of Philox-like rounds with a fixed trip count: the full pipeline unrolls it on cuda. */
function rounds(o: Uint32Array) {
  const i = cuda.grid(1);
  if (i >= o.length) return;
  let x = i >>> 0, k = 0x9e3779b9;
  for (let r = 0; r < 10; r++) {
    x = (cuda.umulhi(0xd2511f53, x) ^ k) >>> 0;
    k = (k + 0xbb67ae85) >>> 0;
  }
  o[i] = x;
}

const cpu = await targetAvailability('cpu');
const ptxas = findPtxas();

describe('the opt option', () => {
  it('must be a boolean, and is a known key', () => {
    expect(() => cuda.jit(saxpy, { opt: 'fast' } as any)).toThrow(/cuda\.jit option 'opt' of 'saxpy' must be true or false, got the string 'fast'/);
    expect(() => cuda.jit(saxpy, { opt: false })).not.toThrow();
  });

  it.skipIf(!cpu.ok)(`cpu: opt: false has no packed SIMD and the simulator's results${cpu.ok ? '' : ` (skipped: ${cpu.reason})`}`, async () => {
    const x = new Float32Array(1000).map((_, i) => i * 0.5), args = () => [3, x, new Float32Array(1000).fill(1)] as const;
    const fast = cuda.jit(saxpy, { target: 'cpu', cache: false }), quick = cuda.jit(saxpy, { target: 'cpu', cache: false, opt: false });
    // x86-64: packed single adds/multiplies (or FMAs) on ymm/xmm; AArch64: NEON .4s.
    const packed = /\b(v?(add|mul)ps|vfmadd\d*ps|fadd\s+v\d+\.4s|fmla\s+v\d+\.4s)\b/;
    expect(await fast.inspect('asm', ...args())).toMatch(packed);
    expect(await quick.inspect('asm', ...args())).not.toMatch(packed);
    const want = args(), got = args();
    await cuda.jit(saxpy, { target: 'sim' }).configure(4, 256)(...want);
    await quick.configure(4, 256)(...got);
    expect(Array.from(got[2])).toEqual(Array.from(want[2]));
  });

  it.skipIf(!cpu.ok)('reduce compiles its final pass with opt: false (no packed code) and sums exactly as before', async () => {
    const sum = reduce((a: number, b: number) => a + b, { target: 'cpu' });
    const asm = await sum.inspect('asm', 'f32', 'final');
    expect(asm).not.toMatch(/\bv?addps\b|fadd\s+v\d+\.4s/);
    const a = new Float32Array(5000).map((_, i) => (i % 7) * 0.25);
    const simSum = reduce((p: number, q: number) => p + q, { target: 'sim' });
    expect(await sum(a)).toBe(await simSum(a));
  });

  it('cuda: opt: false keeps a constant-trip loop rolled, and its PTX assembles', async () => {
    const o = new Uint32Array(64);
    const full = await cuda.jit(rounds, { target: 'cuda', cache: false }).inspect('opt', o);
    const quick = await cuda.jit(rounds, { target: 'cuda', cache: false, opt: false }).inspect('opt', o);
    const mulhi = (t: string) => (t.match(/mul nuw i64|umul|lshr i64/g) ?? []).length;
    expect(mulhi(quick)).toBeGreaterThan(0);
    expect(mulhi(full)).toBe(10 * mulhi(quick)); // the ten rounds unrolled, against one round in a loop
    expect(quick).toMatch(/br i1/);
    if (ptxas) assemblePtx(ptxas, await cuda.jit(rounds, { target: 'cuda', cache: false, opt: false }).inspect('ptx', o), 'rounds-quick');
  });
});
