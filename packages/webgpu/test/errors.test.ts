// Errors are part of the product: f64 and other unsupported constructs are
// refused with a CompileError that names them; bounds and barrier misuse on
// the GPU become LaunchErrors like the simulator's; a WGSL rejection by Dawn is
// reported as a numbat bug at the user's line; the process can exit.

import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { cuda, f32, CompileError, LaunchError, type KernelIR } from '@numbat/core';
import { backend } from '@numbat/webgpu';
import { avail, onGpu } from './helpers.js';

const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));

/** A minimal hand-built kernel: out[0] = <value> through a local of type `t`. */
function irWithLocal(t: 'f32' | 'f64'): KernelIR {
  return {
    name: 'hand', float: 'f32', hasBarrier: false,
    params: [{ name: 'out', type: { kind: 'array', elem: 'f32' }, written: true, atomic: false }],
    locals: [{ id: 0, name: 'wide', type: t }],
    arrays: [],
    body: [
      { kind: 'assign', local: 0, value: { kind: 'const', type: t, value: 1.5 }, loc: { line: 3, column: 7 } },
      { kind: 'store', array: { space: 'global', param: 0 }, index: { kind: 'const', type: 'i32', value: 0 }, value: { kind: 'convert', type: 'f32', x: { kind: 'local', id: 0, type: t } }, loc: { line: 4, column: 3 } },
    ],
    source: { firstLine: 1, text: 'function hand(out) {\n  // a kernel\n  let wide = 1.5;\n  out[0] = wide;\n}' },
  };
}
const opts = { float: 'f32' as const, boundscheck: true, fastmath: false, cache: false, cacheKey: 'x' };

describe('f64 is refused, never demoted', () => {
  it('an f64 local in the IR names the local and suggests Float32Array', async () => {
    const err = await backend.compile(irWithLocal('f64'), opts).catch((e) => e);
    expect(err).toBeInstanceOf(CompileError);
    expect(err.message).toMatch(/local 'wide' is an f64/);
    expect(err.message).toMatch(/Float32Array/);
    expect(err.line).toBe(3);
  });

  it("a compilation with float: 'f64' is refused", async () => {
    await expect(backend.compile(irWithLocal('f32'), { ...opts, float: 'f64' })).rejects.toThrow(/float: 'f64'.*Float32Array/s);
  });

  it('Float64Array arguments and float: f64 are refused through the public API', async () => {
    const k = cuda.jit(function add(a: Float64Array) { a[0] += 1; }, { target: 'webgpu' });
    await expect(k.inspect('wgsl', new Float64Array(2))).rejects.toThrow(/Float64Array.*Float32Array/s);
    const k2 = cuda.jit(function add2(a: Float32Array) { a[0] += 1; }, { target: 'webgpu', float: 'f64' });
    await expect(k2.inspect('wgsl', new Float32Array(2))).rejects.toThrow(/f64/);
  });

  it('atomics on 8-bit arrays are refused with the array named', async () => {
    // Core refuses these first; the backend checks the IR too.
    const ir = irWithLocal('f32');
    ir.params[0] = { name: 'bytes', type: { kind: 'array', elem: 'i8' }, written: true, atomic: true };
    ir.body = [{ kind: 'expr', expr: { kind: 'atomic', op: 'add', array: { space: 'global', param: 0 }, index: { kind: 'const', type: 'i32', value: 0 }, value: { kind: 'const', type: 'i32', value: 1 }, type: 'i32' }, loc: { line: 3, column: 3 } }];
    const err = await backend.compile(ir, opts).catch((e) => e);
    expect(err).toBeInstanceOf(CompileError);
    expect(err.message).toMatch(/'bytes' \(i8\).*32-bit/);
  });
});

