// @ts-nocheck: cases are data for the frontend and probe JavaScript semantics TypeScript's checker refuses.
// Regressions from the differential fuzzer (issue 11) in the backends' code
// generators (cpu lanes, WGSL emission): minimal kernels with a plain-JS
// reference, run on every target like the rest of the corpus.
import { cuda, f32, u32 } from '@numbat/core';
import type { CorpusCase } from './types.js';

export const regressFuzzBackends: CorpusCase[] = [
  {
    // WebGPU emitted code after these (Tint printed "code is unreachable" on stdout,
    // packages/webgpu/test/shader-warnings.test.ts); this case keeps the results.
    name: 'control_flow_that_never_falls_through',
    covers: ['do…while whose body ends in a return', 'while (true) left only by a return', 'if/else whose arms both break or continue', 'kernel ending in a return'],
    kernel: function neverFallsThrough(a: Int32Array, o: Int32Array) {
      const i = cuda.grid(1);
      if (i >= o.length) return;
      let s = 0;
      for (let j = 0; j < a[i]; j++) {
        s += j;
        if (j > 1) { s += 10; break; } else { continue; }
      }
      if (a[i] % 3 === 2) {
        let q = 0;
        do { q++; o[i] = s + q * 100; if (true) return; } while (q < a[0]);
      }
      let j = 0;
      while (true) { j++; if (j > (a[i] & 3)) { o[i] = s + j * 1000; return; } }
    },
    grid: 1, block: 32,
    args: () => [Int32Array.from({ length: 24 }, (_, k) => (k * 7) % 11 - 2), new Int32Array(24)],
    reference: ([a, o]: any) => {
      for (let i = 0; i < o.length; i++) {
        let s = 0;
        for (let j = 0; j < a[i]; j++) { s += j; if (j > 1) { s += 10; break; } }
        if (a[i] % 3 === 2) { o[i] = s + 100; continue; }
        o[i] = s + ((a[i] & 3) + 1) * 1000;
      }
    },
    outputs: [1],
  } as CorpusCase,
  {
    // cpu: LLVM 14 folded `flag === false || flag >= false` (i1 icmp eq + icmp uge) to
    // `flag === false`; ordered boolean compares are now emitted as logic.
    name: 'ordered_boolean_compare_next_to_equality',
    covers: ['bool === false || bool >= false', 'bool < bool, <=, >, >= with a uniform boolean parameter'],
    kernel: function boolOrderOr(u: Uint32Array, o: Uint32Array, flag: boolean) {
      const i = cuda.grid(1);
      if (i >= o.length / 6) return;
      const p = (u[i] & 1) === 1;
      o[i * 6] = (flag === false || flag >= false) ? 1 : u[i];
      o[i * 6 + 1] = (flag === true || flag <= true) ? 2 : u[i];
      o[i * 6 + 2] = (p === false || p >= false) ? 3 : u[i];
      o[i * 6 + 3] = (p === true || p <= true) ? 4 : u[i];
      o[i * 6 + 4] = (flag !== p && flag > p) ? 5 : u[i];
      o[i * 6 + 5] = (flag !== p && flag < p) ? 6 : u[i];
    },
    grid: 1, block: 8,
    args: () => [Uint32Array.from([10, 11, 12, 13, 14, 15, 16, 17]), new Uint32Array(48), true],
    reference: ([u, o, flag]: any) => {
      for (let i = 0; i < 8; i++) {
        const p = (u[i] & 1) === 1;
        o.set([1, 2, 3, 4, flag && !p ? 5 : u[i], !flag && p ? 6 : u[i]], i * 6);
      }
    },
    outputs: [1],
  } as CorpusCase,
  {
    // webgpu (llvmpipe): `z / i` with a local z still 0 gave 0 for i = 0 (want NaN): the
    // driver saw f32(z) as the constant 0 and folded 0 / y. i32/u32/bool → f32 are now hidden.
    name: 'known_integer_zero_converted_to_float',
    covers: ['0 / 0 from an i32 local', 'int local 0 * Infinity/NaN', 'u32 0 / 0', 'bool → float 0 * NaN'],
    kernel: function zeroConverted(f: Float32Array, o: Float32Array) {
      const i = cuda.grid(1);
      if (i >= f.length) return;
      const z = 0;
      let u = u32(0);
      const no = false;
      o[i * 4] = z / i;
      o[i * 4 + 1] = z * f[i];
      o[i * 4 + 2] = u / u32(i);
      o[i * 4 + 3] = f32(no ? 1 : 0) * f[i];
    },
    grid: 1, block: 8,
    args: () => [Float32Array.from([Infinity, NaN, -Infinity, 2, 0, -0, 1e30, -3]), new Float32Array(32)],
    reference: ([f, o]: any) => {
      for (let i = 0; i < f.length; i++) o.set([0 / i, 0 * f[i], 0 / i, 0 * f[i]], i * 4);
    },
    outputs: [1],
  } as CorpusCase,
];
