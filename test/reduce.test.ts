// reduce(fn) (numba's cuda.reduce): sum, min, max, a user function and a sum
// with init over f32/f64/i32/u32 arrays of awkward lengths.
//  - sim against host loops: integers and min/max exactly (integer sums wrap
//    mod 2^32 in any order); float sums within the rounding bound of the
//    summation tree (below).
//  - every other target against the simulator: with the same pass-1 grid
//    (`blocks`) every result is bit-identical (same additions in the same order,
//    each correctly rounded); with each target's own grid, integers and min/max
//    are identical and float sums lie within the bound.
// Float bound: every element goes through at most d roundings on its way to the
// result (d = elements per thread in pass 1 + the 8 tree levels + partials per
// thread in pass 2 + 8 more + 1 for init), so |result - exact| <= gamma_d * sum|x|
// with gamma_d = d*u / (1 - d*u), u = 2^-24 (f32) or 2^-53 (f64) (Higham,
// "Accuracy and Stability of Numerical Algorithms", 2nd ed., sec. 4.2).
// Unavailable targets are skipped with the reason.

import { describe, expect, it } from 'vitest';
import { CompileError, cuda, DeviceArray, loadBackend, reduce, targetAvailability, type Reducer, type Target, type TypedArray } from '@numbat/core';
import { findPtxas } from '../packages/cuda/test/helpers.js';

type Elem = 'f32' | 'f64' | 'i32' | 'u32';
const ELEMS: Elem[] = ['f32', 'f64', 'i32', 'u32'];
const SIZES = [0, 1, 255, 256, 257, 4097, 100003, 2 ** 22 + 5];
const DEVICE_TARGETS: Target[] = ['cpu', 'webgpu', 'cuda'];
const avail = Object.fromEntries(await Promise.all([...DEVICE_TARGETS, 'sim' as Target].map(async (t) => [t, await targetAvailability(t)])));

const ARRAY = { f32: Float32Array, f64: Float64Array, i32: Int32Array, u32: Uint32Array };

/** Deterministic data: floats in [-1000, 1000) with fractions; integers over the whole range (never -2^31, whose |x| is no i32). */
function data(elem: Elem, n: number, seed: number): TypedArray {
  const a = new ARRAY[elem](n);
  let s = (seed * 2654435761) >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    const r = s ^ (s >>> 15);
    if (elem === 'i32') a[i] = r === 0x80000000 ? 1 : r | 0;
    else if (elem === 'u32') a[i] = r;
    else a[i] = (r / 2 ** 32) * 2000 - 1000;
  }
  return a;
}

interface Op { name: string; reducer?: string; make: (target?: Target) => Reducer; init?: Record<Elem, number>; host: (a: TypedArray, elem: Elem, init?: number) => number; isSum: boolean }

const wrap = (elem: Elem, v: number) => (elem === 'i32' ? v | 0 : elem === 'u32' ? v >>> 0 : v);
/** A number as stored into an array of `elem` (how reduce converts init). */
const conv = (elem: Elem, v: number) => new ARRAY[elem]([v])[0];
const hostSum = (a: TypedArray, elem: Elem, init = 0) => {
  let s = init;
  for (let i = 0; i < a.length; i++) s = wrap(elem, s + a[i]);
  return s;
};
const hostFold = (f: (x: number, y: number) => number) => (a: TypedArray) => {
  if (a.length === 0) return 0;
  let r = a[0];
  for (let i = 1; i < a.length; i++) r = f(r, a[i]);
  return r;
};

const OPS: Op[] = [
  { name: 'sum', make: (target) => reduce((a, b) => a + b, { target }), host: hostSum, isSum: true },
  { name: 'min', make: (target) => reduce((a, b) => Math.min(a, b), { target }), host: hostFold(Math.min), isSum: false },
  { name: 'max', make: (target) => cuda.reduce((a, b) => Math.max(a, b), { target }), host: hostFold(Math.max), isSum: false },
  {
    // A user function: the largest magnitude (a lone element comes back as it is, as no call of fn touches it).
    name: 'maxAbs',
    make: (target) => reduce(function maxAbs(a: number, b: number) { return Math.max(Math.abs(a), Math.abs(b)); }, { target }),
    host: hostFold((x, y) => Math.max(Math.abs(x), Math.abs(y))),
    isSum: false,
  },
  {
    name: 'sum with init',
    reducer: 'sum', // the same function: one compilation
    make: (target) => reduce((a, b) => a + b, { target }),
    init: { f32: 12345.5, f64: -0.1, i32: -7, u32: 4000000000 },
    host: (a, elem, init) => hostSum(a, elem, init),
    isSum: true,
  },
];

