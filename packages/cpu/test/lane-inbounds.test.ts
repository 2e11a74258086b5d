// Accesses the IR marks `inBounds` (core's hoistBoundsChecks, the random
// library's state words after its one check per draw) have no bounds test in
// lane groups, as on the scalar path: no compare, no jump to the report block.
// Unmarked accesses are still checked, and their errors still name kernel,
// array, index and thread as the simulator does. Results: the corpus's
// lane_inbounds_* cases (packages/core/src/testsuite/corpus/lane-inbounds.ts).
import { describe, expect, it } from 'vitest';
import { cuda, LaunchError, random, type Expr, type KernelIR, type Stmt } from '@numbat/core';
import { backend, type CpuKernel } from '@numbat/cpu';
import { assign, bin, c, gidx, kernel, l, p } from './helpers.js';

const f32arr = { kind: 'array', elem: 'f32' } as const;
const marked = <T extends object>(x: T, on: boolean): T => (on ? { ...x, inBounds: true } : x);
const ld = (param: number, index: Expr, on: boolean): Expr => marked({ kind: 'load', array: { space: 'global', param }, index, type: 'f32' } as Expr, on);
const st = (param: number, index: Expr, value: Expr, on: boolean): Stmt => marked({ kind: 'store', array: { space: 'global', param }, index, value } as Stmt, on);

/**
 * out[i] = a[i] * 3 + a[(i * 5) % n] + a[0] (lane-linear, per-lane and uniform
 * indices), then out[i] += a[i] under a lane mask (odd i): every kind of lane
 * access, all marked or none. i = blockIdx.x * blockDim.x + threadIdx.x < n.
 */
function accesses(on: boolean): KernelIR {
  const i = l(0), n = p(2, 'i32');
  const body: Stmt[] = [
    assign(0, gidx()),
    st(1, i, bin('add', bin('add', bin('mul', ld(0, i, on), c(3, 'f32')), ld(0, bin('rem', bin('mul', i, c(5)), n), on)), ld(0, c(0), on)), on),
    { kind: 'if', cond: bin('eq', bin('and', i, c(1)), c(1)), then: [st(1, i, bin('add', ld(1, i, on), ld(0, i, on)), on)], else: [] },
  ];
  return kernel(on ? 'marked' : 'unmarked', [f32arr, f32arr, { kind: 'scalar', type: 'i32' }], body, { locals: [{ id: 0, name: 'i', type: 'i32' }] });
}

const opts = { float: 'f64', boundscheck: true, fastmath: false, cache: false } as const;
/** Bounds-test blocks in the built IR: lane groups' (lane-linear, per-lane, uniform) and the scalar path's. */
const checks = (llvm: string) => ({
  lanes: (llvm.match(/^(lin|lanes)\.oob\d*:/gm) ?? []).length,
  scalar: (llvm.match(/^oob\d*:/gm) ?? []).length,
  reports: (llvm.match(/br label %oob\.report\b/g) ?? []).length,
});

describe('cpu lane groups honour inBounds marks', () => {
  it('marked accesses have no bounds test; the same accesses unmarked are checked', async () => {
    const compiled = async (on: boolean) => (await backend.compile(accesses(on), opts)) as CpuKernel;
    const [m, u] = [await compiled(true), await compiled(false)];
    const [cm, cu] = [checks(await backend.inspect(m, 'llvm')), checks(await backend.inspect(u, 'llvm'))];
    expect(cm).toEqual({ lanes: 0, scalar: 0, reports: 0 });
    expect(await backend.inspect(m, 'opt')).not.toMatch(/@numbat_report_oob\(/);
    // lane groups: a[i], a[(5i) % n], a[0], out[i]; under the mask out[i] twice, a[i] (7); the scalar copy the same 7
    expect(cu.lanes).toBeGreaterThanOrEqual(7);
    expect(cu.scalar).toBeGreaterThanOrEqual(7);
    expect(cu.reports).toBe(cu.lanes + cu.scalar);

    // Both compute the same, in range: 2 blocks of 20 threads (lane groups and a tail).
    const n = 40, a = Float32Array.from({ length: n }, (_, k) => k * 0.25 - 3);
    const want = Float32Array.from(a, (x, k) => x * 3 + a[(k * 5) % n] + a[0] + (k & 1 ? x : 0));
    for (const k of [m, u]) {
      const out = new Float32Array(n);
      await backend.launch(k, { grid: [2, 1, 1], block: [20, 1, 1], sharedMem: 0 }, [
        { kind: 'array', elem: 'f32', length: n, host: a }, { kind: 'array', elem: 'f32', length: n, host: out }, { kind: 'scalar', type: 'i32', value: n }] as any);
      expect(Array.from(out)).toEqual(Array.from(want));
    }
  });

  it("the random draws' state accesses are not tested in lane groups (one check per draw)", async () => {
    function draws(states: Uint32Array, sums: Float32Array, count: number) {
      const i = cuda.grid(1);
      if (i >= sums.length) return;
      let s = 0;
      for (let k = 0; k < count; k++) s += random.uniformF32(states, i);
      sums[i] = s;
    }
    const args = [random.createStates(64, 1), new Float32Array(64), 3];
    const on = checks(await cuda.jit(draws, { target: 'cpu', cache: false }).inspect('llvm', ...args));
    const off = checks(await cuda.jit(draws, { target: 'cpu', cache: false, boundscheck: false }).inspect('llvm', ...args));
    expect(off).toEqual({ lanes: 0, scalar: 0, reports: 0 });
    // checkThread's test of the draw and the store of sums[i] (2 when written), where testing every
    // state word was 25 (ten accesses per draw, some in more than one copy of the code).
    expect(on.lanes).toBeGreaterThan(0);
    expect(on.lanes).toBeLessThanOrEqual(4);
  });

  it('a states array too short for the streams is still reported, naming array, index and thread', async () => {
    // 101 streams on states for 100: only i = 100 fails, at checkThread; lanes of its group before it ran their draws.
    function strideDraws(states: Uint32Array, u: Float32Array, n: number) {
      for (let i = cuda.grid(1); i < n; i += cuda.gridsize(1)) u[i] = random.uniformF32(states, i) + random.uniformF32(states, i);
    }
    const run = (target: 'sim' | 'cpu') => cuda.jit(strideDraws, { target }).configure(1, 128)(random.createStates(100, 5), new Float32Array(101), 101)
      .then(() => undefined, (e) => e);
    const [want, got] = [await run('sim'), await run('cpu')];
    expect(want).toBeInstanceOf(LaunchError);
    expect(got).toBeInstanceOf(LaunchError);
    expect(got.message).toBe(want.message);
    expect(got.detail).toMatchObject({ array: 'states', thread: [100, 0, 0], block: [0, 0, 0] });
  });
});
