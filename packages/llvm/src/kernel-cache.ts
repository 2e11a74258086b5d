// The disk cache of the compiled backends (`cache: true`): core's DiskCache
// (checksummed entries, see core/src/disk-cache.ts and docs/safety.md) with
// LLVM's version in every key and, besides the writable directory, read-only
// directories searched after it (cuda: a prepared ahead-of-time directory).
// Loading an entry touches neither llvm-bindings nor libLLVM.

import { DiskCache, type CacheEntry } from '@numbat/core/disk-cache';
import { LLVM_VERSION } from './capi.js';

export type { CacheEntry };

/** Where an entry lives: enough to read its texts again. */
export interface EntryRef { dir: string; key: string }

export class KernelCache<Plan> {
  private readonly disk: DiskCache<Plan>;

  /**
   * @param target the subdirectory under numbat's cache root ('cpu', 'cuda')
   * @param codegenVersion bump when the target's generated code or ABI changes meaning
   * @param ext the payload's file extension ('so', 'ptx')
   * @param extraDirs read-only directories searched after the writable one
   * @param knobs environment variables that change the generated code (diagnosis/tuning
   *   switches such as NUMBAT_CPU_PASSES): a set one is part of every key, so an entry
   *   compiled under it is never loaded without it (or the other way round)
   */
  constructor(target: string, codegenVersion: string, ext: string, private readonly extraDirs: () => string[] = () => [], private readonly knobs: readonly string[] = []) {
    this.disk = new DiskCache<Plan>(target, codegenVersion, ext);
  }

  /** The writable directory. */
  dir(): string {
    return this.disk.dir();
  }

  /** An entry's key: a hash of LLVM's version and everything else the code depends on. */
  key(parts: readonly string[]): string {
    // Unset knobs add nothing: the keys of ordinary compiles do not change.
    const set = this.knobs.filter((k) => process.env[k]).map((k) => `${k}=${process.env[k]}`);
    return this.disk.key([LLVM_VERSION, ...parts, ...set]);
  }

  /** The first valid entry among `keys` (best first), each searched in every directory. */
  lookup(keys: readonly string[]): CacheEntry<Plan> | undefined {
    for (const key of keys) {
      for (const dir of [this.dir(), ...this.extraDirs()]) {
        const hit = this.disk.lookup(key, dir);
        if (hit) return hit;
      }
    }
    return undefined;
  }

  /** Stores payload, plan and inspect texts (the manifest last: complete once it has one). */
  store(key: string, payload: Buffer, plan: Plan, texts: Record<string, string>, dir = this.dir()): CacheEntry<Plan> {
    return this.disk.store(key, payload, plan, texts, dir);
  }

  /** The inspect texts stored with an entry. */
  texts(entry: EntryRef): Record<string, string> | undefined {
    return this.disk.texts(entry.key, entry.dir);
  }
}