/** The rounding bound of a float sum computed with `plan` (see the header). */
function sumBound(a: TypedArray, elem: Elem, plan: { blocks: number; perThread: number }, init = 0): number {
  const u = elem === 'f32' ? 2 ** -24 : 2 ** -53;
  const d = plan.perThread + Math.ceil(plan.blocks / 256) + 17;
  let abs = Math.abs(init);
  for (let i = 0; i < a.length; i++) abs += Math.abs(a[i]);
  return ((d * u) / (1 - d * u)) * abs;
}

/** The same pass-1 grid on every target (for bit-identical results): an odd count, not a power of two. */
const sameGrid = (n: number) => (n >= 2 * 4096 ? 23 : undefined);

const reducers = new Map<string, Reducer>();
function reducerFor(op: Op, target: Target): Reducer {
  const key = `${op.reducer ?? op.name}:${target}`;
  let r = reducers.get(key);
  if (!r) reducers.set(key, (r = op.make(target)));
  return r;
}

const simResults = new Map<string, number>();
async function simResult(op: Op, elem: Elem, n: number, a: TypedArray, grid: 'same' | 'own'): Promise<number> {
  const key = `${op.name}:${elem}:${n}:${grid}`;
  let r = simResults.get(key);
  if (r === undefined) {
    r = await reducerFor(op, 'sim')(a, { init: op.init?.[elem], blocks: grid === 'same' ? sameGrid(n) : undefined });
    simResults.set(key, r);
  }
  return r;
}

const inputs = new Map<string, TypedArray>();
const input = (elem: Elem, n: number) => {
  const key = `${elem}:${n}`;
  let a = inputs.get(key);
  if (!a) inputs.set(key, (a = data(elem, n, n + ELEMS.indexOf(elem))));
  return a;
};

describe('reduce on the simulator matches host loops', () => {
  for (const elem of ELEMS) {
    for (const op of OPS) {
      it(`${op.name} over ${elem}`, async () => {
        for (const n of SIZES) {
          const a = input(elem, n);
          const init = op.init?.[elem];
          const got = await simResult(op, elem, n, a, 'own');
          const want = n === 0 ? conv(elem, init ?? 0) : op.host(a, elem, init === undefined ? undefined : conv(elem, init));
          const where = `${op.name} over ${n} ${elem}`;
          if (op.isSum && (elem === 'f32' || elem === 'f64') && n > 0) {
            const plan = await reducerFor(op, 'sim').plan(n);
            expect(Math.abs(got - want), where).toBeLessThanOrEqual(sumBound(a, elem, plan, init));
          } else {
            expect(got, where).toBe(want);
          }
        }
      });
    }
  }
});

for (const target of DEVICE_TARGETS) {
  const a0 = avail[target];
  describe.skipIf(!a0.ok)(`reduce on ${target} matches the simulator${a0.ok ? ` (${a0.device})` : ` (skipped: ${a0.reason})`}`, () => {
    for (const elem of ELEMS) {
      for (const op of OPS) {
        it(`${op.name} over ${elem}`, async () => {
          const backend = await loadBackend(target);
          if (elem === 'f64' && !backend.caps.f64) {
            await expect(reducerFor(op, target)(input(elem, 10))).rejects.toThrow(/no f64 \(WGSL\).*Float32Array/);
            return;
          }
          for (const n of SIZES) {
            const a = input(elem, n);
            const init = op.init?.[elem];
            const where = `${op.name} over ${n} ${elem} on ${target}`;
            // Same grid: the same additions in the same order.
            const same = await reducerFor(op, target)(a, { init, blocks: sameGrid(n) });
            expect(Object.is(same, await simResult(op, elem, n, a, 'same')), `${where} (same grid): ${same}`).toBe(true);
            // The target's own grid.
            const own = await reducerFor(op, target)(a, { init });
            const sim = await simResult(op, elem, n, a, 'own');
            if (op.isSum && (elem === 'f32' || elem === 'f64') && n > 0) {
              const bound = sumBound(a, elem, await reducerFor(op, target).plan(n), init) + sumBound(a, elem, await reducerFor(op, 'sim').plan(n), init);
              expect(Math.abs(own - sim), where).toBeLessThanOrEqual(bound);
            } else {
              expect(own, where).toBe(sim);
            }
          }
        });
      }
    }
  });
}

