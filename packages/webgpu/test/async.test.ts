// Launches that do not wait for the GPU (docs/backends/webgpu.md, "Launches"):
// stream launches return once recorded and report errors at synchronize() or
// the stream's next launch; recorded launches are submitted in batches and run
// in issue order with copies, uploads and frees; un-awaited launches on
// overlapping views of one buffer compose.

import { describe, expect, it } from 'vitest';
import { cuda, LaunchError } from '@numbat/core';
import { avail, onGpu } from './helpers.js';

const target = 'webgpu' as const;

const oob = cuda.jit(function oobStore(a: Int32Array) {
  a[cuda.grid(1) + 1] = 7;
}, { target });
const inc = cuda.jit(function inc(a: Int32Array) {
  const i = cuda.grid(1);
  if (i < a.length) a[i] = a[i] + 1;
}, { target });

describe.skipIf(!avail.ok)(onGpu('asynchronous launches'), () => {
  it('a stream launch returns once recorded; its bounds error surfaces at synchronize() with kernel, array, index, thread', async () => {
    const d = cuda.toDevice(new Int32Array(64), { target });
    const s = cuda.stream();
    await expect(oob.configure(1, 64, { stream: s })(d)).resolves.toBeUndefined();
    const e = await s.synchronize().then(() => undefined, (err) => err);
    expect(e).toBeInstanceOf(LaunchError);
    expect(e.message).toMatch(/kernel 'oobStore': index 64 out of bounds for array 'a' of length 64 \(line \d+\), thread \(63, 0, 0\) of block \(0, 0, 0\)/);
    await s.synchronize(); // reported once
    await s.destroy();
    await d.free();
  });

  it("a stream launch's error known by the next launch on that stream rejects that launch", async () => {
    const d = cuda.toDevice(new Int32Array(64), { target });
    const s = cuda.stream();
    oob.configure(1, 64, { stream: s })(d);
    const ev = cuda.event();
    ev.record(s);
    await ev.synchronize(); // the failed launch has finished; nothing reported yet
    await expect(inc.configure(1, 64, { stream: s })(d)).rejects.toThrow(/index 64 out of bounds for array 'a'/);
    await expect(s.synchronize()).rejects.toThrow(LaunchError); // core's stream: the first error since the last synchronize
    await s.synchronize();
    await s.destroy();
    await d.free();
  });

  it('a default-stream launch with bounds checks still rejects with its own error', async () => {
    const d = cuda.toDevice(new Int32Array(64), { target });
    await expect(oob.configure(1, 64)(d)).rejects.toThrow(LaunchError);
    await d.free();
  });

  it('in one batch, only the launch that failed rejects, and later batches report no stale error', async () => {
    const d = cuda.toDevice(new Int32Array(64), { target });
    const runs = [inc, oob, inc, inc].map((k) => k.configure(1, 64)(d).then(() => 'ok', (e) => e));
    const got = await Promise.all(runs);
    expect(got[0]).toBe('ok');
    expect(got[1]).toBeInstanceOf(LaunchError);
    expect(got.slice(2)).toEqual(['ok', 'ok']);
    for (let r = 0; r < 3; r++) await inc.configure(1, 64)(d); // slots of the failed batch, reused
    expect((await d.copyToHost())[0]).toBe(6);
    await d.free();
  });

  it("one batch's dependent launches on device and host arrays run in order (a shared compute pass, ended for copies back); each error is its own launch's", async () => {
    const step = cuda.jit(function step(src: Int32Array, dst: Int32Array, k: number) {
      const i = cuda.grid(1);
      if (i < dst.length) dst[i] = src[i] * 2 + k + i;
    }, { target });
    const storeAt = cuda.jit(function storeAt(a: Int32Array, k: number) {
      if (cuda.grid(1) === 0) a[k] = 1;
    }, { target });
    const n = 64;
    const a = cuda.toDevice(new Int32Array(n).fill(1), { target }), b = cuda.deviceArray(n, 'i32', { target });
    const h = new Int32Array(n);
    let ea = new Int32Array(n).fill(1), eb = new Int32Array(n), eh = new Int32Array(n);
    const run = (src: Int32Array, k: number): Int32Array => src.map((x, i) => x * 2 + k + i);
    const launches: Promise<unknown>[] = [], bad: Promise<unknown>[] = [];
    for (let j = 0; j < 10; j++) { // 33 launches recorded in one macrotask: one submission
      launches.push(step.configure(1, n)(a, b, j)); eb = run(ea, j);
      launches.push(step.configure(1, n)(b, h, j)); eh = run(eb, j);
      launches.push(step.configure(1, n)(b, a, -j)); ea = run(eb, -j);
      if (j % 3 === 1) bad.push(storeAt.configure(1, 32)(a, n + j).then(() => 'ok', (e) => e));
    }
    await Promise.all(launches);
    expect([...h]).toEqual([...eh]);
    expect([...await a.copyToHost()]).toEqual([...ea]);
    expect([...await b.copyToHost()]).toEqual([...eb]);
    const errs = await Promise.all(bad);
    expect(errs.map((e) => (e as Error).message.match(/index (\d+) out of bounds/)?.[1])).toEqual(['65', '68', '71']);
    await a.free();
    await b.free();
  });

  it('300 stream launches (several batches) run in issue order', async () => {
    const d = cuda.toDevice(new Int32Array(1000), { target });
    const s = cuda.stream();
    const launch = inc.configure(4, 256, { stream: s });
    for (let r = 0; r < 300; r++) launch(d);
    await s.synchronize();
    const out = await d.copyToHost();
    expect(out.every((v) => v === 300)).toBe(true);
    await s.destroy();
    await d.free();
  });

  it('an upload after a recorded, not yet submitted launch does not change what that launch reads', async () => {
    // No bounds checks and no loops: the default-stream launch returns once recorded.
    const copy = cuda.jit(function copy(src: Int32Array, dst: Int32Array) {
      const i = cuda.grid(1);
      if (i < dst.length) dst[i] = src[i];
    }, { target, boundscheck: false });
    const src = cuda.toDevice(new Int32Array(256).fill(1), { target }), dst = cuda.deviceArray(256, 'i32', { target });
    await copy.configure(1, 256)(src, dst);
    await copy.configure(1, 256)(src, dst); // now the repeated-signature path: recorded at the call
    await src.copyFromHost(new Int32Array(256).fill(2));
    expect((await dst.copyToHost()).every((v) => v === 1)).toBe(true);
    await copy.configure(1, 256)(src, dst);
    expect((await dst.copyToHost()).every((v) => v === 2)).toBe(true);
    await src.free(); await dst.free();
  });

  it('freeing a device array right after launches on it waits for them', async () => {
    const incNoCheck = cuda.jit(function incNoCheck(a: Int32Array) {
      const i = cuda.grid(1);
      if (i < a.length) a[i] = a[i] + 1;
    }, { target, boundscheck: false });
    const d = cuda.toDevice(new Int32Array(256), { target });
    const launch = incNoCheck.configure(1, 256);
    await launch(d);
    const runs = [0, 1, 2, 3, 4].map(() => launch(d)); // repeated signature: recorded at the call, not waited for
    await d.free();
    await Promise.all(runs);
    // A destroyed buffer in a submission would be a WebGPU error, reported by the next default-stream launch.
    const e = cuda.toDevice(new Int32Array(256), { target });
    await launch(e);
    expect((await e.copyToHost())[0]).toBe(1);
    await e.free();
  });

  it('un-awaited launches on overlapping views of one buffer compose in issue order', async () => {
    const mem = new ArrayBuffer(4 * 512);
    const all = new Int32Array(mem), tail = new Int32Array(mem, 4 * 256, 256);
    const runs: Promise<void>[] = [];
    for (let r = 0; r < 3; r++) {
      runs.push(inc.configure(2, 256)(all));
      runs.push(inc.configure(1, 256)(tail));
    }
    await Promise.all(runs);
    expect(all.subarray(0, 256).every((v) => v === 3)).toBe(true);
    expect(tail.every((v) => v === 6)).toBe(true);
  });

  it('events on the default stream time finished work', async () => {
    const d = cuda.toDevice(new Int32Array(256), { target });
    const start = cuda.event(), end = cuda.event();
    await inc.configure(1, 256)(d);
    start.record();
    const s = cuda.stream();
    for (let r = 0; r < 10; r++) inc.configure(1, 256, { stream: s })(d);
    await s.synchronize();
    end.record();
    await end.synchronize();
    expect(end.query()).toBe(true);
    expect(cuda.eventElapsedTime(start, end)).toBeGreaterThanOrEqual(0);
    expect((await d.copyToHost())[255]).toBe(11);
    await s.destroy();
    await d.free();
  });
});
