// The webgpu backend, shared by the Node entry (index.ts: Dawn) and the
// browser entry (browser.ts: navigator.gpu). Kernels become WGSL compute
// shaders (see codegen/); WGSL has no f64: f64 data, arguments and
// `float: 'f64'` are refused.

/// <reference types="@webgpu/types" preserve="true" />

import type { Availability, Backend, CompiledKernel, CompileOptions, ElemType, KernelIR, LaunchArg, LaunchDims, TypedArray } from '@numbat/core';
import { onDeviceClose, onUseDevice, openDevice, trackResident, withDevice, type AdapterSummary, type GpuContext } from './runtime/device.js';
import { InFlightHostArrays } from './runtime/host-arrays.js';
import { WebGpuKernel } from './runtime/kernel.js';
import { recordLaunch, writePadded, type LaunchState } from './runtime/launch.js';
import { GpuArray } from './runtime/memory.js';
import { BufferPool } from './runtime/pool.js';
import { GpuQueue } from './runtime/queue.js';
import { webgpuStreams, WebGpuStream } from './runtime/stream.js';

const states = new Map<number, LaunchState>();
const kernels = new Set<WeakRef<WebGpuKernel>>();

function stateFor(ctx: GpuContext): LaunchState {
  let s = states.get(ctx.generation);
  if (!s) {
    const pool = new BufferPool(ctx.device);
    s = { pool, queue: new GpuQueue(ctx), inflight: new InFlightHostArrays(pool), bindGroups: new WeakMap() };
    states.set(ctx.generation, s);
  }
  return s;
}

onDeviceClose((ctx) => {
  states.get(ctx.generation)?.pool.clear();
  states.delete(ctx.generation);
  for (const ref of kernels) {
    const k = ref.deref();
    if (k) k.forget(ctx.generation); else kernels.delete(ref);
  }
});

/** The adapter numbat uses on this machine, its backend and compute limits (for `numbat info`). */
export async function adapterInfo(): Promise<AdapterSummary> {
  return withDevice(async (ctx) => ctx.summary);
}

let availability: Promise<Availability> | undefined;
onUseDevice(() => { availability = undefined; });

/**
 * Launches, uploads, downloads and frees are recorded one after another, in
 * the order they were issued, into the device's one queue, so the GPU runs
 * them in that order; none of them waits here for the GPU to finish. (A
 * launch uploads its host arrays and copies them back whole: launches.ts and
 * host-arrays.ts make un-awaited launches on one host array compose.)
 */
let tail: Promise<unknown> = Promise.resolve();
function inOrder<T>(f: () => Promise<T>): Promise<T> {
  const run = tail.then(f, f);
  tail = run.catch(() => undefined);
  return run;
}

/** Settles when all work issued so far has finished on the GPU. */
function finishedAll(): Promise<void> {
  // The flush's promise is wrapped: the next issued operation must not wait for the GPU.
  return inOrder(async () => ({ done: states.size ? Promise.all([...states.values()].map((s) => s.queue.flush())) : undefined })).then((r) => r.done).then(() => undefined, () => undefined);
}

/**
 * An error of a launch on the default stream that returned before the GPU
 * finished it (no error reports, no host arrays: a WebGPU failure or device
 * loss): thrown by the next launch, download or event on the default stream.
 */
let deferred: { error: unknown } | undefined;
function throwDeferred(): void {
  const d = deferred;
  deferred = undefined;
  if (d) throw d.error;
}