const ALL: Target[] = ['sim', ...DEVICE_TARGETS];
for (const target of ALL) {
  const a0 = avail[target];
  describe.skipIf(!a0.ok)(`reduce's options on ${target}${a0.ok ? '' : ` (skipped: ${a0.reason})`}`, () => {
    const x = data('f32', 100003, 1), xi = data('i32', 20000, 2) as Int32Array;
    const sumI = hostSum(xi, 'i32');

    it('writes res[0] of a device array or typed array and leaves the rest', async () => {
      const sum = reduce((a, b) => a + b, { target });
      const res = cuda.deviceArray(3, 'i32', { target });
      await res.copyFromHost(new Int32Array([5, 6, 7]));
      expect(await sum(xi, { res })).toBeUndefined();
      expect(Array.from(await res.copyToHost())).toEqual([sumI, 6, 7]);
      const host = new Int32Array([9, 9]);
      await sum(xi, { res: host, init: 1 });
      expect(Array.from(host)).toEqual([(sumI + 1) | 0, 9]);
      // an empty input writes init
      await sum(new Int32Array(0), { res: host, init: 42 });
      expect(host[0]).toBe(42);
      await res.free();
    });

    it('takes device arrays (and runs where they live), size and streams', async () => {
      const dev = cuda.toDevice(xi, { target });
      const sum = reduce((a, b) => a + b); // no target: follows the device array
      expect(await sum(dev)).toBe(sumI);
      expect(await sum(dev, { size: 1000 })).toBe(hostSum(xi.subarray(0, 1000), 'i32'));
      const s = cuda.stream();
      const [p, q] = await Promise.all([sum(dev, { stream: s }), sum(dev, { stream: s, size: 7 })]);
      expect([p, q]).toEqual([sumI, hostSum(xi.subarray(0, 7), 'i32')]);
      await s.synchronize();
      await dev.free();
    });

    it('concurrent calls of one reducer do not share partials', async () => {
      const max = reduce((a, b) => Math.max(a, b), { target });
      const parts = [x, x.subarray(0, 50000), x.subarray(1, 90001), x.subarray(0, 9000)] as Float32Array[];
      const got = await Promise.all(parts.map((p) => max(p)));
      expect(got).toEqual(parts.map((p) => hostFold(Math.max)(p)));
    });
  });
}

describe('huge inputs (2^26 elements; 2^23 on the slow simulator)', () => {
  for (const target of ['sim', 'cpu'] as Target[]) {
    const a0 = avail[target];
    it.skipIf(!a0.ok)(`i32 sum and f32 max on ${target}${a0.ok ? '' : ` (skipped: ${a0.reason})`}`, async () => {
      const n = target === 'sim' ? 2 ** 23 : 2 ** 26;
      const xi = new Int32Array(n);
      for (let i = 0; i < n; i++) xi[i] = Math.imul(i, 2654435761) >> 7;
      expect(await reduce((a, b) => a + b, { target })(xi)).toBe(hostSum(xi, 'i32'));
      const xf = new Float32Array(xi.buffer);
      xf.fill(1.5);
      xf[n - 3] = 7.25; // near the end: found only if the last grid-stride trips run
      expect(await reduce((a, b) => Math.max(a, b), { target })(xf)).toBe(7.25);
    });
  }
  it.skipIf(!avail.webgpu.ok)(`webgpu refuses an input over its binding limit clearly${avail.webgpu.ok ? '' : ` (skipped: ${avail.webgpu.reason})`}`, async () => {
    const sum = reduce((a, b) => a + b, { target: 'webgpu' });
    await expect(sum(new Int32Array(2 ** 26))).rejects.toThrow(/maxStorageBufferBindingSize/);
  });
});

