// Disk cache of compiled kernels (`cache: true`), which doubles as the
// ahead-of-time format: core's DiskCache with PTX as the payload and the plan
// in the manifest. Entries are keyed by core's cacheKey (source, captured
// globals, signature, options), the target arch, LLVM's version and this
// backend's codegen version; the checksum covers key, plan and PTX, so a
// corrupt, edited or misplaced entry is rebuilt (docs/safety.md). A GPU loads
// the best entry among the archs it can run (sm_86 PTX runs on sm_90).
// Loading an entry touches neither llvm-bindings nor libLLVM. Directories:
// the cache root (NUMBAT_CACHE_DIR, else the per-user cache directory) +
// '/cuda', and, read-only, NUMBAT_CUDA_PTX_DIR (a prepared ahead-of-time directory).

import { resolve } from 'node:path';
import { DiskCache } from '@numbat/core/disk-cache';
import type { CudaPlan } from '../codegen/abi.js';

/** Bump when generated code or the kernel ABI changes meaning. */
export const CODEGEN_VERSION = 'cuda-3';
const LLVM_VERSION = '14';

const cache = new DiskCache<CudaPlan>('cuda', CODEGEN_VERSION, 'ptx');

export function cacheDir(): string {
  return cache.dir();
}

/** NUMBAT_CUDA_AOT_OUT: every compile is also stored there (set by `numbat-cuda compile`). */
export function aotOutDir(): string | undefined {
  const d = process.env.NUMBAT_CUDA_AOT_OUT;
  return d ? resolve(d) : undefined;
}

/** Where lookups search: the writable cache, then a prepared read-only directory. */
export function lookupDirs(): string[] {
  const dirs = [cacheDir()];
  const aot = process.env.NUMBAT_CUDA_PTX_DIR;
  if (aot) dirs.push(resolve(aot), resolve(aot, 'cuda'));
  return dirs;
}

export function entryKey(cacheKey: string, arch: string): string {
  return cache.key([LLVM_VERSION, arch, cacheKey]);
}

export interface CacheHit { dir: string; key: string; ptx: string; plan: CudaPlan }

/** The first valid entry for any of `archs` (best first), in any lookup directory. */
export function cacheLookup(cacheKey: string, archs: readonly string[]): CacheHit | undefined {
  for (const arch of archs) {
    const key = entryKey(cacheKey, arch);
    for (const dir of lookupDirs()) {
      const hit = cache.lookup(key, dir);
      if (hit) return { dir, key, ptx: hit.payload.toString('utf8'), plan: hit.plan };
    }
  }
  return undefined;
}

/** Stores PTX, plan and texts; the manifest last, so an entry is complete once it has one. */
export function cacheStore(cacheKey: string, arch: string, ptx: string, plan: CudaPlan, texts: Record<string, string>, dir = cacheDir()): { dir: string; key: string } {
  const key = entryKey(cacheKey, arch);
  cache.store(key, Buffer.from(ptx, 'utf8'), plan, texts, dir);
  return { dir, key };
}

export function cacheTexts(dir: string, key: string): Record<string, string> | undefined {
  return cache.texts(key, dir);
}
