// reduce's kernels index only inside their arrays by construction (the host
// checks size <= length, threads <= size, blocks <= partials), so they are
// compiled without per-access bounds checks (none in the grid-stride loop);
// a function that may index an array of its own keeps them. Results: see
// reduce.test.ts (bit-identical to the simulator with the same grid).

import { describe, expect, it } from 'vitest';
import { cuda, reduce, targetAvailability } from '@numbat/core';

const webgpu = await targetAvailability('webgpu');

describe.skipIf(!webgpu.ok)(`reduce's bounds checks${webgpu.ok ? '' : ` (skipped: ${webgpu.reason})`}`, () => {
  it('a plain function: neither pass tracks out-of-bounds accesses', async () => {
    const sum = reduce((a, b) => a + b, { target: 'webgpu' });
    for (const pass of ['blocks', 'final'] as const) {
      const wgsl = await sum.inspect('wgsl', 'f32', pass);
      expect(wgsl).toMatch(/@compute/);
      expect(wgsl).not.toMatch(/nb_bad/);
    }
    expect(await sum(new Float32Array(10000).fill(0.5))).toBe(5000);
  });

  it('a function indexing a global table or a subscript keeps the checks', async () => {
    const TABLE = new Float32Array([2, 3]);
    const scaled = reduce((a, b) => a + b * TABLE[0], { target: 'webgpu', globals: { TABLE } });
    expect(await scaled.inspect('wgsl', 'f32', 'blocks')).toMatch(/nb_bad/);
    const local = reduce((a, b) => { const t = cuda.local.array(2, 'f32'); t[a > b ? 1 : 0] = a; return t[1] + b; }, { target: 'webgpu' });
    expect(await local.inspect('wgsl', 'f32', 'blocks')).toMatch(/nb_bad/);
  });
});