describe('reduce refuses what it cannot do, clearly', () => {
  it('a function that does not take two arguments', () => {
    expect(() => reduce(((a: number) => a) as any)).toThrow(/function of two arguments.*takes 1/);
    expect(() => reduce(((a: number, b: number, c: number) => a + b + c) as any)).toThrow(/takes 3/);
    expect(() => reduce(42 as any)).toThrow(/function of two arguments.*got number/);
  });

  it('unsupported element types and non-arrays', async () => {
    const sum = reduce((a, b) => a + b, { target: 'sim' });
    await expect(sum(new Int16Array(4) as any)).rejects.toThrow(/not i16 elements/);
    await expect(sum(new Uint8Array(4) as any)).rejects.toThrow(/not u8 elements/);
    await expect(sum([1, 2, 3] as any)).rejects.toThrow(/not a plain JS array/);
  });

  it('bad res, size, blocks and init', async () => {
    const sum = reduce((a, b) => a + b, { target: 'sim' });
    const x = new Float32Array(10000);
    await expect(sum(x, { res: new Int32Array(1) })).rejects.toThrow(/res must be a typed array or device array of f32/);
    await expect(sum(x, { res: new Float32Array(0) })).rejects.toThrow(/at least one element/);
    await expect(sum(x, { size: 10001 })).rejects.toThrow(/size must be an integer from 0 to 10000/);
    await expect(sum(x, { blocks: 40 })).rejects.toThrow(/blocks must be an integer from 1 to size \/ 256 = 39/);
    await expect(sum(x, { init: '1' as any })).rejects.toThrow(/init must be a number/);
  });

  it("an unsupported construct in the function points at the user's line", async () => {
    const bad = reduce((a, b) => {
      const s = 'x' as any;
      return a + b + s;
    }, { target: 'sim' });
    const e = await bad(new Float32Array(10)).catch((x) => x);
    expect(e).toBeInstanceOf(CompileError);
    expect(e.message).toMatch(/strings are not supported/);
    expect(e.file).toMatch(/reduce\.test\.ts$/);
    expect(e.frame).toMatch(/const s = 'x'/);
  });

  it.skipIf(!avail.webgpu.ok)(`f64 on webgpu${avail.webgpu.ok ? '' : ` (skipped: ${avail.webgpu.reason})`}`, async () => {
    const sum = reduce((a, b) => a + b, { target: 'webgpu' });
    await expect(sum(new Float64Array(4))).rejects.toThrow(CompileError);
    await expect(sum(new Float64Array(4))).rejects.toThrow(/target 'webgpu' has no f64 \(WGSL\): pass a Float32Array/);
    await expect(sum.inspect('wgsl', 'f64')).rejects.toThrow(/no f64/);
  });

  it('a device array on another target', async () => {
    const dev = cuda.toDevice(new Float32Array(4), { target: 'sim' });
    expect(dev).toBeInstanceOf(DeviceArray);
    const on = avail.cpu.ok ? 'cpu' : undefined;
    if (!on) return;
    await expect(reduce((a, b) => a + b, { target: on })(dev)).rejects.toThrow(/device array on 'sim'/);
  });
});

const ptxas = findPtxas();
describe.skipIf(!ptxas)(`reduce's kernels compile to PTX that ptxas accepts${ptxas ? '' : ' (skipped: ptxas not found)'}`, () => {
  it('both passes, every dtype', async () => {
    const { execFileSync } = await import('node:child_process');
    const { mkdtempSync, rmSync, writeFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(join(tmpdir(), 'numbat-reduce-ptx-'));
    try {
      const r = reduce((a, b) => a + b, { target: 'cuda' });
      for (const elem of ELEMS) {
        for (const pass of ['blocks', 'final'] as const) {
          const ptx = await r.inspect('ptx', elem, pass);
          expect(ptx).toMatch(/\.visible \.entry/);
          const file = join(dir, `${elem}-${pass}.ptx`);
          writeFileSync(file, ptx);
          execFileSync(ptxas!, ['-arch=sm_90', file, '-o', `${file}.cubin`], { stdio: 'pipe' });
        }
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
