// The CUDA runtime (argument packing, implicit copies, error records, streams,
// dynamic shared memory, JIT error logs) against a fake driver, through the
// public API: real PTX is generated, the fake "GPU" runs a JS stand-in for the
// kernel on the parameters it decodes from cuLaunchKernel's argument block.

import { describe, expect, it } from 'vitest';
import { cuda, f32, LaunchError, targetAvailability } from '@numbat/core';
import { backend, setDriverApiForTesting, stream, event, CudaError } from '@numbat/cuda';
import { FakeDevice, f32Arg, f64Arg, i32Arg, ptrArg, type FakeLaunch } from './fake-driver.js';

const dev = new FakeDevice();
setDriverApiForTesting(dev.api);

/** Parameter slots of a PTX entry, e.g. ['u64', 'u32', ...]. */
function ptxParams(ptx: string, entry: string): string[] {
  const list = ptx.split(`.entry ${entry}(`)[1].split(')')[0];
  return [...list.matchAll(/\.param \.(\w+)/g)].map((m) => m[1]);
}

function scaleKernel(a: Float32Array, out: Float32Array, k: number) {
  const i = cuda.grid(1);
  if (i < a.length) out[i] = a[i] * k;
}

/** JS stand-in for scaleKernel, reading the same parameter slots the PTX declares. */
dev.kernels.set('numbat_scaleKernel', (l: FakeLaunch, d: FakeDevice) => {
  const n = i32Arg(l, 1);
  expect(i32Arg(l, 3)).toBe(n);
  const a = d.f32(ptrArg(l, 0), n), out = d.f32(ptrArg(l, 2), n);
  const k = f64Arg(l, 4);
  for (let i = 0; i < n; i++) out[i] = a[i] * k;
});

/** Writes an out-of-bounds report into the launch's error record, as the generated helper does. */
function reportOob(l: FakeLaunch, d: FakeDevice, firstHidden: number, site: number, index: number, length: number) {
  const claim = d.i32(ptrArg(l, firstHidden), 1);
  if (claim[0]) return;
  claim[0] = 1;
  const rec = d.i32(ptrArg(l, firstHidden + 1), 16);
  rec.set([0, 1, i32Arg(l, firstHidden + 2), site, index, length, 7, 0, 0, 1, 0, 0]);
  rec[0] = 1;
}

