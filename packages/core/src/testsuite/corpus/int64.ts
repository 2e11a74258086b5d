// @ts-nocheck: cases are data for the frontend and probe JavaScript semantics TypeScript's checker refuses.
import { cuda, i32, i64, u64 } from '@numbat/core';
import type { CorpusCase } from './types.js';

// 64-bit integers: BigInt64Array / BigUint64Array, BigInt literals and scalar
// arguments, BigInt arithmetic wrapped to 64 bits (BigInt.asIntN / asUintN),
// edge values, shifts with counts beyond 63 (BigInt does not mask them),
// conversions, 64-bit indices and 64-bit atomics. References are plain JS with
// BigInt; x / 0n and x % 0n are 0n in kernels (JS throws a RangeError).

const I64_MIN = -(2n ** 63n), I64_MAX = 2n ** 63n - 1n, U64_MAX = 2n ** 64n - 1n;
const A = [0n, 1n, -1n, 7n, -7n, I64_MIN, I64_MAX, 123456789012345n, -98765432109876n, 2n ** 32n, 3n, -(2n ** 40n) + 5n];
const B = [3n, -1n, 0n, 2n, -3n, -1n, 2n, 1000003n, 7n, 2n ** 31n + 1n, 64n, -2n];
const W = (x: bigint) => BigInt.asIntN(64, x);
const UW = (x: bigint) => BigInt.asUintN(64, x);
const div = (x: bigint, y: bigint) => (y === 0n ? 0n : x / y);
const rem = (x: bigint, y: bigint) => (y === 0n ? 0n : x % y);
const SHIFTS = [0n, 1n, 31n, 63n, 64n, 65n, 200n, -1n, -64n];
const N_ARITH = 16 + 2 * SHIFTS.length;

const arith: CorpusCase = {
  name: 'i64_arithmetic_edges',
  covers: ['BigInt64Array arguments', 'i64 + - * / % with wrapping', 'BigInt division truncates, ÷0n is 0n', 'i64 bitwise ops', 'i64 shifts beyond 63 and negative counts', 'i64 comparisons', 'BigInt scalar argument', 'BigInt literals'],
  needsI64: true,
  kernel: function i64Arith(a: BigInt64Array, b: BigInt64Array, out: BigInt64Array, shifts: BigInt64Array, k: bigint) {
    const i = cuda.grid(1);
    if (i >= a.length) return;
    const x = a[i], y = b[i];
    let o = i * 34;
    out[o++] = x + y; out[o++] = x - y; out[o++] = x * y; out[o++] = x / y;
    out[o++] = x % y; out[o++] = x & y; out[o++] = x | y; out[o++] = x ^ y;
    out[o++] = ~x; out[o++] = -x; out[o++] = x * k + 1n;
    out[o++] = (x < y ? 1n : 0n) + (x <= y ? 2n : 0n) + (x > y ? 4n : 0n) + (x >= y ? 8n : 0n) + (x === y ? 16n : 0n) + (x !== y ? 32n : 0n);
    out[o++] = x ? 1n : 0n;
    out[o++] = -9223372036854775808n - x;
    out[o++] = (x * 0x100000001n) >> 3n;
    out[o++] = x / -1n;
    for (let s = 0; s < shifts.length; s++) {
      out[o++] = x << shifts[s];
      out[o++] = x >> shifts[s];
    }
  },
  grid: 1, block: 16,
  args: () => [BigInt64Array.from(A), BigInt64Array.from(B), new BigInt64Array(A.length * 34), BigInt64Array.from(SHIFTS), -3n],
  reference: ([a, b, out, shifts, k]: any) => {
    for (let i = 0; i < a.length; i++) {
      const x = a[i], y = b[i];
      const v = [x + y, x - y, x * y, div(x, y), rem(x, y), x & y, x | y, x ^ y, ~x, -x, x * k + 1n,
        (x < y ? 1n : 0n) + (x <= y ? 2n : 0n) + (x > y ? 4n : 0n) + (x >= y ? 8n : 0n) + (x === y ? 16n : 0n) + (x !== y ? 32n : 0n),
        x ? 1n : 0n, -9223372036854775808n - x, W(x * 0x100000001n) >> 3n, div(x, -1n)];
      for (const s of shifts) v.push(x << s, x >> s);
      v.forEach((r, j) => { out[i * 34 + j] = W(r); });
    }
  },
  outputs: [2],
};

