// A kernel defined in another module than the cuda.jit call: its IR lines count
// from its own first line wherever it is jitted from (they once took the call
// site's line, so the disk-cache key changed with the calling script).
import { describe, expect, it } from 'vitest';
import { cuda } from '@numbat/core';
import { scaleElsewhere } from './fixtures/kernel-elsewhere.js';

const irOf = (k: ReturnType<typeof cuda.jit>) => k.inspect('ir', new Float64Array(4), 4);

describe('kernel defined in another module', () => {
  it('has the same IR (and lines) from two call sites', async () => {
    const a = cuda.jit(scaleElsewhere, { target: 'sim' });


    const b = cuda.jit(scaleElsewhere, { target: 'sim' });
    const ia = await irOf(a), ib = await irOf(b);
    expect(ia).toBe(ib);
    expect(ia).toMatch(/; line 3\b/); // `if (i < n)` is the function's third line
  });

  it('is not taken for a look-alike function of the calling file', async () => {
    // Same shape, other name and lines: token alignment once settled on it, so the
    // kernel got this file's lines (a wrong line in errors, a cache key tied to this file).
    const k = cuda.jit(scaleElsewhere, { target: 'sim' });
    const ir = await irOf(k);
    expect(ir).toMatch(/; line 3\b/);
    expect(ir).not.toMatch(/; line (2[0-9]|3[0-9])\b/);
  });
});

// A look-alike of scaleElsewhere (never jitted).
export function scaleHere(a: Float64Array, n: number) {
  const i = cuda.grid(1);
  if (i < n) a[i] = a[i] * 3;
}
