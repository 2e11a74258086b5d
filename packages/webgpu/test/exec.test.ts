// Execution on the WebGPU adapter (llvmpipe in CI) against the simulator:
// integer semantics, conversions, atomics, 8/16-bit arrays, big grids, lazy
// evaluation, aliasing, device arrays, uniform broadcasts.

import { describe, expect, it } from 'vitest';
import { cuda, f32, i32 } from '@numbat/core';
import { adapterInfo } from '@numbat/webgpu';
import { avail, both, f32Mismatches, onGpu } from './helpers.js';

const INTS = [0, 1, -1, 2, -2, 3, -7, 7, 31, 32, 33, -32, 100, -100, 2147483647, -2147483648, 65536, -65537, 123456789, -987654321];

describe.skipIf(!avail.ok)(onGpu('integer semantics'), () => {
  it('division, remainder, shifts, wrapping, Math.imul/clz32/abs/sign/min/max', async () => {
    const ints = function ints(a: Int32Array, b: Int32Array, out: Int32Array, outu: Uint32Array) {
      const i = cuda.grid(1);
      if (i >= a.length) return;
      const x = a[i], y = b[i];
      let k = i * 16;
      out[k++] = (x / y) | 0; out[k++] = Math.floor(x / y); out[k++] = x % y; out[k++] = Math.trunc(x / y);
      out[k++] = x << y; out[k++] = x >> y; out[k++] = x + y; out[k++] = x * y;
      out[k++] = Math.imul(x, y); out[k++] = Math.clz32(x); out[k++] = Math.abs(x); out[k++] = Math.sign(x);
      out[k++] = Math.min(x, y); out[k++] = Math.max(x, y); out[k++] = x - y; out[k++] = ~x ^ (x & y) | -x;
      const ux = x >>> 0, uy = y >>> 0;
      let m = i * 4;
      outu[m++] = ux >>> y; outu[m++] = (ux + uy) >>> 0; outu[m++] = Math.floor(ux / uy) >>> 0; outu[m++] = (ux % uy) >>> 0;
    };
    const as: number[] = [], bs: number[] = [];
    for (const a of INTS) for (const b of INTS) { as.push(a); bs.push(b); }
    const n = as.length;
    const { gpu, sim } = await both(ints, Math.ceil(n / 64), 64, () => [Int32Array.from(as), Int32Array.from(bs), new Int32Array(n * 16), new Uint32Array(n * 4)]);
    expect(Array.from(gpu[2] as Int32Array)).toEqual(Array.from(sim[2] as Int32Array));
    expect(Array.from(gpu[3] as Uint32Array)).toEqual(Array.from(sim[3] as Uint32Array));
  });

  it('float → int conversions are ToInt32 / ToUint32 (NaN → 0, wrap mod 2^32)', async () => {
    const conv = function conv(f: Float32Array, out: Int32Array, outu: Uint32Array, back: Float32Array) {
      const i = cuda.grid(1);
      if (i >= f.length) return;
      out[i] = f[i] | 0;
      outu[i] = f[i] >>> 0;
      back[i] = (f[i] | 0) + ((f[i] >>> 0) * 0.5) + (f[i] ? 1 : 0);
    };
    const vals = [NaN, Infinity, -Infinity, 0, -0, 0.7, -0.7, 1.5, -1.5, 2147483648, -2147483904, 4294967296, 3e9, -3e9, 1e10, -1e10, 1e20, 6e9, 16777217, -123.9];
    const { gpu, sim } = await both(conv, 1, 32, () => [Float32Array.from(vals), new Int32Array(vals.length), new Uint32Array(vals.length), new Float32Array(vals.length)]);
    expect(Array.from(gpu[1] as Int32Array)).toEqual(Array.from(sim[1] as Int32Array));
    expect(Array.from(gpu[2] as Uint32Array)).toEqual(Array.from(sim[2] as Uint32Array));
    expect(f32Mismatches(gpu[3] as Float32Array, sim[3] as Float32Array, 0)).toEqual([]);
  });

  it('8/16-bit arrays: packed loads, wrapping stores, odd lengths, neighbours written concurrently', async () => {
    const narrow = function narrow(a8: Int8Array, u8: Uint8Array, a16: Int16Array, u16: Uint16Array, src: Int32Array) {
      const i = cuda.grid(1);
      if (i >= a8.length) return;
      const v = src[i];
      a8[i] = a8[i] + v; u8[i] = u8[i] * 3 + v; a16[i] = v * 300 - a16[i]; u16[i] = u16[i] - v * 1000;
    };
    const n = 37;
    const src = () => Int32Array.from({ length: n }, (_, i) => i * 11 - 150);
    const { gpu, sim } = await both(narrow, 2, 32, () => [
      Int8Array.from({ length: n }, (_, i) => i * 7 - 100), Uint8Array.from({ length: n }, (_, i) => i * 13), Int16Array.from({ length: n }, (_, i) => i * 999 - 20000),
      Uint16Array.from({ length: n }, (_, i) => i * 1777), src(),
    ]);
    for (let k = 0; k < 4; k++) expect(Array.from(gpu[k] as Int8Array), `array ${k}`).toEqual(Array.from(sim[k] as Int8Array));
  });

  it('8/16-bit shared and local arrays wrap on store', async () => {
    const small = function small(out: Int32Array) {
      const s = cuda.shared.array(64, 'u8' as any);
      const l = cuda.local.array(4, 'i16' as any);
      const t = cuda.threadIdx.x;
      s[t] = t * 9;
      l[t % 4] = t * 5000;
      cuda.syncthreads();
      out[t] = s[63 - t] + l[t % 4];
    };
    const { gpu, sim } = await both(small, 1, 64, () => [new Int32Array(64)]);
    expect(Array.from(gpu[0] as Int32Array)).toEqual(Array.from(sim[0] as Int32Array));
  });
});

