// The PTX cache and the ahead-of-time path: a second process finds the
// kernel on disk and never maps LLVM (libLLVM-14 or llvm-bindings) into
// memory; a corrupt entry is rebuilt; `numbat-cuda compile` prepares a
// directory that NUMBAT_CUDA_PTX_DIR serves read-only.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const fixture = fileURLToPath(new URL('./fixtures/aot-kernels.mjs', import.meta.url));
const cli = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const root = mkdtempSync(join(tmpdir(), 'numbat-cuda-cache-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function run(env: Record<string, string>): { origin: string; ptx: boolean; llvmText: boolean; libLLVM: boolean; llvmBindings: boolean } {
  const out = execFileSync(process.execPath, [fixture], { env: { ...process.env, ...env }, encoding: 'utf8' });
  return JSON.parse(out.trim().split('\n').pop()!);
}

describe.skipIf(process.platform !== 'linux')('cuda PTX cache and ahead-of-time directory', () => {
  it('a cached kernel loads in a new process without LLVM', () => {
    const dir = join(root, 'cache');
    const first = run({ NUMBAT_CACHE_DIR: dir });
    expect(first).toMatchObject({ origin: 'compiled', ptx: true, llvmText: true, libLLVM: true });
    const second = run({ NUMBAT_CACHE_DIR: dir });
    expect(second).toEqual({ origin: 'cache', ptx: true, llvmText: true, libLLVM: false, llvmBindings: false });
  });

  it('a corrupt entry is rebuilt', () => {
    const dir = join(root, 'cache');
    const ptx = readdirSync(join(dir, 'cuda')).find((f) => f.endsWith('.ptx'))!;
    writeFileSync(join(dir, 'cuda', ptx), '// truncated');
    expect(run({ NUMBAT_CACHE_DIR: dir }).origin).toBe('compiled');
    expect(run({ NUMBAT_CACHE_DIR: dir }).origin).toBe('cache');
  });

  it('numbat-cuda compile writes a directory that NUMBAT_CUDA_PTX_DIR serves without LLVM', () => {
    const out = join(root, 'aot');
    const log = execFileSync(process.execPath, [cli, 'compile', '--target', 'ptx', '--arch', 'sm_80', '--out', out, fixture], { encoding: 'utf8', env: { ...process.env, AOT_CACHE: '0' } });
    expect(log).toMatch(/aot_saxpy: sm_80/);
    expect(log).toMatch(/1 kernel\(s\) compiled/);
    // A run for an sm_86 GPU may load sm_80 PTX; nothing is compiled, nothing written to its own cache.
    const r = run({ AOT_CACHE: '0', NUMBAT_CUDA_PTX_DIR: out, NUMBAT_CACHE_DIR: join(root, 'empty'), NUMBAT_CUDA_ARCH: 'sm_86' });
    expect(r).toEqual({ origin: 'cache', ptx: true, llvmText: true, libLLVM: false, llvmBindings: false });
  });

  it('a GPU older than the prepared PTX does not load it', () => {
    const r = run({ AOT_CACHE: '0', NUMBAT_CUDA_PTX_DIR: join(root, 'aot'), NUMBAT_CACHE_DIR: join(root, 'empty'), NUMBAT_CUDA_ARCH: 'sm_75' });
    expect(r.origin).toBe('compiled');
  });
});
