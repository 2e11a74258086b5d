// In-process loading of a freshly compiled object with ORC LLJIT (LLVM's C
// API): ~0.6 ms, against ~13 ms for spawning `ld -shared` from a Node process
// that has 200+ MB of LLVM mapped (fork copies its page tables). Used right
// after a compile, when libLLVM is loaded anyway; cached kernels are shared
// libraries opened with dlopen (loader.ts) so that they never need LLVM.
// Symbols the object imports (libm, memset) resolve against the process.

import koffi from 'koffi';
import { capi, takeError, type Ptr } from '@numbat/llvm';
import type { KernelPlan } from '../codegen/abi.js';
import { entryProto, type KoffiFn } from './loader.js';

let jit: Ptr | undefined;

function lljit(): Ptr {
  if (jit) return jit;
  const c = capi();
  const out: Ptr[] = [null];
  let err = takeError(c.OrcCreateLLJIT(out, c.OrcCreateLLJITBuilder()));
  if (err) throw new Error(`numbat: cannot create an LLVM JIT: ${err}`);
  const jd = c.OrcLLJITGetMainJITDylib(out[0]);
  const gen: Ptr[] = [null];
  err = takeError(c.OrcCreateDynamicLibrarySearchGeneratorForProcess(gen, c.OrcLLJITGetGlobalPrefix(out[0]), null, null));
  if (err) throw new Error(`numbat: cannot create the JIT's process symbol generator: ${err}`);
  c.OrcJITDylibAddGenerator(jd, gen[0]);
  jit = out[0];
  return jit;
}

/** Live JIT'd kernels (code not yet freed): for tests and diagnostics. */
let live = 0;
export function liveJitKernels(): number {
  return live;
}

// Once the kernel object that owns an entry point is unreachable (no launch in
// flight holds it either), its code and data leave the JIT. The names it
// defined stay interned in the session's symbol string pool (ORC never clears
// it by itself) and entry names are unique per compile, so each removal clears
// the pool's unreferenced entries too (~100 bytes a kernel otherwise kept).
const freeCode = new FinalizationRegistry<Ptr>((tracker) => {
  const c = capi();
  takeError(c.OrcResourceTrackerRemove(tracker));
  c.OrcReleaseResourceTracker(tracker);
  if (jit) c.OrcSymbolStringPoolClearDeadEntries(c.OrcExecutionSessionGetSymbolStringPool(c.OrcLLJITGetExecutionSession(jit)));
  live--;
});

/**
 * Adds the object (a split kernel's objects: the entry point's first, compile.ts) to the
 * process-wide JIT under one resource tracker of its own and returns its entry point
 * (entry names are unique per compile). The code is freed when `owner` is garbage-collected.
 */
export function jitLoad(objects: Buffer | readonly Buffer[], plan: KernelPlan, owner: object): KoffiFn {
  const c = capi();
  const j = lljit();
  const tracker = c.OrcJITDylibCreateResourceTracker(c.OrcLLJITGetMainJITDylib(j));
  let err: string | undefined;
  for (const object of Buffer.isBuffer(objects) ? [objects] : objects) {
    const buf = c.CreateMemoryBufferWithMemoryRangeCopy(object, object.length, plan.entry);
    err = takeError(c.OrcLLJITAddObjectFileWithRT(j, tracker, buf));
    if (err) break;
  }
  const addr: Ptr[] = [null];
  if (!err) err = takeError(c.OrcLLJITLookup(j, addr, plan.entry));
  if (err) {
    takeError(c.OrcResourceTrackerRemove(tracker));
    c.OrcReleaseResourceTracker(tracker);
    throw new Error(`numbat: the JIT refused kernel '${plan.name}': ${err}`);
  }
  live++;
  freeCode.register(owner, tracker);
  return koffi.decode(addr[0], entryProto(plan)) as unknown as KoffiFn;
}
