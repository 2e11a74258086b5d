// The work-item-loop transform against the simulator: barriers inside loops
// with break/continue, uniform ifs, values and local arrays live across
// barriers, 2-D blocks, early returns (uniform: fine; partial: an error, as in
// the simulator), multi-worker launches.
import { describe, expect, it } from 'vitest';
import { cuda, f32, i32, LaunchError } from '@numbat/core';
import { CORPUS } from '@numbat/core/testsuite';

async function both<T extends unknown[]>(fn: (...a: any[]) => void, grid: any, block: any, make: () => T, sharedMem = 0): Promise<[T, T]> {
  const got = make(), want = make();
  await cuda.jit(fn, { target: 'cpu' }).configure(grid, block, { sharedMem })(...got);
  await cuda.jit(fn, { target: 'sim' }).configure(grid, block, { sharedMem })(...want);
  return [got, want];
}

const arr = (a: unknown) => Array.from(a as ArrayLike<number>);

describe('cpu barriers (work-item loops) match the simulator', () => {
  it('barrier loop with continue and break, values live across barriers', async () => {
    const [got, want] = await both(function k(out: Int32Array) {
      const sh = cuda.shared.array(64, i32);
      const t = cuda.threadIdx.x;
      let acc = 0;
      for (let r = 0; r < 10; r++) {
        if (r === 2) continue;
        if (r === 7) break;
        sh[t] = t * r + acc;
        cuda.syncthreads();
        acc += sh[63 - t];
        cuda.syncthreads();
      }
      out[cuda.grid(1)] = acc;
    }, 3, 64, () => [new Int32Array(192)]);
    expect(arr(got[0])).toEqual(arr(want[0]));
  });

  it('uniform if around barriers, with an else branch, and a while loop on a shared value', async () => {
    const [got, want] = await both(function k(a: Float32Array, out: Float32Array, flag: number) {
      const sh = cuda.shared.array(32, f32);
      const t = cuda.threadIdx.x;
      sh[t] = a[cuda.grid(1)];
      cuda.syncthreads();
      if (flag > 0) {
        const v = sh[(t + 1) % 32];
        cuda.syncthreads();
        sh[t] = v * 2;
        cuda.syncthreads();
      } else {
        sh[t] = -1;
        cuda.syncthreads();
      }
      let n = 0;
      while (sh[0] > 1 && n < 5) {
        cuda.syncthreads();
        if (t === 0) sh[0] = sh[0] / 2;
        n++;
        cuda.syncthreads();
      }
      out[cuda.grid(1)] = sh[t] + n;
    }, 4, 32, () => [new Float32Array(128).map((_, i) => i * 0.5), new Float32Array(128), 1]);
    expect(arr(got[1])).toEqual(arr(want[1]));
  });

  it('local arrays and 2-D blocks across barriers', async () => {
    const [got, want] = await both(function k(out: Int32Array) {
      const tile = cuda.shared.array([8, 8], i32);
      const mine = cuda.local.array(4, i32);
      const x = cuda.threadIdx.x, y = cuda.threadIdx.y;
      for (let j = 0; j < 4; j++) mine[j] = x * 10 + y + j;
      tile[y][x] = mine[3];
      cuda.syncthreads();
      let s = 0;
      for (let j = 0; j < 4; j++) s += mine[j];
      out[(cuda.blockIdx.x * 8 + y) * 8 + x] = s + tile[x][y];
    }, 2, [8, 8], () => [new Int32Array(128)]);
    expect(arr(got[0])).toEqual(arr(want[0]));
  });

  it('a block whose threads all return before a barrier is fine', async () => {
    const [got, want] = await both(function k(out: Int32Array) {
      const sh = cuda.shared.array(16, i32);
      if (cuda.blockIdx.x === 1) return;
      sh[cuda.threadIdx.x] = cuda.threadIdx.x;
      cuda.syncthreads();
      out[cuda.grid(1)] = sh[15 - cuda.threadIdx.x] + 1;
    }, 3, 16, () => [new Int32Array(48)]);
    expect(arr(got[0])).toEqual(arr(want[0]));
  });

  it('a varying return after the last barrier is fine', async () => {
    const [got, want] = await both(function k(out: Int32Array) {
      const sh = cuda.shared.array(16, i32);
      sh[cuda.threadIdx.x] = cuda.threadIdx.x * 3;
      cuda.syncthreads();
      if (cuda.threadIdx.x % 3 === 0) return;
      out[cuda.grid(1)] = sh[15 - cuda.threadIdx.x];
    }, 2, 16, () => [new Int32Array(32)]);
    expect(arr(got[0])).toEqual(arr(want[0]));
  });

  it('threads returning while others wait at a barrier: LaunchError, as in the simulator', async () => {
    const k = cuda.jit(function exitEarly(a: Float32Array) {
      const s = cuda.shared.array(32, f32);
      const t = cuda.threadIdx.x;
      if (t >= 16) return;
      s[t] = t;
      cuda.syncthreads();
      a[t] = s[15 - t];
    }, { target: 'cpu' });
    const err = await k.configure(1, 32)(new Float32Array(32)).catch((e) => e);
    expect(err).toBeInstanceOf(LaunchError);
    expect(err.message).toMatch(/thread \(16, 0, 0\) exited while thread \(0, 0, 0\) waits at cuda\.syncthreads\(\) \(line \d+\)/);
  });

  it('many blocks over all workers (async path) give the same answer', async () => {
    const [got, want] = await both(function k(a: Float32Array, out: Float32Array) {
      const sh = cuda.shared.array(128, f32);
      const t = cuda.threadIdx.x;
      const i = cuda.grid(1);
      sh[t] = i < a.length ? a[i] : 0;
      cuda.syncthreads();
      for (let s = cuda.blockDim.x >> 1; s > 0; s >>= 1) {
        if (t < s) sh[t] += sh[t + s];
        cuda.syncthreads();
      }
      if (t === 0) out[cuda.blockIdx.x] = sh[0];
    }, 200, 128, () => [new Float32Array(25000).map((_, i) => (i % 17) - 8), new Float32Array(200)]);
    expect(arr(got[1])).toEqual(arr(want[1]));
  });
  it('thread-range regions (t < s, s > t, t <= s, t === s; s out of range; blockDim not a multiple of the lane width)', async () => {
    const [got, want] = await both(function k(out: Int32Array, lim: number) {
      const sh = cuda.shared.array(100, i32);
      const t = cuda.threadIdx.x;
      sh[t] = t + 1;
      cuda.syncthreads();
      for (let s = lim; s > -3; s -= 37) {
        if (t < s) sh[t] += sh[(t + s) % 100];
        cuda.syncthreads();
        if (s > cuda.threadIdx.x) { sh[t] -= 1; out[cuda.grid(1)] += 1; }
        cuda.syncthreads();
        if (t <= s - 50) sh[t] *= 3;
        cuda.syncthreads();
        if (t === s) out[cuda.grid(1)] += sh[t];
        cuda.syncthreads();
      }
      out[cuda.grid(1)] += sh[t];
    }, 3, 100, () => [new Int32Array(300), 140]);
    expect(arr(got[0])).toEqual(arr(want[0]));
  });

  it('temporaries in if arms inside a barrier loop; a threadIdx.x alias in every region', async () => {
    const [got, want] = await both(function k(out: Int32Array) {
      const sh = cuda.shared.array(40, i32);
      const t = cuda.threadIdx.x;
      let carried = 7; // assigned in one arm only, read after the if: keeps its value across iterations
      for (let r = 0; r < 4; r++) {
        let both = 0;
        if ((t + r) % 3 === 0) { both = t * 2; carried = r + t; } else { both = -t; }
        sh[t] = both + carried;
        cuda.syncthreads();
        if (t < 20) { let tmp = 0; tmp = sh[t + 20]; sh[t] += tmp; }
        cuda.syncthreads();
      }
      out[cuda.grid(1)] = sh[t] * 100 + carried + t;
    }, 2, 40, () => [new Int32Array(80)]);
    expect(arr(got[0])).toEqual(arr(want[0]));
  });
});

