// An application's own GPUDevice (useDevice) and GPUBuffers (cuda.external) in
// Node, through Dawn as the application would open it: kernels read and write
// the buffers in place (the application maps the result itself), free() leaves
// them alone, and what cannot work is refused with the reason. The browser
// runs the same in test/browser.test.ts.
import { describe, expect, it } from 'vitest';
import { cuda } from '@numbat/core';
import { useDevice } from '@numbat/webgpu';
import { avail, onGpu } from './helpers.js';

// GPUBufferUsage / GPUMapMode (Node has no such globals).
const STORAGE = 128, COPY_SRC = 4, COPY_DST = 8, MAP_READ = 1;

function saxpy(a: number, x: Float32Array, y: Float32Array, out: Float32Array): void {
  const i = cuda.grid(1);
  if (i < out.length) out[i] = a * x[i] + y[i];
}

/** Dawn's instance must outlive its devices (Dawn crashes when it is collected first): the application keeps it. */
let dawn: GPU | undefined;

/** A device opened by "the application": Dawn's OpenGL ES backend (what numbat uses without a GPU) or its default one. */
async function applicationDevice(): Promise<GPUDevice> {
  const { create } = (await import('webgpu')) as unknown as { create(flags: string[]): GPU };
  for (const flags of [['backend=opengles'], []]) {
    dawn = create(flags);
    const adapter = await dawn.requestAdapter(flags.length ? { featureLevel: 'compatibility' } as GPURequestAdapterOptions : undefined);
    if (!adapter) continue;
    const L = adapter.limits;
    const requiredLimits = { maxStorageBuffersPerShaderStage: L.maxStorageBuffersPerShaderStage, maxComputeWorkgroupSizeX: L.maxComputeWorkgroupSizeX, maxComputeInvocationsPerWorkgroup: L.maxComputeInvocationsPerWorkgroup };
    return adapter.requestDevice({ requiredLimits });
  }
  throw new Error('no adapter');
}

async function mapped(device: GPUDevice, buffer: GPUBuffer, bytes: number): Promise<Float32Array> {
  const staging = device.createBuffer({ size: bytes, usage: MAP_READ | COPY_DST });
  const enc = device.createCommandEncoder();
  enc.copyBufferToBuffer(buffer, 0, staging, 0, bytes);
  device.queue.submit([enc.finish()]);
  await staging.mapAsync(MAP_READ);
  const out = new Float32Array(staging.getMappedRange().slice(0));
  staging.unmap();
  staging.destroy();
  return out;
}

describe.skipIf(!avail.ok)(onGpu("an application's GPUDevice and GPUBuffers"), () => {
  it('refuses a GPUBuffer while numbat runs on its own device, then uses the application device and its buffers in place', async () => {
    const device = await applicationDevice();
    const n = 1000;
    const make = (data: Float32Array, usage = STORAGE | COPY_SRC | COPY_DST): GPUBuffer => {
      const b = device.createBuffer({ size: data.byteLength, usage });
      device.queue.writeBuffer(b, 0, data);
      return b;
    };
    const xb = make(Float32Array.from({ length: n }, (_, i) => i));
    const yb = make(new Float32Array(n).fill(1));
    const ob = make(new Float32Array(n));
    const k = cuda.jit(saxpy, { target: 'webgpu' }).configure(Math.ceil(n / 256), 256);

    // Before useDevice: numbat's own device cannot bind another device's buffer.
    await expect(k(3, cuda.external(xb, 'f32', n, { target: 'webgpu' }), new Float32Array(n), new Float32Array(n)))
      .rejects.toThrow(/give numbat the GPUDevice that created this buffer first \(useDevice/);

    useDevice(device);
    const [x, y, o] = [xb, yb, ob].map((b) => cuda.external(b, 'f32', n, { target: 'webgpu' }));
    await k(3, x, y, o);
    const want = Float32Array.from({ length: n }, (_, i) => 3 * i + 1);
    expect(await mapped(device, ob, n * 4)).toEqual(want); // the application's buffer holds the result
    expect(await o.copyToHost()).toEqual(want);
    useDevice(device); // the same device again: a no-op, its arrays stay usable
    expect(await o.copyToHost()).toEqual(want);
    // Without bounds checks the launch reports nothing, yet it still settles after the GPU ran it:
    // the application's next submission (its own copy) sees the writes.
    await cuda.jit(saxpy, { target: 'webgpu', boundscheck: false }).configure(Math.ceil(n / 256), 256)(4, x, y, o);
    expect((await mapped(device, ob, n * 4))[10]).toBe(41);
    await k(3, x, y, o);
    // Host arrays and external buffers mix in one launch.
    const host = new Float32Array(n);
    await k(2, x, y, host);
    expect(host[10]).toBe(21);
    await o.free();
    expect(await mapped(device, ob, 16)).toEqual(want.slice(0, 4)); // free() left it to the application

    const noStorage = device.createBuffer({ size: 64, usage: COPY_DST });
    await expect(k(1, cuda.external(noStorage, 'f32', 16, { target: 'webgpu' }), y, host)).rejects.toThrow(/created without GPUBufferUsage\.STORAGE/);
    await expect(k(1, cuda.external(yb, 'f32', 2 * n, { target: 'webgpu' }), y, host)).rejects.toThrow(/the GPUBuffer has 4000 bytes; 2000 f32 need 8000/);
    const noCopy = cuda.external(device.createBuffer({ size: 64, usage: STORAGE }), 'f32', 16, { target: 'webgpu' });
    await expect(noCopy.copyToHost()).rejects.toThrow(/copyToHost on an external GPUBuffer created without GPUBufferUsage\.COPY_SRC/);
  });

  it('refuses an external buffer on a target that cannot use one, and what is not a buffer', async () => {
    await expect(cuda.external({ size: 64 }, 'f32', 16, { target: 'sim' }).copyToHost()).rejects.toThrow(/target 'sim' cannot use an application's own buffer/);
    expect(() => cuda.external(42, 'f32', 16)).toThrow(/cuda\.external expects a buffer object/);
    expect(() => useDevice({} as GPUDevice)).toThrow(/useDevice\(\) expects a GPUDevice/);
    expect(() => cuda.external({}, 'f17', 16)).toThrow(/unknown dtype/);
    await expect(cuda.external({}, 'f32', 16, { target: 'webgpu' }).copyToHost()).rejects.toThrow(/cuda\.external expects a GPUBuffer/);
  });
});
