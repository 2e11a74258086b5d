// A module built with llvm-bindings reaches the C API's LLVM as bytes: they
// are two LLVM contexts (and two copies of LLVM where npm's static addon is
// in use, scripts/llvm-bindings-shared/), so no object crosses between them. llvm-bindings can give them as text (print) or as
// a bitcode file: bitcode is written ~5× and parsed ~2.5× faster than the text
// (an 8 000-line module: print 17 ms + parse 7 ms, bitcode 3.4 + 2.8 ms). The
// file lives in memory where the system has /dev/shm. Both LLVMs are 14, so the
// C API reads llvm-bindings' bitcode.

import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LLVM, LLVMNS } from './bindings.js';
import { capi, type Ptr } from './capi.js';
import { NativeModule } from './native.js';

let unusable = false;
const SCRATCH = existsSync('/dev/shm') ? '/dev/shm' : tmpdir();

/** The module's bitcode, or its text where no file can be written (both parse with NativeModule.parse). */
export function moduleBytes(llvm: LLVM, module: LLVMNS.Module): Buffer | string {
  if (unusable) return module.print();
  // Created here first (O_EXCL: never an existing file or another user's link; the
  // directory's sticky bit keeps others from replacing it), removed at once.
  const file = join(SCRATCH, `numbat-${process.pid}-${randomBytes(8).toString('hex')}.bc`);
  try {
    closeSync(openSync(file, 'wx', 0o600));
    llvm.WriteBitcodeToFile(module, file);
    return readFileSync(file);
  } catch {
    unusable = true; // e.g. no writable temporary directory: text from now on
    return module.print();
  } finally {
    rmSync(file, { force: true });
  }
}

/** Names of the functions a module defines and declares, and of its global variables. */
export interface ModuleSymbols { defined: string[]; declared: string[]; globals: string[] }

/** The symbols of a module's bitcode, read lazily (no function body is parsed). */
export function bitcodeSymbols(bitcode: Buffer): ModuleSymbols {
  const c = capi();
  const ctx = c.ContextCreate();
  try {
    // LLVMGetBitcodeModuleInContext2 takes the buffer over (freed with the module).
    const buf = c.CreateMemoryBufferWithMemoryRangeCopy(bitcode, bitcode.length, 'symbols');
    const mod: Ptr[] = [null];
    if (c.GetBitcodeModuleInContext2(ctx, buf, mod)) throw new Error('numbat internal error: LLVM could not read a module\'s bitcode');
    const out: ModuleSymbols = { defined: [], declared: [], globals: [] };
    for (let f = c.GetFirstFunction(mod[0]); f; f = c.GetNextFunction(f)) (c.IsDeclaration(f) ? out.declared : out.defined).push(c.GetValueName2(f, [0]));
    for (let g = c.GetFirstGlobal(mod[0]); g; g = c.GetNextGlobal(g)) out.globals.push(c.GetValueName2(g, [0]));
    c.DisposeModule(mod[0]);
    return out;
  } finally {
    c.ContextDispose(ctx);
  }
}

/** The text of moduleBytes' result (tests, IR dumps); `name` is its ModuleID, as llvm-bindings printed it. */
export function moduleText(bytes: Buffer | string, name: string): string {
  if (typeof bytes === 'string') return bytes;
  const nm = NativeModule.parse(bytes, name);
  try {
    return nm.print();
  } finally {
    nm.dispose();
  }
}
