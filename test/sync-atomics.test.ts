// Atomics and synchronisation beyond the basics (numba's inc/dec/compare_and_swap/
// nanmin/nanmax, syncthreads_count/and/or, threadfence*, cuda.cg grid sync): what
// is refused at compile time, the run-time errors of grid barriers, and the IR.
// Results are in the conformance corpus (packages/core/src/testsuite/corpus/sync-atomics.ts).

import { describe, expect, it } from 'vitest';
import { cuda, CompileError, LaunchError, targetAvailability, u32 } from '@numbat/core';

async function compileError(fn: (...a: any[]) => void, args: unknown[], target = 'sim'): Promise<CompileError> {
  const e = await cuda.jit(fn, { target: target as 'sim' }).inspect('ir', ...args).then(() => undefined, (x) => x);
  expect(e).toBeInstanceOf(CompileError);
  return e as CompileError;
}

const f = new Float32Array(64), i = new Int32Array(64), u = new Uint32Array(64);

describe('refused at compile time, naming the construct and the line', () => {
  it('inc/dec need a u32 array, as in numba', async () => {
    const e = await compileError(function k(a: Int32Array) { cuda.atomic.inc(a, 0, 3); }, [i]);
    expect(e.message).toMatch(/cuda\.atomic\.inc needs a u32 array.*numba.*'a' holds i32/);
    expect(e.message).toMatch(/sync-atomics\.test\.ts:\d+/);
    await compileError(function k(a: Float32Array) { cuda.atomic.dec(a, 0, 3); }, [f]);
  });

  it('compare_and_swap takes (array, old, value) on a 1-D array', async () => {
    const e = await compileError(function k(a: Int32Array) { cuda.atomic.compare_and_swap(a, 0, 1, 2); }, [i]);
    expect(e.message).toMatch(/compare_and_swap takes 3 arguments \(array, old, value\), on element 0/);
    const s = await compileError(function k(a: Int32Array) { const t = cuda.shared.array([2, 2], 'i32'); cuda.atomic.compare_and_swap(t, 0, 1); a[0] = t[0][0]; }, [i]);
    expect(s.message).toMatch(/1-D array/);
  });

  it('reducing barriers obey the barrier rule and name themselves', async () => {
    const e = await compileError(function k(a: Int32Array) { if (cuda.threadIdx.x < 3) a[0] = cuda.syncthreads_count(true); }, [i]);
    expect(e.construct).toBe('cuda.syncthreads_count() under divergent control');
    expect(e.message).toMatch(/cuda\.syncthreads_count\(\) is inside an if whose condition depends on the thread/);
  });

  it('a grid barrier may not depend on the block', async () => {
    const e = await compileError(function k(a: Float32Array) { if (cuda.blockIdx.x === 0) cuda.cg.this_grid().sync(); a[0] = 1; }, [f]);
    expect(e.message).toMatch(/cuda\.cg\.this_grid\(\)\.sync\(\) is inside an if whose condition depends on the thread or block/);
  });

  it('fences and grid sync are refused on webgpu, naming the target', async () => {
    const a = await targetAvailability('webgpu');
    if (!a.ok) return;
    const g = await compileError(function k(x: Float32Array) { cuda.cg.this_grid().sync(); x[0] = 1; }, [f], 'webgpu');
    expect(g.message).toMatch(/grid-wide synchronisation\) is not available on target 'webgpu'/);
    const t = await compileError(function k(x: Float32Array) { x[0] = 1; cuda.threadfence(); }, [f], 'webgpu');
    expect(t.message).toMatch(/cuda\.threadfence\(\) is not available on target 'webgpu': WGSL has no memory fence/);
  });
});

describe('IR', () => {
  it('prints grid barriers, fences and the new atomics', async () => {
    const ir = await cuda.jit(function k(a: Uint32Array, b: Float32Array) {
      cuda.atomic.inc(a, 0, u32(4));
      cuda.atomic.nanmin(b, 0, 1);
      cuda.threadfence_block();
      cuda.cg.this_grid().sync();
    }, { target: 'sim' }).inspect('ir', u, f);
    expect(ir).toMatch(/atomic\.inc\(a\[0:i32\], 4:u32\)/);
    expect(ir).toMatch(/atomic\.nanmin\(b\[0:i32\], 1:f32\)/);
    expect(ir).toMatch(/fence\.block/);
    expect(ir).toMatch(/grid barrier/);
  });
});

function earlyExit(a: Float32Array) {
  if (cuda.blockIdx.x === 1) return;
  a[cuda.grid(1)] = 1;
  cuda.cg.this_grid().sync();
  a[0] = 2;
}

describe('grid barrier run-time errors', () => {
  for (const target of ['sim', 'cpu'] as const) {
    it(`${target}: a block that exits while others wait at the grid barrier is a LaunchError`, async () => {
      const a = await targetAvailability(target);
      if (!a.ok) return;
      const e = await cuda.jit(earlyExit, { target }).configure(2, 32)(new Float32Array(64)).then(() => undefined, (x) => x);
      expect(e).toBeInstanceOf(LaunchError);
      expect((e as Error).message).toMatch(/exited while .*wait.* at cuda\.cg\.this_grid\(\)\.sync\(\)/);
    });
  }

  it('cpu: a grid larger than its resident blocks (one per worker) is a LaunchError naming the limit', async () => {
    const a = await targetAvailability('cpu');
    if (!a.ok) return;
    const k = cuda.jit(function g(x: Float32Array) { x[cuda.grid(1)] = 1; cuda.cg.this_grid().sync(); }, { target: 'cpu' });
    const e = await k.configure(4000, 1)(new Float32Array(4000)).then(() => undefined, (x) => x);
    expect(e).toBeInstanceOf(LaunchError);
    expect((e as Error).message).toMatch(/target 'cpu' holds at most \d+ block\(s\).*the grid has 4000/);
  });

  it('sim: grids of any size meet at the barrier', async () => {
    const k = cuda.jit(function g(x: Int32Array, y: Int32Array) {
      const i = cuda.grid(1);
      x[i] = i;
      cuda.cg.this_grid().sync();
      y[i] = x[x.length - 1 - i];
    }, { target: 'sim' });
    const x = new Int32Array(40 * 8), y = new Int32Array(40 * 8);
    await k.configure(40, 8)(x, y);
    expect(Array.from(y)).toEqual(Array.from(x).reverse());
  });
});
