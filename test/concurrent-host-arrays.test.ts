// Un-awaited launches on one host array must compose as if issued one after
// another (webgpu uploaded and copied back whole arrays per launch, so each
// launch wrote back the others' stale copies), and host arrays backed by a
// SharedArrayBuffer work like any other.

import { describe, expect, it } from 'vitest';
import { cuda, targetAvailability, type Target } from '@numbat/core';

const TARGETS: Target[] = ['sim', 'cpu', 'webgpu'];
const avail = await Promise.all(TARGETS.map((t) => targetAvailability(t)));

TARGETS.forEach((target, ti) => {
  const a = avail[ti];
  describe.skipIf(!a.ok)(`host arrays shared by launches on ${target}${a.ok ? '' : ` (skipped: ${a.reason})`}`, () => {
    it('100 un-awaited launches writing disjoint slices keep every slice', async () => {
      const k = cuda.jit(function slice(o: Int32Array, s: number) {
        o[s * 256 + cuda.threadIdx.x] = s + 1;
      }, { target });
      const o = new Int32Array(100 * 256);
      await Promise.all(Array.from({ length: 100 }, (_, s) => k.configure(1, 256)(o, s)));
      const wrong = o.findIndex((v, i) => v !== Math.floor(i / 256) + 1);
      expect(wrong, `first wrong element ${wrong}`).toBe(-1);
    });

    it('100 un-awaited atomic adds into one host array all count', async () => {
      const k = cuda.jit(function count(t: Int32Array) { cuda.atomic.add(t, 0, 1); }, { target });
      const t = new Int32Array(1);
      await Promise.all(Array.from({ length: 100 }, () => k.configure(1, 256)(t)));
      expect(t[0]).toBe(25600);
    });

    it('a later launch sees an earlier un-awaited one', async () => {
      const twice = cuda.jit(function twice(o: Float32Array) { const i = cuda.grid(1); if (i < o.length) o[i] = o[i] * 2 + 1; }, { target });
      const o = new Float32Array(1000);
      const runs = [];
      for (let r = 0; r < 10; r++) runs.push(twice.configure(4, 256)(o));
      await Promise.all(runs);
      expect(o.every((v) => v === 1023)).toBe(true);
    });

    it('a typed array on a SharedArrayBuffer is read and written', async () => {
      const k = cuda.jit(function axpy(x: Float32Array, y: Float32Array) {
        const i = cuda.grid(1);
        if (i < y.length) y[i] = 2 * x[i] + y[i];
      }, { target });
      const x = new Float32Array(new SharedArrayBuffer(4 * 37));
      const y = new Float32Array(new SharedArrayBuffer(4 * 40), 8, 37);
      x.forEach((_, i) => { x[i] = i; y[i] = 1; });
      await k.configure(2, 32)(x, y);
      expect(Array.from(y)).toEqual(Array.from({ length: 37 }, (_, i) => 2 * i + 1));
      const bytes = new Uint8Array(new SharedArrayBuffer(7));
      await cuda.jit(function fill(b: Uint8Array) { const i = cuda.grid(1); if (i < b.length) b[i] = i + 250; }, { target }).configure(1, 32)(bytes);
      expect(Array.from(bytes)).toEqual([250, 251, 252, 253, 254, 255, 0]);
    });
  });
});
