// The submission queue of one device. Launches record their command buffers
// here and return; back-to-back launches go to the GPU in one queue.submit
// (at the end of the current macrotask, or when a batch is full). A batch's
// launches take their uniform blocks and error reports from two shared
// buffers (slots at dynamic offsets): one queue write of the uniforms and
// one copy of the error words per batch, and bind groups that stay the same
// from launch to launch. Their dispatches share one compute pass (ended only
// for a launch's copies back): WebGPU makes each dispatch's writes visible to
// the next one in the pass, and a pass per launch costs its begin/end calls. When a batch has finished, each launch's read-backs
// (its error words and host arrays) are handed to it in issue order, and its
// promise settles.

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
  /** Validation and out-of-memory scopes around what the launch created (a bind group), if anything. */
  scopes?: Promise<(GPUError | null)[]>;
  /** The launch's error-report slot (errorSlot's offset), read after the batch. */
  errOffset?: number;
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

const align = (n: number, a: number): number => Math.ceil(n / a) * a;

const later: (f: () => void) => void = (globalThis as { setImmediate?: (f: () => void) => void }).setImmediate ?? ((f) => setTimeout(f, 0));

interface Entry extends QueuedWork { resolve(): void; reject(e: unknown): void }

/** A buffer of slots shared by the launches of one batch (uniforms: with their host copy and its word views; errors: with a MAP_READ twin the batch's used part is copied into). */
interface Chunk { buffer: GPUBuffer; used: number; host?: Uint8Array<ArrayBuffer>; words?: UniformWords; staging?: GPUBuffer }

/** One uniform chunk's host copy seen as 32-bit words of each type (made once per chunk, not per launch). */
export interface UniformWords { u32: Uint32Array; i32: Int32Array; f32: Float32Array }
const CHUNK_BYTES = 65536;

/** Where a launch's uniform block or error report lives. */
export interface Slot { buffer: GPUBuffer; offset: number }

export class GpuQueue {
  private pending: Entry[] = [];
  private scheduled = false;
  /** Settles when every submitted batch has finished and been handed out (never rejects). */
  private lastBatch: Promise<void> = Promise.resolve();
  /** The batch's command encoder: each launch adds its compute pass and copies. */
  private open?: GPUCommandEncoder;
  /** The compute pass open in `open`, shared by the batch's dispatches until a copy ends it. */
  private pass?: GPUComputePassEncoder;
  /** The pipeline last set in `pass` (setPipeline again only for another one). */
  private passPipeline?: GPUComputePipeline;
  private uniforms?: Chunk;
  private errors?: Chunk;
  private readonly freeUniforms: Chunk[] = [];
  private readonly freeErrors: Chunk[] = [];
  private readonly uniformAlign: number;
  private readonly errorAlign: number;

  constructor(private readonly ctx: GpuContext) {
    const L = ctx.device.limits as unknown as Record<string, number>;
    this.uniformAlign = L.minUniformBufferOffsetAlignment ?? 256;
    this.errorAlign = L.minStorageBufferOffsetAlignment ?? 256;
  }

  /**
   * Slots for one launch's uniform block (filled through `words` from word
   * `base` on, zeroed) and, when `errors`, its error report (zeroed). Call
   * right before add(): a full batch is submitted first.
   */
  slots(uniformBytes: number, errors: boolean): { uniform: Slot; words: UniformWords; base: number; error?: Slot } {
    const ub = align(uniformBytes, this.uniformAlign), eb = align(ERR_BYTES, this.errorAlign);
    if (this.pending.length >= MAX_BATCH || (this.uniforms && this.uniforms.used + ub > this.uniforms.host!.byteLength) ||
      (errors && this.errors && this.errors.used + eb > CHUNK_BYTES)) this.flush();
    const u = this.uniforms ??= this.freeUniforms.pop() ?? this.chunk(Math.max(CHUNK_BYTES, ub), Usage.UNIFORM | Usage.COPY_DST, 'numbat:uniforms', true);
    const uniform = { buffer: u.buffer, offset: u.used };
    const words = u.words!, base = u.used / 4;
    words.u32.fill(0, base, base + uniformBytes / 4);
    u.used += ub;
    if (!errors) return { uniform, words, base };
    const e = this.errors ??= this.freeErrors.pop() ?? this.chunk(CHUNK_BYTES, Usage.STORAGE | Usage.COPY_SRC | Usage.COPY_DST, 'numbat:error reports', false);
    const error = { buffer: e.buffer, offset: e.used };
    e.used += eb;
    return { uniform, words, base, error };
  }

  /** The compute pass the current batch's dispatches go into, with `pipeline` set (call after slots(), right before add()). */
  computePass(pipeline: GPUComputePipeline): GPUComputePassEncoder {
    const pass = this.pass ??= this.encoder().beginComputePass({ label: 'numbat:launches' });
    if (this.passPipeline !== pipeline) { pass.setPipeline(pipeline); this.passPipeline = pipeline; }
    return pass;
  }

  /** The encoder of the current batch, for copies after its dispatches so far (ends the open compute pass). */
  copyEncoder(): GPUCommandEncoder {
    this.endPass();
    return this.encoder();
  }

