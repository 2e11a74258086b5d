// Misuse of the host API is a clear error raised by core before any backend
// runs, the same on every target: device-array copies of the wrong dtype or
// length and use after free (issue 12 item 9), grids and blocks beyond CUDA's
// limits (item 12), and malformed options to jit/launch/reduce (item 15).

import { describe, expect, it } from 'vitest';
import { cuda, f32, CompileError, LaunchError, targetAvailability, type Target } from '@numbat/core';

const TARGETS: Target[] = ['sim', 'cpu', 'webgpu', 'cuda'];
const avail = await Promise.all(TARGETS.map((t) => targetAvailability(t)));

TARGETS.forEach((target, ti) => {
  const a = avail[ti];
  describe.skipIf(!a.ok)(`device arrays on ${target}${a.ok ? '' : ` (skipped: ${a.reason})`}`, () => {
    it('copyToHost refuses a destination of another dtype instead of converting or copying bytes', async () => {
      const d = cuda.toDevice(new Float32Array([1, 2, 3, 4]), { target });
      await expect(d.copyToHost(new Float64Array(4))).rejects.toThrow(/destination \(Float64Array, 4 elements\) does not match a device array of 4 f32: its dtype is f64/);
      await expect(d.copyToHost(new Int8Array(16))).rejects.toThrow(/Int8Array.*device array of 4 f32/);
      await expect(d.copyToHost(new Float32Array(3))).rejects.toThrow(/has 3 elements, not 4/);
      expect(Array.from(await d.copyToHost(new Float32Array(4)))).toEqual([1, 2, 3, 4]);
      await d.free();
    });

    it('copyFromHost refuses a source of another length or dtype and leaves the data as it was', async () => {
      const d = cuda.toDevice(new Float32Array([1, 2, 3, 4]), { target });
      await expect(d.copyFromHost(new Float32Array(6).fill(9))).rejects.toThrow(RangeError);
      await expect(d.copyFromHost(new Float32Array(6))).rejects.toThrow(/source \(Float32Array, 6 elements\) does not match a device array of 4 f32: it has 6 elements, not 4/);
      await expect(d.copyFromHost(new Float32Array(2).fill(9))).rejects.toThrow(/it has 2 elements, not 4/);
      await expect(d.copyFromHost(new Int32Array(4).fill(9))).rejects.toThrow(/source \(Int32Array, 4 elements\).*its dtype is i32, not f32/);
      await expect(d.copyFromHost([1, 2, 3, 4] as any)).rejects.toThrow(/must be a typed array of f32/);
      expect(Array.from(await d.copyToHost())).toEqual([1, 2, 3, 4]);
      await d.copyFromHost(new Float32Array([5, 6, 7, 8]));
      expect(Array.from(await d.copyToHost())).toEqual([5, 6, 7, 8]);
      await d.free();
    });

    it('a freed array can be neither read, written nor launched with', async () => {
      const d = cuda.toDevice(new Int32Array([1, 2, 3]), { target });
      await d.free();
      await d.free(); // idempotent
      await expect(d.copyToHost()).rejects.toThrow(/copyToHost on a device array of 3 i32 that was freed/);
      await expect(d.copyFromHost(new Int32Array(3))).rejects.toThrow(/copyFromHost on a device array of 3 i32 that was freed/);
      const k = cuda.jit(function touch(x: Int32Array) { x[0] = 1; }, { target });
      await expect(k.configure(1, 1)(d)).rejects.toThrow(/kernel 'touch' is a device array of 3 i32 that was freed/);
    });

    it('free() while the allocation settles: a copy issued before it completes, one issued after is refused', async () => {
      const d = cuda.deviceArray(8, f32, { target });
      const copy = d.copyToHost();
      const freed = d.free();
      const late = d.copyToHost().catch((e) => e);
      expect(Array.from(await copy)).toEqual(new Array(8).fill(0)); // issue order (test/device-array-order.test.ts)
      expect(await late).toBeInstanceOf(Error);
      expect((await late).message).toMatch(/was freed/);
      await freed;
    });
  });

  describe.skipIf(!a.ok)(`launch limits on ${target}`, () => {
    const k = cuda.jit(function limited(x: Int32Array) { x[0] = 1; }, { target });
    const cases: [string, Parameters<typeof k.configure>[0], Parameters<typeof k.configure>[1], RegExp][] = [
      ['2^31 blocks in x', 2 ** 31, 1, /kernel 'limited': grid dimension x is 2147483648, above the limit of 2147483647/],
      ['65536 blocks in y', [1, 65536], 1, /grid dimension y is 65536, above the limit of 65535/],
      ['65536 blocks in z', [1, 1, 65536], 1, /grid dimension z is 65536, above the limit of 65535/],
      ['1025 threads in x', 1, 1025, /block dimension x is 1025, above the limit of 1024/],
      ['65 threads in z', 1, [1, 1, 65], /block dimension z is 65, above the limit of 64/],
      ['2048 threads in all', 1, [64, 32], /a block has at most 1024 threads; got 64×32×1 = 2048/],
    ];
    for (const [name, grid, block, msg] of cases) {
      it(`refuses ${name} with a LaunchError naming the kernel and the limit`, () => {
        let err: unknown;
        try { k.configure(grid, block); } catch (e) { err = e; }
        expect(err).toBeInstanceOf(LaunchError);
        expect((err as LaunchError).kernel).toBe('limited');
        expect((err as Error).message).toMatch(msg);
      });
    }
    it('the largest legal grid dimensions are accepted', () => {
      expect(() => k.configure([2 ** 31 - 1, 65535, 65535], [1, 1, 64])).not.toThrow();
      expect(() => k.configure(1, [1024, 1, 1])).not.toThrow();
    });
    it('a shared array larger than any target holds is a CompileError naming the kernel and the array', async () => {
      const big = cuda.jit(function bigShared(x: Float32Array) {
        const s = cuda.shared.array(2 ** 31, f32);
        s[0] = 1;
        x[0] = s[0];
      }, { target });
      const e = await big.configure(1, 1)(new Float32Array(1)).catch((err) => err);
      expect(e).toBeInstanceOf(CompileError);
      expect(e.message).toMatch(/kernel 'bigShared' declares 8589934592 bytes of shared memory \('s' \[2147483648\] of f32\), above the limit/);
      expect(() => k.configure(1, 1, { sharedMem: 2 ** 32 })).toThrow(/kernel 'limited': sharedMem is 4294967296 bytes, above the limit/);
    });
  });
});

