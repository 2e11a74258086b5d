// llvm-bindings (a 100 MB native module with its own static LLVM) is loaded
// only when a kernel is actually compiled: runtimes that load cached code, and
// CUDA's ahead-of-time path, never pay for it.

import { createRequire } from 'node:module';
import { constants } from 'node:os';
import { dirname, join } from 'node:path';
import type LLVMNS from 'llvm-bindings';

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
    const require = createRequire(import.meta.url);
    const root = dirname(require.resolve('llvm-bindings/package.json'));
    const mod = { exports: {} as LLVM };
    const d = constants.dlopen as Record<string, number>;
    process.dlopen(mod, join(root, 'build', 'Release', 'llvm-bindings.node'), d.RTLD_NOW | (d.RTLD_DEEPBIND ?? 0));
    loaded = mod.exports;
  }
  return loaded;
}

/** True once llvm-bindings has been required (tests check the lazy-load promise). */
export function llvmBindingsLoaded(): boolean {
  return loaded !== undefined;
}