describe.skipIf(!avail.ok)(onGpu('atomics'), () => {
  it('f32 add/sub/min/max/exch/cas through compare-exchange loops, with contention', async () => {
    const fat = function fat(acc: Float32Array, olds: Float32Array) {
      const i = cuda.grid(1);
      cuda.atomic.add(acc, 0, 0.5);
      cuda.atomic.sub(acc, 1, 0.25);
      cuda.atomic.max(acc, 2, i * 0.5 - 100);
      cuda.atomic.min(acc, 3, 100 - i * 0.5);
      olds[i] = cuda.atomic.exch(acc, 4, i);
      // every thread adds exactly 1 through cas
      let old = acc[5];
      while (true) {
        const seen = cuda.atomic.cas(acc, 5, old, old + 1);
        if (seen === old) break;
        old = seen;
      }
    };
    const threads = 4 * 128;
    const gpu = [new Float32Array(6), new Float32Array(threads)];
    gpu[0][2] = -1e9; gpu[0][3] = 1e9;
    await cuda.jit(fat, { target: 'webgpu' }).configure(4, 128)(...gpu);
    expect(Array.from(gpu[0].slice(0, 4))).toEqual([threads * 0.5, -threads * 0.25, (threads - 1) * 0.5 - 100, 100 - (threads - 1) * 0.5]);
    expect(gpu[0][5]).toBe(threads);
    // exch: the olds plus the final value are a permutation of 0 (initial) and 0..threads-1
    const seen = [...Array.from(gpu[1]), gpu[0][4]].sort((a, b) => a - b);
    expect(seen).toEqual([0, ...Array.from({ length: threads }, (_, i) => i)]);
  });

  it('an atomic in a ?: arm runs only when chosen; && guards a load', async () => {
    const lazy = function lazy(c: Int32Array, v: Float32Array, out: Int32Array) {
      const i = cuda.grid(1);
      const m = i - 1;
      out[i] = i % 3 === 0 ? cuda.atomic.add(c, 0, 1) * 0 + 1 : 0;
      if (m >= 0 && v[m] > 2) out[i] += 10;
    };
    const { gpu, sim } = await both(lazy, 1, 64, () => [new Int32Array(1), Float32Array.from({ length: 64 }, (_, i) => i % 5), new Int32Array(64)]);
    expect((gpu[0] as Int32Array)[0]).toBe(22);
    expect(Array.from(gpu[2] as Int32Array)).toEqual(Array.from(sim[2] as Int32Array));
  });
});

