// Disk cache of compiled kernels (`cache: true`): the compiled backends'
// KernelCache (@numbat/llvm) with a linked shared library as the payload and
// the kernel plan in the manifest. Entries are keyed by core's cacheKey
// (source, captured globals, signature, options) together with the host CPU,
// LLVM's version and this backend's codegen version; the checksum covers key,
// plan and library, so a corrupt, edited or misplaced entry is rebuilt
// (core/src/disk-cache.ts, docs/safety.md). Loading an entry touches neither
// llvm-bindings nor libLLVM.

import { readFileSync } from 'node:fs';
import { cpus, arch } from 'node:os';
import { KernelCache } from '@numbat/llvm';
import type { KernelPlan } from '../codegen/abi.js';

/** Bump when generated code or the ABI changes meaning. */
export const CODEGEN_VERSION = 'cpu-84';

// The switches that change cpu's generated code (docs/backends/cpu.md).
const CODEGEN_KNOBS = ['NUMBAT_CPU_PASSES', 'NUMBAT_CPU_LANES', 'NUMBAT_LLVM_ARGS'];

export const cache = new KernelCache<KernelPlan>('cpu', CODEGEN_VERSION, 'so', undefined, CODEGEN_KNOBS);

export function cacheDir(): string {
  return cache.dir();
}

let hostId: string | undefined;
/** Identifies the host CPU without loading LLVM (code is compiled for the exact host CPU). */
function hostIdentity(): string {
  if (!hostId) {
    let flags = '';
    try {
      const info = readFileSync('/proc/cpuinfo', 'utf8');
      flags = /^(flags|Features)\s*:(.*)$/m.exec(info)?.[2].trim() ?? '';
    } catch { /* not Linux: the model name must do */ }
    hostId = `${arch()}|${cpus()[0]?.model ?? '?'}|${flags}`;
  }
  return hostId;
}

/**
 * A kernel's compiled variants (index.ts): the default; its stoppable one (loops poll for a stop,
 * for launches with a signal; with narrow tails too); with narrow tails only (blocks whose width
 * leaves a remainder of its wide lane groups: KernelPlan.wideGroups).
 */
export type KernelVariant = 'default' | 'stoppable' | 'narrow-tails';

/** Each variant is an entry of its own. */
export function entryKey(cacheKey: string, boundscheck: boolean, variant: KernelVariant = 'default'): string {
  return cache.key([hostIdentity(), cacheKey, String(boundscheck), ...(variant !== 'default' ? [variant] : [])]);
}

/** `library`: the verified bytes, the only thing to load (the file may have changed since). */
export interface CacheHit { library: Buffer; plan: KernelPlan; sha256: string }

/** The entry for `key`, or undefined when absent, stale, corrupt or another kernel's. */
export function cacheLookup(key: string): CacheHit | undefined {
  const hit = cache.lookup([key]);
  return hit && { library: hit.payload, plan: hit.plan, sha256: hit.checksum };
}
