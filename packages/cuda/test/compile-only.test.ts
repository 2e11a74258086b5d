// Compile-only mode and forbidden LLVM (runtime/compile-only.ts), with no GPU:
// NUMBAT_CUDA_COMPILE_ONLY=1 runs a GPU program (device arrays, a stream,
// reduce) without libcuda, caching the PTX of each kernel at the signature it
// is launched with; with NUMBAT_CUDA_NO_LLVM=1 a second process finds them all
// in that directory (NUMBAT_CUDA_PTX_DIR) without mapping LLVM, and a kernel
// at a signature never prepared is a CompileError naming kernel and signature.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const fixture = fileURLToPath(new URL('./fixtures/compile-only-run.mjs', import.meta.url));
const root = mkdtempSync(join(tmpdir(), 'numbat-cuda-compile-only-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

interface Run { requests: { kernel: string; signature: string; origin: string }[]; error?: { name: string; message: string }; llvm: boolean; result: number[] }
function run(env: Record<string, string>): Run {
  const out = execFileSync(process.execPath, [fixture], { env: { ...process.env, NUMBAT_CUDA_COMPILE_ONLY: '1', ...env }, encoding: 'utf8' });
  return JSON.parse(out.trim().split('\n').pop()!);
}
const prepared = join(root, 'prepared');
const KERNELS = [
  { kernel: 'scale', signature: 'f32[], f32[], f64' },
  { kernel: 'reduceFinalWarp', signature: 'f32[], i32, f32[], f32, bool' },
  { kernel: 'reduceBlocksQuadsWarp', signature: 'f32[], i32, f32[]' },
];

describe.skipIf(process.platform !== 'linux')('cuda compile-only mode and NUMBAT_CUDA_NO_LLVM', () => {
  it('compile-only runs a GPU program without a GPU and caches each launched kernel', () => {
    const r = run({ NUMBAT_CACHE_DIR: prepared });
    expect(r.error).toBeUndefined();
    expect(r.requests).toEqual(expect.arrayContaining(KERNELS.map((k) => ({ ...k, origin: 'compiled' }))));
    expect(r.requests).toHaveLength(3);
    // Nothing ran: device memory holds nothing.
    expect(r.result).toEqual([0, 0]);
  });

  it('with LLVM forbidden, every kernel comes from the prepared directory and LLVM is never mapped', () => {
    const r = run({ NUMBAT_CUDA_NO_LLVM: '1', NUMBAT_CUDA_PTX_DIR: prepared, NUMBAT_CACHE_DIR: join(root, 'empty') });
    expect(r.error).toBeUndefined();
    expect(r.requests).toEqual(expect.arrayContaining(KERNELS.map((k) => ({ ...k, origin: 'cache' }))));
    expect(r.requests).toHaveLength(3);
    expect(r.llvm).toBe(false);
  });

  it('a kernel not prepared at its signature is a CompileError naming both', () => {
    const r = run({ ELEM: 'f64', NUMBAT_CUDA_NO_LLVM: '1', NUMBAT_CUDA_PTX_DIR: prepared, NUMBAT_CACHE_DIR: join(root, 'empty') });
    expect(r.error?.name).toBe('CompileError');
    expect(r.error?.message).toMatch(/PTX for kernel 'scale' \(signature \(f64\[\], f64\[\], f64\)\) was not prepared/);
    expect(r.error?.message).toMatch(/bench\/cuda\/prepare\.mjs/);
    // The code frame points at the kernel's source.
    expect(r.error?.message).toMatch(/compile-only-run\.mjs:\d+:1\n.*function scale\(x, y, k\)/);
    expect(r.requests).toEqual([{ kernel: 'scale', signature: 'f64[], f64[], f64', origin: 'missing' }]);
    expect(r.llvm).toBe(false);
  });
});
