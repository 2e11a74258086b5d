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
