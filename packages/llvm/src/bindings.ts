// llvm-bindings (a 100 MB native module with its own static LLVM as npm builds
// it, 3 MB against the shared libLLVM-14 after scripts/llvm-bindings-shared) is loaded
// only when a kernel is actually compiled: runtimes that load cached code, and
// CUDA's ahead-of-time path, never pay for it.

import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { constants } from 'node:os';
import { dirname, join } from 'node:path';
import type LLVMNS from 'llvm-bindings';
import { BackendUnavailableError } from '@numbat/core';

export type LLVM = typeof LLVMNS;
export type { LLVMNS };

let loaded: LLVM | undefined;

/**
 * The addon is opened with RTLD_DEEPBIND: it carries a static LLVM 14 whose
 * symbols are exported, and when another LLVM is already global in the
 * process (Mesa's libLLVM-15, loaded by Dawn for webgpu) its references would
 * otherwise bind to that copy and abort ("Option registered more than once").
 */
export function loadLLVM(): LLVM {
  if (!loaded) {
    const missing = llvmBindingsProblem();
    if (missing) throw new BackendUnavailableError('cpu', missing);
    refuseForeignLLVM();
    const mod = { exports: {} as LLVM };
    const d = constants.dlopen as Record<string, number>;
    // Flags as preload.ts opens it with (a preloaded addon is found by this call).
    process.dlopen(mod, addonPath()!, d.RTLD_NOW | (d.RTLD_DEEPBIND ?? 0));
    loaded = mod.exports;
  }
  return loaded;
}

function llvmBindingsRoot(): string | undefined {
  try {
    return dirname(createRequire(import.meta.url).resolve('llvm-bindings/package.json'));
  } catch {
    return undefined;
  }
}

/** The addon's file (whether or not it exists), undefined when the package is not installed. */
export function addonPath(): string | undefined {
  const root = llvmBindingsRoot();
  return root && join(root, 'build', 'Release', 'llvm-bindings.node');
}

/**
 * Why the llvm-bindings package cannot be loaded (not installed, or installed
 * without its native addon), found without loading it; undefined when it can.
 * available() reports it, and a compile that reaches LLVM refuses with it.
 */
export function llvmBindingsProblem(): string | undefined {
  const root = llvmBindingsRoot();
  const fix = 'install LLVM 14 first (Debian: apt install llvm-14 llvm-14-dev cmake), then npm install llvm-bindings (it builds from source, about 3 minutes)';
  if (!root) return `its compiler needs the llvm-bindings package, which is not installed: ${fix}`;
  if (!existsSync(join(root, 'build', 'Release', 'llvm-bindings.node'))) {
    return `its compiler needs the llvm-bindings package, which is installed (${root}) without its native addon (build/Release/llvm-bindings.node; its build failed or was skipped): ${fix}`;
  }
  return undefined;
}

/**
 * Deno and Bun open addons without honouring the RTLD_DEEPBIND flag: if another
 * LLVM is already in the process (Mesa's, loaded by WebGPU), loading the addon
 * would abort the process ("LLVM ERROR: inconsistency in registered CommandLine
 * options"). Refuse with a way out instead. (Node honours the flag; the other
 * order, cpu compiles before WebGPU starts, binds correctly everywhere.)
 */
function refuseForeignLLVM(): void {
  const g = globalThis as { Deno?: unknown; Bun?: unknown };
  const runtime = g.Deno ? 'Deno' : g.Bun ? 'Bun' : undefined;
  if (!runtime) return;
  let maps = '';
  try { maps = readFileSync('/proc/self/maps', 'utf8'); } catch { return; }
  const foreign = [...new Set([...maps.matchAll(/\/(libLLVM[-.]?(\d+)?[^/\s]*\.so[^/\s]*)$/gm)].filter((m) => m[2] !== '14').map((m) => m[1]))];
  if (foreign.length === 0) return;
  throw new BackendUnavailableError('cpu', `its compiler (llvm-bindings, LLVM 14) cannot load into this ${runtime} process: another LLVM (${foreign.join(', ')}, loaded by WebGPU's driver) is already there and ${runtime} cannot keep the two apart, so LLVM would abort the process. Compile cpu kernels before the first webgpu use, use cache: true (cached cpu kernels load without LLVM), or run cpu and webgpu in separate processes (Node keeps them apart)`);
}

/** True once llvm-bindings has been required (tests check the lazy-load promise). */
export function llvmBindingsLoaded(): boolean {
  return loaded !== undefined;
}
