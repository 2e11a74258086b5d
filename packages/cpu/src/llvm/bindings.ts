// llvm-bindings (a 100 MB native module with its own static LLVM) is loaded
// only when a kernel is actually compiled: runtimes that load cached code, and
// CUDA's ahead-of-time path, never pay for it.

import { createRequire } from 'node:module';
import type LLVMNS from 'llvm-bindings';

export type LLVM = typeof LLVMNS;
export type { LLVMNS };

let loaded: LLVM | undefined;

export function loadLLVM(): LLVM {
  if (!loaded) {
    const require = createRequire(import.meta.url);
    loaded = require('llvm-bindings') as LLVM;
  }
  return loaded;
}

/** True once llvm-bindings has been required (tests check the lazy-load promise). */
export function llvmBindingsLoaded(): boolean {
  return loaded !== undefined;
}