const U = [0n, 1n, U64_MAX, 2n ** 63n, 2n ** 63n - 1n, 12345678901234567890n, 5n, 2n ** 32n - 1n];
const V = [7n, U64_MAX, 2n, 0n, 3n, 1000000007n, 64n, 2n ** 32n + 1n];

const unsigned: CorpusCase = {
  name: 'u64_arithmetic_edges',
  covers: ['BigUint64Array arguments', 'u64 arithmetic wrapping (asUintN)', 'u64 comparisons', 'u64 shifts', 'BigInt literal adopts u64'],
  needsI64: true,
  kernel: function u64Arith(a: BigUint64Array, b: BigUint64Array, out: BigUint64Array) {
    const i = cuda.grid(1);
    if (i >= a.length) return;
    const x = a[i], y = b[i];
    let o = i * 14;
    out[o++] = x + y; out[o++] = x - y; out[o++] = x * y; out[o++] = x / y;
    out[o++] = x % y; out[o++] = x & y; out[o++] = x | y; out[o++] = x ^ y;
    out[o++] = ~x; out[o++] = x - 1n;
    out[o++] = x < y ? 1n : 0n;
    out[o++] = x << (y & 127n); out[o++] = x >> (y & 127n);
    out[o++] = 18446744073709551615n - x;
  },
  grid: 1, block: 8,
  args: () => [BigUint64Array.from(U), BigUint64Array.from(V), new BigUint64Array(U.length * 14)],
  reference: ([a, b, out]: any) => {
    for (let i = 0; i < a.length; i++) {
      const x = a[i], y = b[i];
      const v = [x + y, x - y, x * y, div(x, y), rem(x, y), x & y, x | y, x ^ y, ~x, x - 1n, x < y ? 1n : 0n, x << (y & 127n), x >> (y & 127n), U64_MAX - x];
      v.forEach((r, j) => { out[i * 14 + j] = UW(r); });
    }
  },
  outputs: [2],
};

const NUMS = [0, 1.9, -1.9, 2147483647, -2147483648, 4294967295, 1e10, -3e15, 2 ** 53 + 2, 1e19, -1e19, 2 ** 63, 1e30, NaN, Infinity, -0.5];

