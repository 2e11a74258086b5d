// @ts-nocheck: cases are data for the frontend and probe JavaScript semantics TypeScript's checker refuses.
import { cuda, f32, i8, i16, u8, u16 } from '@numbat/core';
import { ramp, type CorpusCase } from './types.js';

// Arrays and syntax from numba kernels: narrow conversions, views (subarray),
// shaped (n-d) arguments, for...of, shared shapes from constants.
export const arraysSyntax: CorpusCase[] = [
  {
    name: 'narrow_conversions',
    covers: ['i8(x)', 'u8(x)', 'i16(x)', 'u16(x)', 'narrow conversion of a constant'],
    kernel: function narrow(x: Float64Array, o: Int32Array) {
      const i = cuda.grid(1);
      if (i >= x.length) return;
      o[i * 5] = i8(x[i]);
      o[i * 5 + 1] = u8(x[i]) + 1000;
      o[i * 5 + 2] = i16(x[i]);
      o[i * 5 + 3] = u16(x[i]) * 2;
      o[i * 5 + 4] = i8(200) + u16(-1) + i16(40000) + u8(257.9);
    },
    grid: 1, block: 32,
    args: () => [new Float64Array([0, -0, 1.5, -1.5, 127, 128, -129, 255, 256, 32767, 32768, -32769, 65535, 65536, 2 ** 31, -(2 ** 31) - 1, 2 ** 32 + 5, 1e20, NaN, Infinity, -Infinity, 200.7, -200.7]), new Int32Array(23 * 5)],
    reference: ([x, o]: any) => {
      for (let i = 0; i < x.length; i++) {
        o[i * 5] = new Int8Array([x[i]])[0];
        o[i * 5 + 1] = new Uint8Array([x[i]])[0] + 1000;
        o[i * 5 + 2] = new Int16Array([x[i]])[0];
        o[i * 5 + 3] = new Uint16Array([x[i]])[0] * 2;
        o[i * 5 + 4] = -56 + 65535 + -25536 + 1;
      }
    },
    outputs: [1],
    needsF64: true,
  },
  {
    name: 'narrow_conversions_f32',
    covers: ['i8(x) of f32 and i32 values'],
    kernel: function narrow32(x: Float32Array, n: Int32Array, o: Int32Array) {
      const i = cuda.grid(1);
      if (i >= x.length) return;
      o[i * 4] = i8(x[i]) + u8(n[i]);
      o[i * 4 + 1] = i16(n[i] + 0x7fff);
      o[i * 4 + 2] = u16(n[i] * 3);
      o[i * 4 + 3] = i8(n[i] >>> 0);
    },
    grid: 1, block: 64,
    args: () => [ramp(40, (i) => (i - 20) * 13.7), ramp(40, (i) => (i - 20) * 1234567, Int32Array), new Int32Array(160)],
    reference: ([x, n, o]: any) => {
      for (let i = 0; i < x.length; i++) {
        o[i * 4] = new Int8Array([x[i]])[0] + new Uint8Array([n[i]])[0];
        o[i * 4 + 1] = new Int16Array([n[i] + 0x7fff])[0];
        o[i * 4 + 2] = new Uint16Array([n[i] * 3])[0];
        o[i * 4 + 3] = new Int8Array([n[i] >>> 0])[0];
      }
    },
    outputs: [2],
  },
  {
    name: 'subarray_views',
    covers: ['a.subarray(begin, end)', 'subarray negative and clamped bounds', 'view of a view', 'view .length', 'store through a view', 'subarray of shared memory', 'atomic on a view'],
    kernel: function views(a: Float32Array, o: Float32Array, c: Int32Array, lo: number) {
      const i = cuda.threadIdx.x;
      const v = a.subarray(lo, -2);
      const w = v.subarray(-3);
      const s = cuda.shared.array(32, f32);
      s[i] = i * 2;
      cuda.syncthreads();
      const sv = s.subarray(4, 8);
      if (i === 0) {
        o[0] = v.length; o[1] = w.length; o[2] = w[0]; o[3] = v[1]; o[4] = sv[3];
        o[5] = a.subarray(5, 2).length; o[6] = sv.length; o[7] = a.subarray(-100, 100).length;
        o[8] = a.subarray(lo + 100).length; o[9] = a.subarray(i + 3, i + 5)[1];
      }
      if (i < v.length) v[i] += 100;
      cuda.atomic.add(c.subarray(2), i % 3, 1);
    },
    grid: 1, block: 32,
    args: () => [ramp(40, (i) => i), new Float32Array(10), new Int32Array(6), 3],
    reference: ([a, o, c, lo]: any) => {
      const v = a.subarray(lo, -2), w = v.subarray(-3);
      o.set([v.length, w.length, w[0], v[1], 14, 0, 4, 40, 0, a[4]]);
      for (let i = 0; i < 32 && i < v.length; i++) v[i] += 100;
      for (let i = 0; i < 32; i++) c[2 + (i % 3)]++;
    },
    outputs: [0, 1, 2],
  },
  {
    name: 'subarray_in_device_function_and_u32_bounds',
    covers: ['view passed to a device function', 'subarray with u32 bounds', 'view in a loop'],
    kernel: function rows(a: Int32Array, o: Int32Array, w: number) {
      const r = cuda.grid(1);
      if (r * w >= a.length) return;
      const row = a.subarray(r * w, (r + 1) * w);
      o[r] = rowSum(row) + a.subarray(r >>> 0, (r + 2) >>> 0).length * 1000;
    },
    options: { globals: { rowSum: cuda.jit((x: Int32Array) => { let s = 0; for (let j = 0; j < x.length; j++) s += x[j] * (j + 1); return s; }, { device: true }) } },
    grid: 2, block: 16,
    args: () => [ramp(7 * 20, (i) => (i * 37) % 11 - 5, Int32Array), new Int32Array(20), 7],
    reference: ([a, o, w]: any) => {
      for (let r = 0; r < 20; r++) {
        let s = 0;
        for (let j = 0; j < w; j++) s += a[r * w + j] * (j + 1);
        o[r] = s + a.subarray(r, r + 2).length * 1000;
      }
    },
    outputs: [1],
  },
  {
    name: 'disjoint_host_views_as_arguments',
    covers: ['host subarray views as arguments', 'byteOffset of a host view'],
    kernel: function halves(lo: Float32Array, hi: Float32Array) {
      const i = cuda.grid(1);
      if (i < lo.length) { const t = lo[i]; lo[i] = hi[i] * 2; hi[i] = t + 1; }
    },
    grid: 1, block: 64,
    args: () => { const buf = ramp(100, (i) => i); return [buf.subarray(3, 40), buf.subarray(50, 87)]; },
    reference: ([lo, hi]: any) => { for (let i = 0; i < lo.length; i++) { const t = lo[i]; lo[i] = hi[i] * 2; hi[i] = t + 1; } },
    outputs: [0, 1],
  },
  {
    name: 'ndarray_2d_3d_arguments',
    covers: ['cuda.ndarray(data, shape)', 'a[i][j] on a global array', 'a.shape[k]', 'const [r, c] = a.shape', '.length of an n-d array', 'a[i][j][k] on a 3-D argument', 'atomic on an n-d argument'],
    kernel: function nd(a: Float32Array[], t: Int32Array[][], o: Float32Array[], cnt: Int32Array) {
      const [i, j] = cuda.grid(2);
      const [rows, cols] = a.shape;
      if (i < a.length && j < cols) {
        o[i][j] = a[i][j] * 2 + a[rows - 1 - i][j] + t[i % t.shape[0]][j % t.shape[1]][(i + j) % t.shape[2]];
        cuda.atomic.add(cnt, 0, 1);
      }
      if (i === 0 && j === 0) cnt[1] = rows * 1000 + cols * 10 + t.length + o.shape[1] * 100000;
    },
    grid: [2, 3], block: [4, 8],
    args: () => [cuda.ndarray(ramp(5 * 17, (i) => i * 0.5), [5, 17]), cuda.ndarray(ramp(2 * 3 * 4, (i) => i * 7 - 30, Int32Array), [2, 3, 4]), cuda.ndarray(new Float32Array(5 * 17), [5, 17]), new Int32Array(2)],
    reference: ([a, t, o, cnt]: any) => {
      const A = (i, j) => a.data[i * 17 + j], T = (i, j, k) => t.data[(i * 3 + j) * 4 + k];
      for (let i = 0; i < 5; i++) for (let j = 0; j < 17; j++) o.data[i * 17 + j] = A(i, j) * 2 + A(4 - i, j) + T(i % 2, j % 3, (i + j) % 4);
      cnt[0] = 5 * 17;
      cnt[1] = 5000 + 170 + 2 + 1700000;
    },
    outputs: [2, 3],
  },
  {
    name: 'for_of_arrays_and_range',
    covers: ['for (const x of a) over global, shared, local, constant arrays and views', 'for (const i of cuda.range(n))', 'cuda.range(start, stop, step) with a negative step', 'break/continue in for...of', 'let loop variable reassigned'],
    kernel: function forOf(a: Float32Array, o: Float32Array, n: number) {
      const t = cuda.threadIdx.x;
      const loc = cuda.local.array(4, f32);
      for (const i of cuda.range(4)) loc[i] = t * i;
      const sh = cuda.shared.array(8, f32);
      sh[t % 8] = t;
      cuda.syncthreads();
      let s = 0;
      for (const x of a) { if (x > 30) break; s += x; }
      for (let x of loc) { x *= 2; s += x; }
      for (const x of sh) s += x * 0.5;
      for (const x of TABLE) s += x;
      for (const x of a.subarray(t, t + 3)) { if (x === 5) continue; s += x * 1000; }
      for (const i of cuda.range(n, t, -3)) s += i;
      for (const i of cuda.range(2, 2)) s += 1e6;
      o[t] = s;
    },
    options: { globals: { TABLE: [1, 2, 3.5] } },
    grid: 1, block: 8,
    args: () => [ramp(40, (i) => i), new Float32Array(8), 20],
    reference: ([a, o, n]: any) => {
      for (let t = 0; t < 8; t++) {
        let s = 0;
        for (const x of a) { if (x > 30) break; s += x; }
        for (let i = 0; i < 4; i++) s += 2 * t * i;
        for (let i = 0; i < 8; i++) s += i * 0.5;
        s += 6.5;
        for (const x of a.subarray(t, t + 3)) { if (x === 5) continue; s += x * 1000; }
        for (let i = n; i > t; i -= 3) s += i;
        o[t] = s;
      }
    },
    outputs: [1],
  },
  {
    name: 'shared_shape_from_constants',
    covers: ['cuda.shared.array shape from a local const', 'shape from a global array of constants', 'local.array shape from a const expression'],
    kernel: function tiles(o: Int32Array) {
      const N = 4;
      const M = N * 2;
      const s = cuda.shared.array([N, M], 'i32');
      const g = cuda.shared.array(TILE, 'i32');
      const l = cuda.local.array(M, 'i32');
      const x = cuda.threadIdx.x, y = cuda.threadIdx.y;
      s[y][x] = y * 10 + x;
      g[x % 3][y % 2] = x;
      l[x] = y;
      cuda.syncthreads();
      o[y * M + x] = s[N - 1 - y][M - 1 - x] + l[x] * 100 + s.length * 1000 + g.length * 10000 + l.length * 100000;
    },
    options: { globals: { TILE: [3, 2] } },
    grid: 1, block: [8, 4],
    args: () => [new Int32Array(32)],
    reference: ([o]: any) => {
      for (let y = 0; y < 4; y++) for (let x = 0; x < 8; x++) o[y * 8 + x] = (3 - y) * 10 + (7 - x) + y * 100 + 4000 + 30000 + 800000;
    },
    outputs: [0],
  },
];
