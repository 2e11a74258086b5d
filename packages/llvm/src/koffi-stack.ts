// koffi runs an async call (on libuv's thread pool) on a stack of its own,
// 128 KiB by default: too small to trust LLVM's optimiser and code generator
// with (they recurse over the IR). pool-finish.ts runs them as async calls, so
// the stack is raised to 8 MiB, a thread's usual. koffi allows that only before
// the process loads its first library through koffi; every numbat package that
// loads one imports @numbat/llvm first, which asks here as it is evaluated.
// Where the process loaded one before (an application using koffi itself), the
// size stays as it was and pool finishing is off (modules are finished on the
// main thread). The pages of a stack are only touched as used: no measurable
// memory (6 calls in flight: +0.5 MB of RSS at 8 MiB, as at 128 KiB).

import koffi from 'koffi';

/** Stack bytes an async call needs to run LLVM's passes and code generator. */
export const POOL_STACK_BYTES = 8 << 20;

let enough: boolean | undefined;

/** Whether koffi's async calls have POOL_STACK_BYTES of stack (raised here if the process has loaded no library yet). */
export function asyncStackEnough(): boolean {
  if (enough !== undefined) return enough;
  try {
    const cfg = koffi.config();
    if (cfg.async_stack_size! < POOL_STACK_BYTES) koffi.config({ ...cfg, async_stack_size: POOL_STACK_BYTES });
  } catch {
    // "Cannot change Koffi configuration once a library has been loaded": keep what it is
  }
  enough = koffi.config().async_stack_size! >= POOL_STACK_BYTES;
  return enough;
}

asyncStackEnough();
