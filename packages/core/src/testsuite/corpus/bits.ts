// @ts-nocheck: cases are data for the frontend and probe JavaScript semantics TypeScript's checker refuses.
import { cuda } from '@numbat/core';
import type { CorpusCase } from './types.js';

// Bit intrinsics with numba's meanings (cuda.popc, cuda.brev, cuda.clz,
// cuda.ffs, cuda.bit_count = popc; Math.clz32) on 32-bit operands (their
// ToUint32 bits) and on 64-bit BigInts. ffs is 1-based, 0 for zero; brev keeps
// the operand's type. References compute each bit by bit in plain JS.

const I32 = [0, 1, -1, 2, 0x80000000 | 0, 0x7fffffff, 0x12345678, -0x12345678, 0x00010000, 6, 0x55555555, 1 << 30, -2, 3, 96, 0x0f0f0000];
const B64 = [0n, 1n, -1n, -(2n ** 63n), 2n ** 63n - 1n, 2n ** 32n, 0x123456789abcdef0n, -0x123456789abcdefn, 2n ** 40n, 6n, 0x5555555555555555n, 2n ** 62n, -2n, 3n, 96n, 0xff00000000n];

const bitsOf = (x: bigint, w: number): number[] => Array.from({ length: w }, (_, i) => Number((BigInt.asUintN(w, x) >> BigInt(i)) & 1n));
const popc = (x: bigint, w: number) => bitsOf(x, w).reduce((s, b) => s + b, 0);
const clz = (x: bigint, w: number) => { const b = bitsOf(x, w); let n = 0; for (let i = w - 1; i >= 0 && b[i] === 0; i--) n++; return n; };
const ffs = (x: bigint, w: number) => { const b = bitsOf(x, w); const i = b.indexOf(1); return i < 0 ? 0 : i + 1; };
const brev = (x: bigint, w: number) => bitsOf(x, w).reduce((r, b) => (r << 1n) | BigInt(b), 0n);

const bits32: CorpusCase = {
  name: 'bit_intrinsics_32',
  covers: ['cuda.popc', 'cuda.brev', 'cuda.clz', 'cuda.ffs', 'cuda.bit_count', 'Math.clz32', 'bit intrinsics on i32 and u32'],
  kernel: function bits32(x: Int32Array, out: Int32Array, rev: Int32Array, urev: Uint32Array) {
    const i = cuda.grid(1);
    if (i >= x.length) return;
    const v = x[i], u = v >>> 0;
    out[i * 6] = cuda.popc(v);
    out[i * 6 + 1] = cuda.clz(v);
    out[i * 6 + 2] = cuda.ffs(v);
    out[i * 6 + 3] = cuda.bit_count(u) + 100 * cuda.popc(u);
    out[i * 6 + 4] = Math.clz32(v) + 100 * cuda.clz(u);
    out[i * 6 + 5] = cuda.ffs(u) + cuda.popc(7) + cuda.ffs(0);
    rev[i] = cuda.brev(v);
    urev[i] = cuda.brev(u);
  },
  grid: 1, block: 16,
  args: () => [Int32Array.from(I32), new Int32Array(I32.length * 6), new Int32Array(I32.length), new Uint32Array(I32.length)],
  reference: ([x, out, rev, urev]: any) => {
    for (let i = 0; i < x.length; i++) {
      const v = BigInt(x[i]);
      [popc(v, 32), clz(v, 32), ffs(v, 32), popc(v, 32) * 101, Math.clz32(x[i]) + 100 * clz(v, 32), ffs(v, 32) + 3]
        .forEach((r, j) => { out[i * 6 + j] = r; });
      rev[i] = Number(BigInt.asIntN(32, brev(v, 32)));
      urev[i] = Number(brev(v, 32));
    }
  },
  outputs: [1, 2, 3],
};

const bits64: CorpusCase = {
  name: 'bit_intrinsics_64',
  covers: ['cuda.popc / clz / ffs / bit_count / brev on i64 and u64'],
  needsI64: true,
  kernel: function bits64(x: BigInt64Array, out: Int32Array, rev: BigInt64Array, urev: BigUint64Array) {
    const i = cuda.grid(1);
    if (i >= x.length) return;
    const v = x[i], u = BigInt.asUintN(64, v);
    out[i * 4] = cuda.popc(v);
    out[i * 4 + 1] = cuda.clz(v);
    out[i * 4 + 2] = cuda.ffs(v);
    out[i * 4 + 3] = cuda.bit_count(u) + 100 * cuda.clz(u) + 10000 * cuda.ffs(u);
    rev[i] = cuda.brev(v);
    urev[i] = cuda.brev(u);
  },
  grid: 1, block: 16,
  args: () => [BigInt64Array.from(B64), new Int32Array(B64.length * 4), new BigInt64Array(B64.length), new BigUint64Array(B64.length)],
  reference: ([x, out, rev, urev]: any) => {
    for (let i = 0; i < x.length; i++) {
      const v = x[i];
      [popc(v, 64), clz(v, 64), ffs(v, 64), popc(v, 64) + 100 * clz(v, 64) + 10000 * ffs(v, 64)].forEach((r, j) => { out[i * 4 + j] = r; });
      rev[i] = BigInt.asIntN(64, brev(v, 64));
      urev[i] = brev(v, 64);
    }
  },
  outputs: [1, 2, 3],
};

// The counts with constants beyond 16 bits: on webgpu's OpenGL ES backends countOneBits became
// GLSL's bitCount, whose `lowp int` result made `popc(x) | 65535` a 16-bit operation on llvmpipe
// (-1; `+ 65535` gave 0: fuzz seed 41000883).
const bitsWide: CorpusCase = {
  name: 'bit_counts_with_wide_constants',
  covers: ['cuda.popc / clz / ffs / bit_count results combined with constants past 16 bits'],
  kernel: function bitsWide(x: Int32Array, out: Int32Array) {
    const i = cuda.grid(1);
    if (i >= x.length) return;
    const v = x[i], u = v >>> 0;
    out[i * 7] = cuda.popc(v) | 65535;
    out[i * 7 + 1] = cuda.popc(u) + 65535;
    out[i * 7 + 2] = cuda.bit_count(v) ^ 0x12345;
    out[i * 7 + 3] = cuda.popc(v) << 20;
    out[i * 7 + 4] = cuda.ffs(v) + 70000;
    out[i * 7 + 5] = Math.imul(cuda.clz(v), 40000);
    out[i * 7 + 6] = cuda.popc(v) - 70000;
  },
  grid: 1, block: 16,
  args: () => [Int32Array.from(I32), new Int32Array(I32.length * 7)],
  reference: ([x, out]: any) => {
    for (let i = 0; i < x.length; i++) {
      const v = BigInt(x[i]), p = popc(v, 32);
      [p | 65535, p + 65535, p ^ 0x12345, p << 20, ffs(v, 32) + 70000, Math.imul(clz(v, 32), 40000), p - 70000].forEach((r, j) => { out[i * 7 + j] = r; });
    }
  },
  outputs: [1],
};

export const bits: CorpusCase[] = [bits32, bits64, bitsWide];