describe('cuda runtime on a fake driver', () => {
  it('is available and describes the device', async () => {
    const a = await targetAvailability('cuda');
    expect(a.ok).toBe(true);
    expect(a.device).toMatch(/Fake GPU \(compute 9\.0, 132 SMs.*PTX for sm_86\)/);
    expect(a.hardware).toBe(true);
  });

  it('packs arguments in the PTX parameter order and copies back only written host arrays', async () => {
    const a = Float32Array.from({ length: 40 }, (_, i) => i);
    const out = new Float32Array(40);
    const k = cuda.jit(scaleKernel, { target: 'cuda' });
    const ptx = await k.inspect('ptx', a, out, 2.5);
    expect(ptxParams(ptx, 'numbat_scaleKernel')).toEqual(['u64', 'u32', 'u64', 'u32', 'f64', 'u64', 'u64', 'u32', 'u32']);
    dev.calls.length = 0;
    await k.configure(2, 32)(a, out, 2.5);
    expect(Array.from(out)).toEqual(Array.from(a, (x) => x * 2.5));
    expect(dev.calls.filter((c) => c === 'htod')).toHaveLength(2);
    expect(dev.calls.filter((c) => c === 'dtoh')).toHaveLength(1); // `a` is never written
    const l = dev.launches.at(-1)!;
    expect(l.grid).toEqual([2, 1, 1]);
    expect(l.block).toEqual([32, 1, 1]);
  });

  it('reuses staging buffers across launches (no allocation per launch)', async () => {
    const k = cuda.jit(scaleKernel, { target: 'cuda' });
    const run = k.configure(1, 64);
    await run(new Float32Array(64), new Float32Array(64), 1.5);
    dev.calls.length = 0;
    for (let r = 0; r < 5; r++) await run(new Float32Array(64), new Float32Array(64), 1.5);
    expect(dev.calls.filter((c) => c === 'alloc')).toHaveLength(0);
    expect(dev.calls.filter((c) => c === 'launch')).toHaveLength(5);
  });

  it('device arrays are passed without copies; results come back with copyToHost', async () => {
    const a = cuda.toDevice(Float32Array.from([1, 2, 3, 4]), { target: 'cuda' });
    const out = cuda.deviceArray(4, f32, { target: 'cuda' });
    const k = cuda.jit(scaleKernel, { target: 'cuda', boundscheck: false });
    await k.configure(1, 4)(Float32Array.from([0, 0, 0, 0]), new Float32Array(4), 0.5); // compile + load
    dev.calls.length = 0;
    await k.configure(1, 4)(a, out, 0.5);
    expect(dev.calls).toEqual(['launch']); // no copies, and no synchronisation without bounds checks
    expect(Array.from(await out.copyToHost())).toEqual([0.5, 1, 1.5, 2]);
  });

  it('scalars: i32, u32-range numbers as f64, booleans and f32 are packed as the PTX declares', async () => {
    const k = cuda.jit(function scalars(out: Int32Array, n: number, flag: boolean, x: number) {
      if (flag) out[0] = n + (x > 1 ? 1 : 0);
    }, { target: 'cuda', signature: ['i32[]', 'i32', 'bool', 'f32'] });
    const ptx = await k.inspect('ptx', new Int32Array(1), 1, true, 1.5);
    expect(ptxParams(ptx, 'numbat_scalars')).toEqual(['u64', 'u32', 'u32', 'u32', 'f32', 'u64', 'u64', 'u32', 'u32']);
    let seen: number[] = [];
    dev.kernels.set('numbat_scalars', (l) => { seen = [i32Arg(l, 2), i32Arg(l, 3), f32Arg(l, 4)]; });
    await k.configure(1, 1)(new Int32Array(1), -7, true, 1.5);
    expect(seen).toEqual([-7, 1, 1.5]);
  });

  it('an out-of-bounds report becomes a LaunchError naming kernel, array, index and thread; the next launch is clean', async () => {
    const k = cuda.jit(function oob(a: Float32Array) {
      const i = cuda.grid(1);
      a[i + 8] = 1;
    }, { target: 'cuda' });
    const run = k.configure(1, 8);
    dev.kernels.set('numbat_oob', (l, d) => reportOob(l, d, 2, 0, 15, 8));
    const err = await run(new Float32Array(8)).catch((e) => e);
    expect(err).toBeInstanceOf(LaunchError);
    expect(err.message).toMatch(/^kernel 'oob': index 15 out of bounds for array 'a' of length 8 \(line [1-9]\d*\), thread \(7, 0, 0\) of block \(1, 0, 0\)$/);
    dev.kernels.set('numbat_oob', () => {});
    await expect(run(new Float32Array(8))).resolves.toBeUndefined();
  });

  it('launches on a stream are asynchronous; their errors surface at synchronize()', async () => {
    const k = cuda.jit(function oob2(a: Float32Array) { a[cuda.threadIdx.x] = 2; }, { target: 'cuda' });
    const buf = cuda.deviceArray(4, f32, { target: 'cuda' });
    const s = stream();
    await k.configure(1, 4, { stream: s })(buf); // compile + load
    await s.synchronize();
    dev.calls.length = 0;
    dev.kernels.set('numbat_oob2', (l, d) => reportOob(l, d, 2, 0, 9, 4));
    await k.configure(1, 4, { stream: s })(buf);
    expect(dev.calls).toEqual(['launch']);
    await expect(s.synchronize()).rejects.toThrow(/kernel 'oob2': index 9 out of bounds for array 'a' of length 4/);
    await expect(s.synchronize()).resolves.toBeUndefined();
    const before = dev.memory.size;
    s.destroy();
    expect(dev.memory.size).toBe(before - 1); // the claim word (the record is host memory)
    await expect(s.synchronize()).rejects.toThrow(/stream was destroyed/);
  });

  it('events time work on a stream', async () => {
    const s = stream();
    const e0 = event().record(s), e1 = event().record(s);
    await e1.synchronize();
    expect(e0.elapsedTime(e1)).toBe(1.5);
  });

  it("core's cuda.stream()/cuda.event() map onto driver streams and events", async () => {
    const k = cuda.jit(function onStream(a: Float32Array) { a[cuda.threadIdx.x] = 3; }, { target: 'cuda' });
    dev.kernels.set('numbat_onStream', () => {});
    const buf = cuda.deviceArray(4, f32, { target: 'cuda' });
    const s = cuda.stream();
    const e0 = cuda.event(), e1 = cuda.event();
    e0.record(s);
    const launches = [k.configure(1, 4, { stream: s })(buf), k.configure(1, 4, { stream: s })(buf)];
    e1.record(s);
    await Promise.all(launches);
    const streams = new Set(dev.launches.slice(-2).map((l) => l.stream));
    expect(streams.size).toBe(1);
    expect([...streams][0]).not.toBeNull(); // a created stream, not the legacy default one
    await s.synchronize();
    await e1.synchronize();
    expect(cuda.eventElapsedTime(e0, e1)).toBe(1.5); // the fake driver's cuEventElapsedTime
    dev.kernels.set('numbat_onStream', (l, d) => reportOob(l, d, 2, 0, 9, 4));
    await k.configure(1, 4, { stream: s })(buf); // asynchronous: the error is recorded on the stream
    await expect(s.synchronize()).rejects.toThrow(/kernel 'onStream': index 9 out of bounds/);
    await s.destroy();
  });

  it('dynamic shared memory above 48 KB raises the kernel attribute; beyond the device limit is a LaunchError', async () => {
    const k = cuda.jit(function dyn(a: Float32Array) {
      const s = cuda.shared.array(0, f32);
      s[cuda.threadIdx.x] = 1;
      cuda.syncthreads();
      a[cuda.threadIdx.x] = s[0];
    }, { target: 'cuda' });
    await k.configure(1, 32, { sharedMem: 64 * 1024 })(new Float32Array(32));
    expect(dev.launches.at(-1)!.sharedBytes).toBe(64 * 1024);
    expect(dev.attributes.get('numbat_dyn:8')).toBe(64 * 1024);
    await expect(k.configure(1, 32, { sharedMem: 300 * 1024 })(new Float32Array(32))).rejects.toThrow(/shared memory per block .* exceed the 232448 bytes Fake GPU allows/);
  });

  it('the JIT error log is part of the module-load error', async () => {
    const { Driver } = await import('../src/driver/driver.js');
    const d = new Driver(dev.api);
    let err: unknown;
    try { d.loadModule(Buffer.from("INVALID\0"), "test PTX"); } catch (e) { err = e; }
    expect((err as Error).name).toBe('CudaError');
    expect((err as Error).message).toMatch(/cuModuleLoadDataEx failed with CUDA_ERROR_INVALID_PTX \(218\): a PTX JIT compilation failed\nwhile loading test PTX; the JIT compiler said:\n.*Unknown symbol 'INVALID'/);
  });

  it('every failing driver call names the call and the code', async () => {
    expect(backend.target).toBe('cuda');
    const bad = { ...dev.api, cuMemAlloc_v2: () => 2 };
    const { Driver } = await import('../src/driver/driver.js');
    expect(() => new Driver(bad).alloc(1 << 20)).toThrow(/^numbat cuda: cuMemAlloc_v2 failed with CUDA_ERROR_OUT_OF_MEMORY \(2\): out of memory/);
    expect(CudaError).toBeDefined();
  });
});

