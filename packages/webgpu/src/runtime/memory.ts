// Device arrays (cuda.toDevice / cuda.deviceArray on target 'webgpu'): storage
// buffers that stay on the device between launches. The device is kept open
// while any of them exists. cuda.external adopts an application's GPUBuffer
// (of the device given to useDevice) as one, without copies.

/// <reference types="@webgpu/types" />

import type { ElemType, TypedArray } from '@numbat/core';
import { storageBytes } from '../codegen/index.js';
import { MAP_READ_MODE, Usage, type GpuContext } from './device.js';

export class GpuArray {
  freed = false;
  constructor(readonly buffer: GPUBuffer, readonly elem: ElemType, readonly length: number, readonly ctx: GpuContext, readonly external = false) {}

  /** The application's GPUBuffer as a device array of `length` `elem`s, or a clear refusal. */
  static adopt(ctx: GpuContext, native: unknown, elem: ElemType, length: number): GpuArray {
    const b = native as Partial<GPUBuffer>;
    if (typeof b.usage !== 'number' || typeof b.size !== 'number' || typeof b.destroy !== 'function') {
      throw new TypeError(`numbat webgpu: cuda.external expects a GPUBuffer, got ${Object.prototype.toString.call(native)}`);
    }
    if (!ctx.external) {
      throw new Error('numbat webgpu: cuda.external: give numbat the GPUDevice that created this buffer first (useDevice(device) from @numbat/webgpu); numbat\'s own device cannot use it');
    }
    if ((b.usage & Usage.STORAGE) === 0) throw new Error('numbat webgpu: cuda.external: the GPUBuffer was created without GPUBufferUsage.STORAGE, so kernels cannot bind it');
    const need = storageBytes(elem, length);
    if (b.size < need) throw new RangeError(`numbat webgpu: cuda.external: the GPUBuffer has ${b.size} bytes; ${length} ${elem} need ${need} (numbat binds whole 16-byte blocks)`);
    return new GpuArray(native as GPUBuffer, elem, length, ctx, true);
  }

  /** An adopted buffer must allow the copy (numbat's own buffers always do). */
  checkUsage(op: 'copyToHost' | 'copyFromHost'): void {
    const flag = op === 'copyToHost' ? Usage.COPY_SRC : Usage.COPY_DST;
    if ((this.buffer.usage & flag) === 0) throw new Error(`numbat webgpu: ${op} on an external GPUBuffer created without GPUBufferUsage.${op === 'copyToHost' ? 'COPY_SRC' : 'COPY_DST'}`);
  }

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
