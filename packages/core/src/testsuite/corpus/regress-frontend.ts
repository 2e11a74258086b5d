// @ts-nocheck: cases are data for the frontend and probe JavaScript semantics TypeScript's checker refuses.
import { cuda, f32, i32, u32 } from '@numbat/core';
import { ramp, type CorpusCase } from './types.js';

// Regressions of the frontend (issue 11 bugs 1-4, issue 12 item 7): argument
// evaluation order, device functions typed per call, local type keys, type
// checks on settled types, and multi-dimensional arrays whose every subscript
// is checked. The references run the kernels' JavaScript meaning.

const inc = cuda.jit(function inc(a: Int32Array, i: number) { a[i] += 1; return 100; }, { device: true });
const pair = cuda.jit(function pair(p: number, q: number) { return p * 10 + q; }, { device: true });
const id = cuda.jit(function id(x: number) { return x; }, { device: true });
// Two device functions with the same text up to a same-named local at the same
// offset, created on one line (no file position tells them apart).
// eslint-disable-next-line no-new-func
const up = cuda.jit(new Function('x', 'let t = x; return t + 1;'), { device: true }), down = cuda.jit(new Function('x', 'let t = x; return t - 1;'), { device: true });

export const regressFrontend: CorpusCase[] = [
  {
    name: 'order_math_arguments',
    covers: ['Math.max/imul/hypot/min arguments read left to right before a later argument\'s ++/--'],
    kernel: function orderMath(o: Float32Array, v: Int32Array) {
      const i = cuda.grid(1);
      if (i >= v.length) return;
      let x = v[i];
      o[i * 4] = Math.max(x, x++);
      o[i * 4 + 1] = Math.imul(x, x++ + 3);
      o[i * 4 + 2] = Math.hypot(x, --x);
      o[i * 4 + 3] = Math.min(x, x--, x);
    },
    grid: 1, block: 32,
    args: () => [new Float32Array(4 * 32), ramp(32, (i) => i - 16, Int32Array)],
    reference: ([o, v]: any) => {
      for (let i = 0; i < 32; i++) {
        let x = v[i];
        o[i * 4] = Math.max(x, x++);
        o[i * 4 + 1] = Math.imul(x, x++ + 3);
        o[i * 4 + 2] = Math.hypot(x, --x);
        o[i * 4 + 3] = Math.min(x, x--, x);
      }
    },
    outputs: [0],
  },
  {
    name: 'order_store_index_and_old_value',
    covers: ['o[i] = i++ stores at the old i', 'x += x++ reads x first', 'a[k] += f(a) reads the old element before the call'],
    kernel: function orderStore(o: Int32Array, a: Int32Array) {
      const t = cuda.grid(1);
      if (t >= a.length) return;
      let i = t * 3;
      o[i] = i++;
      o[i] = i++ + 1000;
      let x = t;
      x += x++;
      o[i] = x;
      a[t] += inc(a, t);
    },
    options: { globals: { inc } },
    grid: 1, block: 32,
    args: () => [new Int32Array(96), ramp(32, (i) => i * 7, Int32Array)],
    reference: ([o, a]: any) => {
      for (let t = 0; t < 32; t++) {
        let i = t * 3;
        o[i] = i++;
        o[i] = i++ + 1000;
        let x = t;
        x += x++;
        o[i] = x;
        a[t] = a[t] + 100; // the old a[t] plus inc's 100 (inc's own write is overwritten)
      }
    },
    outputs: [0, 1],
  },
  {
    name: 'order_atomic_and_device_arguments',
    covers: ['cuda.atomic.add(a, x, x++) indexes at the old x', 'device function arguments left to right', '(a / b) | 0 with an effect in b'],
    kernel: function orderAtomic(a: Int32Array, o: Int32Array) {
      const t = cuda.grid(1);
      if (t >= o.length / 3) return;
      let x = t * 2;
      cuda.atomic.add(a, x, x++ + 5);
      let y = t + 1;
      o[t * 3] = pair(y, y++);
      o[t * 3 + 1] = (y / y--) | 0;
      o[t * 3 + 2] = Math.floor((y + 6) / ++y);
    },
    options: { globals: { pair } },
    grid: 1, block: 32,
    args: () => [new Int32Array(64), new Int32Array(96)],
    reference: ([a, o]: any) => {
      for (let t = 0; t < 32; t++) {
        let x = t * 2;
        a[x] += x++ + 5;
        let y = t + 1;
        o[t * 3] = y * 10 + y++;
        o[t * 3 + 1] = (y / y--) | 0;
        o[t * 3 + 2] = Math.floor((y + 6) / ++y);
      }
    },
    outputs: [0, 1],
  },
  {
    name: 'device_function_per_signature',
    covers: ['one device function called with u32 and with i32 arguments', 'device functions with identical text created on one line'],
    kernel: function perSignature(u: Uint32Array, s: Int32Array, ou: Uint32Array, os: Int32Array) {
      const t = cuda.grid(1);
      if (t >= u.length) return;
      ou[t] = id(u[t]);
      os[t] = id(s[t]);
      ou[t + u.length] = up(u[t]);
      os[t + u.length] = down(s[t]);
    },
    options: { globals: { id, up, down } },
    grid: 1, block: 32,
    args: () => [ramp(32, (i) => 4000000000 + i, Uint32Array), ramp(32, (i) => -i * 1000, Int32Array), new Uint32Array(64), new Int32Array(64)],
    reference: ([u, s, ou, os]: any) => {
      for (let t = 0; t < 32; t++) { ou[t] = u[t]; os[t] = s[t]; ou[t + 32] = u[t] + 1; os[t + 32] = s[t] - 1; }
    },
    outputs: [2, 3],
  },
  {
    name: 'local_typed_after_first_use',
    covers: ['a local first assigned a u32 value after a use in a loop', 'a u32 sum started from the literal 0'],
    kernel: function typedLater(u: Uint32Array, o: Uint32Array) {
      const t = cuda.grid(1);
      if (t >= o.length) return;
      let x;
      let s = 0;
      for (let j = 0; j < 3; j++) {
        if (j > 0) o[t] = x + s;
        x = u[t];
        s += u[t + j];
      }
    },
    grid: 1, block: 32,
    args: () => [ramp(40, (i) => 1000000000 + i, Uint32Array), new Uint32Array(32)],
    reference: ([u, o]: any) => {
      for (let t = 0; t < 32; t++) {
        let x = 0, s = 0;
        for (let j = 0; j < 3; j++) { if (j > 0) o[t] = x + s; x = u[t]; s += u[t + j]; }
      }
    },
    outputs: [1],
  },
  {
    name: 'multidim_subscripts_checked_in_range',
    covers: ['2-D and 3-D shared arrays, a local 2-D array and a 2-D atomic with per-dimension checks, all in range'],
    kernel: function multidim(o: Float32Array, c: Int32Array) {
      const tx = cuda.threadIdx.x, ty = cuda.threadIdx.y;
      const s = cuda.shared.array([4, 8], f32);
      const s3 = cuda.shared.array([2, 4, 8], i32);
      const l = cuda.local.array([2, 3], f32);
      s[ty][tx] = ty * 8 + tx;
      s3[ty % 2][ty][tx] = 0;
      cuda.syncthreads();
      cuda.atomic.add(s3, [ty % 2, ty, tx], tx + 1);
      for (let a = 0; a < 2; a++) for (let b = 0; b < 3; b++) l[a][b] = a * 3 + b + tx;
      cuda.syncthreads();
      o[ty * 8 + tx] = s[3 - ty][7 - tx] + l[1][2];
      c[ty * 8 + tx] = s3[ty % 2][ty][tx];
    },
    grid: 1, block: [8, 4],
    args: () => [new Float32Array(32), new Int32Array(32)],
    reference: ([o, c]: any) => {
      for (let ty = 0; ty < 4; ty++) for (let tx = 0; tx < 8; tx++) {
        o[ty * 8 + tx] = (3 - ty) * 8 + (7 - tx) + 5 + tx;
        c[ty * 8 + tx] = tx + 1;
      }
    },
    outputs: [0, 1],
  },

  {
    name: 'int_sum_wraps_under_uint32_f32',
    covers: ['(0xfffffff0 + i) >>> 0 and other +/- chains of 32-bit integers consumed by ToUint32/ToInt32 are exact in an f32 kernel (issue 12 item 10)'],
    kernel: function wrapSums(u: Uint32Array, s: Int32Array, b: Uint8Array, v: Uint32Array) {
      const i = cuda.grid(1);
      if (i >= v.length) return;
      const w = v[i], n = 2 * 32;
      u[i * 4] = (0xfffffff0 + i) >>> 0;
      u[i * 4 + 1] = u32(w - (0x80000000 - i));
      u[i * 4 + 2] = 0xfffffff0 + w + i;
      u[i * 4 + 3] = ((-4294967295 + w) - (i - 3)) >>> 0;
      s[i * 4] = (0xfffffff0 + i) | 0;
      s[i * 4 + 1] = ~(w + 0x7ffffff0 + i);
      s[i * 4 + 2] = i32(0xffffffff - w) ^ ((i + 0xfffffffe) & 0xffff);
      s[i * 4 + 3] = (w + i + n + 4000000000) >> 1;
      b[i] = 0xfffffff0 + i + w;
    },
    options: { float: 'f32' },
    grid: 2, block: 32,
    args: () => [new Uint32Array(4 * 64), new Int32Array(4 * 64), new Uint8Array(64), ramp(64, (i) => 4294967200 + i * 3, Uint32Array)],
    reference: ([u, s, b, v]: any) => {
      for (let i = 0; i < 64; i++) {
        const w = v[i], n = 2 * 32;
        u[i * 4] = (0xfffffff0 + i) >>> 0;
        u[i * 4 + 1] = (w - (0x80000000 - i)) >>> 0;
        u[i * 4 + 2] = 0xfffffff0 + w + i;
        u[i * 4 + 3] = ((-4294967295 + w) - (i - 3)) >>> 0;
        s[i * 4] = (0xfffffff0 + i) | 0;
        s[i * 4 + 1] = ~(w + 0x7ffffff0 + i);
        s[i * 4 + 2] = ((0xffffffff - w) | 0) ^ ((i + 0xfffffffe) & 0xffff);
        s[i * 4 + 3] = (w + i + n + 4000000000) >> 1;
        b[i] = 0xfffffff0 + i + w;
      }
    },
    outputs: [0, 1, 2],
  },
  {
    name: 'order_atomic_inside_expression',
    covers: ['an earlier operand, argument, index or old element is read before an atomic later in the same expression, and the atomic runs once'],
    kernel: function atomicInExpr(o: Int32Array, p: Int32Array, f: Float32Array, r: Float32Array) {
      if (cuda.grid(1) > 0) return;
      r[0] = Math.max(o[0], cuda.atomic.add(o, 0, 1));
      r[1] = o[1] + cuda.atomic.add(o, 1, 5);
      r[2] = o[2] * 100 + cuda.atomic.exch(o, 2, 7);
      p[o[3]] = cuda.atomic.add(o, 3, 1);
      r[3] = Math.hypot(f[0], cuda.atomic.add(f, 0, 3));
      r[4] = o[4] % cuda.atomic.add(o, 4, 1);
      r[5] = (o[5] / cuda.atomic.add(o, 5, 1)) | 0;
      r[6] = Math.floor(o[6] / cuda.atomic.sub(o, 6, 1));
      r[7] = Math.trunc(o[7] / cuda.atomic.add(o, 7, 2));
      r[8] = f[1] < cuda.atomic.add(f, 1, 3) ? 1 : 2;
      r[9] = cuda.atomic.add(f, 2, 1) ? 5 : 6;
      r[10] = o[8] > 0 && cuda.atomic.add(o, 8, 1) > 0 ? 1 : 2;
      r[11] = o[9] - cuda.atomic.add(o, 9, 1) + o[9];
      o[10] += cuda.atomic.add(o, 10, 2);
      o[o[11]] = cuda.atomic.add(o, 11, 1) + cuda.atomic.add(o, 11, 1);
      r[12] = Math.min(o[12], o[12] + 1, cuda.atomic.sub(o, 12, 5));
      r[13] = pair(o[13], cuda.atomic.add(o, 13, 4));
      r[14] = i32(f[3] + cuda.atomic.add(f, 3, 1)) + cuda.atomic.cas(o, 14, o[14], 9);
    },
    options: { globals: { pair } },
    grid: 1, block: 1,
    args: () => [new Int32Array([7, 9, 9, 1, 1, 9, 9, 7, 1, 4, 3, 15, 10, 2, 5, 0]), new Int32Array(4).fill(-1), new Float32Array([3, 1, 0, 2.5]), new Float32Array(15)],
    reference: ([o, p, f, r]: any) => {
      const atomic = (a: any, i: number, op: (x: number) => number) => { const old = a[i]; a[i] = op(old); return old; };
      const pairJs = (x: number, y: number) => x * 10 + y;
      r[0] = Math.max(o[0], atomic(o, 0, (x) => x + 1));
      r[1] = o[1] + atomic(o, 1, (x) => x + 5);
      r[2] = o[2] * 100 + atomic(o, 2, () => 7);
      p[o[3]] = atomic(o, 3, (x) => x + 1);
      r[3] = Math.hypot(f[0], atomic(f, 0, (x) => x + 3));
      r[4] = o[4] % atomic(o, 4, (x) => x + 1);
      r[5] = (o[5] / atomic(o, 5, (x) => x + 1)) | 0;
      r[6] = Math.floor(o[6] / atomic(o, 6, (x) => x - 1));
      r[7] = Math.trunc(o[7] / atomic(o, 7, (x) => x + 2));
      r[8] = f[1] < atomic(f, 1, (x) => x + 3) ? 1 : 2;
      r[9] = atomic(f, 2, (x) => x + 1) ? 5 : 6;
      r[10] = o[8] > 0 && atomic(o, 8, (x) => x + 1) > 0 ? 1 : 2;
      r[11] = o[9] - atomic(o, 9, (x) => x + 1) + o[9];
      o[10] += atomic(o, 10, (x) => x + 2);
      o[o[11]] = atomic(o, 11, (x) => x + 1) + atomic(o, 11, (x) => x + 1);
      r[12] = Math.min(o[12], o[12] + 1, atomic(o, 12, (x) => x - 5));
      r[13] = pairJs(o[13], atomic(o, 13, (x) => x + 4));
      r[14] = ((f[3] + atomic(f, 3, (x) => Math.fround(x + 1))) | 0) + atomic(o, 14, (x) => (x === o[14] ? 9 : x));
    },
    outputs: [0, 1, 2, 3],
  },
];