describe.skipIf(!avail.ok)(onGpu('run-time errors'), () => {
  it('out-of-bounds store names kernel, array, index and thread', async () => {
    const k = cuda.jit(function oob(a: Float32Array) {
      const i = cuda.grid(1);
      a[i + 1] = 1;
    }, { target: 'webgpu' });
    const err = await k.configure(1, 8)(new Float32Array(8)).catch((e) => e);
    expect(err).toBeInstanceOf(LaunchError);
    expect(err.message).toMatch(/kernel 'oob': index 8 out of bounds for array 'a' of length 8 \(line \d+\)/);
    expect(err.message).toMatch(/thread \(7, 0, 0\) of block \(0, 0, 0\)/);
  });

  it('negative index is out of bounds', async () => {
    const k = cuda.jit(function neg(a: Float32Array, out: Float32Array) { out[0] = a[cuda.threadIdx.x - 1]; }, { target: 'webgpu' });
    await expect(k.configure(1, 1)(new Float32Array(2), new Float32Array(1))).rejects.toThrow(/index -1 out of bounds for array 'a'/);
  });

  it('an out-of-bounds access followed by an early return is still reported', async () => {
    const k = cuda.jit(function oobThenReturn(a: Int32Array) {
      const i = cuda.grid(1);
      if (i === 3) { a[i + 10] = 1; return; }
      a[i] = 2;
    }, { target: 'webgpu' });
    await expect(k.configure(1, 8)(new Int32Array(8))).rejects.toThrow(/index 13 out of bounds for array 'a' of length 8 .*thread \(3, 0, 0\)/);
  });

  it('a thread that exits while others wait at a barrier is reported', async () => {
    const k = cuda.jit(function exitEarly(a: Float32Array) {
      const s = cuda.shared.array(32, f32);
      const t = cuda.threadIdx.x;
      if (t >= 16) return;
      s[t] = t;
      cuda.syncthreads();
      a[t] = s[15 - t];
    }, { target: 'webgpu' });
    await expect(k.configure(1, 32)(new Float32Array(32))).rejects.toThrow(/exited while thread .* waits at cuda\.syncthreads\(\)/);
  });

  it('errors leave no state behind', async () => {
    const k = cuda.jit(function oob2(a: Int32Array) { a[cuda.threadIdx.x * 2] = 1; }, { target: 'webgpu' });
    for (let r = 0; r < 3; r++) await expect(k.configure(1, 4)(new Int32Array(4))).rejects.toThrow(LaunchError);
    const ok = new Int32Array(8);
    await k.configure(1, 4)(ok);
    expect(Array.from(ok)).toEqual([1, 0, 1, 0, 1, 0, 1, 0]);
  });

  it('too much shared memory is refused with the device limit', async () => {
    const k = cuda.jit(function big(a: Float32Array) {
      const s = cuda.shared.array(40000, f32);
      s[cuda.threadIdx.x] = 1;
      a[0] = s[0];
    }, { target: 'webgpu' });
    await expect(k.configure(1, 1)(new Float32Array(1))).rejects.toThrow(/160000 bytes of shared.*maxComputeWorkgroupStorageSize/);
  });

  it('WGSL that Dawn rejects is reported as a numbat bug at the kernel line', async () => {
    const k = cuda.jit(function victim(a: Float32Array) {
      const i = cuda.grid(1);
      if (i < a.length) a[i] = i * 2;
    }, { target: 'webgpu' });
    const a = new Float32Array(4);
    await k.inspect('wgsl', a);
    // Corrupt the generated shader on the store line, as a codegen bug would.
    const spec = await [...(k as any).specs.values()][0];
    const base = spec.compiled.base;
    expect(base.code).toMatch(/_g\[nb_i0\] = /);
    const corrupt = { ...base, code: base.code.replace(/(_g\[nb_i0\] = )/, '$1no_such_fn() + ') };
    spec.compiled.base = corrupt;
    spec.compiled.variant = () => ['corrupt', corrupt]; // the shader launched on drivers that need a variant (llvmpipe)
    const err = await k.configure(1, 4)(a).catch((e) => e);
    expect(err).toBeInstanceOf(CompileError);
    expect(err.message).toMatch(/numbat bug: the WGSL generated for kernel 'victim' was rejected by Dawn/);
    expect(err.message).toMatch(/no_such_fn/);
    expect(err.message).toMatch(/> +\d+ \| +if \(i < \w+\.length\) \w+\[i\] = i \* 2;/); // code frame at the user's line
  });

  it('a script that used the GPU exits on its own', () => {
    const script = `
      import { cuda } from '@numbat/core';
      const k = cuda.jit(function fill(a) { const i = cuda.grid(1); if (i < a.length) a[i] = 7; }, { target: 'webgpu' });
      const a = new Int32Array(10);
      await k.configure(1, 32)(a);
      console.log('done', a[9]);`;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: repoRoot, timeout: 60_000, encoding: 'utf8' });
    expect(r.error).toBeUndefined();
    expect(r.stdout).toContain('done 7');
    expect(r.status).toBe(0);
  });
});
