// A head start for a process's first compile: LLVM's native libraries
// (Debian's libLLVM-14 for the C API, the llvm-bindings addon: with its own
// static LLVM as npm builds it) take ~70-100 ms each to dlopen, almost all of
// it relocation. preloadLLVM() dlopens them on libuv thread-pool threads (koffi
// async calls of dlopen) while the main thread goes on with imports and the
// kernel's frontend; the main thread's own loads (capi(), loadLLVM()) then
// find them mapped, where dlopen only counts a reference (or waits for the
// preload to finish: glibc serialises dlopens, nothing is loaded twice).
// It is only a head start: the handles are never used, a failed preload is
// ignored (the main thread's load fails and reports as it always did), and the
// flags are the ones the main thread's loads use, so the libraries bind the
// same way (RTLD_DEEPBIND for the addon).

import { existsSync } from 'node:fs';
import { constants } from 'node:os';
import koffi from 'koffi';
import './koffi-stack.js'; // before the first library is loaded (it raises koffi's async stack)
import { addonPath, llvmBindingsLoaded } from './bindings.js';
import { capiLoaded, LIBLLVM_PATH } from './capi.js';

/** A library to open and its dlopen flags. */
export interface Preload { path: string; flags: number }

let started: Promise<boolean[]> | undefined;

/**
 * Starts loading LLVM's libraries in the background, once per process; a
 * no-op where they are loaded already, off Linux, in Deno and Bun (the
 * addon's load there checks for a foreign LLVM first: bindings.ts) and with
 * NUMBAT_PRELOAD=0. Never throws. The promise (for tests) says which libraries
 * were opened. The calls hold up to two of libuv's pool threads (4 by default)
 * for the load's ~100-200 ms.
 */
export function preloadLLVM(): Promise<boolean[]> {
  started ??= (() => {
    const g = globalThis as { Deno?: unknown; Bun?: unknown };
    // NUMBAT_PRELOAD=0: off (to measure it, or to rule it out).
    if (process.platform !== 'linux' || g.Deno || g.Bun || process.env.NUMBAT_PRELOAD === '0') return Promise.resolve([]);
    const d = constants.dlopen as Record<string, number>;
    const libs: Preload[] = [];
    if (!capiLoaded()) libs.push({ path: LIBLLVM_PATH, flags: d.RTLD_NOW });
    const addon = addonPath();
    if (addon && !llvmBindingsLoaded()) libs.push({ path: addon, flags: d.RTLD_NOW | (d.RTLD_DEEPBIND ?? 0) });
    return preloadLibraries(libs);
  })();
  return started;
}

/** The preload's promise once preloadLLVM() has started it (tests, diagnostics). */
export function preloadPending(): Promise<boolean[]> | undefined {
  return started;
}

/**
 * dlopens the libraries, each on a thread-pool thread; resolves (never
 * rejects) with whether each opened. All start at once: glibc takes them one
 * after another, and no step waits for the main thread (a chain of callbacks
 * would: they run only when it is idle, and a compile keeps it busy).
 */
export function preloadLibraries(libs: readonly Preload[]): Promise<boolean[]> {
  let dlopen: ReturnType<ReturnType<typeof koffi.load>['func']>;
  try {
    // dlopen from the process's own symbols (glibc's libc, or libdl that node links).
    dlopen = koffi.load(null).func('void *dlopen(const char *path, int flags)');
  } catch {
    return Promise.resolve(libs.map(() => false));
  }
  return Promise.all(libs.map(({ path, flags }) => new Promise<boolean>((resolve) => {
    if (!existsSync(path)) return resolve(false); // dlopen would fail too; no thread needed
    try { dlopen.async(path, flags, (err: unknown, handle: unknown) => resolve(!err && !!handle)); } catch { resolve(false); }
  })));
}
