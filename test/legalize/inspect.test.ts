// kernel.inspect('ir-legal'): the IR a target's backend gets after legalisation.

import { describe, expect, it } from 'vitest';
import { cuda, registerBackend, simBackend, type Backend } from '@numbat/core';

function divide(a: Int32Array, b: Int32Array, out: Int32Array) {
  const i = cuda.grid(1);
  if (i < out.length) out[i] = Math.floor(a[i] / b[i]);
}

// The simulator under another name, declaring nothing native: core legalises everything for it.
const bare: Backend = { ...simBackend, target: 'simbare', caps: { f64: true } };
registerBackend('simbare', async () => bare, { priority: -1 });

describe("inspect('ir-legal')", () => {
  const args = [new Int32Array([7, -7, 5, -2147483648]), new Int32Array([2, 2, 0, -1]), new Int32Array(4)] as const;

  it('is the lowered IR on a target that renders everything natively (sim)', async () => {
    const k = cuda.jit(divide, { target: 'sim' });
    expect(await k.inspect('ir-legal', ...args)).toBe(await k.inspect('ir', ...args));
  });

  it('shows the division guarded and the floor built from truncdiv where the target lacks int-division, with the same results', async () => {
    const k = cuda.jit(divide, { target: 'simbare' });
    const legal = await k.inspect('ir-legal', ...args);
    expect(await k.inspect('ir', ...args)).toContain('floordiv.i32(');
    expect(legal).not.toContain('floordiv');
    expect(legal).toMatch(/truncdiv\.i32\(%\d+, select\(/);
    const out = new Int32Array(4);
    await k.configure(1, 4)(args[0], args[1], out);
    expect(Array.from(out)).toEqual([3, -4, 0, -2147483648]);
  });
});

describe("inspect('ir-legal'): the rows backends used to write themselves", () => {
  function rows(a: Float32Array, u: Uint32Array, b8: Int8Array, m: Float32Array) {
    const i = cuda.grid(1);
    if (i >= u.length) return;
    u[i] = cuda.umulhi(u[i], 0x9e3779b9);
    a[i] = a[i] % 1.5;
    b8[i] = u[i];
    cuda.atomic.max(m, 0, a[i]);
  }
  const args = () => [new Float32Array([7.25, -3, 1e30, -0]), new Uint32Array([1, 0xffffffff, 12345, 0x80000000]), new Int8Array(4), new Float32Array([-Infinity])] as const;

  it('shows umulhi as u32 pieces, float % as fmod, the i8 store wrapped and atomic max as a cas loop, with the simulator\'s results', async () => {
    const bare = cuda.jit(rows, { target: 'simbare' }), sim = cuda.jit(rows, { target: 'sim' });
    const legal = await bare.inspect('ir-legal', ...args());
    expect(legal).not.toContain('umulhi');
    expect(legal).toContain('math.fmod.f32(');
    expect(legal).toMatch(/shr\.i32\(shl\.i32\(.*24:i32\), 24:i32\)/);
    expect(legal).toMatch(/atomic\.cas/);
    expect(legal).toMatch(/loop/);
    expect(await sim.inspect('ir-legal', ...args())).toBe(await sim.inspect('ir', ...args()));
    const want = args(), got = args();
    await sim.configure(1, 4)(...want);
    await bare.configure(1, 4)(...got);
    got.forEach((g, k) => expect(Array.from(g as ArrayLike<number>)).toEqual(Array.from(want[k] as ArrayLike<number>)));
  });
});
