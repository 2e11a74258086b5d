// llvm-bindings never frees an LLVMContext, a Module or an IRBuilder (its
// wrappers have no destructors), so a context, module and builder per compile
// kept every kernel's IR, then its declarations, for the life of the process.
// The cpu backend builds every kernel in one context, one module and one
// builder, and empties the module once its bitcode (or text) is taken: function
// bodies and declarations are erased, so what a compile leaves behind is the
// constants and types the context uniques (shared by later kernels; a kernel's
// distinct constant values, ~300 bytes for one value used scalar and as lane
// vectors) and each constant array's global (below).

import { bitcodeSymbols, type LLVM, type LLVMNS, type ModuleSymbols } from '@numbat/llvm';

export interface CodegenUnit {
  readonly ctx: LLVMNS.LLVMContext;
  readonly module: LLVMNS.Module;
  readonly builder: LLVMNS.IRBuilder;
}

interface Shared extends CodegenUnit { llvm: LLVM; busy: boolean }

let shared: Shared | undefined;
let modulesCreated = 0;

/** Modules created so far (1 while every compile empties its module): for tests. */
export function codegenModulesCreated(): number {
  return modulesCreated;
}

/**
 * The module (named `name`, empty) and builder one compile builds in; give it
 * back with closeModule before the next compile. Codegen is synchronous, so
 * compiles never overlap.
 */
export function openModule(llvm: LLVM, name: string): CodegenUnit {
  if (shared?.llvm !== llvm || shared.busy) {
    const ctx = shared?.llvm === llvm ? shared.ctx : new llvm.LLVMContext();
    modulesCreated++;
    shared = { llvm, ctx, module: new llvm.Module(name, ctx), builder: new llvm.IRBuilder(ctx), busy: false };
  }
  shared.module.setModuleIdentifier(name);
  shared.module.setSourceFileName(name);
  shared.busy = true;
  return shared;
}

/**
 * Empties the module after a compile (and returns the symbols it had). `built` is what the compile took of it:
 * its bitcode or printout (undefined when the build failed: then the bodies are
 * deleted and the module is left for a fresh one, since a half-built function
 * may still be referenced elsewhere).
 */
export function closeModule(unit: CodegenUnit, built: Buffer | string | undefined): ModuleSymbols {
  const { module } = unit;
  const failed = built === undefined;
  const symbols = Buffer.isBuffer(built) ? bitcodeSymbols(built) : printedSymbols(typeof built === 'string' ? built : module.print());
  const defined = symbols.defined;
  for (const name of defined) module.getFunction(name)?.deleteBody();
  unit.builder.ClearInsertionPoint();
  if (failed) return symbols; // busy stays set: the next compile gets a new module
  // With the bodies gone, what may still use a function or global is a
  // constant the context keeps (a constant GEP of a global). A function's dead
  // constant users go first, and it is freed; llvm-bindings cannot do that for
  // a global variable (it binds neither removeDeadConstantUsers nor use_empty
  // nor replaceAllUsesWith for one), so globals (constant arrays) are only
  // unlinked, and each stays with its constant bitcast: ~300 bytes per compile
  // of a kernel with a constant array (docs/backends/cpu.md).
  let complete = true;
  for (const name of [...defined, ...symbols.declared]) {
    const f = module.getFunction(name);
    if (!f) { complete = false; continue; }
    f.removeDeadConstantUsers();
    if (f.use_empty()) f.eraseFromParent();
    else f.removeFromParent();
  }
  for (const name of symbols.globals) {
    const g = module.getGlobalVariable(name, true);
    if (g) g.removeFromParent();
    else complete = false;
  }
  // A name this parser missed would stay in the module: use a new one instead.
  if (complete) (unit as Shared).busy = false;
  return symbols;
}

/** The symbols of a module's printout. */
function printedSymbols(text: string): ModuleSymbols {
  return {
    defined: namesOf(text, /^define [^@]*@("(?:[^"\\]|\\.)*"|[-\w.$]+)\(/gm),
    declared: namesOf(text, /^declare [^@]*@("(?:[^"\\]|\\.)*"|[-\w.$]+)\(/gm),
    globals: namesOf(text, /^@("(?:[^"\\]|\\.)*"|[-\w.$]+) = /gm),
  };
}

/** The (unescaped) global names a pattern finds in a module's printout. */
function namesOf(text: string, pattern: RegExp): string[] {
  return [...text.matchAll(pattern)].map((m) => (m[1].startsWith('"') ? unescapeName(m[1].slice(1, -1)) : m[1]));
}

/** LLVM prints a quoted name's bytes other than printable ASCII as \XX (hex). */
function unescapeName(s: string): string {
  return Buffer.from(s.replace(/\\([0-9A-Fa-f]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16))), 'latin1').toString('utf8');
}
