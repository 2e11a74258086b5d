// A head start for a process's first compile: LLVM's two native libraries
// (Debian's libLLVM-14 for the C API, the llvm-bindings addon with its own
// static LLVM) take ~70-100 ms each to dlopen (relocations and static
// constructors). preloadLLVM() dlopens them on a libuv thread-pool thread (a
// koffi async call of dlopen) while the main thread goes on with imports and
// the kernel's frontend; the main thread's own loads (capi(), loadLLVM()) then
// find them mapped, where dlopen only counts a reference (or waits for the
// preload to finish: glibc serialises dlopens, nothing is loaded twice).
// It is only a head start: the handles are never used, a failed preload is
// ignored (the main thread's load fails and reports as it always did), and the
// flags are the ones the main thread's loads use, so the libraries bind the
// same way (RTLD_DEEPBIND for the addon).

import { existsSync } from 'node:fs';
import { constants } from 'node:os';
import koffi from 'koffi';
import { addonPath, llvmBindingsLoaded } from './bindings.js';
import { capiLoaded, LIBLLVM_PATH } from './capi.js';

/** A library to open and its dlopen flags. */
export interface Preload { path: string; flags: number }

let started: Promise<boolean[]> | undefined;

/**
 * Starts loading LLVM's libraries in the background, once per process; a
 * no-op where they are loaded already, off Linux, in Deno and Bun (the
 * addon's load there checks for a foreign LLVM first: bindings.ts) and with
 * NUMBAT_PRELOAD=0. Never
 * throws. The promise (for tests) says which libraries were opened.
 */
export function preloadLLVM(): Promise<boolean[]> {
  started ??= (() => {
    const g = globalThis as { Deno?: unknown; Bun?: unknown };
    // NUMBAT_PRELOAD=0: off (to measure it, or to rule it out).
    if (process.platform !== 'linux' || g.Deno || g.Bun || process.env.NUMBAT_PRELOAD === '0') return Promise.resolve([]);
    const d = constants.dlopen as Record<string, number>;
    const libs: Preload[] = [];
    // The C API first: the compile's set-up needs it (host CPU), the addon only at code generation.
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
 * dlopens each library in turn on a thread-pool thread; resolves (never
 * rejects) with whether each opened. A missing file is skipped without a call.
 */
export function preloadLibraries(libs: readonly Preload[]): Promise<boolean[]> {
  let dlopen: ReturnType<ReturnType<typeof koffi.load>['func']>;
  try {
    // dlopen from the process's own symbols (glibc's libc, or libdl that node links).
    dlopen = koffi.load(null).func('void *dlopen(const char *path, int flags)');
  } catch {
    return Promise.resolve(libs.map(() => false));
  }
  const results: boolean[] = [];
  const next = (i: number): Promise<boolean[]> => {
    if (i >= libs.length) return Promise.resolve(results);
    const { path, flags } = libs[i];
    if (!existsSync(path)) { results.push(false); return next(i + 1); }
    return new Promise<boolean>((resolve) => {
      try { dlopen.async(path, flags, (err: unknown, handle: unknown) => resolve(!err && !!handle)); } catch { resolve(false); }
    }).then((ok) => { results.push(ok); return next(i + 1); });
  };
  return next(0);
}
