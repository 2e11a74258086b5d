// The frontend's typed IR, one snapshot per construct (`inspect('ir')`, after
// constant folding). They guard refactors of frontend/: a change in lowering
// shows here as a diff of the printed IR, before any backend runs it.
// Snapshots hold source lines (`; line N`): add new cases at the END of this file.
// Update deliberately with `npx vitest run test/frontend/ir-snapshots.test.ts -u`.

import { describe, expect, it } from 'vitest';
import { cuda, random, f32, f64, i32, u32 } from '@numbat/core';

const sim = { target: 'sim' as const };
const snap = (name: string) => `__snapshots__/${name}.ir`;

const twice = cuda.jit(function twice(x: number) { return x * 2; }, { device: true });
const firstNeg = cuda.jit(function firstNeg(a: Float32Array, n: number) {
  for (let i = 0; i < n; i++) {
    if (a[i] < 0) return i;
  }
  return -1;
}, { device: true });
const bump = cuda.jit(function bump(a: Int32Array) { a[0] += 1; return true; }, { device: true });

describe('frontend IR snapshots', () => {
  it('arithmetic and JS typing rules', async () => {
    const k = cuda.jit(function arith(i: Int32Array, u: Uint32Array, f: Float32Array, d: Float64Array, o: Float64Array) {
      const a = i[0], b = u[0], x = f[0], y = d[0];
      o[0] = a + a;
      o[1] = a * x;
      o[2] = x * y;
      o[3] = a / a;
      o[4] = a % 3;
      o[5] = b % b;
      o[6] = -a;
      o[7] = ~a;
      o[8] = +(a < 2);
      o[9] = (a > 0) + a;
      o[10] = a - x;
      o[11] = (a & 255) ^ (b >> 3);
      o[12] = a << 33;
      o[13] = b >>> 1;
      o[14] = x ** 2;
      o[15] = a === 1 ? 1 : 0;
      o[16] = x != y ? 1 : 0;
    }, sim);
    const ir = await k.inspect('ir', new Int32Array(1), new Uint32Array(1), new Float32Array(1), new Float64Array(1), new Float64Array(17));
    await expect(ir).toMatchFileSnapshot(snap('arith'));
  });

  it('abstract literals adopt the other operand\'s type', async () => {
    const k = cuda.jit(function literals(u: Uint32Array, f: Float32Array, i: Int32Array) {
      const a = u[0], x = f[0];
      u[1] = a + 1;
      u[2] = a * 3000000000;
      f[1] = x * 0.5;
      f[2] = x + 1;
      i[1] = i[0] * 0.5;
      i[2] = (1 << 31) + 7;
      f[3] = Infinity;
      f[4] = Math.PI * x;
      let t = 0;
      t = t + 0.25;
      f[5] = t;
      let big = 4000000000;
      u[3] = big;
      i[3] = 2 ** 10;
      let flag = true;
      i[4] = flag ? 1 : 2;
    }, sim);
    const ir = await k.inspect('ir', new Uint32Array(4), new Float32Array(6), new Int32Array(5));
    await expect(ir).toMatchFileSnapshot(snap('literals'));
  });

  it('conversions: dtype calls, |0, >>>0, Math.fround, booleans', async () => {
    const k = cuda.jit(function conversions(d: Float64Array, o: Float64Array, p: Int32Array, q: Uint32Array) {
      const x = d[0];
      o[0] = f32(x);
      o[1] = f64(p[0]);
      p[1] = i32(x);
      q[1] = u32(x);
      p[2] = x | 0;
      q[2] = x >>> 0;
      o[2] = Math.fround(x);
      p[3] = x > 1 ? 1 : 0;
      const b = x < 0;
      o[3] = +b;
      q[3] = p[0] >>> 0;
      p[4] = q[0] | 0;
    }, { ...sim, globals: { f32, f64, i32, u32 } });
    const ir = await k.inspect('ir', new Float64Array(1), new Float64Array(4), new Int32Array(5), new Uint32Array(4));
    await expect(ir).toMatchFileSnapshot(snap('conversions'));
  });

  it('integer division idioms', async () => {
    const k = cuda.jit(function intdiv(i: Int32Array, u: Uint32Array, f: Float32Array) {
      const a = i[0], b = i[1], c = u[0], d = u[1];
      i[2] = Math.floor(a / b);
      i[3] = Math.trunc(a / b);
      i[4] = (a / b) | 0;
      u[2] = Math.floor(c / d);
      u[3] = (c / 4) | 0;
      i[5] = Math.floor(a / 2);
      f[0] = Math.floor(f[1] / a);
      f[1] = Math.floor(a / 2.5);
      i[6] = Math.floor((a) / (b));
    }, sim);
    const ir = await k.inspect('ir', new Int32Array(7), new Uint32Array(4), new Float32Array(2));
    await expect(ir).toMatchFileSnapshot(snap('intdiv'));
  });

  it('compound assignment on locals, elements and 2-D shared arrays', async () => {
    const k = cuda.jit(function compound(a: Float32Array, n: Int32Array) {
      const t = cuda.shared.array([4, 8], f32);
      let s = 0;
      s += a[0];
      s *= 2;
      let k2 = n[0];
      k2 |= 4;
      k2 <<= 1;
      k2 >>= 1;
      a[1] -= s;
      a[k2 & 7] += s;
      t[1][2] = 0;
      t[1][2] += a[2];
      n[1] = k2;
      a[3] = t[1][2];
    }, { ...sim, globals: { f32 } });
    const ir = await k.inspect('ir', new Float32Array(8), new Int32Array(2));
    await expect(ir).toMatchFileSnapshot(snap('compound'));
  });

  it('++ and -- as statements and values', async () => {
    const k = cuda.jit(function updates(a: Int32Array, o: Int32Array) {
      let i = 0;
      i++;
      ++i;
      o[0] = i++;
      o[1] = ++i;
      o[2] = i--;
      a[0]++;
      o[3] = a[1]++;
      o[4] = --a[2];
      let x = 0.5;
      x++;
      o[5] = x;
    }, sim);
    const ir = await k.inspect('ir', new Int32Array(3), new Int32Array(6));
    await expect(ir).toMatchFileSnapshot(snap('updates'));
  });

  it('short-circuit && and ||, with and without effects', async () => {
    const k = cuda.jit(function shortCircuit(a: Int32Array, o: Int32Array) {
      const x = a[0];
      if (x > 0 && x < 10) o[0] = 1;
      if (x || a[1]) o[1] = 1;
      const both = x > 1 && a[1] > 1;
      o[2] = both ? 1 : 0;
      let j = 0;
      if (x > 0 && j++ < 3) o[3] = j;
      if (x < 0 || bump(a)) o[4] = 1;
      if (!(x > 5)) o[5] = 1;
    }, { ...sim, globals: { bump } });
    const ir = await k.inspect('ir', new Int32Array(2), new Int32Array(6));
    await expect(ir).toMatchFileSnapshot(snap('short-circuit'));
  });

  it('conditional ?: pure, with effects, literals and booleans', async () => {
    const k = cuda.jit(function ternary(a: Float32Array, i: Int32Array) {
      const x = a[0];
      a[1] = x > 0 ? x : 0;
      a[2] = x > 0 ? 1 : 0.5;
      let j = i[0];
      i[1] = x > 0 ? j++ : j--;
      const b = x > 1 ? true : x < -1;
      i[2] = b ? 1 : 0;
      a[3] = x > 2 ? twice(x) : x;
      i[3] = x > 3 ? i[0] : 7;
    }, { ...sim, globals: { twice } });
    const ir = await k.inspect('ir', new Float32Array(4), new Int32Array(4));
    await expect(ir).toMatchFileSnapshot(snap('ternary'));
  });

  it('loops with break and continue; while, do-while, conditions with effects', async () => {
    const k = cuda.jit(function loops(a: Int32Array, n: number) {
      let s = 0;
      for (let i = 0; i < n; i++) {
        if (i === 3) continue;
        if (a[i] < 0) break;
        s += a[i];
      }
      let j = 0;
      while (j < n) { j += 2; if (j > 6) break; }
      let k = 0;
      do { k++; } while (k < 4);
      let m = 0;
      while (m++ < n) s += m;
      for (;;) { if (s > 100) break; s *= 2; }
      for (let p = 0, q = 10; p < q; p++, q--) s += p * q;
      a[0] = s + j + k;
    }, sim);
    const ir = await k.inspect('ir', new Int32Array(8), 8);
    await expect(ir).toMatchFileSnapshot(snap('loops'));
  });

  it('early return in the kernel and in a device function inside a loop', async () => {
    const k = cuda.jit(function early(a: Float32Array, o: Int32Array, n: number) {
      const i = cuda.grid(1);
      if (i >= n) return;
      o[i] = firstNeg(a, n);
      if (o[i] < 0) return;
      o[i] += 1;
    }, { ...sim, globals: { firstNeg } });
    const ir = await k.inspect('ir', new Float32Array(4), new Int32Array(4), 4);
    await expect(ir).toMatchFileSnapshot(snap('early-return'));
  });

  it('a device function inlined at two types, and nested inlining', async () => {
    const quad = cuda.jit(function quad(x: number) { return twice(twice(x)); }, { device: true, globals: { twice } });
    const k = cuda.jit(function twoTypes(i: Int32Array, d: Float64Array) {
      i[0] = twice(i[1]);
      d[0] = twice(d[1]);
      d[1] = twice(0.5);
      i[2] = quad(i[0]);
    }, { ...sim, globals: { twice, quad } });
    const ir = await k.inspect('ir', new Int32Array(3), new Float64Array(2));
    await expect(ir).toMatchFileSnapshot(snap('device-two-types'));
  });

  it('shared and local arrays: 1-D, 2-D, 3-D, dynamic, .length', async () => {
    const k = cuda.jit(function arrays(o: Float32Array) {
      const tid = cuda.threadIdx.x;
      const s = cuda.shared.array(64, f32);
      const t = cuda.shared.array([2, 3, 4], 'i32');
      const dyn = cuda.shared.array(0, f32);
      const loc = cuda.local.array(4, f32);
      const grid2 = cuda.local.array([2, 2], 'u32');
      s[tid] = o[tid];
      t[1][2][3] = tid;
      dyn[tid] = s.length + dyn.length;
      loc[tid & 3] = 1;
      grid2[tid & 1][1] = 5;
      cuda.syncthreads();
      o[tid] = s[(tid + 1) % 64] + t[1][2][3] + loc[0] + grid2[0][1] + dyn[0] + o.length;
    }, { ...sim, globals: { f32 } });
    const ir = await k.inspect('ir', new Float32Array(64));
    await expect(ir).toMatchFileSnapshot(snap('arrays'));
  });

  it('multi-dimensional subscripts without bounds checks', async () => {
    const k = cuda.jit(function unchecked(o: Float32Array) {
      const t = cuda.shared.array([4, 8], f32);
      const y = cuda.threadIdx.y, x = cuda.threadIdx.x;
      t[y][x] = o[x];
      o[x] = t[x & 3][y];
    }, { ...sim, globals: { f32 }, boundscheck: false });
    const ir = await k.inspect('ir', new Float32Array(8));
    await expect(ir).toMatchFileSnapshot(snap('arrays-unchecked'));
  });

  it('atomics on global and shared arrays', async () => {
    const k = cuda.jit(function atomics(c: Int32Array, u: Uint32Array, f: Float32Array) {
      const h = cuda.shared.array([2, 4], 'i32');
      const i = cuda.grid(1);
      cuda.atomic.add(c, 0, 1);
      const old = cuda.atomic.max(c, i & 3, i);
      cuda.atomic.cas(u, 0, 0, 5);
      cuda.atomic.add(f, 1, 0.5);
      cuda.atomic.sub(h, [1, i & 3], 2);
      cuda.atomic.exch(u, 1, old);
      c[1] = cuda.atomic.or(h, [0, 0], 1) + cuda.atomic.min(c, 2, old);
    }, sim);
    const ir = await k.inspect('ir', new Int32Array(4), new Uint32Array(2), new Float32Array(2));
    await expect(ir).toMatchFileSnapshot(snap('atomics'));
  });

  it('Math functions, min/max over several arguments, ** and constants', async () => {
    const k = cuda.jit(function mathfns(f: Float32Array, d: Float64Array, i: Int32Array, u: Uint32Array) {
      const x = f[0], y = d[0], a = i[0];
      f[1] = Math.sin(x) + Math.sqrt(x);
      d[1] = Math.exp(y) * Math.log(y);
      d[2] = Math.pow(y, 3);
      f[2] = Math.max(x, 0, a);
      i[1] = Math.min(a, 7);
      i[2] = Math.abs(a);
      i[3] = Math.imul(a, 3);
      i[4] = Math.clz32(a);
      f[3] = Math.hypot(x, 2);
      d[3] = Math.atan2(y, 1) + Math.E;
      f[4] = Math.floor(x) + Math.round(x) + Math.sign(x);
      i[5] = Math.floor(a);
      d[4] = Math.max();
      u[1] = Math.max(u[0], 2);
      f[5] = Math.abs(-2.5);
    }, sim);
    const ir = await k.inspect('ir', new Float32Array(6), new Float64Array(5), new Int32Array(6), new Uint32Array(2));
    await expect(ir).toMatchFileSnapshot(snap('math'));
  });

  it('cuda builtins: registers, grid(2), grid(3), gridsize, syncthreads, umulhi', async () => {
    const k = cuda.jit(function builtins(o: Int32Array, u: Uint32Array) {
      const [x, y] = cuda.grid(2);
      const [gx, , gz] = cuda.grid(3);
      const [sx, sy] = cuda.gridsize(2);
      const n = cuda.gridsize(1);
      o[0] = cuda.threadIdx.x + cuda.threadIdx.y + cuda.threadIdx.z;
      o[1] = cuda.blockIdx.x * cuda.blockDim.y + cuda.gridDim.z;
      cuda.syncthreads();
      o[2] = x + y + gx + gz + sx + sy + n;
      u[0] = cuda.umulhi(u[1], 0x9e3779b9);
    }, sim);
    const ir = await k.inspect('ir', new Int32Array(3), new Uint32Array(2));
    await expect(ir).toMatchFileSnapshot(snap('builtins'));
  });

  it('globals: numbers, constant tables, device functions through a namespace object', async () => {
    const table = [1, 2, 3, 5, 8];
    const lut = new Float32Array([0.5, 1.5]);
    const k = cuda.jit(function consts(o: Float32Array) {
      const i = cuda.threadIdx.x;
      o[i] = table[i % 5] * SCALE + lut[i & 1] + lib.twice(i);
    }, { ...sim, globals: { table, lut, SCALE: 3, lib: { twice } } });
    const ir = await k.inspect('ir', new Float32Array(8));
    await expect(ir).toMatchFileSnapshot(snap('globals'));
  });

  it('random library calls (Philox device functions)', async () => {
    const k = cuda.jit(function noise(states: Uint32Array, o: Float32Array, d: Float64Array) {
      const i = cuda.grid(1);
      if (i >= o.length) return;
      o[i] = random.uniformF32(states, i);
      d[i] = random.normalF64(states, i);
    }, sim);
    const ir = await k.inspect('ir', random.createStates(4, 1), new Float32Array(4), new Float64Array(4));
    await expect(ir).toMatchFileSnapshot(snap('random'));
  });

  it('reduce kernels built around a user function', async () => {
    const sum = cuda.reduce((a: number, b: number) => a + b, sim);
    await expect(await sum.inspect('ir', 'f32', 'blocks')).toMatchFileSnapshot(snap('reduce-blocks'));
    await expect(await sum.inspect('ir', 'i32', 'final')).toMatchFileSnapshot(snap('reduce-final'));
  });

  it('statements: sequences, const, empty and debugger statements, arrow device functions', async () => {
    const half = cuda.jit((x: number) => x / 2, { device: true });
    const k = cuda.jit(function stmts(o: Float64Array) {
      const c = 3;
      let a = 1, b;
      ;
      b = a + c, a = b * 2;
      o[0] = half(a);
      o[1] = (0, half)(b);
    }, { ...sim, globals: { half } });
    const ir = await k.inspect('ir', new Float64Array(2));
    await expect(ir).toMatchFileSnapshot(snap('statements'));
  });
  it('warp-level functions: one warp statement each, laneid and lanemask_lt as expressions', async () => {
    const k = cuda.jit(function warps(f: Float32Array, u: Uint32Array, b: Int32Array) {
      const lane = cuda.laneid;
      const m = cuda.activemask();
      f[lane] = cuda.shfl_down_sync(m, f[lane], 1) + cuda.shfl_sync(0xffffffff, f[lane], lane + 1);
      u[lane] = cuda.ballot_sync(m, f[lane] > 0) | cuda.lanemask_lt();
      const [mask, same] = cuda.match_all_sync(m, b[lane]);
      if (cuda.all_sync(m, b[lane]) && same) b[lane] = cuda.warpsize + (mask & 1);
      cuda.syncwarp();
    }, sim);
    const ir = await k.inspect('ir', new Float32Array(32), new Uint32Array(32), new Int32Array(32));
    await expect(ir).toMatchFileSnapshot(snap('warp'));
  });

  it('64-bit integers: BigInt literals adopt u64, BigInt operators, conversions, a 64-bit index, bit intrinsics', async () => {
    const k = cuda.jit(function big(a: BigInt64Array, u: BigUint64Array, f: Float64Array, o: Int32Array, s: bigint) {
      const x = a[0] * s + 1n;
      u[0] = u[1] + 1n;
      a[1] = x / 3n + (x % 3n) + (x << 70n) + (x >> -1n) + ~x;
      f[0] = Number(x) + f64(u[0]);
      a[2] = BigInt(f[1]) + BigInt.asIntN(64, u[2]);
      o[0] = i32(x) + o[x];
      o[1] = cuda.popc(x) + cuda.clz(u[0]) + cuda.ffs(o[2]);
      a[3] = cuda.brev(x);
    }, sim);
    const ir = await k.inspect('ir', new BigInt64Array(4), new BigUint64Array(3), new Float64Array(2), new Int32Array(3), 2n);
    await expect(ir).toMatchFileSnapshot(snap('int64'));
  });

  it('warp functions under thread-dependent control where warps are emulated: if-converted, then emulated (cpu)', async () => {
    const k = cuda.jit(function predicated(a: Int32Array, n: Int32Array) {
      const i = cuda.grid(1);
      if (i >= a.length) return;
      let v = a[i];
      if (cuda.laneid < 16) v = cuda.shfl_xor_sync(0x0000ffff, v, 1);
      for (let k = 0; k < n[i]; k++) {
        if (v < 0) break;
        v += cuda.ballot_sync(cuda.activemask(), v > 3) & 7;
      }
      a[i] = v;
    }, { target: 'cpu' });
    const ir = await k.inspect('ir', new Int32Array(32), new Int32Array(32));
    await expect(ir).toMatchFileSnapshot(snap('warp-predicated'));
  });
});
