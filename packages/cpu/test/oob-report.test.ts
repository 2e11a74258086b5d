// The out-of-bounds report of cpu kernels: every failing check of a kernel
// function jumps to one shared report block (codegen/oob-report.ts), which
// passes the linear block id to numbat_report_oob; the helper decodes the
// block coordinates (helpers-ir.ts). The LaunchError must name the same
// array, index, length, line, thread and block as the simulator's, from
// every kind of check (lane-linear, lane-varying, lane-uniform, the scalar
// tail, block-level code, shared/local/dynamic shared arrays, u32 indices)
// and anywhere in a 3-D grid of 3-D blocks.
import { describe, expect, it } from 'vitest';
import { cuda, f32, LaunchError, random } from '@numbat/core';

type Dim = number | [number, number, number];

/** Runs the kernel on sim and cpu; both must fail, with the same message. Returns cpu's error. */
async function sameError(fn: (...a: any[]) => void, grid: Dim, block: Dim, args: () => unknown[], sharedMem = 0): Promise<LaunchError> {
  const run = (target: 'sim' | 'cpu') => cuda.jit(fn, { target }).configure(grid, block, { sharedMem })(...args()).then(() => undefined, (e) => e);
  const [want, got] = [await run('sim'), await run('cpu')];
  expect(want, 'sim').toBeInstanceOf(LaunchError);
  expect(got, 'cpu').toBeInstanceOf(LaunchError);
  expect(got.message).toBe(want.message);
  expect(got.detail).toEqual(want.detail);
  return got;
}

// One thread of a 3-D grid stores past the end through a lane-varying index.
function varying(a: Float32Array, c: Int32Array) {
  const hit = cuda.blockIdx.x === c[0] && cuda.blockIdx.y === c[1] && cuda.blockIdx.z === c[2]
    && cuda.threadIdx.x === c[3] && cuda.threadIdx.y === c[4] && cuda.threadIdx.z === c[5];
  a[hit ? a.length + 2 : cuda.threadIdx.x] = 1;
}

// A lane-linear index (threadIdx.x + a group-uniform offset) runs past the end in one row of one block.
function linear(a: Float32Array, c: Int32Array) {
  const row = cuda.blockIdx.x === c[0] && cuda.blockIdx.y === c[1] && cuda.blockIdx.z === c[2] && cuda.threadIdx.y === c[4] && cuda.threadIdx.z === c[5];
  const off = row ? a.length - c[3] : 0;
  a[cuda.threadIdx.x + off] = 2;
}

// The same index in every lane (a lane-uniform access), read in one block only.
function uniform(a: Float32Array, o: Float32Array, c: Int32Array) {
  const blk = cuda.blockIdx.x === c[0] && cuda.blockIdx.y === c[1] && cuda.blockIdx.z === c[2];
  const j = blk ? a.length : 0;
  o[cuda.threadIdx.x] = a[j];
}

// Shared memory between barriers (block-level regions), dynamic shared memory and a local array.
function sharedTwoPhase(o: Float32Array, c: Int32Array) {
  const s = cuda.shared.array(64, f32);
  const t = cuda.threadIdx.x;
  s[t] = t;
  cuda.syncthreads();
  const hit = cuda.blockIdx.x === c[0] && cuda.blockIdx.y === c[1] && cuda.blockIdx.z === c[2] && t === c[3];
  o[t] = s[hit ? 64 + t : 63 - t];
}
function dynShared(o: Float32Array, c: Int32Array) {
  const s = cuda.shared.array(0, f32);
  const t = cuda.threadIdx.x;
  const hit = cuda.blockIdx.x === c[0] && cuda.blockIdx.y === c[1] && cuda.blockIdx.z === c[2] && t === c[3];
  s[hit ? s.length : t] = 1;
  cuda.syncthreads();
  o[t] = s[t];
}
function local(o: Float32Array, c: Int32Array) {
  const l = cuda.local.array(4, f32);
  const hit = cuda.blockIdx.x === c[0] && cuda.blockIdx.y === c[1] && cuda.blockIdx.z === c[2]
    && cuda.threadIdx.x === c[3] && cuda.threadIdx.y === c[4] && cuda.threadIdx.z === c[5];
  l[hit ? 4 : 0] = 1;
  o[0] = l[0];
}
// A u32 index: reported as the unsigned number.
function unsignedIndex(a: Float32Array, c: Int32Array) {
  const hit = cuda.blockIdx.x === c[0] && cuda.blockIdx.y === c[1] && cuda.blockIdx.z === c[2]
    && cuda.threadIdx.x === c[3] && cuda.threadIdx.y === c[4] && cuda.threadIdx.z === c[5];
  const i = ((hit ? 0xfffffff0 : 0) + cuda.threadIdx.x) >>> 0;
  a[i] = 1;
}

