// Disk cache of compiled kernels (`cache: true`), which doubles as the
// ahead-of-time format: the compiled backends' KernelCache (@numbat/llvm) with
// PTX as the payload and the plan in the manifest. Entries are keyed by core's cacheKey (source, captured
// globals, signature, options), the target arch, LLVM's version and this
// backend's codegen version; the checksum covers key, plan and PTX, so a
// corrupt, edited or misplaced entry is rebuilt (docs/safety.md). A GPU loads
// the best entry among the archs it can run (sm_86 PTX runs on sm_90).
// Loading an entry touches neither llvm-bindings nor libLLVM. Directories:
// the cache root (NUMBAT_CACHE_DIR, else the per-user cache directory) +
// '/cuda', and, read-only, NUMBAT_CUDA_PTX_DIR (a prepared ahead-of-time directory).

import { resolve } from 'node:path';
import { KernelCache } from '@numbat/llvm';
import type { CudaPlan } from '../codegen/abi.js';

/** Bump when generated code or the kernel ABI changes meaning. */
export const CODEGEN_VERSION = 'cuda-24';

/** Lookups search the writable cache, then a prepared read-only directory (NUMBAT_CUDA_PTX_DIR). */
export const cache = new KernelCache<CudaPlan>('cuda', CODEGEN_VERSION, 'ptx', () => {
  const aot = process.env.NUMBAT_CUDA_PTX_DIR;
  return aot ? [resolve(aot), resolve(aot, 'cuda')] : [];
}, ['NUMBAT_CUDA_PASSES', 'NUMBAT_LLVM_ARGS']); // the switches that change the PTX (docs/backends/cuda.md)

export function cacheDir(): string {
  return cache.dir();
}

/** NUMBAT_CUDA_AOT_OUT: every compile is also stored there (set by `numbat-cuda compile`). */
export function aotOutDir(): string | undefined {
  const d = process.env.NUMBAT_CUDA_AOT_OUT;
  return d ? resolve(d) : undefined;
}

export function entryKey(cacheKey: string, arch: string): string {
  return cache.key([arch, cacheKey]);
}