describe('cpu: loop-free regions between barriers run as lane groups', () => {
  // The seed's reduction (the corpus' case): one element per thread, then a tree. Its regions have
  // no loop; as thread loops their bounds checks' early exit kept them scalar (thread-loops.ts jamWorthIt).
  const seedTree = CORPUS.find((c) => c.name === 'reduction_tree_one_element_per_thread')!.kernel;

  it('`sh[t] += sh[t + s]` is a vector store per group (its index a temporary set from threadIdx.x: lane-linear), not lane by lane', async () => {
    const opt = await cuda.jit(seedTree, { target: 'cpu', cache: false }).inspect('opt', new Float32Array(4), new Float32Array(4));
    expect(opt.match(/store <\d+ x float>/g)?.length ?? 0).toBeGreaterThanOrEqual(2); // the first region's and the tree's
    expect(opt).not.toMatch(/extractelement <\d+ x float>/); // (the tree's sums were stored one lane at a time)
  });

  it('gives the simulator\'s partial sums at full and partial groups', async () => {
    for (const [grid, block, n] of [[5, 128, 600], [3, 64, 150], [4, 16, 60]] as const) {
      const [got, want] = await both(seedTree, grid, block, () => [new Float32Array(n).map((_, i) => ((i * 7) % 13) * 0.25 - 1.5), new Float32Array(grid)] as const);
      expect(arr(got[1])).toEqual(arr(want[1]));
      expect(arr(got[1]).some((v) => v !== 0)).toBe(true);
    }
  });
});

