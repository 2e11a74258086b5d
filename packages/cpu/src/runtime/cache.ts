// Disk cache of compiled kernels (`cache: true`). An entry is the linked
// shared library plus a small JSON manifest (plan + checksum of the library);
// the inspect texts live in a third file read only by `inspect`. Entries are
// keyed by core's cacheKey (source, captured globals, signature, options)
// together with the host CPU, LLVM's version and this backend's codegen
// version. A corrupt or truncated entry fails its checksum and is rebuilt.
// Loading an entry touches neither llvm-bindings nor libLLVM.

import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { cpus, arch } from 'node:os';
import { join, resolve } from 'node:path';
import type { KernelPlan } from '../codegen/abi.js';

/** Bump when generated code or the ABI changes meaning. */
export const CODEGEN_VERSION = 'cpu-3';
const LLVM_VERSION = '14';

export function cacheDir(): string {
  return resolve(process.env.NUMBAT_CACHE_DIR ?? join(process.cwd(), '.numbat-cache'), 'cpu');
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

export function entryKey(cacheKey: string, boundscheck: boolean): string {
  return createHash('sha256').update([CODEGEN_VERSION, LLVM_VERSION, hostIdentity(), cacheKey, String(boundscheck)].join('\u0000')).digest('hex').slice(0, 32);
}

interface Manifest { version: string; plan: KernelPlan; sha256: string; size: number }

const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

export interface CacheHit { soPath: string; plan: KernelPlan; sha256: string }

/** The entry for `key`, or undefined when absent, stale or corrupt. */
export function cacheLookup(key: string): CacheHit | undefined {
  const dir = cacheDir();
  try {
    const m = JSON.parse(readFileSync(join(dir, `${key}.json`), 'utf8')) as Manifest;
    if (m.version !== CODEGEN_VERSION) return undefined;
    const soPath = join(dir, `${key}.so`);
    const lib = readFileSync(soPath);
    if (lib.length !== m.size || sha(lib) !== m.sha256) return undefined;
    return { soPath, plan: m.plan, sha256: m.sha256 };
  } catch {
    return undefined;
  }
}

/** Stores a library (read from `soPath`) and its plan; returns the cached library's path. */
export function cacheStore(key: string, soPath: string, plan: KernelPlan, texts: Record<string, string>): string {
  const dir = cacheDir();
  mkdirSync(dir, { recursive: true });
  const lib = readFileSync(soPath);
  const tmp = `.${process.pid}.${Date.now()}`;
  const target = join(dir, `${key}.so`);
  // Write then rename: a reader never sees a half-written file under the final name.
  writeFileSync(join(dir, `${key}.texts.json${tmp}`), JSON.stringify(texts));
  renameSync(join(dir, `${key}.texts.json${tmp}`), join(dir, `${key}.texts.json`));
  writeFileSync(target + tmp, lib);
  renameSync(target + tmp, target);
  const m: Manifest = { version: CODEGEN_VERSION, plan, sha256: sha(lib), size: lib.length };
  writeFileSync(join(dir, `${key}.json${tmp}`), JSON.stringify(m));
  renameSync(join(dir, `${key}.json${tmp}`), join(dir, `${key}.json`));
  return target;
}

export function cacheTexts(key: string): Record<string, string> | undefined {
  try {
    return JSON.parse(readFileSync(join(cacheDir(), `${key}.texts.json`), 'utf8')) as Record<string, string>;
  } catch {
    return undefined;
  }
}
