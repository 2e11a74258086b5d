// Lockstep lane groups (codegen/lanes.ts) against the simulator: regions with
// loops run W threads at once with masks, so every kind of divergence is
// exercised here — varying loop trip counts, break/continue/return under
// varying conditions, lazy && guards, atomics in loops, block sizes that are
// not a multiple of W, 2-D blocks, and bounds errors inside lane groups.
import { describe, expect, it } from 'vitest';
import { cuda, f32, i32, LaunchError, random } from '@numbat/core';

async function same(fn: (...a: any[]) => void, grid: any, block: any, make: () => unknown[], outputs: number[]): Promise<void> {
  const got = make(), want = make();
  await cuda.jit(fn, { target: 'cpu' }).configure(grid, block)(...got);
  await cuda.jit(fn, { target: 'sim' }).configure(grid, block)(...want);
  for (const o of outputs) expect(Array.from(got[o] as ArrayLike<number>), `output ${o}`).toEqual(Array.from(want[o] as ArrayLike<number>));
}

describe('cpu lane groups match the simulator', () => {
  it('varying trip counts, continue and break under varying conditions', async () => {
    await same(function k(out: Int32Array, n: number) {
      const i = cuda.grid(1);
      if (i >= n) return;
      let acc = 0;
      for (let j = 0; j < i % 13; j++) {
        if ((j + i) % 3 === 0) continue;
        if (acc > 40 + (i % 7)) break;
        acc += j * 2 + 1;
      }
      let w = i;
      while (w > 1) w = w % 2 === 0 ? w / 2 : 3 * w + 1;
      out[i] = acc * 1000 + w;
    }, 3, 45, () => [new Int32Array(135), 130], [0]);
  });

  it('returns inside loops, lazy guards, nested loops, 2-D blocks', async () => {
    await same(function k(a: Float32Array, out: Float32Array, w: number) {
      const x = cuda.threadIdx.x, y = cuda.threadIdx.y;
      const row = cuda.blockIdx.x * cuda.blockDim.y + y;
      let s = 0;
      for (let r = 0; r < 4; r++) {
        for (let c = 0; c <= x; c++) {
          const m = row * w + c - r;
          if (m >= 0 && a[m] > 0.5) s += a[m];
        }
        if (s > 20 + x) {
          out[row * w + x] = -s;
          return;
        }
      }
      out[row * w + x] = s;
    }, 2, [11, 3], () => [new Float32Array(66).map((_, i) => ((i * 7) % 10) / 5), new Float32Array(66), 11], [1]);
  });

  it('atomics inside a lane group skip inactive lanes; the order between threads is a GPU\'s (lockstep)', async () => {
    const fn = function k(counter: Int32Array, order: Int32Array, hist: Int32Array) {
      const i = cuda.grid(1);
      for (let r = 0; r < 3; r++) {
        if ((i + r) % 4 === 0) continue;
        const slot = cuda.atomic.add(counter, 0, 1);
        if (slot < order.length) order[slot] = i * 10 + r;
        cuda.atomic.max(hist, i % 5, r * 100 + i);
      }
    };
    // Which thread gets which slot is unspecified (threads interleave); the set of slots is not.
    const make = () => [new Int32Array(1), new Int32Array(200), new Int32Array(5)] as const;
    const got = make(), want = make();
    await cuda.jit(fn, { target: 'cpu' }).configure(2, 20)(...got);
    await cuda.jit(fn, { target: 'sim' }).configure(2, 20)(...want);
    expect(got[0][0]).toBe(want[0][0]);
    expect(Array.from(got[1]).sort((a, b) => a - b)).toEqual(Array.from(want[1]).sort((a, b) => a - b));
    expect(Array.from(got[2])).toEqual(Array.from(want[2]));
  });

  it('a wide lane group runs its atomics as one loop over the active lanes, in thread order', async () => {
    const fn = function k(states: Uint32Array, counter: Int32Array, slots: Int32Array, hist: Float32Array, lin: Int32Array, old: Int32Array) {
      const i = cuda.grid(1);
      let s = 0;
      for (let d = 0; d < 4; d++) s += random.uniformF32(states, i); // Philox rounds in a loop: the widest groups
      if (i % 2 === 1) return;
      slots[i] = cuda.atomic.add(counter, 0, 1); // one index for the group
      cuda.atomic.add(hist, i % 5, s); // per-lane indices and values
      old[i] = cuda.atomic.max(lin, i, i * 3); // consecutive indices; the old value (2i)
    };
    const n = 96, make = () => [random.createStates(n, 5), new Int32Array(1), new Int32Array(n), new Float32Array(5), Int32Array.from({ length: n }, (_, i) => 2 * i), new Int32Array(n)] as const;
    const k = cuda.jit(fn, { target: 'cpu' }), got = make(), want = make();
    await k.configure(1, n)(...got);
    await cuda.jit(fn, { target: 'sim' }).configure(1, n)(...want);
    // One block, one call: groups in order, lanes in thread order, so thread 2k takes slot k.
    expect(Array.from(got[2])).toEqual(Array.from({ length: n }, (_, i) => (i % 2 ? 0 : i / 2)));
    expect(Array.from(got[4])).toEqual(Array.from({ length: n }, (_, i) => (i % 2 ? 2 * i : 3 * i)));
    expect(Array.from(got[5])).toEqual(Array.from({ length: n }, (_, i) => (i % 2 ? 0 : 2 * i)));
    got[3].forEach((v, b) => expect(v).toBeCloseTo(want[3][b], 3));
    // Each function's code holds each of the three atomics a few times (the group's copies), not
    // once per lane: 7 in the entry point here with AVX-512's 64 lanes (32 since), where it held 385.
    const opt = await k.inspect('opt', ...make());
    for (const f of opt.split(/\n(?=define )/).filter((x) => x.startsWith('define'))) {
      expect((f.match(/atomicrmw/g) ?? []).length, f.slice(0, 80)).toBeLessThanOrEqual(12);
    }
  });

  it('shared memory and barriers around regions with loops', async () => {
    await same(function k(a: Float32Array, out: Float32Array) {
      const sh = cuda.shared.array(64, f32);
      const t = cuda.threadIdx.x;
      let s = 0;
      for (let i = cuda.grid(1); i < a.length; i += cuda.gridsize(1)) s += a[i];
      sh[t] = s;
      cuda.syncthreads();
      for (let k = cuda.blockDim.x >> 1; k > 0; k >>= 1) {
        if (t < k) sh[t] += sh[t + k];
        cuda.syncthreads();
      }
      if (t === 0) out[cuda.blockIdx.x] = sh[0];
    }, 5, 60, () => [new Float32Array(3001).map((_, i) => (i % 11) - 5), new Float32Array(5)], [1]);
  });

  it('integer work in loops: wrapping, division guards, conversions', async () => {
    await same(function k(out: Int32Array, seeds: Uint32Array) {
      const i = cuda.grid(1);
      let h = seeds[i];
      let q = 0;
      for (let r = 0; r < 6 + (i & 3); r++) {
        h = (Math.imul(h ^ (h >>> 15), 2246822507) + r) >>> 0;
        q += ((h | 0) % (r - 2)) + Math.floor((h & 255) / ((i & 7) - 3));
        q = (q + Math.trunc(Math.sqrt(h) * 0.5)) | 0;
      }
      out[i] = q;
    }, 2, 24, () => [new Int32Array(48), new Uint32Array(48).map((_, i) => (i * 2654435761) >>> 0)], [0]);
  });

  it('per-lane indices that happen to be consecutive load as one vector, the others gather, with the same values', async () => {
    // `pos` is per lane (data-dependent): equal in some groups (consecutive elements, the
    // Philox draws' case), different in others, and changing between trips of the loop.
    const text = await cuda.jit(perLane, { target: 'cpu' }).inspect('llvm', ...make());
    expect(text).toMatch(/^lanes\.consecutive\d*:/m);
    await same(perLane, 4, 64, make, [2]);
    function perLane(pos: Int32Array, words: Int32Array, out: Int32Array) {
      const i = cuda.grid(1);
      if (i >= out.length) return;
      let s = 0;
      for (let k = 0; k < 6; k++) {
        const p = (pos[i] + k) & 3;
        s = (Math.imul(s, 31) + words[p * 256 + i]) | 0;
      }
      out[i] = s;
    }
    function make() {
      // blocks 0-1: one position per group of 16 threads; blocks 2-3: a different one per thread
      const pos = new Int32Array(256).map((_, i) => (i < 128 ? (i >> 4) & 3 : (i * 7) % 4));
      return [pos, new Int32Array(1024).map((_, j) => (j * 2654435761) | 0), new Int32Array(256)];
    }
  });

  it('consecutive elements under a mask: masked vector loads and stores, lanes outside the mask untouched, indices below 0 or wrapping', async () => {
    // Under the varying `if`s, a[i - 1] / out[i + 1] are lane-linear: one llvm.masked.load/store
    // for i32 indices of 4- and 8-byte elements. Lane 0 of the first group has index -1 (masked
    // off); the u32 index (i - 1) >>> 0 wraps across that group's lanes and u8 elements keep
    // the per-lane form: all must give the simulator's values and leave other elements alone.
    function stencil(a: Float32Array, d: Float64Array, bytes: Uint8Array, out: Float32Array, outD: Float64Array, outB: Uint8Array, n: number) {
      const i = cuda.grid(1);
      for (let r = 0; r < 2; r++) {
        if (i > 0 && i < n) out[i] += a[i - 1] + r;
        if (i % 3 !== 0 && i + 1 < n) outD[i + 1] = d[i] * 2 + d[(i - 1) >>> 0];
        if (i % 5 === 1) outB[i - 1] = bytes[i] + 1;
      }
    }
    const make = () => [
      new Float32Array(100).map((_, j) => j * 0.5 - 7), new Float64Array(100).map((_, j) => j / 3 + 1), new Uint8Array(100).map((_, j) => (j * 37) & 255),
      new Float32Array(100).fill(-1), new Float64Array(100).fill(-2), new Uint8Array(100).fill(9), 97,
    ];
    const text = await cuda.jit(stencil, { target: 'cpu' }).inspect('llvm', ...make());
    expect(text).toMatch(/call <\d+ x float> @llvm\.masked\.load\.v\d+f32[^\n]*<\d+ x i1> %/);
    expect(text).toMatch(/call void @llvm\.masked\.store\.v\d+f64[^\n]*<\d+ x i1> %/);
    await same(stencil, 2, 50, make, [3, 4, 5]);
    await same(stencil, 3, 21, make, [3, 4, 5]);
  });

  it('an out-of-bounds access inside a lane group reports that lane', async () => {
    const k = cuda.jit(function oob(a: Int32Array) {
      const i = cuda.grid(1);
      for (let r = 0; r < 2; r++) a[i + r * 19] = r;
    }, { target: 'cpu' });
    const err = await k.configure(1, 16)(new Int32Array(20)).catch((e) => e);
    expect(err).toBeInstanceOf(LaunchError);
    expect(err.message).toMatch(/index 20 out of bounds for array 'a' of length 20 .*thread \(1, 0, 0\)/);
  });

  it('out-of-bounds lane-linear loads in a streaming loop (wide groups) report the first failing thread', async () => {
    const k = cuda.jit(function oobStream(a: Float32Array, out: Float32Array, shift: number) {
      let s = 0;
      for (let i = cuda.grid(1); i < out.length; i += cuda.gridsize(1)) s += a[i - shift];
      out[cuda.grid(1)] = s;
    }, { target: 'cpu' });
    const past = await k.configure(1, 32)(new Float32Array(29), new Float32Array(32), 0).catch((e) => e);
    expect(past).toBeInstanceOf(LaunchError);
    expect(past.message).toMatch(/index 29 out of bounds for array 'a' of length 29 .*thread \(29, 0, 0\)/);
    const below = await k.configure(1, 32)(new Float32Array(64), new Float32Array(32), 3).catch((e) => e);
    expect(below.message).toMatch(/index -3 out of bounds for array 'a' of length 64 .*thread \(0, 0, 0\)/);
  });

  it('a partial last group (blockDim.x not a multiple of the lane width) touches no extra thread', async () => {
    const k = cuda.jit(function edge(a: Int32Array) {
      const t = cuda.threadIdx.x;
      for (let r = 0; r < 2; r++) a[t] += r + 1;
    }, { target: 'cpu' });
    const a = new Int32Array(5);
    await k.configure(1, 5)(a); // a[5] would be out of bounds if lanes 5..7 ran
    expect(Array.from(a)).toEqual([3, 3, 3, 3, 3]);
  });

  it('a group some of whose lanes fail the guard and the block\'s tail run one shared copy of the scalar code, each thread once', async () => {
    function guarded(out: Int32Array, n: number) {
      const i = cuda.grid(1);
      if (i >= n) return;
      let s = 0;
      for (let r = 0; r <= i % 5; r++) s += r + i;
      out[i] += s + 1; // a thread run twice would add twice
    }
    // blocks of 21 threads: groups [0, 8) and [8, 16) (8 lanes; with 4, more groups), tail [16, 21);
    // n = 33 cuts block 1's group [8, 16) (threads 29..36) through the middle
    await same(guarded, 2, 21, () => [new Int32Array(42), 33], [0]);
    await same(guarded, 3, 21, () => [new Int32Array(63), 60], [0]);
    const text = await cuda.jit(guarded, { target: 'cpu' }).inspect('llvm', new Int32Array(4), 4);
    expect(text.match(/^thread\.next\d*:/gm)?.length, 'copies of the scalar region').toBe(1);
  });

  it('lane-linear loops (grid-stride, u32 indices, ragged lengths) read and write consecutive elements correctly', async () => {
    await same(function k(a: Float32Array, out: Float32Array, lo: number) {
      let s = 0;
      for (let i = cuda.grid(1); i < a.length; i += cuda.gridsize(1)) s += a[i] * (i % 3);
      for (let j = cuda.grid(1) + lo; j < out.length; j += cuda.gridsize(1)) out[j >>> 0] = s + j;
    }, 3, 24, () => [new Float32Array(1001).map((_, i) => (i % 13) - 6), new Float32Array(333), 5], [1]);
  });

  it('streaming loops (wide lane groups): grid-stride sums of f32, u8 and i16 elements, ragged ends, shared-memory tree', async () => {
    for (const [grid, block] of [[3, 40], [2, 48], [5, 16]]) {
      await same(function k(a: Float32Array, b: Uint8Array, c: Int16Array, out: Float32Array, per: Float32Array) {
        const sh = cuda.shared.array(64, f32);
        const t = cuda.threadIdx.x;
        let s = 0;
        for (let i = cuda.grid(1); i < a.length; i += cuda.gridsize(1)) s += a[i] + (b[i % b.length] >> 1);
        let q = 0;
        for (let i = cuda.grid(1) + 3; i < c.length; i += cuda.gridsize(1)) { if (c[i] > 0) q += c[i]; else continue; }
        sh[t] = s + q;
        per[cuda.grid(1)] = s - q;
        cuda.syncthreads();
        if (t === 0) {
          let total = 0;
          for (let j = 0; j < cuda.blockDim.x; j++) total += sh[j];
          out[cuda.blockIdx.x] = total;
        }
      }, grid, block, () => [
        new Float32Array(1237).map((_, i) => (i % 11) * 0.25 - 1),
        new Uint8Array(301).map((_, i) => (i * 7) & 255),
        new Int16Array(777).map((_, i) => ((i * 37) % 200) - 100),
        new Float32Array(5),
        new Float32Array(grid * block),
      ], [3, 4]);
    }
  });

  it('values kept across barriers by lane groups', async () => {
    await same(function k(out: Int32Array) {
      const sh = cuda.shared.array(32, i32);
      const t = cuda.threadIdx.x;
      let acc = 0;
      for (let j = 0; j <= t % 5; j++) acc += j + t;
      sh[t] = acc;
      cuda.syncthreads();
      let more = 0;
      for (let j = 0; j < 3; j++) more += sh[(t + j) % 32];
      out[cuda.grid(1)] = acc * 100 + more;
    }, 2, 32, () => [new Int32Array(64)], [0]);
  });

  it('an out-of-bounds access under a varying branch names the first failing thread, as on the simulator', async () => {
    // Only some lanes of a group take the branch; with a uniform index every
    // one of them fails, and the report must name the first of those, not lane 0.
    const kernels: ((a: Int32Array, o: Int32Array) => void)[] = [
      function uniformStore(a: Int32Array, o: Int32Array) { const i = cuda.grid(1); if (a[i] < 0) o[1000] = 1; },
      function uniformLoad(a: Int32Array, o: Int32Array) { const i = cuda.grid(1); if (a[i] < 0) a[i] = o[1000]; },
      function uniformCondLoad(a: Int32Array, o: Int32Array) { const i = cuda.grid(1); if (a[i] < 0) { if (o[1000] > 0) a[i] = 2; } },
      function uniformInElse(a: Int32Array, o: Int32Array) { const i = cuda.grid(1); if (a[i] >= 0) a[i] = 1; else o[1000] = 1; },
      function varyingIndex(a: Int32Array, o: Int32Array) { const i = cuda.grid(1); if (a[i] < 0) o[i] = 1; },
      function uniformInLoop(a: Int32Array, o: Int32Array) {
        const i = cuda.grid(1);
        for (let j = 0; j < 3; j++) { if (a[i] >= 0) break; a[i] += o[j * 1000]; }
      },
      function uniformInVaryingLoop(a: Int32Array, o: Int32Array) {
        const i = cuda.grid(1);
        for (let j = 0; j < (a[i] < 0 ? 2 : 1); j++) if (j > 0) o[1000] = j;
      },
    ];
    const failing = [[137], [136, 150], [143], [5, 200]]; // mid-group, first of a group, last of a group, two blocks
    for (const fn of kernels) {
      for (const neg of failing) {
        const report = async (target: 'cpu' | 'sim'): Promise<string> => {
          const a = new Int32Array(256);
          for (const t of neg) a[t] = -1;
          const err = await cuda.jit(fn, { target }).configure(2, 128)(a, new Int32Array(16)).catch((x) => x);
          expect(err, `${fn.name} on ${target}`).toBeInstanceOf(LaunchError);
          return err.message;
        };
        const want = await report('sim');
        expect(want).toMatch(/thread \(\d+, 0, 0\) of block/);
        expect(await report('cpu'), `${fn.name}, threads ${neg} fail`).toBe(want);
      }
    }
  });
});
