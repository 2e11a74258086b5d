// Operations on a device array run in issue order (launches that use it,
// copyToHost, copyFromHost, free), whatever each needs to get ready: a copy
// issued after an un-awaited launch that is still compiling waits for it, a
// settled kernel's launch waits for an earlier one on the same array, free()
// waits for the launches issued before it. A settled kernel on idle arrays
// still reaches the backend synchronously (no await on the fast path).

import { describe, expect, it } from 'vitest';
import { cuda, loadBackend, registerBackend, targetAvailability, type Backend, type Target } from '@numbat/core';

const TARGETS: Target[] = ['sim', 'cpu', 'webgpu'];
const avail = await Promise.all(TARGETS.map((t) => targetAvailability(t)));

function fill(a: Int32Array, v: number) {
  const i = cuda.grid(1);
  if (i < a.length) a[i] = v + i;
}
function double(src: Int32Array, dst: Int32Array) {
  const i = cuda.grid(1);
  if (i < src.length) dst[i] = src[i] * 2;
}
function copy(src: Int32Array, dst: Int32Array) {
  const i = cuda.grid(1);
  if (i < src.length) dst[i] = src[i];
}
/** Enough work per thread that a copy issued right after it would catch it half done. */
function slowFill(a: Int32Array, v: number, steps: number) {
  const i = cuda.grid(1);
  if (i >= a.length) return;
  let x = i;
  for (let k = 0; k < steps; k++) x = (x * 1103515245 + 12345) | 0;
  a[i] = v + (x & 1) - (x & 1);
}

const ramp = (n: number, f: (i: number) => number) => Int32Array.from({ length: n }, (_, i) => f(i));

TARGETS.forEach((target, ti) => {
  const a = avail[ti];
  describe.skipIf(!a.ok)(`${target}${a.ok ? '' : ` (skipped: ${a.reason})`}`, () => {
    const n = 256;
    const jit = (fn: (...args: any[]) => void) => cuda.jit(fn, { target }).configure(n / 64, 64);

    it('copyToHost waits for an un-awaited launch that is still compiling', async () => {
      const d = cuda.deviceArray(n, 'i32', { target });
      const launched = jit(fill)(d, 7);
      const got = await d.copyToHost();
      await launched;
      expect(Array.from(got)).toEqual(Array.from(ramp(n, (i) => 7 + i)));
    });

    it('copyFromHost does not overtake an earlier launch that reads the array', async () => {
      const d = cuda.toDevice(ramp(n, (i) => i), { target });
      const o = cuda.deviceArray(n, 'i32', { target });
      const launched = jit(double)(d, o);
      const copied = d.copyFromHost(new Int32Array(n).fill(1000));
      expect(Array.from(await o.copyToHost())).toEqual(Array.from(ramp(n, (i) => 2 * i)));
      await Promise.all([launched, copied]);
      expect(Array.from(await d.copyToHost())).toEqual(new Array(n).fill(1000));
    });

    it('a settled kernel waits for an earlier launch on the same array that is still compiling', async () => {
      const copyLaunch = jit(copy);
      const d = cuda.deviceArray(n, 'i32', { target }), o = cuda.deviceArray(n, 'i32', { target });
      await copyLaunch(d, o); // now settled: its next launch could go straight to the backend
      const first = jit(fill)(d, 5);
      const second = copyLaunch(d, o);
      await Promise.all([first, second]);
      expect(Array.from(await o.copyToHost())).toEqual(Array.from(ramp(n, (i) => 5 + i)));
    });

    it('free() waits for the launches issued before it; later uses are refused', async () => {
      const d = cuda.deviceArray(n, 'i32', { target }), o = cuda.deviceArray(n, 'i32', { target });
      const launched = jit(fill)(d, 3);
      const copied = jit(copy)(d, o);
      const freed = d.free();
      await expect(launched).resolves.toBeUndefined();
      await expect(copied).resolves.toBeUndefined();
      await freed;
      expect(Array.from(await o.copyToHost())).toEqual(Array.from(ramp(n, (i) => 3 + i)));
      await expect(jit(fill)(d, 1)).rejects.toThrow(/freed/);
      await expect(d.copyToHost()).rejects.toThrow(/freed/);
    });

    it('copyToHost waits for a running launch of a settled kernel', async () => {
      const big = target === 'sim' ? 1024 : 1 << 16, steps = target === 'sim' ? 10 : 2000;
      const launch = cuda.jit(slowFill, { target }).configure(big / 256, 256);
      const d = cuda.deviceArray(big, 'i32', { target });
      await launch(d, 0, 1);
      for (let round = 1; round <= 3; round++) {
        const launched = launch(d, round, steps);
        const got = await d.copyToHost();
        await launched;
        expect(got.every((x) => x === round), `round ${round}`).toBe(true);
      }
    });
  });
});

describe('the launch fast path', () => {
  it('a settled kernel on idle device arrays reaches the backend within the call', async () => {
    const sim = await loadBackend('sim');
    let launches = 0;
    const counting: Backend = { ...sim, launch: (k, dims, args) => { launches++; return sim.launch(k, dims, args); } };
    registerBackend('sim', async () => counting);
    try {
      const launch = cuda.jit(copy, { target: 'sim' }).configure(1, 64);
      const d = cuda.toDevice(ramp(64, (i) => i), { target: 'sim' }), o = cuda.deviceArray(64, 'i32', { target: 'sim' });
      await launch(d, o);
      expect(launches).toBe(1);
      const p = launch(d, o);
      expect(launches).toBe(2); // no await between the call and the backend
      await p;
      // Still busy with the launch just issued: the next one waits its turn instead.
      const q = launch(d, o), r = launch(d, o);
      expect(launches).toBe(3);
      await Promise.all([q, r]);
      expect(launches).toBe(4);
    } finally {
      registerBackend('sim', async () => sim);
    }
  });
});
