// Reuses GPU buffers between launches: creating and destroying buffers for
// every call costs more than the copies on small kernels. Sizes are rounded to
// a few classes per power of two (at most 25% waste); the pool is per device
// and bounded, and is emptied when the device closes.

/// <reference types="@webgpu/types" />

const MAX_POOLED_BYTES = 256 * 1024 * 1024;

export function sizeClass(bytes: number): number {
  const s = Math.max(256, bytes);
  const p = 2 ** Math.floor(Math.log2(s));
  const step = Math.max(4, p / 4);
  return Math.ceil(s / step) * step;
}

export class BufferPool {
  private readonly free = new Map<string, GPUBuffer[]>();
  private pooledBytes = 0;

  constructor(private readonly device: GPUDevice) {}

  acquire(bytes: number, usage: number, label: string): GPUBuffer {
    const size = sizeClass(bytes);
    const list = this.free.get(`${usage}:${size}`);
    const b = list?.pop();
    if (b) { this.pooledBytes -= size; return b; }
    return this.device.createBuffer({ size, usage, label });
  }

  release(buffer: GPUBuffer): void {
    const key = `${buffer.usage}:${buffer.size}`;
    if (this.pooledBytes + buffer.size > MAX_POOLED_BYTES) { buffer.destroy(); return; }
    let list = this.free.get(key);
    if (!list) { list = []; this.free.set(key, list); }
    list.push(buffer);
    this.pooledBytes += buffer.size;
  }

  clear(): void {
    for (const list of this.free.values()) for (const b of list) b.destroy();
    this.free.clear();
    this.pooledBytes = 0;
  }
}