const conversions: CorpusCase = {
  name: 'i64_conversions',
  covers: ['i64(x) / u64(x) / BigInt(x) from numbers (truncate, wrap mod 2^64, NaN → 0n)', 'Number(b)', 'i32(b) / u32(b) keep the low 32 bits', 'BigInt.asIntN / asUintN', 'i32/u32 → i64 sign/zero extension'],
  needsI64: true, needsF64: true,
  kernel: function i64Conv(x: Float64Array, ints: Int32Array, big: BigInt64Array, out: BigInt64Array, nums: Float64Array, lows: Int32Array) {
    const i = cuda.grid(1);
    if (i >= x.length) return;
    const v = x[i];
    out[i * 6] = i64(v);
    out[i * 6 + 1] = BigInt.asIntN(64, u64(v));
    out[i * 6 + 2] = BigInt(v);
    out[i * 6 + 3] = BigInt(ints[i]) + i64(ints[i] >>> 0);
    out[i * 6 + 4] = BigInt.asIntN(32, big[i]) + BigInt.asUintN(32, big[i]);
    out[i * 6 + 5] = BigInt.asIntN(64, BigInt.asUintN(64, big[i]) + 1n);
    nums[i * 2] = Number(big[i]);
    nums[i * 2 + 1] = Number(u64(big[i])) + f64(big[i]);
    lows[i * 2] = i32(big[i]);
    lows[i * 2 + 1] = u32(big[i]) & 0xffff;
  },
  grid: 1, block: 16,
  args: () => [Float64Array.from(NUMS), Int32Array.from(NUMS.map((v, j) => (v | 0) - j * 7919)), BigInt64Array.from([...A, 5n, -6n, 2n ** 62n + 12345n, -(2n ** 35n)]),
    new BigInt64Array(NUMS.length * 6), new Float64Array(NUMS.length * 2), new Int32Array(NUMS.length * 2)],
  reference: ([x, ints, big, out, nums, lows]: any) => {
    const toI = (v: number) => (Number.isFinite(v) ? BigInt(Math.trunc(v)) : 0n);
    for (let i = 0; i < x.length; i++) {
      const v = x[i], b = big[i];
      out[i * 6] = W(toI(v));
      out[i * 6 + 1] = W(UW(toI(v)));
      out[i * 6 + 2] = W(toI(v));
      out[i * 6 + 3] = BigInt(ints[i]) + BigInt(ints[i] >>> 0);
      out[i * 6 + 4] = BigInt.asIntN(32, b) + BigInt.asUintN(32, b);
      out[i * 6 + 5] = W(UW(b) + 1n);
      nums[i * 2] = Number(b);
      nums[i * 2 + 1] = Number(UW(b)) + Number(b);
      lows[i * 2] = Number(BigInt.asIntN(32, b));
      lows[i * 2 + 1] = Number(BigInt.asUintN(32, b)) & 0xffff;
    }
  },
  outputs: [3, 4, 5],
  rtol: 0, atol: 0,
};

const loops: CorpusCase = {
  name: 'i64_locals_loops_indices',
  covers: ['i64 locals and loops', 'BigInt loop counters', '64-bit indices into arrays', 'u64 accumulator adopting literals', 'i64 ?: and conditions'],
  needsI64: true,
  kernel: function i64Loops(a: BigInt64Array, u: BigUint64Array, idx: BigInt64Array, out: BigInt64Array, uo: BigUint64Array, g: Int32Array, f: Int32Array) {
    const i = cuda.grid(1);
    if (i >= out.length) return;
    let acc = 0n;
    for (let j = 0n; j < 10n; j++) acc = acc * 31n + a[(BigInt(i) + j) % BigInt(a.length)];
    out[i] = acc;
    let s = 0n;
    for (let j = 0; j < u.length; j++) s += u[j] * u64(i + 1);
    uo[i] = s;
    const k = idx[i];
    f[i] = k >= 0n && k < BigInt(g.length) ? g[k] + 1 : -5;
  },
  grid: 1, block: 12,
  args: () => [BigInt64Array.from(A), BigUint64Array.from(U), BigInt64Array.from([0n, 3n, 11n, 1n, -1n, 2n ** 40n, 5n, 7n, 2n, 9n, 10n, 4n]),
    new BigInt64Array(12), new BigUint64Array(12), Int32Array.from({ length: 12 }, (_, j) => j * 100), new Int32Array(12)],
  reference: ([a, u, idx, out, uo, g, f]: any) => {
    for (let i = 0; i < out.length; i++) {
      let acc = 0n;
      for (let j = 0n; j < 10n; j++) acc = W(acc * 31n + a[Number((BigInt(i) + j) % BigInt(a.length))]);
      out[i] = acc;
      let s = 0n;
      for (let j = 0; j < u.length; j++) s = UW(s + u[j] * BigInt(i + 1));
      uo[i] = s;
      const k = idx[i];
      f[i] = k >= 0n && k < BigInt(g.length) ? g[Number(k)] + 1 : -5;
    }
  },
  outputs: [3, 4, 6],
};

