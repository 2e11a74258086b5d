// llvm-bindings never frees an LLVMContext or a Module (its wrappers have no
// destructors), so a context per compile kept every kernel's IR alive for the
// life of the process (~0.3-0.9 MB a kernel). The cpu backend builds every
// module in one shared context, and once a module's text is taken deletes the
// bodies of its functions: what stays per compile is an empty module, its
// declarations and globals (a few hundred bytes) and the constants the context
// uniques (shared by later kernels).

import type { LLVM, LLVMNS } from '../llvm/bindings.js';

let shared: { llvm: LLVM; ctx: LLVMNS.LLVMContext } | undefined;

/** The one llvm-bindings context the cpu backend builds its modules in. */
export function sharedContext(llvm: LLVM): LLVMNS.LLVMContext {
  if (shared?.llvm !== llvm) shared = { llvm, ctx: new llvm.LLVMContext() };
  return shared.ctx;
}

/** Deletes the bodies of the functions the module `text` (its printout) defines. */
export function releaseModule(module: LLVMNS.Module, text: string): void {
  for (const m of text.matchAll(/^define [^@]*@("(?:[^"\\]|\\.)*"|[-\w.$]+)\(/gm)) {
    const name = m[1].startsWith('"') ? m[1].slice(1, -1) : m[1];
    module.getFunction(name)?.deleteBody();
  }
}