describe.skipIf(!avail.ok)(onGpu('launch shapes and memory'), () => {
  it('adapterInfo() names the adapter, its backend and compute limits', async () => {
    const info = await adapterInfo();
    expect(info.name.length).toBeGreaterThan(0);
    expect(['default', 'opengles', 'browser']).toContain(info.backend);
    expect(info.limits.maxComputeInvocationsPerWorkgroup).toBeGreaterThanOrEqual(128);
    expect(info.limits.maxStorageBuffersPerShaderStage).toBeGreaterThanOrEqual(4);
  });

  it('grids over 65535 blocks are folded into a 2-D dispatch, invisibly', async () => {
    const visit = function visit(hits: Int32Array, bx: Int32Array) {
      const b = cuda.blockIdx.x + cuda.blockIdx.y * cuda.gridDim.x;
      if (cuda.threadIdx.x === 0) { cuda.atomic.add(hits, b, 1); bx[b] = cuda.blockIdx.x * 10 + cuda.blockIdx.y; }
    };
    const grid: [number, number] = [70001, 2];
    const n = grid[0] * grid[1];
    const hits = new Int32Array(n), bx = new Int32Array(n);
    await cuda.jit(visit, { target: 'webgpu' }).configure(grid, 2)(hits, bx);
    expect(hits.every((h) => h === 1)).toBe(true);
    expect(bx[70000]).toBe(700000);
    expect(bx[70001 + 5]).toBe(51);
  });

  it('the same array passed twice shares one buffer (in-place update)', async () => {
    const inplace = function inplace(src: Float32Array, dst: Float32Array) {
      const i = cuda.grid(1);
      if (i < dst.length) dst[i] = src[i] * 2 + 1;
    };
    const a = Float32Array.from({ length: 100 }, (_, i) => i);
    await cuda.jit(inplace, { target: 'webgpu' }).configure(1, 128)(a, a);
    expect(a[99]).toBe(199);
  });

  it('concurrent launches (different kernels and block shapes) do not interfere', async () => {
    const scale = function scale(a: Float32Array, k: number) { const i = cuda.grid(1); if (i < a.length) a[i] = a[i] * k + cuda.blockDim.x; };
    const runs = Array.from({ length: 8 }, (_, r) => {
      const a = Float32Array.from({ length: 500 + r }, (_, i) => i);
      const block = 32 * (1 + (r % 4));
      return { a, r, block, p: cuda.jit(scale, { target: 'webgpu' }).configure(Math.ceil(a.length / block), block)(a, r + 0.5) };
    });
    await Promise.all(runs.map((x) => x.p));
    for (const { a, r, block } of runs) expect(a[a.length - 1]).toBe((a.length - 1) * (r + 0.5) + block);
  });

  it('device arrays stay on the device between launches', async () => {
    const inc = function inc(a: Int32Array) { const i = cuda.grid(1); if (i < a.length) a[i] += i; };
    const d = cuda.toDevice(new Int32Array(1000).fill(1), { target: 'webgpu' });
    const k = cuda.jit(inc, { target: 'webgpu' }).configure(8, 128);
    await k(d as any); await k(d as any);
    const h = await d.copyToHost();
    expect(h[999]).toBe(1 + 2 * 999);
    await d.free();
  });

  it('dynamic shared memory sized by sharedMem; a barrier-loop condition read from shared memory is broadcast', async () => {
    const dyn = function dyn(a: Float32Array, rounds: Int32Array) {
      const s = cuda.shared.array(0, f32);
      const n = cuda.shared.array(1, i32);
      const t = cuda.threadIdx.x;
      if (t === 0) n[0] = rounds[0];
      s[t] = a[cuda.grid(1)];
      cuda.syncthreads();
      let r = 0;
      while (r < n[0]) { // uniform (core), but WGSL only trusts it after a broadcast
        const v = s[(t + 1) % s.length];
        cuda.syncthreads();
        s[t] = v + 1;
        cuda.syncthreads();
        r++;
      }
      a[cuda.grid(1)] = s[t];
    };
    const { gpu, sim } = await both(dyn, 2, 64, () => [Float32Array.from({ length: 128 }, (_, i) => i), Int32Array.from([3])], {}, 64 * 4);
    expect(Array.from(gpu[0] as Float32Array)).toEqual(Array.from(sim[0] as Float32Array));
    expect(await cuda.jit(dyn, { target: 'webgpu' }).inspect('wgsl', new Float32Array(1), new Int32Array(1))).toMatch(/workgroupUniformLoad\(&nb_bcast\)/);
  });

  it('early returns before a barrier run when whole blocks agree (exit-flag mode)', async () => {
    const tail = function tail(a: Float32Array, out: Float32Array) {
      const s = cuda.shared.array(32, f32);
      const i = cuda.grid(1);
      if (i >= a.length) return;
      s[cuda.threadIdx.x] = a[i];
      cuda.syncthreads();
      out[i] = s[31 - cuda.threadIdx.x];
    };
    const { gpu, sim } = await both(tail, 4, 32, () => [Float32Array.from({ length: 96 }, (_, i) => i), new Float32Array(96)]);
    expect(Array.from(gpu[1] as Float32Array)).toEqual(Array.from(sim[1] as Float32Array));
  });
});