const atomics: CorpusCase = {
  name: 'i64_atomics',
  covers: ['i64/u64 atomic add, sub, min, max, and, or, xor, exch, cas'],
  needsI64: true,
  kernel: function i64Atomics(acc: BigInt64Array, uacc: BigUint64Array, cells: BigInt64Array, olds: BigInt64Array) {
    const i = cuda.grid(1);
    const v = BigInt(i) * 0x123456789n - 5000000000n;
    cuda.atomic.add(acc, 0, v);
    cuda.atomic.sub(acc, 1, v);
    cuda.atomic.min(acc, 2, v);
    cuda.atomic.max(acc, 3, v);
    cuda.atomic.and(acc, 4, ~(1n << BigInt(i)));
    cuda.atomic.or(acc, 5, 1n << BigInt(i + 20));
    cuda.atomic.xor(acc, 6, v);
    cuda.atomic.add(uacc, 0, 18446744073709551615n);
    cuda.atomic.max(uacc, 1, BigInt(i) << 58n);
    cuda.atomic.min(uacc, 2, u64(i) + 9223372036854775808n);
    olds[i] = cuda.atomic.exch(cells, i, v) + cuda.atomic.cas(cells, 64 + i, BigInt(i), -1n) * 2n;
  },
  grid: 2, block: 32,
  args: () => [BigInt64Array.from([10n, 20n, I64_MAX, I64_MIN, -1n, 0n, 77n]), BigUint64Array.from([5n, 0n, U64_MAX]),
    BigInt64Array.from({ length: 128 }, (_, j) => BigInt(j % 64) * (j % 3 === 0 ? 1n : 5n)), new BigInt64Array(64)],
  reference: ([acc, uacc, cells, olds]: any) => {
    for (let i = 0; i < 64; i++) {
      const v = BigInt(i) * 0x123456789n - 5000000000n;
      acc[0] = W(acc[0] + v); acc[1] = W(acc[1] - v);
      if (v < acc[2]) acc[2] = v;
      if (v > acc[3]) acc[3] = v;
      acc[4] = W(acc[4] & ~(1n << BigInt(i))); acc[5] = W(acc[5] | (1n << BigInt(i + 20))); acc[6] ^= v;
      uacc[0] = UW(uacc[0] + U64_MAX);
      if (UW(BigInt(i) << 58n) > uacc[1]) uacc[1] = UW(BigInt(i) << 58n);
      if (BigInt(i) + 2n ** 63n < uacc[2]) uacc[2] = BigInt(i) + 2n ** 63n;
      const old = cells[i]; cells[i] = v;
      const c = cells[64 + i]; if (c === BigInt(i)) cells[64 + i] = -1n;
      olds[i] = W(old + c * 2n);
    }
  },
  outputs: [0, 1, 2, 3],
};

// cpu kept an i64 local that lives across a barrier in a 4-byte slot per thread: each
// thread's 8-byte stores overlapped its neighbour's and the last ran past the area into the
// heap (the kernel fuzzer's i64 family, seed 8: a mismatch, then malloc's abort).
const acrossBarrier: CorpusCase = {
  name: 'i64_locals_across_a_barrier',
  covers: ['i64 and u64 locals live across cuda.syncthreads() (kept per thread on cpu)', 'distinct 64-bit values per thread'],
  needsI64: true,
  kernel: function i64AcrossBarrier(a: BigInt64Array, out: BigInt64Array, sums: Int32Array) {
    const t = cuda.threadIdx.x, i = cuda.grid(1);
    const sh = cuda.shared.array(64, i32);
    let v = a[i & 15] * 0x100000001n + BigInt(i);
    let u = BigInt.asUintN(64, v) ^ 0xf0f0f0f0f0f0f0f0n;
    sh[t] = t;
    cuda.syncthreads();
    for (let k = 0; k < 3; k++) { v = BigInt.asIntN(64, v * 3n + BigInt(sh[(t + k) & 63])); u = BigInt.asUintN(64, u + 0x9e3779b97f4a7c15n); }
    cuda.syncthreads();
    out[2 * i] = v;
    out[2 * i + 1] = BigInt.asIntN(64, u);
    sums[i] = sh[(t + 1) & 63];
  },
  grid: 3, block: 64,
  args: () => [BigInt64Array.from(A.concat(B).slice(0, 16)), new BigInt64Array(384), new Int32Array(192)],
  reference: ([a, out, sums]: any) => {
    for (let i = 0; i < 192; i++) {
      const t = i % 64;
      let v = W(a[i & 15] * 0x100000001n + BigInt(i));
      let u = UW(UW(v) ^ 0xf0f0f0f0f0f0f0f0n);
      for (let k = 0; k < 3; k++) { v = W(v * 3n + BigInt((t + k) & 63)); u = UW(u + 0x9e3779b97f4a7c15n); }
      out[2 * i] = v; out[2 * i + 1] = W(u); sums[i] = (t + 1) & 63;
    }
  },
  outputs: [1, 2],
};