  private encoder(): GPUCommandEncoder {
    return this.open ??= this.ctx.device.createCommandEncoder({ label: 'numbat:launches' });
  }

  private endPass(): void {
    this.pass?.end();
    this.pass = this.passPipeline = undefined;
  }

  private chunk(bytes: number, usage: number, label: string, host: boolean): Chunk {
    // New buffers hold zeros; error chunks are zeroed again after a report (below).
    const device = this.ctx.device;
    const buffer = device.createBuffer({ size: bytes, usage, label });
    if (host) {
      const h = new Uint8Array(bytes);
      return { buffer, used: 0, host: h, words: { u32: new Uint32Array(h.buffer), i32: new Int32Array(h.buffer), f32: new Float32Array(h.buffer) } };
    }
    return { buffer, used: 0, staging: device.createBuffer({ size: bytes, usage: Usage.MAP_READ | Usage.COPY_DST, label: `${label} (read-back)` }) };
  }

  /** Queues recorded work; the promise settles once it has run on the GPU and `finish` has returned. */
  add(work: QueuedWork): Promise<void> {
    const entry = work as Entry;
    const done = new Promise<void>((resolve, reject) => { entry.resolve = resolve; entry.reject = reject; });
    this.pending.push(entry);
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
    this.endPass();
    const enc = this.open!;
    this.open = undefined;
    const uniforms = this.uniforms, errors = this.errors;
    this.uniforms = this.errors = undefined;
    // Queue writes run before the submission that follows them.
    if (uniforms) device.queue.writeBuffer(uniforms.buffer, 0, uniforms.host!, 0, uniforms.used);
    // The error slots of every launch of the batch, read back with one copy after its last dispatch.
    const errStaging = errors?.staging;
    if (errors) enc.copyBufferToBuffer(errors.buffer, 0, errStaging!, 0, errors.used);
    // Encoding errors surface at finish(): one pair of scopes per submission, not per launch.
    device.pushErrorScope('out-of-memory');
    device.pushErrorScope('validation');
    device.queue.submit([enc.finish()]);
    const submitted = Promise.all([device.popErrorScope(), device.popErrorScope()]);
    const stagings = batch.flatMap((w) => (w.staging ? [w.staging] : []));
    if (errStaging) stagings.push(errStaging);
    // Mapping a buffer the batch wrote waits for the batch; without one, wait for the queue.
    const mapped = new Set<GPUBuffer>();
    const finished: Promise<unknown[]> = stagings.length
      ? Promise.all(stagings.map((s) => s.mapAsync(MAP_READ_MODE, 0, s === errStaging ? errors!.used : undefined).then(() => { mapped.add(s); }, (e: unknown) => e)))
      : device.queue.onSubmittedWorkDone().then(() => [], (e: unknown) => [e]);
    const previous = this.lastBatch;
    this.lastBatch = (async () => {
      const failures = (await finished).filter((e) => e !== undefined);
      await previous; // hand results out in issue order
      const [submitError, submitOom] = await submitted.catch((e: Error) => [e, null]);
      let failure: Error | undefined;
      if (failures.length) {
        const reason = failures[0] as Error;
        failure = new WebGpuError(`waiting for the GPU failed: ${reason?.message ?? String(reason)}${this.ctx.lost ? ` (${takeUncapturedError() ?? 'device lost'})` : ''}`);
      }
      let errData: Uint32Array | undefined;
      try {
        if (errStaging && mapped.has(errStaging)) errData = new Uint32Array(errStaging.getMappedRange(0, errors!.used));
      } catch (e) {
        failure ??= e as Error;
      }
      let reported = false;
      for (const w of batch) {
        const errWords = w.errOffset !== undefined ? errData?.subarray(w.errOffset / 4, w.errOffset / 4 + ERR_WORDS) : undefined;
        if (errWords?.some((x) => x !== 0)) reported = true;
        try {
          const [validation, oom] = (await w.scopes) ?? [];
          if (validation) throw new WebGpuError(`numbat bug: WebGPU rejected the launch of kernel '${w.kernel}': ${validation.message}`);
          if (oom ?? submitOom) throw new WebGpuError(`kernel '${w.kernel}': out of GPU memory on ${this.ctx.summary.name}: ${(oom ?? submitOom)!.message}`);
          if (submitError) throw new WebGpuError(`numbat bug: WebGPU rejected the commands of kernel '${w.kernel}' (submitted with ${batch.length - 1} other launch(es)): ${submitError.message}`);
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
      if (errStaging && mapped.has(errStaging)) errStaging.unmap();
      // The chunks go back for later batches (an error chunk zeroed by a queue write when a
      // report or a failure may have left words in it).
      if (uniforms) { uniforms.used = 0; this.freeUniforms.push(uniforms); }
      if (errors) {
        if (reported || failure || !errData) device.queue.writeBuffer(errors.buffer, 0, new Uint8Array(errors.used));
        errors.used = 0;
        this.freeErrors.push(errors);
      }
    })().catch(() => undefined); // every launch of the batch has settled above

    holdDevice(this.lastBatch);
    return this.lastBatch;
  }
}
