// @ts-nocheck: cases are data for the frontend and probe JavaScript semantics TypeScript's checker refuses.
import { cuda, f32, i8, i16, u8, u16, u32 } from '@numbat/core';
import { ramp, type CorpusCase } from './types.js';

// The operations whose JS meaning core's legalisation writes for targets that do
// not render them natively (legalize/rules.ts): float atomic min/max as a cas loop,
// cuda.umulhi as 16-bit pieces, float % as an fmod call, 8/16-bit stores wrapped
// into the element's range before the target stores them. Concurrent cases compare
// what no interleaving changes (the final element, sign of zero included).

const zeroOrSign = (i: number): number => (i % 3 === 0 ? -0 : i % 3 === 1 ? 0 : i % 7 === 2 ? -0 : 0);

function minmaxZeros(t: 'f32' | 'f64'): CorpusCase {
  const T = t === 'f32' ? Float32Array : Float64Array;
  return {
    name: `atomic_float_minmax_zeros_nan_concurrent_${t}`,
    covers: [`cuda.atomic.min/max on ${t} from many threads: -0 below +0, a NaN wins (Math.min/max)`],
    needsF64: t === 'f64',
    signedZero: true,
    kernel: function minmax_zeros(z: Float32Array, x: Float32Array, out: Float32Array) {
      const i = cuda.grid(1);
      cuda.atomic.max(out, 0, z[i]);   // +0 and -0 only: +0
      cuda.atomic.min(out, 1, z[i]);   // -0
      cuda.atomic.max(out, 2, x[i]);   // one NaN among numbers: NaN
      cuda.atomic.min(out, 3, x[i]);
      if (z[i] === 0 && x[i] < 50) cuda.atomic.min(out, 4, x[i]); // under control, lazy
    },
    grid: 4, block: 64,
    args: () => [ramp(256, zeroOrSign, T), ramp(256, (i) => (i === 77 ? NaN : (i * 37) % 101 - 50.5), T), new T([-0, 0, -Infinity, Infinity, Infinity])],
    reference: ([z, x, out]: any) => {
      for (let i = 0; i < 256; i++) {
        out[0] = Math.max(out[0], z[i]); out[1] = Math.min(out[1], z[i]);
        out[2] = Math.max(out[2], x[i]); out[3] = Math.min(out[3], x[i]);
        if (z[i] === 0 && x[i] < 50) out[4] = Math.min(out[4], x[i]);
      }
    },
    outputs: [2],
  };
}

/** The special values Math.min/max with a constant operand must keep apart (legalize/rules.ts constantMinMax). */
const MINMAX_SPECIALS = [NaN, -0, 0, 1, -1, Infinity, -Infinity, 1.5, -2, 0.5, -1.5, 2, 1e-30, -1e-30];

function minmaxConstant(t: 'f32' | 'f64'): CorpusCase {
  const T = t === 'f32' ? Float32Array : Float64Array;
  const n = MINMAX_SPECIALS.length, per = 12;
  const all = (v: number): number[] => [Math.max(v, 0), Math.max(v, -0), Math.max(0, v), Math.max(-0, v), Math.min(v, 0), Math.min(v, -0),
    Math.min(-0, v), Math.max(v, 1.5), Math.min(v, -2), Math.max(v, -Infinity), Math.min(v, Infinity), Math.min(Math.max(v, 0), 1)];
  return {
    name: `math_minmax_constant_operand_${t}`,
    covers: [`Math.min/max of ${t} with a constant operand (±0, a number, ±Infinity) on NaN, ±0 and ±Infinity, signs of zero compared`],
    needsF64: t === 'f64',
    signedZero: true,
    kernel: function minmax_constant(x: Float32Array, out: Float32Array) {
      const i = cuda.grid(1);
      if (i >= x.length) return;
      const v = x[i];
      let k = i * 12;
      out[k++] = Math.max(v, 0); out[k++] = Math.max(v, -0); out[k++] = Math.max(0, v); out[k++] = Math.max(-0, v);
      out[k++] = Math.min(v, 0); out[k++] = Math.min(v, -0); out[k++] = Math.min(-0, v); out[k++] = Math.max(v, 1.5);
      out[k++] = Math.min(v, -2); out[k++] = Math.max(v, -Infinity); out[k++] = Math.min(v, Infinity); out[k++] = Math.min(Math.max(v, 0), 1);
    },
    options: { float: t },
    grid: 1, block: 32,
    args: () => [T.from(MINMAX_SPECIALS), new T(n * per)],
    reference: ([x, out]: any) => {
      for (let i = 0; i < n; i++) all(x[i]).forEach((y, j) => (out[i * per + j] = y));
    },
    outputs: [1],
  };
}

