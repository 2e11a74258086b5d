// @numbat/webgpu: target 'webgpu'. Kernels become WGSL compute shaders (see
// codegen/) run through Dawn's Node bindings or a browser's navigator.gpu (see
// runtime/). WGSL has no f64: f64 data, arguments and `float: 'f64'` are refused.

/// <reference types="@webgpu/types" preserve="true" />

import type { Availability, Backend, CompiledKernel, CompileOptions, ElemType, KernelIR, LaunchArg, LaunchDims, TypedArray } from '@numbat/core';
import { onDeviceClose, openDevice, trackResident, withDevice, type AdapterSummary, type GpuContext } from './runtime/device.js';
import { WebGpuKernel } from './runtime/kernel.js';
import { launchKernel, writePadded } from './runtime/launch.js';
import { GpuArray } from './runtime/memory.js';
import { BufferPool } from './runtime/pool.js';

export { generateWgsl, MATH_LOWERING, HELPERS, LOOP_UNROLL } from './codegen/index.js';
export type { WgslKernel, GenerateOptions } from './codegen/index.js';
export { dispatchShape, WebGpuError } from './runtime/launch.js';
export type { AdapterSummary } from './runtime/device.js';

const pools = new Map<number, BufferPool>();
const kernels = new Set<WeakRef<WebGpuKernel>>();

function poolFor(ctx: GpuContext): BufferPool {
  let p = pools.get(ctx.generation);
  if (!p) { p = new BufferPool(ctx.device); pools.set(ctx.generation, p); }
  return p;
}

onDeviceClose((ctx) => {
  pools.get(ctx.generation)?.clear();
  pools.delete(ctx.generation);
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

/**
 * Launches, uploads, downloads and frees run one after another, in the order
 * they were issued. A launch uploads its host arrays and copies them back
 * whole: two launches in flight together on one host array would each write
 * back the other's stale copy (and a later launch must see an earlier one's
 * results, as on every other target).
 */
let tail: Promise<unknown> = Promise.resolve();
function inOrder<T>(f: () => Promise<T>): Promise<T> {
  const run = tail.then(f, f);
  tail = run.catch(() => undefined);
  return run;
}

export const backend: Backend = {
  target: 'webgpu',
  caps: { f64: false },
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

  launch(kernel: CompiledKernel, dims: LaunchDims, args: LaunchArg[]): Promise<void> {
    return inOrder(() => withDevice((ctx) => launchKernel(ctx, poolFor(ctx), kernel as WebGpuKernel, dims, args)));
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
      writePadded(ctx.device, a.buffer, data);
    }));
  },

  download(buffer: unknown, into: TypedArray): Promise<void> {
    return inOrder(() => withDevice(async (ctx) => GpuArray.check(buffer, ctx, 'download').download(into)));
  },

  free(buffer: unknown): void {
    if (!(buffer instanceof GpuArray) || buffer.freed) return;
    // After the launches and copies issued before it.
    void inOrder(async () => {
      if (buffer.freed) return;
      buffer.freed = true;
      buffer.buffer.destroy();
      trackResident(-1);
    });
  },
};
