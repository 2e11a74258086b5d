// Device arrays (cuda.toDevice / cuda.deviceArray on target 'webgpu'): storage
// buffers that stay on the device between launches. The device is kept open
// while any of them exists.

/// <reference types="@webgpu/types" />

import type { ElemType, TypedArray } from '@numbat/core';
import { storageBytes } from '../codegen/index.js';
import { MAP_READ_MODE, Usage, type GpuContext } from './device.js';

export class GpuArray {
  freed = false;
  constructor(readonly buffer: GPUBuffer, readonly elem: ElemType, readonly length: number, readonly ctx: GpuContext) {}

  static create(ctx: GpuContext, elem: ElemType, length: number): GpuArray {
    const bytes = storageBytes(elem, length);
    const buffer = ctx.device.createBuffer({ size: bytes, usage: Usage.STORAGE | Usage.COPY_SRC | Usage.COPY_DST, label: `numbat:device ${elem}[${length}]` });
    return new GpuArray(buffer, elem, length, ctx);
  }

  /** The handle as a GpuArray usable on `ctx`, or a clear error. */
  static check(h: unknown, ctx: GpuContext, kernel: string): GpuArray {
    if (!(h instanceof GpuArray)) throw new Error(`kernel '${kernel}': a device array argument is not a WebGPU buffer`);
    if (h.freed) throw new Error(`kernel '${kernel}': a device array argument was freed`);
    if (h.ctx !== ctx) throw new Error(`kernel '${kernel}': a device array argument belongs to a WebGPU device that was lost`);
    return h;
  }

  async download(into: TypedArray): Promise<void> {
    const device = this.ctx.device;
    const bytes = Math.ceil(into.byteLength / 4) * 4;
    if (bytes === 0) return;
    const staging = device.createBuffer({ size: bytes, usage: Usage.MAP_READ | Usage.COPY_DST });
    try {
      const enc = device.createCommandEncoder();
      enc.copyBufferToBuffer(this.buffer, 0, staging, 0, bytes);
      device.queue.submit([enc.finish()]);
      await staging.mapAsync(MAP_READ_MODE);
      new Uint8Array(into.buffer, into.byteOffset, into.byteLength).set(new Uint8Array(staging.getMappedRange(), 0, into.byteLength));
      staging.unmap();
    } finally {
      staging.destroy();
    }
  }
}