export const backend: Backend = {
  target: 'webgpu',
  caps: { f64: false, warp: 'emulated', native: ['math-pow'], vectorLoads: true }, // nb_pow is a JS-exact polyfill
  stages: ['wgsl'],

  available(): Promise<Availability> {
    availability ??= withDevice(async (ctx) => ({
      ok: true,
      device: `${ctx.summary.name} (${ctx.summary.backend === 'opengles' ? 'OpenGL ES, compatibility mode' : ctx.summary.backend})`,
      hardware: ctx.summary.hardware,
      // WebGPU does not tell the number of compute units: ~4 waves of a large discrete GPU;
      // llvmpipe runs workgroups on the CPU's threads (64-256 measured best on 2 cores).
      gridStrideBlocks: ctx.summary.hardware ? 4096 : 128,
    })).catch((e: Error) => ({ ok: false, reason: e.message }));
    return availability;
  },

  async details() {
    const a = await adapterInfo();
    return { adapter: a.name, description: a.description, vendor: a.vendor, architecture: a.architecture, backend: a.backend, featureLevel: a.featureLevel, hardware: a.hardware, features: a.features, limits: a.limits };
  },

  async compile(ir: KernelIR, opts: CompileOptions): Promise<CompiledKernel> {
    const k = WebGpuKernel.compile(ir, opts);
    kernels.add(new WeakRef(k));
    return k;
  },

  async inspect(kernel: CompiledKernel, stage: string): Promise<string> {
    if (stage !== 'wgsl') throw new Error(`numbat: target 'webgpu' has no stage '${stage}' (have: wgsl)`);
    return (kernel as WebGpuKernel).base.code;
  },

  streams: webgpuStreams(finishedAll),

  /**
   * Returns once the launch is recorded when nothing needs waiting for: on a
   * stream, when no host array is copied back and no application buffer is used (errors surface at
   * synchronize() or the stream's next launch); on the default stream, when
   * the kernel also reports no run-time errors. Otherwise resolves when the
   * kernel has finished, with its host arrays written and its errors.
   */
  launch(kernel: CompiledKernel, dims: LaunchDims, args: LaunchArg[]): Promise<void> {
    const stream = dims.stream;
    if (stream !== undefined && !(stream instanceof WebGpuStream)) {
      return Promise.reject(new TypeError(`numbat webgpu: launch option 'stream' must be a cuda.stream() (kernel '${kernel.ir.name}')`));
    }
    try {
      if (stream) stream.throwError(); else throwDeferred();
    } catch (e) {
      return Promise.reject(e);
    }
    const recorded = inOrder(() => withDevice(async (ctx) => recordLaunch(ctx, stateFor(ctx), kernel as WebGpuKernel, dims, args)));
    // The application's buffers (cuda.external): settle once the GPU has run the kernel, so that
    // what the application submits to the device afterwards sees its writes.
    const external = args.some((a) => a.kind === 'array' && a.buffer instanceof GpuArray && a.buffer.external);
    return recorded.then((r) => {
      if (stream) {
        stream.track(r.done);
        return r.writesHost || external ? r.done : undefined;
      }
      if (r.writesHost || r.reportsErrors || external) return r.done;
      r.done.catch((e) => { deferred ??= { error: e }; });
      return undefined;
    });
  },

  async alloc(elem: ElemType, length: number): Promise<unknown> {
    const ctx = await openDevice();
    const a = GpuArray.create(ctx, elem, length);
    trackResident(+1);
    return a;
  },

  upload(buffer: unknown, data: TypedArray): Promise<void> {
    return inOrder(() => withDevice(async (ctx) => {
      const a = GpuArray.check(buffer, ctx, 'upload');
      a.checkUsage('copyFromHost');
      stateFor(ctx).queue.flush(); // launches recorded before the write read the old contents
      writePadded(ctx.device, a.buffer, data);
    }));
  },

  download(buffer: unknown, into: TypedArray): Promise<void> {
    // Recorded in order; the wait for the copy does not hold up later operations.
    return inOrder(() => withDevice(async (ctx) => {
      throwDeferred();
      const a = GpuArray.check(buffer, ctx, 'download');
      a.checkUsage('copyToHost');
      stateFor(ctx).queue.flush();
      return { done: a.download(into) };
    })).then((r) => r.done);
  },

  async adopt(native: unknown, elem: ElemType, length: number): Promise<unknown> {
    return GpuArray.adopt(await openDevice(), native, elem, length);
  },

  free(buffer: unknown): void {
    if (!(buffer instanceof GpuArray) || buffer.freed) return;
    if (buffer.external) { buffer.freed = true; return; } // the application's buffer: it destroys it
    // After the launches and copies issued before it, once the GPU has finished them.
    void inOrder(async () => {
      if (buffer.freed) return;
      buffer.freed = true;
      const pending = states.get(buffer.ctx.generation)?.queue.flush() ?? Promise.resolve();
      void pending.then(() => {
        buffer.buffer.destroy();
        trackResident(-1);
      });
    });
  },
};
