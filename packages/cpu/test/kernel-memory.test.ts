// Memory of compiled cpu kernels (issue 12 item 14): compiling and dropping
// many distinct kernels reaches a plateau. Runs in a child process (probes/),
// which measures native memory in use after a warm-up (see the probe).
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { cuda, type KernelIR } from '@numbat/core';
import { buildCpuModule } from '../src/codegen/kernel.js';
import { codegenModulesCreated } from '../src/codegen/module-memory.js';
import { loadLLVM } from '@numbat/llvm';

describe('cpu kernel memory', () => {
  it('compiling and dropping distinct kernels keeps no per-kernel native memory', () => {
    const file = fileURLToPath(new URL('./probes/compile-memory.mjs', import.meta.url));
    const r = spawnSync(process.execPath, ['--expose-gc', file], { encoding: 'utf8', timeout: 280_000 });
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout.trim().split('\n').filter((l) => l.startsWith('{')).pop() ?? '{}');
    expect(out.compiled).toBe(200);
    expect(out.windows).toHaveLength(4);
    expect(out.codegenModules).toBe(1); // every compile builds in the one module, emptied afterwards
    expect(out.liveJit).toBe(0); // dropped kernels' code has left the JIT
    // Before: a module, a builder and the declarations of each compile stayed (~10 KB a kernel
    // of this size); now ~1 KB: the constants of each kernel's distinct value of K, which the
    // shared context uniques, and the constant array's global, which llvm-bindings can only
    // unlink (module-memory.ts). The median of four windows: a one-off step (V8 growing its
    // heap) lands in one window, what each kernel keeps in all (probes/compile-memory.mjs).
    expect(out.nativeBytesPerKernel).toBeLessThan(4096);
  }, 300_000);

  it('a compile that fails half-way leaves the next one a clean module', async () => {
    const k = cuda.jit(function half(a: Float32Array) { const i = cuda.grid(1); if (i < a.length) a[i] = Math.sqrt(a[i]); }, { target: 'sim' });
    await k.inspect('ir', new Float32Array(4));
    const ir = (await (k as any).specs.values().next().value).ir as KernelIR;
    const llvm = loadLLVM();
    const opts = { boundscheck: true, laneWidth: 4 };
    expect(buildCpuModule(llvm, ir, opts).text).toMatch(/llvm\.sqrt\.f32/);
    const before = codegenModulesCreated();
    const broken = { ...ir, body: [...ir.body, { kind: 'break', loc: ir.body[0].loc }] } as unknown as KernelIR;
    expect(() => buildCpuModule(llvm, broken, opts)).toThrow();
    const text = buildCpuModule(llvm, ir, opts).text;
    expect(codegenModulesCreated()).toBe(before + 1); // the failed compile's module is abandoned
    expect(text.match(/^define /gm)).toHaveLength(1); // nothing of the failed compile is in it
    expect(text.match(/^declare .*@llvm\.sqrt\.f32/gm)).toHaveLength(1);
  });
});