describe('cpu out-of-bounds reports (one report block per kernel)', () => {
  const grid: Dim = [3, 4, 5];
  const at = (...c: number[]) => () => Int32Array.from(c);

  it('a lane-varying, a lane-linear and a lane-uniform check name the thread and block the simulator names', async () => {
    // 3-D blocks of 16 x 2 x 3: full lane groups; the failing thread far from block and thread 0
    let err = await sameError(varying, grid, [16, 2, 3], () => [new Float32Array(16), at(2, 3, 4, 11, 1, 2)()]);
    expect(err.detail).toMatchObject({ index: 18, length: 16, thread: [11, 1, 2], block: [2, 3, 4] });
    err = await sameError(linear, grid, [16, 2, 3], () => [new Float32Array(40), at(1, 2, 3, 5, 1, 1)()]);
    expect(err.detail).toMatchObject({ index: 40, length: 40, thread: [5, 1, 1], block: [1, 2, 3] });
    err = await sameError(uniform, grid, [16, 2, 3], () => [new Float32Array(8), new Float32Array(16), at(0, 3, 2)()]);
    expect(err.detail).toMatchObject({ index: 8, length: 8, thread: [0, 0, 0], block: [0, 3, 2] });
  });

  it('the scalar tail after the lane groups (blockDim.x not a multiple of the lane width)', async () => {
    const err = await sameError(varying, grid, [13, 3, 2], () => [new Float32Array(13), at(2, 1, 4, 12, 2, 1)()]);
    expect(err.detail).toMatchObject({ index: 15, thread: [12, 2, 1], block: [2, 1, 4] });
  });

  it('shared arrays across barriers, dynamic shared memory, local arrays and u32 indices', async () => {
    let err = await sameError(sharedTwoPhase, grid, 64, () => [new Float32Array(64), at(2, 2, 3, 9)()]);
    expect(err.detail).toMatchObject({ array: 's', index: 73, length: 64, thread: [9, 0, 0], block: [2, 2, 3] });
    err = await sameError(dynShared, grid, 32, () => [new Float32Array(32), at(1, 3, 1, 30)()], 32 * 4);
    expect(err.detail).toMatchObject({ array: 's', index: 32, length: 32, thread: [30, 0, 0], block: [1, 3, 1] });
    err = await sameError(local, grid, [4, 2, 2], () => [new Float32Array(1), at(2, 0, 4, 3, 1, 1)()]);
    expect(err.detail).toMatchObject({ array: 'l', index: 4, length: 4, thread: [3, 1, 1], block: [2, 0, 4] });
    err = await sameError(unsignedIndex, grid, [16, 2, 2], () => [new Float32Array(16), at(0, 1, 2, 7, 0, 1)()]);
    expect(err.detail).toMatchObject({ index: 0xfffffff7, thread: [7, 0, 1], block: [0, 1, 2] });
  });

  it('a grid of one row and one of one column decode the block id the same way', async () => {
    let err = await sameError(varying, [7, 1, 1], [8, 1, 1], () => [new Float32Array(8), at(6, 0, 0, 2, 0, 0)()]);
    expect(err.detail).toMatchObject({ thread: [2, 0, 0], block: [6, 0, 0] });
    err = await sameError(varying, [1, 1, 9], [8, 1, 1], () => [new Float32Array(8), at(0, 0, 8, 7, 0, 0)()]);
    expect(err.detail).toMatchObject({ thread: [7, 0, 0], block: [0, 0, 8] });
  });

  it('a kernel with many checks makes one report call, before and after optimisation', async () => {
    // the option-pricing example's kernel: checkThread's test in every copy of the draw (the state words are marked inBounds)
    function europeanCall(states: Uint32Array, sums: Float32Array, paths: number, bad: number) {
      const i = cuda.grid(1);
      if (i >= sums.length) return;
      let sum = 0;
      for (let p = 0; p < paths; p++) sum += Math.max(100 * Math.exp(0.2 * random.normalF32(states, i)) - 105, 0);
      sums[i === bad ? sums.length : i] = sum;
    }
    const k = cuda.jit(europeanCall, { target: 'cpu', cache: false });
    const args = [random.createStates(4, 1), new Float32Array(4), 1, -1];
    const calls = (text: string) => text.split('\n').filter((l) => /\bcall\b.*@numbat_report_oob\(/.test(l)).length;
    // one per function of the kernel: its wide lane groups are split from the rest of a block's threads (kernel.ts)
    const functions = (text: string) => (text.match(/^define [^@]*@numbat_run_/gm) ?? []).length;
    const built = await k.inspect('llvm', ...args), opt = await k.inspect('opt', ...args);
    expect((built.match(/br label %oob\.report\b/g) ?? []).length).toBeGreaterThan(3);
    expect(functions(built)).toBeGreaterThanOrEqual(1);
    expect(calls(built)).toBe(functions(built));
    expect(calls(opt)).toBe(functions(opt));
    // the last check of the kernel, among many, reports its own array and line
    const err = await sameError(europeanCall, [3, 1, 1], 32, () => [random.createStates(96, 1), new Float32Array(96), 2, 75]);
    expect(err.detail).toMatchObject({ array: 'sums', index: 96, thread: [11, 0, 0], block: [2, 0, 0] });
  });
});