describe('cpu: a lane group handing its threads over reruns the region: values that live across barriers are not updated twice', () => {
  // A lane group whose lane takes a rare arm (the f64 sin's huge-argument reduction), or leaves a
  // block-level loop early, hands its threads to the thread-by-thread code, which reruns the
  // region from its start: `acc += 1` before that point, with acc kept per thread across barriers,
  // ran twice (lane-budget.ts rareHandOvers, lane-stmts.ts region).
  const x = new Float64Array(64).map((_, i) => (i % 5 === 3 ? 1e300 * (i + 1) : i * 0.1));

  it('before a rare arm', async () => {
    const [got, want] = await both(function rareRerun(x: Float64Array, out: Float64Array) {
      const t = cuda.threadIdx.x;
      let acc = t * 10;
      cuda.syncthreads();
      acc += 1;
      const s = Math.sin(x[t]);
      out[t] = acc + s;
      cuda.syncthreads();
      out[t] += acc;
    }, 1, 64, () => [x, new Float64Array(64)] as const);
    expect(arr(got[1])).toEqual(arr(want[1]));
  });

  it('before a rare arm, in a region with a loop', async () => {
    const [got, want] = await both(function rareRerunLoop(x: Float64Array, out: Float64Array, k: number) {
      const t = cuda.threadIdx.x;
      let acc = t * 10;
      cuda.syncthreads();
      for (let j = 0; j < k; j++) acc += 1;
      const s = Math.sin(x[t]);
      out[t] = acc + s;
      cuda.syncthreads();
      out[t] += acc;
    }, 1, 64, () => [x, new Float64Array(64), 3] as const);
    expect(arr(got[1])).toEqual(arr(want[1]));
  });

  it('before a rare arm: a lane-uniform value (stored to every thread\'s slot as it is assigned)', async () => {
    const [got, want] = await both(function rareRerunUniform(x: Float64Array, out: Float64Array) {
      const t = cuda.threadIdx.x;
      let c = x[0] > 1 ? 1 : 2;
      cuda.syncthreads();
      c += 1;
      const s = Math.sin(x[t]);
      out[t] = c + s;
      cuda.syncthreads();
      out[t] += c;
    }, 1, 64, () => [x, new Float64Array(64)] as const);
    expect(arr(got[1])).toEqual(arr(want[1]));
  });

  it('before a continue of a barrier loop', async () => {
    const [got, want] = await both(function guardRerun(out: Int32Array) {
      const sh = cuda.shared.array(64, i32);
      const t = cuda.threadIdx.x;
      let acc = t;
      for (let r = 0; r < 4; r++) {
        acc += 1;
        if (r === 2) continue;
        sh[t] = acc;
        cuda.syncthreads();
        acc += sh[63 - t];
        cuda.syncthreads();
      }
      out[t] = acc;
    }, 1, 64, () => [new Int32Array(64)] as const);
    expect(arr(got[0])).toEqual(arr(want[0]));
  });
});

