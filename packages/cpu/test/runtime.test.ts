// Runtime behaviour of target 'cpu': bounds errors as LaunchError (never a
// crash), boundscheck: false, device arrays, inspect stages, packed SIMD in
// the assembly of a simple kernel, AArch64 code generation, the module's
// hand-over to the C API as bitcode.
import { describe, expect, it } from 'vitest';
import { cuda, f32, f64, LaunchError } from '@numbat/core';
import { backend } from '@numbat/cpu';
import { bitcodeSymbols, loadLLVM, NativeModule, runStages } from '@numbat/llvm';
import { buildCpuModule } from '../dist/codegen/kernel.js';
import { cpuHelperModule } from '../dist/codegen/helpers-ir.js';
import { AARCH64_GENERIC, hostTarget } from '../dist/codegen/target.js';
import { CPU_STAGES, laneWidthFor, type CpuCompileState } from '../dist/codegen/compile.js';
import { bin, gidx, kernel, l, load, p, assign, store } from './helpers.js';

describe('cpu runtime', () => {
  it('reports an out-of-bounds store with kernel, array, index, length and thread', async () => {
    const k = cuda.jit(function oob(a: Float32Array) {
      const i = cuda.grid(1);
      a[i + 1] = 1;
    }, { target: 'cpu' });
    const err = await k.configure(1, 8)(new Float32Array(8)).catch((e) => e);
    expect(err).toBeInstanceOf(LaunchError);
    expect(err.message).toMatch(/kernel 'oob': index 8 out of bounds for array 'a' of length 8 \(line \d+\), thread \(7, 0, 0\) of block \(0, 0, 0\)/);
    expect(err.detail).toMatchObject({ array: 'a', index: 8, length: 8, thread: [7, 0, 0], block: [0, 0, 0] });
  });

  it('negative indices and shared arrays are checked; the next launch works', async () => {
    const k = cuda.jit(function neg(a: Float32Array, out: Float32Array) { out[0] = a[cuda.threadIdx.x - 1]; }, { target: 'cpu' });
    await expect(k.configure(1, 1)(new Float32Array(2), new Float32Array(1))).rejects.toThrow(/index -1 out of bounds for array 'a'/);
    const s = cuda.jit(function sh(out: Float32Array) {
      const t = cuda.shared.array(16, f32);
      t[cuda.threadIdx.x] = 1;
      cuda.syncthreads();
      out[cuda.threadIdx.x] = t[0];
    }, { target: 'cpu' });
    await expect(s.configure(1, 17)(new Float32Array(17))).rejects.toThrow(/index 16 out of bounds for array 't' of length 16/);
    const ok = new Float32Array(16);
    await s.configure(1, 16)(ok);
    expect(Array.from(ok)).toEqual(new Array(16).fill(1));
  });

  it('an out-of-bounds access in a many-block launch on all workers is still a rejection', async () => {
    const k = cuda.jit(function far(a: Int32Array) { a[cuda.grid(1) * 2] = 1; }, { target: 'cpu' });
    const err = await k.configure(400, 64)(new Int32Array(25600)).catch((e) => e);
    expect(err).toBeInstanceOf(LaunchError);
    expect(err.message).toMatch(/out of bounds for array 'a' of length 25600/);
  });

  it('boundscheck: false runs the same kernel unchecked', async () => {
    const k = cuda.jit(function add(a: Float32Array, b: Float32Array, out: Float32Array) {
      const i = cuda.grid(1);
      if (i < out.length) out[i] = a[i] + b[i];
    }, { target: 'cpu', boundscheck: false });
    const a = new Float32Array(1000).map((_, i) => i), b = new Float32Array(1000).fill(2), out = new Float32Array(1000);
    await k.configure(8, 128)(a, b, out);
    expect(out[999]).toBe(1001);
    const asm = await k.inspect('asm', a, b, out);
    // Packed SIMD across threads: AVX/SSE packed adds on x86-64, NEON on AArch64.
    expect(asm).toMatch(/\b(v?addps|fadd\s+v\d+\.4s)\b/);
  });

  it('the Monte Carlo kernel runs as SIMD lane groups (packed LCG and divides in its sample loop)', async () => {
    const k = cuda.jit(function monteCarloPi(states: Uint32Array, counts: Uint32Array, nSamples: number) {
      const i = cuda.grid(1);
      if (i >= counts.length) return;
      let count = 0;
      let state = states[i];
      for (let k = 0; k < nSamples; k++) {
        state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
        const x = (state & 0xffff) / 65535;
        state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
        const y = (state & 0xffff) / 65535;
        if (x * x + y * y <= 1.0) count++;
      }
      counts[i] = count;
      states[i] = state;
    }, { target: 'cpu' });
    const asm = await k.inspect('asm', new Uint32Array(8), new Uint32Array(8), 1);
    // x86-64: packed 32-bit multiplies and packed double divides; AArch64: NEON.
    expect(asm).toMatch(/\b(v?pmulld|mul\s+v\d+\.4s)\b/);
    expect(asm).toMatch(/\b(v?divpd|fdiv\s+v\d+\.2d)\b/);
  });

  it('large local arrays do not live on the native stack (koffi async calls have 128 KiB)', async () => {
    const k = cuda.jit(function big(out: Float64Array, n: number) {
      const a = cuda.local.array(65536, f64);
      for (let i = 0; i < n; i++) a[i] = i * 0.5;
      out[cuda.grid(1)] = a[n - 1] + a[0];
    }, { target: 'cpu' });
    const out = new Float64Array(8192);
    await k.configure(32, 256)(out, 65536); // 8192 threads: the async, multi-worker path
    expect(out[8191]).toBe(32767.5);
  });

  it('device arrays stay on the device between launches', async () => {
    const k = cuda.jit(function inc(a: Float32Array) { a[cuda.grid(1)] += 1; }, { target: 'cpu' });
    const d = cuda.toDevice(new Float32Array(64), { target: 'cpu' });
    for (let r = 0; r < 3; r++) await k.configure(2, 32)(d);
    expect(Array.from(await d.copyToHost())).toEqual(new Array(64).fill(3));
  });

  it('exposes llvm, opt and asm stages', async () => {
    const k = cuda.jit(function twice(a: Float64Array) { a[cuda.grid(1)] *= 2; }, { target: 'cpu' });
    const a = new Float64Array(4);
    expect(await k.inspect('llvm', a)).toMatch(/define i32 @numbat_run/);
    expect(await k.inspect('opt', a)).toMatch(/fmul double/);
    expect(await k.inspect('asm', a)).toMatch(/numbat_run_\w+:/);
    expect(backend.stages).toEqual(['llvm', 'opt', 'asm']);
  });

  it('hands the built module to the C API as bitcode: the symbols it names are the text\'s, the object the same', async () => {
    const k = cuda.jit(function handover(x: Float32Array, out: Float32Array) {
      const i = cuda.grid(1);
      if (i < x.length) out[i] = Math.sqrt(x[i]) * W[i % 3] + K;
    }, { target: 'sim', globals: { K: 2.5, W: [1, 2, 3] } });
    const x = new Float32Array(8);
    await k.inspect('ir', x, x);
    const ir = (await (k as any).specs.values().next().value).ir;
    const target = hostTarget();
    // (printTexts: a split kernel's two functions are built here, neither handed to the thread pool)
    const s: CpuCompileState = { ir, opts: { boundscheck: true, laneWidth: laneWidthFor(target) }, target, printTexts: true };
    runStages('handover', CPU_STAGES.slice(0, 2), s);
    const { bytes, text, plan, atomics } = s.built!;
    expect(Buffer.isBuffer(bytes)).toBe(true); // where no file can be written: the text
    const names = (re: RegExp) => [...text.matchAll(re)].map((m) => m[1]).sort();
    const symbols = bitcodeSymbols(bytes as Buffer);
    expect(symbols.defined).toEqual([plan.entry]);
    expect(symbols.declared.sort()).toEqual(names(/^declare [^@]*@([\w.$]+)\(/gm));
    expect(symbols.declared.filter((n) => n.startsWith('llvm.sqrt.'))).not.toHaveLength(0); // (vector or scalar: the groups' function)
    expect(symbols.globals).toEqual(names(/^@([\w.$]+) = /gm));
    expect(symbols.globals).toHaveLength(1); // W
    const objects = [bytes, text].map((handed) => {
      const t: CpuCompileState = { ...s, built: { bytes: handed, text, plan, atomics } };
      try {
        runStages('handover', CPU_STAGES.slice(2), t);
        return t.object!;
      } finally {
        t.nm?.dispose();
      }
    });
    expect(objects[0].length).toBeGreaterThan(0);
    expect(objects[0].equals(objects[1])).toBe(true);
  });

  it('produces valid AArch64 code for the same kernel', () => {
    const ir = kernel('vadd', [{ kind: 'array', elem: 'f32' }, { kind: 'array', elem: 'f32' }, { kind: 'scalar', type: 'f32' }], [
      assign(0, gidx()),
      // Unguarded (NEON has no masked stores, so a guarded store stays scalar on generic AArch64).
      store(1, l(0), bin('mul', load(0, l(0), 'f32'), p(2, 'f32'))),
    ], { locals: [{ id: 0, name: 'i', type: 'i32' }] });
    const m = buildCpuModule(loadLLVM(), ir, { boundscheck: false });
    const nm = NativeModule.parse(m.bytes, 'vadd');
    nm.link(cpuHelperModule(m.atomics.values()), 'helpers');
    nm.setTarget(AARCH64_GENERIC);
    expect(nm.verify()).toBeUndefined();
    nm.optimize(AARCH64_GENERIC);
    expect(nm.verify()).toBeUndefined();
    const asm = nm.emit(AARCH64_GENERIC, 'asm').toString();
    nm.dispose();
    expect(asm).toMatch(/fmul\s+v\d+\.4s/); // NEON, across threads
  });
});