// numba's shuffles of 64-bit integers and match_*_sync of them (cuda: two 32-bit halves each).
const warp64: CorpusCase = {
  name: 'i64_warp_shuffles_and_match',
  covers: ['shfl_sync / shfl_up_sync / shfl_down_sync / shfl_xor_sync of i64 and u64', 'match_any_sync and match_all_sync of i64 (values equal in one half only)'],
  needsI64: true,
  kernel: function warp64(a: BigInt64Array, out: BigInt64Array, m: Uint32Array, k: number) {
    const i = cuda.grid(1);
    const v = a[i];
    const u = BigInt.asUintN(64, v) ^ 0x8000000000000001n;
    out[4 * i] = cuda.shfl_sync(0xffffffff, v, k);
    out[4 * i + 1] = cuda.shfl_up_sync(0xffffffff, v, 3);
    out[4 * i + 2] = BigInt.asIntN(64, cuda.shfl_down_sync(0xffffffff, u, 5));
    out[4 * i + 3] = BigInt.asIntN(64, cuda.shfl_xor_sync(0xffffffff, u, 9));
    const key = v & 0x300000003n; // lanes that agree in one 32-bit half but not the other do not match
    m[3 * i] = cuda.match_any_sync(0xffffffff, key);
    // the first warp's lanes all hold one value, the second's do not
    const [all, same] = cuda.match_all_sync(0xffffffff, i < 32 ? 0x500000000n : v);
    m[3 * i + 1] = all;
    m[3 * i + 2] = same ? 1 : 0;
  },
  grid: 2, block: 32,
  args: () => [BigInt64Array.from({ length: 64 }, (_, j) => W(BigInt(j) * 0x1234567890abcdn + (BigInt(j % 4) << 32n) - 99n)), new BigInt64Array(256), new Uint32Array(192), 7],
  reference: ([a, out, m, k]: any) => {
    for (let i = 0; i < 64; i++) {
      const base = i - (i % 32), l = i % 32;
      const u = (j: number) => UW(a[j]) ^ 0x8000000000000001n;
      out[4 * i] = a[base + (k & 31)];
      out[4 * i + 1] = l >= 3 ? a[i - 3] : a[i];
      out[4 * i + 2] = W(l + 5 < 32 ? u(i + 5) : u(i));
      out[4 * i + 3] = W(u(base + (l ^ 9)));
      const key = (j: number) => a[j] & 0x300000003n;
      let any = 0;
      for (let j = 0; j < 32; j++) if (key(base + j) === key(i)) any |= 1 << j;
      m[3 * i] = any >>> 0;
      m[3 * i + 1] = i < 32 ? 0xffffffff : 0;
      m[3 * i + 2] = i < 32 ? 1 : 0;
    }
  },
  outputs: [1, 2],
};

export const int64: CorpusCase[] = [arith, unsigned, conversions, loops, atomics, acrossBarrier, warp64];