describe('cpu: values kept per thread across barriers live in the lane group\'s registers while it runs', () => {
  // A tiled matrix product: `tmp` lives across the barriers, so each thread has a slot; a lane
  // group loads its threads' slots at its start and stores them at its end (lane-group.ts kept
  // locals), not every trip of the inner loop (it ran 7.5 GFLOP/s, half the untiled kernel's).
  function tiled(A: Float32Array, B: Float32Array, C: Float32Array, n: number, tile: number) {
    const sA = cuda.shared.array(256, f32), sB = cuda.shared.array(256, f32);
    const tx = cuda.threadIdx.x, ty = cuda.threadIdx.y;
    const x = cuda.blockIdx.x * tile + tx, y = cuda.blockIdx.y * tile + ty;
    let tmp = 0;
    for (let t = 0; t < n / tile; t++) {
      sA[ty * tile + tx] = y < n && t * tile + tx < n ? A[y * n + t * tile + tx] : 0;
      sB[ty * tile + tx] = x < n && t * tile + ty < n ? B[(t * tile + ty) * n + x] : 0;
      cuda.syncthreads();
      for (let j = 0; j < tile; j++) tmp += sA[ty * tile + j] * sB[j * tile + tx];
      cuda.syncthreads();
    }
    if (x < n && y < n) C[y * n + x] = tmp;
  }

  it('a tiled matrix product matches the simulator (whole groups, and rows of 12 and 5 threads)', async () => {
    for (const [n, tile] of [[48, 16], [30, 12], [17, 5]] as const) {
      const grid = Math.ceil(n / tile);
      const [got, want] = await both(tiled, [grid, grid], [tile, tile], () => [
        new Float32Array(n * n).map((_, i) => (i % 7) * 0.5 - 1), new Float32Array(n * n).map((_, i) => (i % 5) * 0.25), new Float32Array(n * n), n, tile] as const);
      expect(arr(got[2])).toEqual(arr(want[2]));
    }
    const text = await cuda.jit(tiled, { target: 'cpu', cache: false }).inspect('llvm', new Float32Array(4), new Float32Array(4), new Float32Array(4), 2, 16);
    expect(text).toMatch(/%"?tmp\.\d+\.kept"? = alloca </);
  });

  it('a group whose lanes leave a loop at different trips finishes thread by thread from the kept values', async () => {
    const [got, want] = await both(function keptFinish(a: Float32Array, out: Float32Array) {
      const t = cuda.threadIdx.x;
      let acc = t * 0.5;
      cuda.syncthreads();
      for (let i = t; i < a.length; i += 7 + (t % 3)) acc += a[i];
      cuda.syncthreads();
      out[cuda.grid(1)] = acc;
    }, 3, 40, () => [new Float32Array(300).map((_, i) => (i % 11) - 5), new Float32Array(120)] as const);
    expect(arr(got[1])).toEqual(arr(want[1]));
  });
});
