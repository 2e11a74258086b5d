// The emitted WGSL compiles without warnings: Dawn prints a shader's warnings
// ("code is unreachable") on the process's stdout, so a valid kernel must not
// cause one. Found by the fuzzer: a kernel ending in a return (or in an
// if/else whose arms both return) got a final nb_flush() after it.

import { describe, expect, it } from 'vitest';
import { cuda } from '@numbat/core';
// The device the backend itself uses (not part of the package's public API).
import { withDevice } from '../dist/runtime/device.js';
import { avail, onGpu } from './helpers.js';

async function warningsOf(fn: (...a: any[]) => void, options: { boundscheck?: boolean }, ...args: unknown[]): Promise<string[]> {
  const code = await cuda.jit(fn, { target: 'webgpu', ...options }).inspect('wgsl', ...args);
  return withDevice(async (ctx) => {
    const module = ctx.device.createShaderModule({ code });
    const info = await module.getCompilationInfo();
    return info.messages.map((m) => `${m.type} ${m.lineNum}:${m.linePos} ${m.message}`);
  });
}

const ints = (): Int32Array => Int32Array.from([1, 2, 3, 4]);

describe.skipIf(!avail.ok)(onGpu('WGSL without shader warnings'), () => {
  it('a kernel ending in a return', async () => {
    const k = function endsInReturn(a: Int32Array, o: Int32Array) {
      const i = cuda.grid(1);
      if (i >= o.length) return;
      o[i] = a[i] + 1;
      if (true) return;
    };
    for (const boundscheck of [true, false]) expect(await warningsOf(k, { boundscheck }, ints(), ints())).toEqual([]);
  });

  it('a kernel ending in an if/else whose arms both return', async () => {
    const k = function bothArmsReturn(a: Int32Array, o: Int32Array) {
      const i = cuda.grid(1);
      if (i >= o.length) return;
      o[i] = a[i] + 1;
      if (a[i] > 2) { o[i] = 5; return; } else { return; }
    };
    expect(await warningsOf(k, {}, ints(), ints())).toEqual([]);
  });

  it('statements after an if/else that leaves the loop in both arms, and a loop body that ends so', async () => {
    const k = function armsLeaveLoop(a: Int32Array, o: Int32Array) {
      const i = cuda.grid(1);
      if (i >= o.length) return;
      let s = 0;
      for (let j = 0; j < a[i]; j++) {
        s += j;
        if (j > 1) { s += 10; break; } else { continue; }
        s += 100; // unreachable in JS too
      }
      for (let j = 0; j < 3; j++) {
        if (s > 5) { break; } else { s += j; continue; }
      }
      o[i] = s;
    };
    expect(await warningsOf(k, {}, ints(), ints())).toEqual([]);
    const sim = new Int32Array(4), gpu = new Int32Array(4);
    await cuda.jit(k, { target: 'sim' }).configure(1, 4)(ints(), sim);
    await cuda.jit(k, { target: 'webgpu' }).configure(1, 4)(ints(), gpu);
    expect(Array.from(gpu)).toEqual(Array.from(sim));
    expect(Array.from(sim)).toEqual([3, 4, 13, 13]);
  });
});
