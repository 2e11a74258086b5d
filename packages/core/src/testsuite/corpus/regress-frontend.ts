// @ts-nocheck: cases are data for the frontend and probe JavaScript semantics TypeScript's checker refuses.
import { cuda, f32, i32 } from '@numbat/core';
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
];
