// The second core for one compile: a module finished (helper modules linked,
// verified, optimised, emitted as an object) while the main thread builds and
// finishes another module of the same kernel (cpu: a split kernel's two
// functions). The module is parsed, linked and verified here (a few ms), then
// its two long steps, LLVM's passes and its code generator, run as koffi async
// calls on libuv's thread pool, one after the other: the second is started by
// the first's completion, which the event loop delivers, so the main thread lets
// it in between its own stages (`poolTurn`). The module has a context of its own
// and the pool a target machine of its own (neither is shared between threads).
// Needs koffi's async stack raised (koffi-stack.ts); without it, or without
// LLVM's C API, the caller finishes the module itself.

import koffi from 'koffi';
import { log, logEnabled } from '@numbat/core';
import { capi, takeError, type Ptr } from './capi.js';
import { asyncStackEnough } from './koffi-stack.js';
import { createTargetMachine, passOptions, type NativeModule, type TargetSpec } from './native.js';

/** A module to finish on the pool. */
export interface FinishJob {
  /** Bitcode (or text) of the module. */
  bytes: Buffer | string;
  name: string;
  /** Modules (text) linked into it, in order: their definitions become internal. */
  links: readonly { text: string; name: string }[];
  target: TargetSpec;
  /** The new-pass-manager pipeline. */
  passes: string;
  /**
   * Called once the passes' completion has started the code generator (or the job has failed):
   * a caller with its own work to do can hold it until then, so that the completion is seen at once.
   */
  onPassesDone?: () => void;
}

/** A C API function as koffi made it: its `async` form runs it on the thread pool. */
type Async = { async: (...args: unknown[]) => void };

/** Target machines for pool jobs, per spec, free ones only (a job takes one and gives it back). */
const freeMachines = new Map<string, Ptr[]>();
let inFlight = 0;
let jobsDone = 0;

/** Whether modules can be finished on the pool in this process. */
export function poolFinishAvailable(): boolean {
  return asyncStackEnough();
}

/** Pool jobs in flight, and how many have ended (tests, diagnostics). */
export function poolFinishState(): { available: boolean; inFlight: number; jobs: number } {
  return { available: poolFinishAvailable(), inFlight, jobs: jobsDone };
}

/**
 * Lets the event loop deliver the pool's completions (a job's next step starts there):
 * a compile's stages call it between them while a job is in flight.
 */
export function poolTurn(): Promise<void> | undefined {
  return inFlight ? new Promise((resolve) => setImmediate(resolve)) : undefined;
}

/**
 * Starts finishing `job`, whose module `nm` (parsed, linked, verified: NativeModule.finishElsewhere)
 * this takes over and disposes. Its object, or the verifier's message.
 */
export function finishOnPool(nm: NativeModule, job: FinishJob): Promise<Buffer> {
  const c = capi();
  const key = JSON.stringify(job.target);
  let tm: Ptr, opts: Ptr;
  try {
    tm = freeMachines.get(key)?.pop() ?? createTargetMachine(job.target);
    opts = passOptions(true); // as NativeModule.optimize's default
  } catch (e) {
    nm.dispose();
    return Promise.reject(e);
  }
  inFlight++;
  let ended = false, passesTold = false;
  const passesDone = (): void => {
    if (passesTold) return;
    passesTold = true;
    job.onPassesDone?.();
  };
  const end = (): void => {
    passesDone();
    if (ended) return;
    ended = true;
    inFlight--;
    jobsDone++;
    c.DisposePassBuilderOptions(opts);
    nm.dispose();
    (freeMachines.get(key) ?? freeMachines.set(key, []).get(key)!).push(tm);
  };
  const t0 = performance.now();
  let t1 = t0;
  return new Promise<Buffer>((resolve, reject) => {
    const fail = (e: unknown): void => { end(); reject(e instanceof Error ? e : new Error(String(e))); };
    // Each step guarded: an exception escaping a koffi completion callback would end the process.
    const step = (run: () => void): void => { try { run(); } catch (e) { fail(e); } };
    step(() => (c.RunPasses as unknown as Async).async(nm.mod, job.passes, tm, opts, (e1: unknown, errRef: Ptr) => step(() => {
      if (e1) return fail(e1);
      const perr = takeError(errRef);
      if (perr) return fail(new Error(`numbat internal error: LLVM passes '${job.passes}' failed on '${job.name}': ${perr}`));
      const msg: (string | null)[] = [null], out: Ptr[] = [null];
      t1 = performance.now();
      (c.TargetMachineEmitToMemoryBuffer as unknown as Async).async(tm, nm.mod, 1, msg, out, (e2: unknown, failed: number) => step(() => {
        if (e2) return fail(e2);
        if (failed) return fail(new Error(`numbat internal error: LLVM code generation failed on '${job.name}': ${msg[0]}`));
        const bytes = Buffer.from(new Uint8Array(koffi.view(c.GetBufferStart(out[0]), c.GetBufferSize(out[0]))));
        c.DisposeMemoryBuffer(out[0]);
        end();
        if (logEnabled('debug')) log('debug', `${job.name} on the thread pool: passes ended after ${(t1 - t0).toFixed(1)} ms, the object after ${(performance.now() - t0).toFixed(1)} ms (each seen at the next turn of the event loop)`);
        resolve(bytes);
      }));
      passesDone();
    })));
  });
}
