// The second core for one compile: a module's bytes finished (helper modules
// linked, verified, optimised, emitted as an object) on a worker thread
// (compile-thread-worker.ts) while the main thread builds and finishes another
// module of the same kernel (cpu: a split kernel's two functions). LLVM
// contexts are not shared between threads: the worker parses the bytes into a
// context of its own and uses a target machine of its own. Not a koffi async
// call: those run on 128 KiB stacks, too small for LLVM's code generator.
// The thread starts on first demand and is used once it has loaded LLVM's C
// API; it never keeps the process alive while it waits for work.

import { Worker } from 'node:worker_threads';
import { capi } from './capi.js';
import type { TargetSpec } from './native.js';

/** A module to finish on the compile thread. */
export interface FinishJob {
  /** Bitcode (or text) of the module. */
  bytes: Buffer | string;
  name: string;
  /** Modules (text) linked into it, in order: their definitions become internal. */
  links: readonly { text: string; name: string }[];
  target: TargetSpec;
  /** The new-pass-manager pipeline. */
  passes: string;
}

interface Reply { id?: number; failed?: string; loaded?: boolean; object?: Uint8Array; error?: string }

let worker: Worker | undefined;
// Set by the thread once LLVM is loaded there; read without a turn of the event loop (a
// compile runs start to end without one, so a 'ready' message would wait for it to end).
const readyFlag = new Int32Array(new SharedArrayBuffer(4));
let ready = false;
let unusable = false;
let nextId = 0;
let jobsDone = 0;
const pending = new Map<number, { resolve: (b: Buffer) => void; reject: (e: Error) => void }>();

function start(): void {
  if (worker || unusable) return;
  try {
    capi(); // LLVM's targets initialised here, before the thread exists (it does not initialise them)
    const w = new Worker(new URL('./compile-thread-worker.js', import.meta.url), { workerData: readyFlag });
    worker = w;
    w.on('message', (m: Reply) => {
      if (m.failed) { stop(new Error(m.failed)); return; }
      if (m.loaded) { if (!pending.size) w.unref(); return; }
      const p = m.id === undefined ? undefined : pending.get(m.id);
      if (!p) return;
      pending.delete(m.id!);
      jobsDone++;
      if (!pending.size) w.unref();
      if (m.error !== undefined) p.reject(new Error(m.error));
      else p.resolve(Buffer.from(m.object!.buffer, m.object!.byteOffset, m.object!.byteLength));
    });
    w.on('error', (e) => stop(e));
    w.on('exit', (code) => stop(new Error(`the compile thread exited (code ${code})`)));
    // Kept referenced until the thread has loaded LLVM's C API (its 'loaded' message): a
    // process that ended meanwhile would stop the thread inside koffi's binding of the
    // functions, which aborted the process (SIGABRT at exit in test/two-llvms).
    w.ref();
  } catch {
    unusable = true; // no worker threads here: everything stays on the main thread
  }
}

/** The thread is gone (or could not load LLVM): its jobs fail, and later compiles keep to the main thread. */
function stop(e: Error): void {
  unusable = true;
  ready = false;
  const w = worker;
  worker = undefined;
  for (const p of pending.values()) p.reject(new Error(`numbat internal error: ${e.message}`));
  pending.clear();
  void w?.terminate();
}

/**
 * Finishes `job` on the compile thread: its object, or undefined when the
 * thread is not ready (it is started then, for later compiles: the caller
 * finishes the module itself).
 */
export function finishOnCompileThread(job: FinishJob): Promise<Buffer> | undefined {
  if (!compileThreadState().ready) { start(); return undefined; }
  const w = worker!, id = nextId++;
  return new Promise<Buffer>((resolve, reject) => {
    pending.set(id, { resolve, reject });
    w.ref(); // a job in flight keeps the process alive until its answer
    w.postMessage({ id, job });
  });
}

/** Whether the thread takes jobs now, and how many it has answered (tests, diagnostics). */
export function compileThreadState(): { ready: boolean; jobs: number } {
  ready ||= !!worker && Atomics.load(readyFlag, 0) === 1;
  return { ready: ready && !!worker, jobs: jobsDone };
}

/** Starts the compile thread now (it loads LLVM's C API in the background). */
export function startCompileThread(): void {
  start();
}
