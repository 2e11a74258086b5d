// The emitted WGSL compiles without warnings: Dawn prints a shader's warnings
// ("code is unreachable") on the process's stdout, so a valid kernel must not
// cause one. Found by the fuzzer: a kernel ending in a return (or in an
// if/else whose arms both return) got a final nb_flush() after it.

import { describe, expect, it } from 'vitest';
import { cuda, type KernelIR } from '@numbat/core';
import { generateWgsl } from '@numbat/webgpu';
// The device the backend itself uses (not part of the package's public API).
import { withDevice } from '../dist/runtime/device.js';
import { avail, onGpu } from './helpers.js';

async function irOf(fn: (...a: any[]) => void, args: unknown[]): Promise<KernelIR> {
  const k = cuda.jit(fn, { target: 'webgpu' });
  await k.inspect('wgsl', ...args);
  return (await [...(k as any).specs.values()][0]).ir;
}

/** Tint's messages for the shader of `fn`, plain and in the variant for drivers with a loop limit (llvmpipe). */
async function warningsOf(fn: (...a: any[]) => void, options: { boundscheck?: boolean }, ...args: unknown[]): Promise<string[]> {
  const ir = await irOf(fn, args);
  const boundscheck = options.boundscheck ?? true;
  const variants = [undefined, 65535].map((limit) => generateWgsl(ir, { float: 'f32', boundscheck, loopIterationLimit: limit }).code);
  return withDevice(async (ctx) => {
    const out: string[] = [];
    for (const [v, code] of variants.entries()) {
      const info = await ctx.device.createShaderModule({ code }).getCompilationInfo();
      out.push(...info.messages.map((m) => `${v ? 'loop-limited' : 'plain'}: ${m.type} ${m.lineNum}:${m.linePos} ${m.message}`));
    }
    return out;
  });
}

/** Runs on webgpu and sim, returns both outputs (argument 1). */
async function outputs(fn: (...a: any[]) => void, args: () => Int32Array[], block = 4): Promise<number[][]> {
  const res: number[][] = [];
  for (const target of ['webgpu', 'sim'] as const) {
    const a = args();
    await cuda.jit(fn, { target }).configure(1, block)(...a);
    res.push(Array.from(a[1]));
  }
  return res;
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
    const [gpu, sim] = await outputs(k, () => [ints(), ints()]);
    expect(gpu).toEqual(sim);
    expect(sim).toEqual([3, 4, 13, 13]);
  });

  it('loops that only a return leaves (do-while, while (true)), with the code after them', async () => {
    const k = function onlyReturnLeaves(a: Int32Array, o: Int32Array) {
      const i = cuda.grid(1);
      if (i >= o.length) return;
      if (a[i] > 2) {
        let q = 0;
        do { q++; o[i] += q; if (true) return; } while (q < a[0]);
      }
      let j = 0;
      while (true) { j++; if (j > a[i]) { o[i] = j * 10; return; } }
      o[i] = -1; // unreachable in JS too
    };
    expect(await warningsOf(k, {}, ints(), ints())).toEqual([]);
    const [gpu, sim] = await outputs(k, () => [ints(), ints()]);
    expect(gpu).toEqual(sim);
    expect(sim).toEqual([20, 30, 4, 5]);
  });

  it('a loop left by a return in a kernel with a barrier (returns there only set a flag)', async () => {
    const k = function returnInBarrierKernel(a: Int32Array, o: Int32Array) {
      const sh = cuda.shared.array(4, 'i32');
      const t = cuda.threadIdx.x;
      sh[t] = a[t];
      cuda.syncthreads();
      let j = 0;
      while (true) { j++; if (j > sh[(t + 1) & 3]) { o[t] = j; return; } }
    };
    expect(await warningsOf(k, {}, ints(), ints())).toEqual([]);
    const [gpu, sim] = await outputs(k, () => [ints(), ints()]);
    expect(gpu).toEqual(sim);
    expect(sim).toEqual([3, 4, 5, 2]);
  });
});
