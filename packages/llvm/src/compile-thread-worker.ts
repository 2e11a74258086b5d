// The compile thread (compile-thread.ts): finishes modules sent by the main
// thread. LLVM's targets were initialised by the main thread's capi() before
// any job was sent; this thread only binds the C API's functions.

import { parentPort, workerData } from 'node:worker_threads';
import { capi, skipTargetInit } from './capi.js';
import type { FinishJob } from './compile-thread.js';
import { NativeModule } from './native.js';

const port = parentPort!;
try {
  skipTargetInit();
  capi();
  Atomics.store(workerData as Int32Array, 0, 1); // ready (compile-thread.ts)
  port.postMessage({ loaded: true }); // the main thread may now let the process end without waiting for this thread
} catch (e) {
  port.postMessage({ failed: (e as Error).message });
}

port.on('message', ({ id, job }: { id: number; job: FinishJob }) => {
  let nm: NativeModule | undefined;
  try {
    nm = NativeModule.parse(typeof job.bytes === 'string' ? job.bytes : Buffer.from(job.bytes), job.name);
    for (const l of job.links) nm.link(l.text, l.name);
    nm.setTarget(job.target);
    const err = nm.verify();
    if (err) throw new Error(`numbat internal error: invalid LLVM module '${job.name}': ${err}`);
    nm.optimize(job.target, job.passes);
    const object = nm.emit(job.target, 'obj');
    port.postMessage({ id, object });
  } catch (e) {
    port.postMessage({ id, error: (e as Error).message });
  } finally {
    nm?.dispose();
  }
});
