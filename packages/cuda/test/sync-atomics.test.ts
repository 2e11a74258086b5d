// Fences, grid synchronisation and the new atomics in the PTX, and the
// cooperative launch of grid-sync kernels, against the fake driver (no GPU
// needed). The corpus (sync-atomics.ts) checks that all of it assembles (ptxas.test.ts).

import { describe, expect, it } from 'vitest';
import { cuda, LaunchError, u32 } from '@numbat/core';
import { setDriverApiForTesting } from '@numbat/cuda';
import { FakeDevice } from './fake-driver.js';

const dev = new FakeDevice();
setDriverApiForTesting(dev.api);

function fences(a: Int32Array) {
  a[0] = 1;
  cuda.threadfence_block();
  a[1] = 2;
  cuda.threadfence();
  a[2] = 3;
  cuda.threadfence_system();
}

function gridSync(a: Float32Array) {
  const i = cuda.grid(1);
  a[i] = i;
  cuda.cg.this_grid().sync();
  a[i] += a[(i + 1) % a.length];
}

function counters(c: Uint32Array, f: Float32Array) {
  cuda.atomic.inc(c, 0, u32(7));
  cuda.atomic.dec(c, 1, u32(7));
  cuda.atomic.nanmax(f, 0, 1.5);
}

describe('cuda: atomics and synchronisation', () => {
  it('fences are membar at the scope asked', async () => {
    const ptx = await cuda.jit(fences, { target: 'cuda' }).inspect('ptx', new Int32Array(3));
    const order = ['membar.cta', 'membar.gl', 'membar.sys'].map((m) => ptx.indexOf(m));
    expect(order.every((i) => i > 0)).toBe(true);
    expect([...order].sort((x, y) => x - y)).toEqual(order);
  });

  it('a grid barrier is the block barrier around a global arrival counter', async () => {
    const ptx = await cuda.jit(gridSync, { target: 'cuda' }).inspect('ptx', new Float32Array(64));
    expect(ptx).toMatch(/bar\.sync\s+0/);
    expect(ptx).toMatch(/atom\.global\.add\.u32|atom\.add\.u32|atom\.global\.add\.s32/);
    expect(ptx).toMatch(/ld\.volatile\.global\.u32/);
  });

  it('inc/dec/nanmax are compare-and-swap loops', async () => {
    const ptx = await cuda.jit(counters, { target: 'cuda' }).inspect('ptx', new Uint32Array(2), new Float32Array(1));
    expect((ptx.match(/atom(\.global)?\.cas\.b32/g) ?? []).length).toBeGreaterThanOrEqual(3);
  });

  it('launches grid-sync kernels cooperatively, and refuses grids beyond the resident blocks', async () => {
    const k = cuda.jit(gridSync, { target: 'cuda' });
    dev.calls.length = 0;
    await k.configure(4, 256)(new Float32Array(1024));
    expect(dev.calls).toContain('cooperative');
    // The fake GPU holds 2048 / 256 = 8 blocks per SM on 132 SMs: 1056.
    const e = await k.configure(1057, 256)(new Float32Array(1057 * 256)).then(() => undefined, (x) => x);
    expect(e).toBeInstanceOf(LaunchError);
    expect((e as Error).message).toMatch(/cuda\.cg\.this_grid\(\)\.sync\(\).*target 'cuda' holds at most 1056 block\(s\).*the grid has 1057/);
  });

  it('plain kernels keep the ordinary launch', async () => {
    dev.calls.length = 0;
    await cuda.jit(fences, { target: 'cuda' }).configure(1, 1)(new Int32Array(3));
    expect(dev.calls).not.toContain('cooperative');
  });
});
