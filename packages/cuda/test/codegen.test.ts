// What the NVPTX code generator emits, checked on the texts `inspect` exposes
// (no GPU needed): address spaces, kernel marking, special registers,
// barriers, atomics, libdevice, fastmath, and refusals with clear errors.

import { describe, expect, it } from 'vitest';
import { cuda, f32, i32, MATH_FNS, CompileError } from '@numbat/core';
import { CUDA_MATH } from '@numbat/cuda';

const opts = { target: 'cuda' as const };

describe('cuda codegen', () => {
  it('has exactly one lowering per Math intrinsic', () => {
    expect(Object.keys(CUDA_MATH).sort()).toEqual([...MATH_FNS].sort());
  });

  it('marks the kernel with nvvm.annotations and reads thread ids from PTX special registers', async () => {
    const k = cuda.jit(function axpy(a: number, x: Float32Array, y: Float32Array) {
      const i = cuda.grid(1);
      if (i < y.length) y[i] = a * x[i] + y[i];
    }, opts);
    const args = [2.5, new Float32Array(4), new Float32Array(4)];
    const llvm = await k.inspect('llvm', ...args);
    expect(llvm).toMatch(/!nvvm\.annotations = !\{!0\}/);
    expect(llvm).toMatch(/!0 = !\{void \(.*\)\* @numbat_axpy, !"kernel", i32 1\}/);
    expect(llvm).toMatch(/define void @numbat_axpy\(double %0, float addrspace\(1\)\* %1, i32 %2, float addrspace\(1\)\* %3/);
    expect(llvm).toMatch(/llvm\.nvvm\.read\.ptx\.sreg\.ctaid\.x/);
    const ptx = await k.inspect('ptx', ...args);
    expect(ptx).toMatch(/\.visible \.entry numbat_axpy\(/);
    expect(ptx).toMatch(/mov\.u32\s+%r\d+, %ctaid\.x/);
    expect(ptx).toMatch(/ld\.global\.f32/);
    // JS semantics: a * x[i] + y[i] in f64 is not contracted into an fma.
    expect(ptx).not.toMatch(/fma\.rn/);
    // Index arithmetic stays 32-bit: one widening per address, no 64-bit multiply of the index.
    expect(ptx).toMatch(/mul\.wide\.[su]32|cvt\.u64\.u32/);
  });

  it('puts shared arrays in .shared, dynamic shared memory in an extern array, and barriers as bar.sync', async () => {
    const k = cuda.jit(function sh(a: Int32Array) {
      const s = cuda.shared.array(64, i32);
      const d = cuda.shared.array(0, f32);
      const t = cuda.threadIdx.x;
      s[t] = a[t];
      d[t] = t;
      cuda.syncthreads();
      a[t] = s[63 - t] + d[t];
    }, opts);
    const ptx = await k.inspect('ptx', new Int32Array(64));
    expect(ptx).toMatch(/\.shared \.align 16 \.b8 numbat_shared_\d+\[256\]/);
    expect(ptx).toMatch(/\.extern \.shared \.align 16 \.b8 numbat_dynamic_shared\[\]/);
    expect(ptx).toMatch(/bar\.sync\s+0/);
    expect(ptx).toMatch(/st\.shared\.u32/);
  });

  it('uses native atomics: f32 add on shared and global, f64 add on global (sm_60+), int min/max', async () => {
    const k = cuda.jit(function at(x: Float32Array, d: Float64Array, n: Int32Array) {
      const acc = cuda.shared.array(1, f32);
      cuda.atomic.add(acc, 0, 1);
      cuda.atomic.add(x, 0, 1);
      cuda.atomic.add(d, 0, 1);
      cuda.atomic.max(n, 0, 3);
    }, opts);
    const ptx = await k.inspect('ptx', new Float32Array(1), new Float64Array(1), new Int32Array(1));
    expect(ptx).toMatch(/atom\.shared\.add\.f32/);
    expect(ptx).toMatch(/atom\.global\.add\.f32/);
    expect(ptx).toMatch(/atom\.global\.add\.f64/);
    expect(ptx).toMatch(/atom\.global\.max\.s32/);
  });

  it('links libdevice for transcendentals (no __nvvm_reflect left) and uses the fast forms with fastmath', async () => {
    const fn = function m(x: Float32Array) { const i = cuda.threadIdx.x; x[i] = Math.sin(x[i]) + Math.exp(x[i]); };
    const exact = cuda.jit(fn, opts);
    const opt = await exact.inspect('opt', new Float32Array(1));
    expect(opt).not.toMatch(/__nvvm_reflect/);
    expect(opt).not.toMatch(/declare .*@__nv_/);
    const ptx = await exact.inspect('ptx', new Float32Array(1));
    expect(ptx).not.toMatch(/sin\.approx/);
    const fast = cuda.jit(fn, { ...opts, fastmath: true });
    const fptx = await fast.inspect('ptx', new Float32Array(1));
    expect(fptx).toMatch(/sin\.approx\.(ftz\.)?f32/);
    expect(fptx).toMatch(/ex2\.approx/);
  });

  it('takes the sin and the cos of one f32 angle from one libdevice sincos: one argument reduction, the code of a lone sin', async () => {
    const lines = (t: string): number => t.split('\n').filter((l) => /^  [%a-z]/.test(l)).length; // instructions
    const both = cuda.jit(function bm(x: Float32Array) {
      const i = cuda.threadIdx.x;
      const t = Math.fround(x[i] * 6.2831855);
      x[i] = Math.fround(Math.fround(Math.cos(t)) * Math.fround(Math.sin(t)));
    }, opts);
    const lone = cuda.jit(function bs(x: Float32Array) {
      const i = cuda.threadIdx.x;
      const t = Math.fround(x[i] * 6.2831855);
      x[i] = Math.fround(Math.fround(Math.sin(t)) * t);
    }, opts);
    const a = [new Float32Array(1)];
    expect((await both.inspect('llvm', ...a)).match(/call \{ float, float \} @numbat_sincosf\(/g)).toHaveLength(2);
    const [b, l] = [lines(await both.inspect('opt', ...a)), lines(await lone.inspect('opt', ...a))];
    // (__nv_sinf and __nv_cosf inlined side by side: 260 against a lone sin's 157)
    expect(b).toBeLessThan(l * 1.2);
    expect(await both.inspect('ptx', ...a)).not.toMatch(/sin\.approx|cos\.approx/);
  });

  it('float % is libdevice\'s exact fmod, not NVPTX\'s x - trunc(x/y)*y expansion', async () => {
    const k = cuda.jit(function fr(a: Float32Array, b: Float64Array) {
      const i = cuda.threadIdx.x;
      a[i] = a[i] % 2.5;
      b[i] = b[i] % a[i];
    }, { ...opts, boundscheck: false });
    const args = [new Float32Array(1), new Float64Array(1)];
    expect(await k.inspect('ir', ...args)).toMatch(/rem\.f32/);
    const llvm = await k.inspect('llvm', ...args);
    expect(llvm).toMatch(/call float @__nv_fmodf/);
    expect(llvm).toMatch(/call double @__nv_fmod\(/);
    expect(llvm).not.toMatch(/frem/);
    expect(await k.inspect('opt', ...args)).not.toMatch(/frem/);
  });

  it('caps the PTX target at sm_86 / PTX 7.5 (LLVM 14)', async () => {
    const k = cuda.jit(function t(a: Int32Array) { a[0] = 1; }, opts);
    const ptx = await k.inspect('ptx', new Int32Array(1));
    expect(ptx).toMatch(/\.version 7\.5/);
    expect(ptx).toMatch(/\.target sm_86/);
  });

  it('a kernel returning before a barrier gets exit tracking; one without return does not', async () => {
    const early = cuda.jit(function early(a: Float32Array) {
      const s = cuda.shared.array(32, f32);
      const t = cuda.threadIdx.x;
      if (t >= 16) return;
      s[t] = t;
      cuda.syncthreads();
      a[t] = s[15 - t];
    }, opts);
    expect(await early.inspect('llvm', new Float32Array(32))).toMatch(/numbat_exit_check/);
    const plain = cuda.jit(function plain(a: Float32Array) { cuda.syncthreads(); a[0] = 1; }, opts);
    expect(await plain.inspect('llvm', new Float32Array(1))).not.toMatch(/numbat_exit_check/);
  });

  it('unknown stages are refused with the list of stages', async () => {
    const k = cuda.jit(function u(a: Int32Array) { a[0] = 1; }, opts);
    await expect(k.inspect('sass', new Int32Array(1))).rejects.toThrow(/stage 'sass' does not exist for target 'cuda' \(have: ir, ir-legal, llvm, opt, ptx\)/);
  });

  it('compile errors are CompileErrors, not crashes', async () => {
    const k = cuda.jit(function bad(a: Int32Array) { a[0] = (a as any).foo; }, opts);
    await expect(k.inspect('ptx', new Int32Array(1))).rejects.toBeInstanceOf(CompileError);
  });
});
