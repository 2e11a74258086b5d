// cuda.stream() / cuda.event() on every available target: launches on one
// stream run in issue order without being awaited one by one, events time
// them, a failing launch surfaces at synchronize(); plus the synchronous
// launch path (same signature again) and device-array misuse.

import { describe, expect, it } from 'vitest';
import { cuda, LaunchError, targetAvailability, type Target } from '@numbat/core';

const TARGETS: Target[] = ['sim', 'cpu', 'webgpu', 'cuda'];
const avail = await Promise.all(TARGETS.map((t) => targetAvailability(t)));

function kernels(target: Target) {
  const fill = cuda.jit(function fill(a: Int32Array) {
    const i = cuda.grid(1);
    if (i < a.length) a[i] = i;
  }, { target });
  const twice = cuda.jit(function twice(a: Int32Array) {
    const i = cuda.grid(1);
    if (i < a.length) a[i] = a[i] * 2 + 1;
  }, { target });
  const oob = cuda.jit(function oobWrite(a: Int32Array) {
    a[cuda.grid(1) + 1] = 7;
  }, { target });
  return { fill, twice, oob };
}

TARGETS.forEach((target, ti) => {
  const a = avail[ti];
  describe.skipIf(!a.ok)(`streams and events on ${target}${a.ok ? '' : ` (skipped: ${a.reason})`}`, () => {
    it('launches on one stream run in issue order; synchronize waits for all', async () => {
      const { fill, twice } = kernels(target);
      const n = 1000;
      const d = cuda.toDevice(new Int32Array(n), { target });
      const s = cuda.stream();
      const launches = [fill.configure(4, 256, { stream: s })(d)];
      for (let r = 0; r < 3; r++) launches.push(twice.configure(4, 256, { stream: s })(d));
      await s.synchronize();
      await Promise.all(launches);
      expect(s.target).toBe(target);
      const out = await d.copyToHost();
      for (const i of [0, 1, 17, 999]) expect(out[i]).toBe(((i * 2 + 1) * 2 + 1) * 2 + 1);
      await s.destroy();
      await d.free();
    });

    it('events recorded on a stream measure the time between them', async () => {
      const { fill } = kernels(target);
      const d = cuda.toDevice(new Int32Array(4096), { target });
      const s = cuda.stream();
      const start = cuda.event(), end = cuda.event();
      start.record(s);
      for (let r = 0; r < 4; r++) fill.configure(16, 256, { stream: s })(d);
      end.record(s);
      expect(() => cuda.eventElapsedTime(start, end)).toThrow(/synchronize|completed|not ready|NOT_READY/i);
      await end.synchronize();
      await start.synchronize();
      expect(end.query()).toBe(true);
      const ms = cuda.eventElapsedTime(start, end);
      expect(ms).toBeGreaterThanOrEqual(0);
      expect(Number.isFinite(ms)).toBe(true);
      start.destroy(); end.destroy();
      await s.destroy();
    });

    it('a failing launch on a stream rejects its promise and synchronize()', async () => {
      const { oob, fill } = kernels(target);
      const d = cuda.toDevice(new Int32Array(64), { target });
      const s = cuda.stream();
      const p = oob.configure(1, 64, { stream: s })(d);
      const launchErr = p.catch((e) => e);
      await expect(s.synchronize()).rejects.toThrow(LaunchError);
      // Native streams (cuda, webgpu) return from a device-array launch before the GPU has run it:
      // its error surfaces at synchronize(); host-side queues reject the launch itself too.
      if (target === 'cuda' || target === 'webgpu') expect(await launchErr).toBeUndefined();
      else expect(await launchErr).toBeInstanceOf(LaunchError);
      // The stream stays usable after the error.
      await fill.configure(1, 64, { stream: s })(d);
      await s.synchronize();
      expect((await d.copyToHost())[63]).toBe(63);
    });

    it('the repeated-signature launch path handles new signatures, freed and foreign arrays', async () => {
      const k = cuda.jit(function scale(a: Float32Array | Int32Array, f: number) {
        const i = cuda.grid(1);
        if (i < a.length) a[i] = a[i] * f;
      }, { target });
      const x = new Float32Array([1, 2, 3, 4]);
      const launch = k.configure(1, 4);
      await launch(x, 2);
      await launch(x, 3); // same signature: synchronous path
      expect(Array.from(x)).toEqual([6, 12, 18, 24]);
      const y = new Int32Array([1, 2, 3, 4]);
      await launch(y, 5); // new signature: compiled, then the fast path follows it
      await launch(y, 2);
      expect(Array.from(y)).toEqual([10, 20, 30, 40]);
      const d = cuda.toDevice(new Float32Array([1, 1, 1, 1]), { target });
      await launch(d, 4);
      expect(Array.from(await d.copyToHost())).toEqual([4, 4, 4, 4]);
      await d.free();
      await expect(launch(d, 4)).rejects.toThrow(/freed/);
      const other: Target = target === 'sim' ? 'cpu' : 'sim';
      if ((await targetAvailability(other)).ok) {
        const foreign = cuda.toDevice(new Float32Array(4), { target: other });
        await expect(launch(foreign, 1)).rejects.toThrow(/device array on '\w+', but the kernel runs on/);
      }
      await expect(launch([1, 2] as any, 1)).rejects.toThrow(/plain JS array/);
    });
  });
});

describe('stream misuse', () => {
  it('a stream is bound to one target', async () => {
    const s = cuda.stream();
    const k1 = cuda.jit(function one(a: Int32Array) { a[0] = 1; }, { target: 'sim' });
    await k1.configure(1, 1, { stream: s })(new Int32Array(1));
    await s.synchronize();
    if (!(await targetAvailability('cpu')).ok) return;
    const k2 = cuda.jit(function two(a: Int32Array) { a[0] = 2; }, { target: 'cpu' });
    await expect(k2.configure(1, 1, { stream: s })(new Int32Array(1))).rejects.toThrow(/belongs to target 'sim'/);
  });

  it('a destroyed stream refuses launches; an unrecorded event refuses to synchronize', async () => {
    const s = cuda.stream();
    await s.destroy();
    const k = cuda.jit(function three(a: Int32Array) { a[0] = 3; }, { target: 'sim' });
    await expect(k.configure(1, 1, { stream: s })(new Int32Array(1))).rejects.toThrow(/destroyed/);
    await expect(cuda.event().synchronize()).rejects.toThrow(/before event.record/);
  });
});