export const legalRows: CorpusCase[] = [
  minmaxZeros('f32'),
  minmaxZeros('f64'),
  minmaxConstant('f32'),
  minmaxConstant('f64'),
  {
    name: 'atomic_float_minmax_shared_old_values',
    covers: ['cuda.atomic.max/min on shared f32: the old element each call returns (one thread, in order)', 'an atomic in a lazy operand'],
    signedZero: true,
    kernel: function minmax_old(v: Float32Array, old: Float32Array) {
      const s = cuda.shared.array(2, f32);
      if (cuda.threadIdx.x !== 0) return;
      s[0] = -Infinity; s[1] = 0;
      for (let i = 0; i < v.length; i++) {
        old[3 * i] = cuda.atomic.max(s, 0, v[i]);
        old[3 * i + 1] = v[i] > -1 ? cuda.atomic.min(s, 1, v[i]) : 42;
        old[3 * i + 2] = s[0] + s[1];
      }
    },
    grid: 1, block: 32,
    args: () => [new Float32Array([-0, 0, 3, -0, NaN, 5, -2, 0, -0]), new Float32Array(27)],
    reference: ([v, old]: any) => {
      const s = [-Infinity, 0];
      for (let i = 0; i < v.length; i++) {
        old[3 * i] = s[0]; s[0] = Math.max(s[0], v[i]);
        if (v[i] > -1) { old[3 * i + 1] = s[1]; s[1] = Math.min(s[1], v[i]); } else old[3 * i + 1] = 42;
        old[3 * i + 2] = Math.fround(s[0] + s[1]);
      }
    },
    outputs: [1],
  },
  {
    name: 'umulhi_pieces_and_float_rem',
    covers: ['cuda.umulhi on edge operands (16-bit carries)', 'float % with huge quotients, ±Infinity divisors, -0 dividends (f32)'],
    signedZero: true,
    kernel: function pieces(a: Uint32Array, b: Uint32Array, hi: Uint32Array, x: Float32Array, y: Float32Array, r: Float32Array) {
      const i = cuda.grid(1);
      if (i < a.length) hi[i] = cuda.umulhi(a[i], b[i]) ^ cuda.umulhi(b[i], u32(0xffff0001));
      if (i < x.length) r[i] = x[i] % y[i];
    },
    grid: 1, block: 64,
    args: () => {
      const e = [0, 1, 0xffff, 0x10000, 0x1ffff, 0x7fffffff, 0x80000000, 0xffffffff];
      const a = new Uint32Array(64), b = new Uint32Array(64);
      for (let k = 0; k < 64; k++) { a[k] = e[k % 8]; b[k] = e[(k >> 3) % 8] ^ (k * 0x9e3779b9); }
      const xs = [3e38, -3e38, 1e-45, -0, 7.5, -7.5, 16777217, Infinity];
      const ys = [Infinity, -Infinity, 1e-45, 3, -0.1, 2 ** -20, 1e30, NaN];
      const x = new Float32Array(64), y = new Float32Array(64);
      for (let k = 0; k < 64; k++) { x[k] = xs[k % 8]; y[k] = ys[k >> 3]; }
      return [a, b, new Uint32Array(64), x, y, new Float32Array(64)];
    },
    reference: ([a, b, hi, x, y, r]: any) => {
      const h = (p: number, q: number): number => Number((BigInt(p) * BigInt(q)) >> 32n);
      for (let k = 0; k < 64; k++) { hi[k] = (h(a[k], b[k]) ^ h(b[k], 0xffff0001)) >>> 0; r[k] = x[k] % y[k]; }
    },
    outputs: [2, 5],
  },
  {
    name: 'narrow_stores_wrap_shared_local_global',
    covers: ['stores into shared, local and global i8/u8/i16/u16 arrays wrap (ToInt8…) and read back sign/zero-extended', 'out-of-range, negative and float-converted values'],
    narrowInts: true,
    kernel: function narrow_wrap(v: Int32Array, g8: Int8Array, gu8: Uint8Array, g16: Int16Array, gu16: Uint16Array, out: Int32Array) {
      const i = cuda.grid(1);
      const s8 = cuda.shared.array(64, i8), su16 = cuda.shared.array(64, u16);
      const l16 = cuda.local.array(2, i16), lu8 = cuda.local.array(2, u8);
      if (i >= v.length) return;
      const x = v[i];
      s8[i] = x; su16[i] = x * 3 + 1;
      l16[0] = x - 7; lu8[1] = (x / 3) | 0;
      g8[i] = x + 1; gu8[i] = x ^ 0x5a5a; g16[i] = x * 257; gu16[i] = -x;
      out[i * 4] = s8[i]; out[i * 4 + 1] = su16[i]; out[i * 4 + 2] = l16[0]; out[i * 4 + 3] = lu8[1] + s8[i] * 65536;
    },
    grid: 1, block: 64,
    args: () => [ramp(64, (i) => [0, 127, 128, 255, 256, -1, -128, -129, 32767, 32768, 65535, 65536, -32768, -32769, 2147483647, -2147483648][i % 16] + (i >> 4) * 1000003, Int32Array),
      new Int8Array(64), new Uint8Array(64), new Int16Array(64), new Uint16Array(64), new Int32Array(256)],
    reference: ([v, g8, gu8, g16, gu16, out]: any) => {
      for (let i = 0; i < 64; i++) {
        const x = v[i];
        const s8 = (x << 24) >> 24, su16 = (Math.imul(x, 3) + 1) & 0xffff, l16 = ((x - 7) << 16) >> 16, lu8 = ((x / 3) | 0) & 0xff;
        g8[i] = x + 1; gu8[i] = x ^ 0x5a5a; g16[i] = Math.imul(x, 257); gu16[i] = -x;
        out[i * 4] = s8; out[i * 4 + 1] = su16; out[i * 4 + 2] = l16; out[i * 4 + 3] = lu8 + s8 * 65536;
      }
    },
    outputs: [1, 2, 3, 4, 5],
  },
];