describe('jit options are checked when the kernel is made', () => {
  const fn = function k(a: Float32Array) { a[0] = 1; };
  const cases: [string, () => unknown, RegExp][] = [
    ['null options', () => cuda.jit(fn, null as any), /cuda\.jit options of 'k' must be an object \(or omitted\), got null/],
    ["float: 'f16'", () => cuda.jit(fn, { float: 'f16' as any }), /option 'float' of 'k' must be 'f32' or 'f64'.*got the string 'f16'/],
    ['a string signature', () => cuda.jit(fn, { signature: 'f32[]' as any }), /option 'signature' of 'k' must be an array of parameter types/],
    ['a class', () => cuda.jit(class K { run() {} } as any), /cuda\.jit expects a function, got the class 'K'/],
    ['not a function', () => cuda.jit(42 as any), /cuda\.jit expects a function, got a number/],
    ['an unknown key', () => cuda.jit(fn, { targt: 'sim' } as any), /unknown key 'targt' in cuda\.jit options of 'k'; valid keys: target, globals, signature/],
    ['two unknown keys', () => cuda.jit(fn, { bounds: true, fast: true } as any), /unknown keys 'bounds', 'fast' in cuda\.jit options/],
    ['an unknown target', () => cuda.jit(fn, { target: 'gpu' as any }), /option 'target' of 'k' must be one of 'auto', 'sim', 'cpu', 'webgpu', 'cuda'/],
    ['a non-boolean flag', () => cuda.jit(fn, { boundscheck: 'no' as any }), /option 'boundscheck' of 'k' must be true or false/],
    ['globals that are not an object', () => cuda.jit(fn, { globals: [1] as any }), /option 'globals' of 'k' must be an object/],
    ['device function options', () => cuda.jit((x: number) => x, { device: true, globls: {} } as any), /unknown key 'globls'/],
  ];
  for (const [name, make, msg] of cases) {
    it(`refuses ${name}`, () => {
      expect(make).toThrow(TypeError);
      expect(make).toThrow(msg);
    });
  }
});

describe('launch, reduce and device-array options are checked', () => {
  const k = cuda.jit(function k2(a: Float32Array) { a[0] = 1; }, { target: 'sim' });
  it('unknown launch option keys', () => {
    expect(() => k.configure(1, 1, { sharedmem: 16 } as any)).toThrow(/unknown key 'sharedmem' in launch options of kernel 'k2'; valid keys: sharedMem, stream/);
    expect(() => k.configure(1, 1, null as any)).toThrow(/launch options of kernel 'k2' must be an object/);
  });
  it("reduce's options and a call's options", async () => {
    expect(() => cuda.reduce((a, b) => a + b, { targt: 'sim' } as any)).toThrow(/unknown key 'targt' in reduce options; valid keys: target, globals/);
    const sum = cuda.reduce(function add(a: number, b: number) { return a + b; }, { target: 'sim' });
    // `target` belongs to reduce(fn, { target }), not to a call: it used to be ignored (and ran on 'auto').
    await expect(sum(new Float32Array(4), { target: 'sim' } as any)).rejects.toThrow(/unknown key 'target' in the options of a call of reduce\('add'\); valid keys: init, res, size, stream, blocks/);
    expect(await sum(new Float32Array([1, 2, 3]), { init: 1 })).toBe(7);
  });
  it('toDevice / deviceArray options', () => {
    expect(() => cuda.toDevice(new Float32Array(1), { taget: 'sim' } as any)).toThrow(/unknown key 'taget' in cuda\.toDevice options; valid keys: target/);
    expect(() => cuda.deviceArray(4, f32, { device: 'cpu' } as any)).toThrow(/unknown key 'device' in cuda\.deviceArray options/);
  });
});
