// Admission of launches onto libuv's thread pool. Launches run one after
// another, in the order they were called (FIFO): a launch is admitted only when
// the previous one has settled *and its native calls have returned*. So:
//   - un-awaited launches compose as if issued one after another, even with the
//     copy-in/copy-out of host arrays (ownership.ts);
//   - numbat never has more native calls in flight than the workers of one
//     launch: koffi's queue of async calls (256) never fills (a launch is never
//     partly accepted), and libuv's pool keeps threads for fs, dns, zlib even
//     while a kernel hangs (the pool is sized workers + 4, see launch.ts);
//   - a launch stopped by its signal rejects at once, but the next launch waits
//     until the stopped one's workers have really returned, so no two launches
//     ever touch the same memory at the same time.
// process.exit() would wait for the pool's threads, forever if a kernel never
// ends; while native calls are in flight the process leaves with _exit instead.

import type * as WorkerThreads from 'node:worker_threads';
import { createRequire } from 'node:module';
import koffi from 'koffi';

type Waiter = { resolve: () => void; reject: (e: unknown) => void; signal?: AbortSignal; onAbort?: () => void };

let busy = false;
const waiting: Waiter[] = [];
let nativeCalls = 0;

/** True when no launch runs or waits: a small launch may run synchronously right now. */
export function idle(): boolean {
  return !busy && waiting.length === 0;
}

/** Takes the turn now if no launch runs or waits (so a launch starts within its call). */
export function admitNow(): boolean {
  if (busy || waiting.length > 0) return false;
  busy = true;
  return true;
}

/** Waits for the launch's turn; rejects with `abortError()` if `signal` aborts first. */
export function admit(signal: AbortSignal | undefined, abortError: () => unknown): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const w: Waiter = { resolve, reject, signal };
    if (signal) {
      w.onAbort = () => {
        const at = waiting.indexOf(w);
        if (at >= 0) waiting.splice(at, 1);
        reject(abortError());
      };
      signal.addEventListener('abort', w.onAbort, { once: true });
    }
    waiting.push(w);
  });
}

/** The running launch's native calls have all returned: admit the next launch. */
export function release(): void {
  const next = waiting.shift();
  if (!next) {
    busy = false;
    return;
  }
  if (next.onAbort) next.signal!.removeEventListener('abort', next.onAbort);
  next.resolve();
}

/** Counts native calls in flight (for the exit hook). */
export function nativeCallStarted(): void {
  nativeCalls++;
  installExitHook();
}
export function nativeCallEnded(): void {
  nativeCalls--;
}

let hooked = false;
function installExitHook(): void {
  if (hooked) return;
  hooked = true;
  const onExit = (code: number): void => {
    if (nativeCalls === 0) return;
    // Looked up only now (not at the first launch: node:worker_threads costs a few ms to load).
    // A worker's exit ends only that worker: it must not end the process.
    if (!(createRequire(import.meta.url)('node:worker_threads') as typeof WorkerThreads).isMainThread) return;
    let quickExit: (code: number) => void;
    try {
      quickExit = koffi.load('libc.so.6').func('void _exit(int)') as unknown as (code: number) => void;
    } catch {
      return; // not glibc: exit waits for running kernels, as before
    }
    // A kernel still runs (a stopped launch whose block never ends): do not join its thread.
    // The 'exit' listeners registered after this one run first, as they would have.
    const all = process.listeners('exit');
    for (const l of all.slice(all.indexOf(onExit) + 1)) {
      try { (l as (c: number) => void).call(process, code); } catch { /* as in an exit listener: nothing more to do */ }
    }
    quickExit(code);
  };
  process.on('exit', onExit);
}
