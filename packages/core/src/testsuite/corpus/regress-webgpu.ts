// @ts-nocheck: cases are data for the frontend and probe JavaScript semantics TypeScript's checker refuses.
// Regressions found on webgpu (llvmpipe): each case is a kernel whose JS
// meaning a shader compiler or the WGSL emission broke. They run on every
// target like the rest of the corpus.

import { cuda } from '@numbat/core';
import type { CorpusCase } from './types.js';

// Pairs (x, y) = (A[i], A[i + 1]): overflow, cancellation, infinities, NaN, zeros.
const PAIRS = [1.5, 3e38, -2.25, 1e-3, Infinity, -Infinity, NaN, 0, -0, 1.000244140625, 7, 3e38, -3e38, 2];

// Fuzz seed 100095: an i32 zero over itself through a device function.
const negOverSelf = cuda.jit(function negOverSelf(p0: number, p1: number) { if (true) return (-p1) / Math.fround(p1); return p0; }, { device: true });
// Fuzz seed 300136: a device function whose result is the constant 1.
const onePlusHalf = cuda.jit(function onePlusHalf(p0: number) { return 0.5 + f32(0.5); }, { device: true });
// Fuzz seed 3003302: x - x of a parameter that holds Infinity.
const selfMinus = cuda.jit(function selfMinus(p0: number, p1: number) { return p0 - p0; }, { device: true });
// Math.atan's special and interesting arguments (±1 hits the x = (x - 1) / (x + 1) branch).
const ATAN_ARGS = [-1, 1, -2, 0.5, 3, -0.3, 100, 1e-3, 0, -0, NaN, Infinity, -Infinity];

