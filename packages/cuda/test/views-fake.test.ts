// On cuda with a fake driver (real PTX, a JS stand-in for the kernel on the
// decoded parameters): host views of one buffer passed as different arguments
// share one device copy, so a write through one view is read through the
// other; console.log's hidden buffers come back and are printed.

import { describe, expect, it, vi } from 'vitest';
import { cuda } from '@numbat/core';
import { setDriverApiForTesting } from '@numbat/cuda';
import { FakeDevice, i32Arg, ptrArg, type FakeLaunch } from './fake-driver.js';

const f64At = (d: FakeDevice, addr: number, n: number) => { const b = d.bytes(addr, n * 8); return new Float64Array(b.buffer, b.byteOffset, n); };

const dev = new FakeDevice();
setDriverApiForTesting(dev.api);

function alias(a: Float32Array, b: Float32Array) {
  if (cuda.grid(1) === 0) { a[3] = 7; b[0] = a[3] + 1; a[4] = b[0] * 2; }
}

// Slots: a (ptr, len), b (ptr, len), then the hidden error-record slots.
dev.kernels.set('numbat_alias', (l: FakeLaunch, d: FakeDevice) => {
  const a = d.f32(ptrArg(l, 0), i32Arg(l, 1)), b = d.f32(ptrArg(l, 2), i32Arg(l, 3));
  a[3] = 7; b[0] = a[3] + 1; a[4] = b[0] * 2;
});

describe('cuda: host views as arguments (fake driver)', () => {
  it('overlapping subarrays of one buffer alias on the device', async () => {
    const buf = new Float32Array(16);
    await cuda.jit(alias, { target: 'cuda' }).configure(1, 1)(buf.subarray(2, 10), buf.subarray(6, 14));
    // a[4] is b[0] (buf[6]): the second write wins, as in JavaScript.
    expect(Array.from(buf.subarray(4, 8))).toEqual([0, 7, 16, 0]);
    expect(buf[1]).toBe(0);
  });

  it('the same array twice is one device copy', async () => {
    const buf = new Float32Array(8);
    await cuda.jit(alias, { target: 'cuda' }).configure(1, 1)(buf, buf);
    expect(Array.from(buf.subarray(0, 5))).toEqual([8, 0, 0, 7, 16]);
  });

  it('disjoint views of one buffer keep the bytes between them', async () => {
    const buf = new Float32Array(32).fill(-1);
    await cuda.jit(alias, { target: 'cuda' }).configure(1, 1)(buf.subarray(0, 8), buf.subarray(20, 28));
    expect(buf[3]).toBe(7); expect(buf[20]).toBe(8); expect(buf[4]).toBe(16);
    expect(Array.from(buf.subarray(8, 20))).toEqual(new Array(12).fill(-1));
  });
});

function logger(a: Float32Array) {
  const i = cuda.grid(1);
  if (i < a.length) console.log('v', a[i], i);
}

// Slots: a (ptr, len), then the hidden log buffers: counter, ints, floats (ptr, len each).
dev.kernels.set('numbat_logger', (l: FakeLaunch, d: FakeDevice) => {
  const count = d.i32(ptrArg(l, 2), 1), ints = d.i32(ptrArg(l, 4), i32Arg(l, 5)), floats = f64At(d, ptrArg(l, 6), i32Arg(l, 7));
  // Two threads of block 0, recorded in reverse order: the host sorts them.
  for (const [slot, t] of [[0, 1], [1, 0]]) {
    ints.set([0, t, 0, 0, 0, 0, 0, 0, t], slot * 16);
    floats[slot * 8] = t + 0.5;
  }
  count[0] = 2;
});

describe('cuda: console.log (fake driver)', () => {
  it('the log buffers are hidden parameters, copied back and printed in thread order', async () => {
    const got: unknown[][] = [];
    const spy = vi.spyOn(console, 'log').mockImplementation((...x: unknown[]) => { got.push(x); });
    try {
      await cuda.jit(logger, { target: 'cuda' }).configure(1, 2)(new Float32Array(2));
    } finally { spy.mockRestore(); }
    expect(got).toEqual([['v', 0.5, 0], ['v', 1.5, 1]]);
  });
});
