// Disk cache of compiled kernels (`cache: true`), which doubles as the
// ahead-of-time format: PTX plus a JSON manifest (the plan and a checksum),
// and the inspect texts in a third file read only by `inspect`. Entries are
// keyed by core's cacheKey (source, captured globals, signature, options),
// the target arch, LLVM's version and this backend's codegen version. A GPU
// loads the best entry among the archs it can run (sm_86 PTX runs on sm_90).
// Loading an entry touches neither llvm-bindings nor libLLVM. Directories:
// NUMBAT_CACHE_DIR (default ./.numbat-cache) + '/cuda', and, read-only,
// NUMBAT_CUDA_PTX_DIR (a prepared ahead-of-time directory).

import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { CudaPlan } from '../codegen/abi.js';

/** Bump when generated code or the kernel ABI changes meaning. */
export const CODEGEN_VERSION = 'cuda-1';
const LLVM_VERSION = '14';

export function cacheDir(): string {
  return resolve(process.env.NUMBAT_CACHE_DIR ?? join(process.cwd(), '.numbat-cache'), 'cuda');
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
  return createHash('sha256').update([CODEGEN_VERSION, LLVM_VERSION, arch, cacheKey].join('\u0000')).digest('hex').slice(0, 32);
}

interface Manifest { version: string; arch: string; plan: CudaPlan; sha256: string; size: number }

const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

export interface CacheHit { dir: string; key: string; ptx: string; plan: CudaPlan }

function read(dir: string, key: string): CacheHit | undefined {
  try {
    const m = JSON.parse(readFileSync(join(dir, `${key}.json`), 'utf8')) as Manifest;
    if (m.version !== CODEGEN_VERSION) return undefined;
    const ptx = readFileSync(join(dir, `${key}.ptx`));
    if (ptx.length !== m.size || sha(ptx) !== m.sha256) return undefined;
    return { dir, key, ptx: ptx.toString('utf8'), plan: m.plan };
  } catch {
    return undefined;
  }
}

/** The first valid entry for any of `archs` (best first), in any lookup directory. */
export function cacheLookup(cacheKey: string, archs: readonly string[]): CacheHit | undefined {
  for (const arch of archs) {
    const key = entryKey(cacheKey, arch);
    for (const dir of lookupDirs()) {
      const hit = read(dir, key);
      if (hit) return hit;
    }
  }
  return undefined;
}

function writeAtomic(path: string, data: string | Buffer): void {
  const tmp = `${path}.${process.pid}.${Date.now()}`;
  writeFileSync(tmp, data);
  renameSync(tmp, path); // a reader never sees a half-written file under the final name
}

/** Stores PTX, plan and texts; the manifest last, so an entry is complete once it has one. */
export function cacheStore(cacheKey: string, arch: string, ptx: string, plan: CudaPlan, texts: Record<string, string>, dir = cacheDir()): { dir: string; key: string } {
  mkdirSync(dir, { recursive: true });
  const key = entryKey(cacheKey, arch);
  const bytes = Buffer.from(ptx, 'utf8');
  writeAtomic(join(dir, `${key}.texts.json`), JSON.stringify(texts));
  writeAtomic(join(dir, `${key}.ptx`), bytes);
  const m: Manifest = { version: CODEGEN_VERSION, arch, plan, sha256: sha(bytes), size: bytes.length };
  writeAtomic(join(dir, `${key}.json`), JSON.stringify(m));
  return { dir, key };
}

export function cacheTexts(dir: string, key: string): Record<string, string> | undefined {
  try {
    return JSON.parse(readFileSync(join(dir, `${key}.texts.json`), 'utf8')) as Record<string, string>;
  } catch {
    return undefined;
  }
}