export const regressWebgpu: CorpusCase[] = [
  {
    name: 'f32_arithmetic_is_not_reassociated',
    covers: ['(x - y) + y', '(x + c) - c', '(x * 4) * 0.25 overflows', 'x / 0 with a constant 0', 'x * 0', 'x - x', 'x !== x', 'a * b - c not fused'],
    kernel: function noReassociation(a: Float32Array, o: Float32Array) {
      const i = cuda.grid(1);
      if (i + 1 >= a.length) return;
      const x = a[i], y = a[i + 1];
      o[i * 9] = (x - y) + y;
      o[i * 9 + 1] = (x + 1e8) - 1e8;
      o[i * 9 + 2] = (x * 4) * 0.25;
      o[i * 9 + 3] = a[i] / 0;
      o[i * 9 + 4] = x * 0;
      o[i * 9 + 5] = x - x;
      o[i * 9 + 6] = x !== x ? 1 : 0;
      o[i * 9 + 7] = x * x - 1;
      o[i * 9 + 8] = x / x;
    },
    grid: 1, block: 32,
    args: () => [Float32Array.from(PAIRS), new Float32Array(PAIRS.length * 9)],
    reference: ([a, o]: any) => {
      // f32 locals compute in f32: each operation rounds.
      const f = Math.fround;
      for (let i = 0; i + 1 < a.length; i++) {
        const x = a[i], y = a[i + 1];
        o.set([f(x - y) + y, f(x + 1e8) - 1e8, f(x * 4) * 0.25, x / 0, x * 0, x - x, x !== x ? 1 : 0, f(x * x) - 1, x / x], i * 9);
      }
    },
    outputs: [1],
  } as CorpusCase,
  {
    name: 'sinh_in_a_kernel_with_shared_memory',
    covers: ['Math.sinh', 'cuda.shared.array'],
    kernel: function sinhShared(a: Float32Array, o: Float32Array) {
      const s = cuda.shared.array(32, 'f32');
      const t = cuda.threadIdx.x;
      s[t] = t < a.length ? a[t] : 0;
      cuda.syncthreads();
      if (t < a.length) o[t] = Math.sinh(s[t]) + Math.sinh(a[t]);
    },
    grid: 1, block: 32,
    args: () => [Float32Array.from([1, 2, -0.5, 0.01, 0, -0, 3, -7.5, 20, 100, NaN, Infinity]), new Float32Array(12)],
    reference: ([a, o]: any) => { for (let i = 0; i < a.length; i++) o[i] = 2 * Math.sinh(a[i]); },
    outputs: [1],
  } as CorpusCase,
  {
    name: 'ordered_comparison_of_booleans',
    covers: ['bool < bool', 'bool <= bool', 'bool > bool', 'bool >= bool'],
    kernel: function boolOrder(a: Int32Array, o: Int32Array) {
      const i = cuda.grid(1);
      if (i >= a.length) return;
      const p = a[i] > 0, q = a[i] > 1;
      const r = a[i] % 2 === 0;
      o[i * 4] = p < q ? 1 : 0;
      o[i * 4 + 1] = q <= p ? 1 : 0;
      o[i * 4 + 2] = r > p ? 1 : 0;
      o[i * 4 + 3] = r >= q ? 1 : 0;
    },
    grid: 1, block: 32,
    args: () => [Int32Array.from([-2, -1, 0, 1, 2, 3]), new Int32Array(24)],
    reference: ([a, o]: any) => {
      for (let i = 0; i < a.length; i++) {
        const p = a[i] > 0, q = a[i] > 1, r = a[i] % 2 === 0;
        o.set([+(p < q), +(q <= p), +(r > p), +(r >= q)], i * 4);
      }
    },
    outputs: [1],
  } as CorpusCase,
  {
    name: 'negative_zero_scalar_argument',
    covers: ['scalar argument -0', '1 / -0'],
    kernel: function negZero(o: Float32Array, x: number) {
      o[0] = 1 / x;
      o[1] = x === 0 ? 1 : 0;
      o[2] = 1 / (x * 2);
    },
    grid: 1, block: 1,
    args: () => [new Float32Array(3), -0],
    reference: ([o]: any) => { o.set([-Infinity, 1, -Infinity]); },
    outputs: [0],
  } as CorpusCase,
  {
    name: 'trig_of_huge_arguments',
    covers: ['Math.sin/cos/tan of |x| > 8192 (Payne-Hanek)', 'Math.sin(Infinity)'],
    kernel: function trigHuge(a: Float32Array, o: Float32Array) {
      const i = cuda.grid(1);
      if (i >= a.length) return;
      o[i * 3] = Math.sin(a[i]);
      o[i * 3 + 1] = Math.cos(a[i]);
      o[i * 3 + 2] = Math.tan(a[i]);
    },
    grid: 1, block: 32,
    // Near multiples of pi/2 (16367173, 1.6263033e38), the Cody-Waite/Payne-Hanek boundary, 2^31, the largest f32.
    args: () => [Float32Array.from([1e6, -1e6, 2147483648, 1e30, -3.4028234663852886e38, 8192, 8193, -12867.963, 16367173, 1.6263033e38, 1e20, 5e9, Infinity, NaN]), new Float32Array(42)],
    reference: ([a, o]: any) => {
      for (let i = 0; i < a.length; i++) o.set([Math.sin(a[i]), Math.cos(a[i]), Math.tan(a[i])], i * 3);
    },
    outputs: [1],
  } as CorpusCase,
  {
    name: 'long_loops_run_to_the_end',
    covers: ['grid-stride loop of 65536 iterations per thread', 'loops of a thread over 65535 iterations together', 'nested loops', 'do-while'],
    kernel: function longLoops(a: Float32Array, o: Int32Array) {
      const t = cuda.grid(1);
      let s = 0;
      for (let i = t; i < a.length; i += cuda.gridsize(1)) s += a[i];
      let n = 0;
      for (let j = 0; j < 300; j++) for (let k = 0; k < 300; k++) n += (j ^ k) & 1;
      let m = 0;
      do { m++; } while (m < 70000 + t);
      o[t * 3] = s;
      o[t * 3 + 1] = n;
      o[t * 3 + 2] = m;
    },
    grid: 1, block: 2,
    args: () => [new Float32Array(131072).fill(1), new Int32Array(6)],
    reference: ([, o]: any) => { o.set([65536, 45000, 70000, 65536, 45000, 70001]); },
    outputs: [1],
  } as CorpusCase,
  {
    name: 'int_zero_over_itself_is_nan',
    covers: ['(-z) / z with an i32 local z = 0 in a device function', '0.5 / NaN'],
    kernel: function zeroOverZero(o: Float32Array, s: number) {
      const z = 0;
      const f = Math.fround(s);
      if (f <= Math.fround(0.5)) { o[0] = 1; } else { o[0] = Math.fround(0.5) * (0.5 / negOverSelf(1, z)); }
      o[1] = negOverSelf(1, z);
      o[2] = 0.5 / negOverSelf(1, z);
    },
    options: { globals: { negOverSelf } },
    grid: 1, block: 1,
    args: () => [new Float32Array(3), 0.75],
    reference: ([o]: any) => { o.set([NaN, NaN, NaN]); },
    outputs: [0],
  } as CorpusCase,
  {
    name: 'atan_of_a_negation',
    covers: ['Math.atan(-x)', 'Math.atan(-Math.abs(x))', 'Math.atan(-f()) of a device function', 'Math.atan2/asin of a negation'],
    kernel: function atanOfNegation(a: Float32Array, o: Float32Array) {
      const i = cuda.grid(1);
      if (i >= a.length) return;
      o[i * 5] = Math.atan(-a[i]);
      o[i * 5 + 1] = Math.atan(-Math.abs(a[i]));
      o[i * 5 + 2] = Math.atan(-onePlusHalf(0.5));
      o[i * 5 + 3] = Math.atan2(-a[i], 2);
      o[i * 5 + 4] = Math.asin(-(a[i] * 0.25));
    },
    options: { globals: { onePlusHalf } },
    grid: 1, block: 16,
    args: () => [Float32Array.from(ATAN_ARGS), new Float32Array(ATAN_ARGS.length * 5)],
    reference: ([a, o]: any) => {
      for (let i = 0; i < a.length; i++) {
        o.set([Math.atan(-a[i]), Math.atan(-Math.abs(a[i])), Math.atan(-1), Math.atan2(-a[i], 2), Math.asin(-(a[i] * 0.25))], i * 5);
      }
    },
    outputs: [1],
  } as CorpusCase,
  {
    // Fuzz seed 3001857 (long run): the generated kernel wrote `sh[t] = nb + 1e8 % sh[1]`
    // in the same barrier phase, a data race (llvmpipe and the simulator ran the threads
    // in different orders); the generator now computes the value before the barrier. This
    // is the race-free kernel: f32 % of shared loads, by 0.1f, then + 7 and * 0.5f.
    name: 'f32_rem_of_shared_loads_between_barriers',
    covers: ['f32 % of a shared load', 'cuda.shared.array f32 two barrier phases', 'cuda.grid(2)'],
    kernel: function sharedRemPhases(a: Float32Array, o: Float32Array) {
      const [gx, gy] = cuda.grid(2);
      const i = gy * 8 + gx;
      const t = cuda.threadIdx.y * 4 + cuda.threadIdx.x;
      const sh = cuda.shared.array(16, 'f32');
      sh[t] = Math.fround(i);
      cuda.syncthreads();
      const nv = sh[(t + 1) & 15] + (Math.fround(1e8) % sh[1]);
      cuda.syncthreads();
      sh[t] = nv;
      cuda.syncthreads();
      o[i * 2] = ((sh[2] % a[0]) + 7) * Math.fround(0.5);
      o[i * 2 + 1] = ((sh[t] % a[1]) + 7) * Math.fround(0.5);
    },
    grid: [2, 2], block: [4, 4],
    args: () => [Float32Array.from([0.1, 0.3]), new Float32Array(128)],
    reference: ([a, o]: any) => {
      const f = Math.fround;
      for (let by = 0; by < 2; by++) {
        for (let bx = 0; bx < 2; bx++) {
          const idx = (t: number) => (by * 4 + (t >> 2)) * 8 + bx * 4 + (t & 3);
          const old = Array.from({ length: 16 }, (_, t) => f(idx(t)));
          const sh = old.map((_, t) => f(old[(t + 1) & 15] + f(f(1e8) % old[1])));
          for (let t = 0; t < 16; t++) {
            o[idx(t) * 2] = f(f(f(sh[2] % a[0]) + 7) * 0.5);
            o[idx(t) * 2 + 1] = f(f(f(sh[t] % a[1]) + 7) * 0.5);
          }
        }
      }
    },
    outputs: [1],
  } as CorpusCase,
  {
    // The driver folded x - x to 0 when x was already hidden from it (an OR with
    // zero is idempotent, so x and the hidden right operand were one value).
    name: 'infinity_minus_itself_is_nan',
    covers: ['x - x of a hidden value (x = a + a, x = Infinity)', '(a + 1) - (a + 1)', 'x / x of a sum', 'x - x in a device function in a loop (fuzz seed 3003302)'],
    kernel: function infMinusItself(a: Float32Array, o: Float32Array) {
      const i = cuda.grid(1);
      if (i >= a.length) return;
      const x = a[i] + a[i];
      const inf = Infinity;
      o[i * 6] = x - x;
      o[i * 6 + 1] = (a[i] + 1) - (a[i] + 1);
      o[i * 6 + 2] = x / x;
      o[i * 6 + 3] = inf - inf;
      o[i * 6 + 4] = x !== x ? 1 : 0;
      let q = 0;
      while (q < (i & 3)) {
        q++;
        o[i * 6 + 5] = selfMinus(u32(1) / cuda.umulhi(u32(1), u32(1)), u32(1));
      }
    },
    options: { globals: { selfMinus }, float: 'f32' },
    grid: 1, block: 16,
    args: () => [Float32Array.from([Infinity, 1, -Infinity, NaN, 0, -0, 3e38, -2.5, 1e-3]), new Float32Array(9 * 6)],
    reference: ([a, o]: any) => {
      const f = Math.fround;
      for (let i = 0; i < a.length; i++) {
        const x = f(a[i] + a[i]), y = f(a[i] + 1);
        o.set([x - x, y - y, x / x, NaN, x !== x ? 1 : 0, (i & 3) ? NaN : 0], i * 6);
      }
    },
    outputs: [1],
  } as CorpusCase,
  {
    // Dawn's GLSL path turned the WGSL literal `-0.0f` into +0 on llvmpipe: constant -0 (also a
    // -0 element of a constant table) came out +0. Compared with the sign of zero.
    name: 'signed_zeros_survive',
    covers: ['-0 * x from arrays', '-0 * x', 'x * -0', '-0 + -0', '-x of +0', '0 / -5', 'Math.fround(-0)', 'a -0 in a constant table', 'a -0 stored and read back'],
    kernel: function signedZeros(a: Float32Array, o: Float32Array) {
      const i = cuda.grid(1);
      if (i >= a.length) return;
      const x = a[i];
      o[i * 9] = a[0] * x;
      o[i * 9 + 1] = -0 * x;
      o[i * 9 + 2] = x * -0;
      o[i * 9 + 3] = -0 + -0;
      o[i * 9 + 4] = -x;
      o[i * 9 + 5] = 0 / -5;
      o[i * 9 + 6] = Math.fround(-0);
      o[i * 9 + 7] = ZEROS[i % 2] + ZEROS[0];
      o[i * 9 + 8] = o[i * 9 + 1];
    },
    grid: 1, block: 32,
    options: { globals: { ZEROS: Float32Array.from([-0, 0]) } },
    signedZero: true,
    args: () => [Float32Array.from([-0, 0, 2, -3, 0.5, -1e-3]), new Float32Array(54)],
    reference: ([a, o]: any) => {
      for (let i = 0; i < a.length; i++) {
        const x = a[i];
        o.set([a[0] * x, -0 * x, x * -0, -0 + -0, -x, 0 / -5, -0, [-0, 0][i % 2] + -0, -0 * x], i * 9);
      }
    },
    outputs: [1],
  } as CorpusCase,
  {
    // A kernel with a barrier returns through a flag (exit-flag mode): a return in a loop nested
    // in a thread-dependent do-while, as the last statement of the outer body, left only the inner
    // loop, and the outer loop ran again (fuzz seeds 5001344, 5001846).
    name: 'return_in_nested_loop_after_barrier',
    covers: ['return inside a for nested in a do-while, kernel with a barrier'],
    kernel: function returnNestedAfterBarrier(o: Int32Array, a: Int32Array) {
      const i = cuda.grid(1);
      cuda.syncthreads();
      let q = 0;
      do {
        q++;
        o[i] = q;
        for (let j = 0; j < (a[0] & 3); j++) {
          if (j >= (i & 1)) return;
        }
      } while (q < (i & 3));
    },
    grid: 1, block: 16,
    args: () => [new Int32Array(16), Int32Array.from([1])],
    reference: ([o]: any) => {
      for (let i = 0; i < 16; i++) o[i] = (i & 1) === 0 ? 1 : (i & 3);
    },
    outputs: [0],
  } as CorpusCase,
  {
    // cuda.ldexp's steps past 2^127: Mesa folded (x * 2^127) * 2^127 into x * Inf, so
    // ldexp(0, 1000000) was NaN on llvmpipe, and a truthiness test of it false (fuzz seed 7600048).
    name: 'ldexp_huge_exponent_of_zero_f32',
    covers: ['cuda.ldexp with exponents far beyond the float range, of zero and of finite values'],
    options: { float: 'f32' },
    kernel: function ldexpHuge(o: Int32Array, f: Float32Array, s: number) {
      const i = cuda.grid(1);
      const z = s - s;
      if (cuda.ldexp(z, 1000000) + 1e30) o[i] = 1;
      f[i] = cuda.ldexp(z + i, 1000000 - 2000000 * (i & 1));
    },
    grid: 1, block: 4,
    args: () => [new Int32Array(4), new Float32Array(4), 0.75],
    reference: ([o, f]: any) => {
      for (let i = 0; i < 4; i++) { o[i] = 1; f[i] = i === 0 ? 0 : (i & 1) ? 0 : Infinity; }
    },
    outputs: [0, 1],
  } as CorpusCase,
  {
    // Fuzz seed 14003396: llvmpipe's log read a positive subnormal as 2^-127
    // (Math.log(nextafter(0, 0.5)) gave -88.03 instead of -103.28), and a
    // driver that flushes subnormal inputs gives -Infinity / 0: log, log2,
    // log10 and sqrt take a subnormal as an exact integer times 2^-149.
    name: 'log_and_sqrt_of_subnormals',
    covers: ['Math.log of a subnormal', 'Math.log2 of a subnormal', 'Math.log10 of a subnormal', 'Math.sqrt of a subnormal', 'a negative subnormal gives NaN'],
    kernel: function logOfSubnormals(a: Float32Array, o: Float32Array) {
      const i = cuda.grid(1);
      if (i >= a.length) return;
      const x = a[i];
      o[i * 5] = Math.log(x);
      o[i * 5 + 1] = Math.log2(x);
      o[i * 5 + 2] = Math.log10(x);
      o[i * 5 + 3] = Math.sqrt(x);
      o[i * 5 + 4] = Math.log(cuda.nextafter(a[9], Math.fround(0.5))); // a[9] is +0
    },
    grid: 1, block: 32,
    args: () => {
      const bits = [1, 2, 3, 0x400000, 0x7fffff, 0x12345, 0x800000, 0x80000001, 0x807fffff, 0, 0x80000000, 0x3f800000, 0x7f800000, 0x7fc00000];
      const a = new Float32Array(new Uint32Array(bits).buffer);
      return [a, new Float32Array(a.length * 5)];
    },
    reference: ([a, o]: any) => {
      const f = Math.fround;
      for (let i = 0; i < a.length; i++) {
        const x = a[i];
        o.set([f(Math.log(x)), f(Math.log2(x)), f(Math.log10(x)), f(Math.sqrt(x)), f(Math.log(1.401298464324817e-45))], i * 5);
      }
    },
    outputs: [1],
  } as CorpusCase,
  {
    // Fuzz seed 14004248: Mesa folded ldexp's last multiplication by 2^k into the
    // next multiplication by a constant (the outer ldexp's, or a plain `* 0.5`):
    // ldexp(ldexp(-0, 65535), 1) was NaN (0 × Inf) and ldexp(x, 130) * 0.5 finite.
    name: 'ldexp_result_is_not_refolded',
    covers: ['cuda.ldexp of cuda.ldexp', 'cuda.ldexp times a constant', 'ldexp of zeros and infinities with huge exponents'],
    kernel: function ldexpRefold(a: Float32Array, o: Float32Array) {
      const i = cuda.grid(1);
      if (i >= a.length) return;
      const x = a[i];
      o[i * 4] = cuda.ldexp(cuda.ldexp(x, 65535), 1);
      o[i * 4 + 1] = cuda.ldexp(cuda.ldexp(x, -300), 200);
      o[i * 4 + 2] = cuda.ldexp(x, 130) * Math.fround(0.5);
      o[i * 4 + 3] = cuda.ldexp(x, -140) * Math.fround(4);
    },
    grid: 1, block: 32,
    args: () => [Float32Array.from([0, -0, 3.25, -1.5, Infinity, -Infinity, 1e-7, 1e30, 2 ** -126, NaN]), new Float32Array(40)],
    reference: ([a, o]: any) => {
      const f = Math.fround;
      // x · 2^n rounded once: exact in f64 for |n| ≤ 400, zeros and non-finite x unchanged.
      const ldexp = (x: number, n: number) => (x === 0 || !Number.isFinite(x) ? x : f(x * 2 ** Math.max(-400, Math.min(400, n))));
      for (let i = 0; i < a.length; i++) {
        const x = a[i];
        o.set([ldexp(ldexp(x, 65535), 1), ldexp(ldexp(x, -300), 200), f(ldexp(x, 130) * 0.5), f(ldexp(x, -140) * 4)], i * 4);
      }
    },
    outputs: [1],
    signedZero: true,
  } as CorpusCase,
  {
    // Fuzz seed 18001086: webgpu's acosh was log(x + sqrt(x² − 1)), ~300 ulp off just
    // above 1 (acosh(1 + 1.2e-6)); log1p(x) was log(1 + x) beyond 0.05 (15 ulp).
    name: 'acosh_and_log1p_near_their_cancellations',
    covers: ['Math.acosh just above 1', 'Math.log1p for 0.05 ≤ |x| < 1', 'Math.asinh and Math.atanh through log1p'],
    kernel: function acoshNearOne(a: Float32Array, o: Float32Array) {
      const i = cuda.grid(1);
      if (i >= a.length) return;
      o[i * 4] = Math.acosh(1 + a[i] * Math.fround(2 ** -20));
      o[i * 4 + 1] = Math.log1p(a[i] * Math.fround(-0.003));
      o[i * 4 + 2] = Math.asinh(a[i] * Math.fround(0.004));
      o[i * 4 + 3] = Math.atanh(a[i] * Math.fround(0.0006));
    },
    grid: 2, block: 32,
    args: () => [Float32Array.from({ length: 64 }, (_, k) => k + 1), new Float32Array(256)],
    reference: ([a, o]: any) => {
      const f = Math.fround;
      for (let i = 0; i < a.length; i++) {
        o.set([f(Math.acosh(f(1 + a[i] * 2 ** -20))), f(Math.log1p(f(a[i] * f(-0.003)))), f(Math.asinh(f(a[i] * f(0.004)))), f(Math.atanh(f(a[i] * f(0.0006))))], i * 4);
      }
    },
    outputs: [1],
    rtol: 1e-6, atol: 0,
  } as CorpusCase,
  {
    // llvmpipe's log of an x just below 1 cancels (log(0.9999995) was 10% off: an absolute
    // error of 6e-8, which WGSL allows on [0.5, 2]); webgpu's pow squared in f32 (~n/2 ulp).
    name: 'log_near_one_and_pow_of_large_integer_exponents',
    covers: ['Math.log, log2, log10 of x next to 1', 'Math.pow with a large integer exponent', 'compound growth (1 + r)^n'],
    kernel: function logNearOne(a: Float32Array, o: Float32Array) {
      const i = cuda.grid(1);
      if (i >= a.length) return;
      const x = 1 - a[i] * Math.fround(2 ** -24);
      o[i * 5] = Math.log(x);
      o[i * 5 + 1] = Math.log2(x);
      o[i * 5 + 2] = Math.log10(1 + a[i] * Math.fround(2 ** -23));
      o[i * 5 + 3] = Math.pow(1 + a[i] * Math.fround(2 ** -20), 100000);
      o[i * 5 + 4] = (1 + Math.fround(0.05) / 365) ** (a[i] * 365);
    },
    grid: 2, block: 32,
    args: () => [Float32Array.from({ length: 64 }, (_, k) => k + 1), new Float32Array(320)],
    reference: ([a, o]: any) => {
      const f = Math.fround;
      for (let i = 0; i < a.length; i++) {
        const x = f(1 - a[i] * 2 ** -24);
        o.set([f(Math.log(x)), f(Math.log2(x)), f(Math.log10(f(1 + a[i] * 2 ** -23))), f(Math.pow(f(1 + a[i] * 2 ** -20), 100000)), f(f(1 + f(0.05) / 365) ** f(a[i] * 365))], i * 5);
      }
    },
    outputs: [1],
    rtol: 1e-6, atol: 0,
  } as CorpusCase,
  {
    // WGSL's exp may be 3 + 2|x| ulp off (llvmpipe's: 51 ulp at 88.6), and cosh/sinh beyond 88
    // took exp(|x| - ln2), with |x| - ln2 rounded (30-50 ulp): webgpu's own exp now.
    name: 'exp_cosh_sinh_of_large_arguments',
    covers: ['Math.exp near overflow and far below 0', 'Math.cosh and Math.sinh near overflow'],
    kernel: function expLarge(a: Float32Array, o: Float32Array) {
      const i = cuda.grid(1);
      if (i >= a.length) return;
      o[i * 4] = Math.exp(a[i]);
      o[i * 4 + 1] = Math.exp(Math.fround(1.5) - a[i]); // normal results only: a GPU may flush subnormals
      o[i * 4 + 2] = Math.cosh(a[i] + Math.fround(0.75));
      o[i * 4 + 3] = Math.sinh(-a[i] - Math.fround(0.6));
    },
    grid: 2, block: 32,
    args: () => [Float32Array.from({ length: 64 }, (_, k) => Math.fround(60 + k * 0.45)), new Float32Array(256)],
    reference: ([a, o]: any) => {
      const f = Math.fround;
      for (let i = 0; i < a.length; i++) {
        o.set([f(Math.exp(a[i])), f(Math.exp(f(1.5 - a[i]))), f(Math.cosh(f(a[i] + f(0.75)))), f(Math.sinh(f(-a[i] - f(0.6))))], i * 4);
      }
    },
    outputs: [1],
    rtol: 1e-6, atol: 0,
  } as CorpusCase,
];
