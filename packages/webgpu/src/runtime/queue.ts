// The submission queue of one device. Launches record their command buffers
// here and return; back-to-back launches go to the GPU in one queue.submit
// (at the end of the current macrotask, or when a batch is full). When a
// batch has finished, each launch's read-backs (its error-report words, which
// every launch of the batch shares one staging buffer for, and its host
// arrays) are handed to it in issue order, and its promise settles.

/// <reference types="@webgpu/types" />

import { ERR_WORDS } from '../codegen/index.js';
import { holdDevice, MAP_READ_MODE, takeUncapturedError, Usage, type GpuContext } from './device.js';
import type { BufferPool } from './pool.js';

export class WebGpuError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WebGpuError';
    this.stack = `${this.name}: ${this.message}`;
  }
}

export interface QueuedWork {
  /** The kernel's name, for messages. */
  kernel: string;
  commands: GPUCommandBuffer;
  /** The validation and out-of-memory scopes around the encoding. */
  scopes: Promise<(GPUError | null)[]>;
  /** The launch's error-report buffer, read after the batch. */
  errBuf?: GPUBuffer;
  /** A MAP_READ buffer the launch's commands copy results into (host arrays). */
  staging?: GPUBuffer;
  /** Called in issue order once the batch has finished, while `staging` is mapped; throws to reject the launch. */
  finish(errWords: Uint32Array | undefined, data: ArrayBuffer | undefined): void;
  /** Returns the launch's buffers (called after finish, whether it threw or not). */
  release(): void;
}

const ERR_BYTES = ERR_WORDS * 4;
/**
 * Launches per submission. Batching saves a submit per launch (measured on
 * llvmpipe: bench/webgpu/launch-rate.mjs, docs/backends/webgpu.md);
 * NUMBAT_WEBGPU_BATCH=1 submits every launch on its own, for comparison.
 */
const MAX_BATCH = Math.max(1, Number((globalThis as { process?: { env: Record<string, string | undefined> } }).process?.env.NUMBAT_WEBGPU_BATCH) || 64);

const later: (f: () => void) => void = (globalThis as { setImmediate?: (f: () => void) => void }).setImmediate ?? ((f) => setTimeout(f, 0));

interface Entry extends QueuedWork { resolve(): void; reject(e: unknown): void }

export class GpuQueue {
  private pending: Entry[] = [];
  private scheduled = false;
  /** Settles when every submitted batch has finished and been handed out (never rejects). */
  private lastBatch: Promise<void> = Promise.resolve();

  constructor(private readonly ctx: GpuContext, private readonly pool: BufferPool) {}

  /** Queues recorded work; the promise settles once it has run on the GPU and `finish` has returned. */
  add(work: QueuedWork): Promise<void> {
    const done = new Promise<void>((resolve, reject) => this.pending.push({ ...work, resolve, reject }));
    if (this.pending.length >= MAX_BATCH) this.flush();
    else if (!this.scheduled) {
      this.scheduled = true;
      later(() => { this.scheduled = false; this.flush(); });
    }
    return done;
  }

  /**
   * Submits the recorded work now (before a queue write or copy that must come after it).
   * Returns a promise settled when everything submitted so far has finished.
   */
  flush(): Promise<void> {
    if (this.pending.length === 0) return this.lastBatch;
    const batch = this.pending;
    this.pending = [];
    const device = this.ctx.device;
    const commands = batch.map((w) => w.commands);
    const withErrors = batch.filter((w) => w.errBuf);
    let errStaging: GPUBuffer | undefined;
    if (withErrors.length) {
      errStaging = this.pool.acquire(withErrors.length * ERR_BYTES, Usage.MAP_READ | Usage.COPY_DST, 'numbat:error-staging');
      const enc = device.createCommandEncoder({ label: 'numbat:error reports' });
      withErrors.forEach((w, j) => enc.copyBufferToBuffer(w.errBuf!, 0, errStaging!, j * ERR_BYTES, ERR_BYTES));
      commands.push(enc.finish());
    }
    device.pushErrorScope('validation');
    device.queue.submit(commands);
    const submitted = device.popErrorScope();
    const stagings = batch.flatMap((w) => (w.staging ? [w.staging] : []));
    if (errStaging) stagings.push(errStaging);
    // Mapping a buffer the batch wrote waits for the batch; without one, wait for the queue.
    const mapped = new Set<GPUBuffer>();
    const finished: Promise<unknown[]> = stagings.length
      ? Promise.all(stagings.map((s) => s.mapAsync(MAP_READ_MODE).then(() => { mapped.add(s); }, (e: unknown) => e)))
      : device.queue.onSubmittedWorkDone().then(() => [], (e: unknown) => [e]);
    const previous = this.lastBatch;
    this.lastBatch = (async () => {
      const failures = (await finished).filter((e) => e !== undefined);
      await previous; // hand results out in issue order
      const submitError = await submitted.catch((e: Error) => e);
      let failure: Error | undefined;
      if (failures.length) {
        const reason = failures[0] as Error;
        failure = new WebGpuError(`waiting for the GPU failed: ${reason?.message ?? String(reason)}${this.ctx.lost ? ` (${takeUncapturedError() ?? 'device lost'})` : ''}`);
      }
      let errData: Uint32Array | undefined;
      try {
        if (errStaging && mapped.has(errStaging)) errData = new Uint32Array(errStaging.getMappedRange());
      } catch (e) {
        failure ??= e as Error;
      }
      let errIndex = 0;
      for (const w of batch) {
        const errWords = w.errBuf ? errData?.subarray(errIndex * ERR_WORDS, ++errIndex * ERR_WORDS) : undefined;
        try {
          const [validation, oom] = await w.scopes;
          if (validation) throw new WebGpuError(`numbat bug: WebGPU rejected the launch of kernel '${w.kernel}': ${validation.message}`);
          if (oom) throw new WebGpuError(`kernel '${w.kernel}': out of GPU memory on ${this.ctx.summary.name}: ${oom.message}`);
          if (submitError) throw new WebGpuError(`numbat bug: WebGPU rejected the submission of kernel '${w.kernel}' (with ${batch.length - 1} other launch(es)): ${submitError.message}`);
          if (failure) throw new WebGpuError(`kernel '${w.kernel}': ${failure.message}`);
          w.finish(errWords, w.staging ? w.staging.getMappedRange() : undefined);
          if (this.ctx.lost) throw new WebGpuError(`kernel '${w.kernel}': ${takeUncapturedError() ?? 'WebGPU device lost'}`);
          w.resolve();
        } catch (e) {
          w.reject(e);
        } finally {
          try {
            if (w.staging && mapped.has(w.staging)) w.staging.unmap();
          } finally {
            w.release();
          }
        }
      }
      if (errStaging) {
        if (mapped.has(errStaging)) errStaging.unmap();
        this.pool.release(errStaging);
      }
    })().catch(() => undefined); // every launch of the batch has settled above

    holdDevice(this.lastBatch);
    return this.lastBatch;
  }
}
