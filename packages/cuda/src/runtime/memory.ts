// Device memory: DeviceBuffer is what the backend's alloc() hands to core (a
// DeviceArray's buffer), and what implicit copies of host typed arrays use.
// The address is kept split in two 32-bit words, ready for the launcher's
// argument block.

import { ELEM_BYTES, type ElemType, type TypedArray } from '@numbat/core';
import type { Gpu } from './device.js';
import type { Handle } from '../driver/libcuda.js';

export class DeviceBuffer {
  readonly lo: number;
  readonly hi: number;
  freed = false;
  constructor(readonly ptr: number, readonly bytes: number, readonly elem: ElemType, readonly length: number) {
    this.lo = ptr % 2 ** 32;
    this.hi = Math.floor(ptr / 2 ** 32);
  }
}

export function allocBuffer(g: Gpu, elem: ElemType, length: number, zero: boolean): DeviceBuffer {
  g.context();
  const bytes = length * ELEM_BYTES[elem];
  const ptr = g.driver.alloc(bytes);
  if (zero) g.driver.memsetD8(ptr, 0, bytes);
  return new DeviceBuffer(ptr, bytes, elem, length);
}

export function freeBuffer(g: Gpu, b: DeviceBuffer): void {
  if (b.freed) return;
  b.freed = true;
  g.driver.free(b.ptr);
}

function usable(b: unknown, what: string): DeviceBuffer {
  if (!(b instanceof DeviceBuffer)) throw new TypeError(`numbat cuda: ${what} is not a cuda device buffer`);
  if (b.freed) throw new Error(`numbat cuda: ${what} was freed`);
  return b;
}

export function upload(g: Gpu, buffer: unknown, data: TypedArray, stream?: Handle): void {
  const b = usable(buffer, 'the upload target');
  if (data.byteLength > b.bytes) throw new RangeError(`numbat cuda: ${data.byteLength} bytes do not fit a device array of ${b.bytes} bytes`);
  g.context();
  g.driver.copyToDevice(b.ptr, data, data.byteLength, stream);
}

export function download(g: Gpu, buffer: unknown, into: TypedArray, stream?: Handle): void {
  const b = usable(buffer, 'the download source');
  if (into.byteLength > b.bytes) throw new RangeError(`numbat cuda: a device array of ${b.bytes} bytes cannot fill ${into.byteLength} bytes`);
  g.context();
  g.driver.copyToHost(into, b.ptr, into.byteLength, stream);
}

export { usable as usableBuffer };
