// 64-bit integers (issue 15): what JavaScript refuses is refused with JS's
// wording and a code frame; targets without caps.i64 name the feature and the
// target; the host side (dtypes, signatures, device arrays) takes BigInts.

import { describe, expect, it } from 'vitest';
import { cuda, CompileError, i32, i64, u64, f32 } from '@numbat/core';

async function compileError(fn: (...a: any[]) => void, args: unknown[], opts: Record<string, unknown> = {}): Promise<CompileError> {
  const k = cuda.jit(fn, { target: 'sim', ...opts });
  const e = await k.configure(1, 1)(...args).then(() => undefined, (x: Error) => x);
  expect(e).toBeInstanceOf(CompileError);
  return e as CompileError;
}

describe('BigInt and number do not mix (JS TypeError)', () => {
  it('arithmetic of a BigInt with a number', async () => {
    const e = await compileError(function mix(a: BigInt64Array) { a[0] = a[0] + 1; }, [new BigInt64Array(1)]);
    expect(e.message).toMatch(/Cannot mix BigInt and other types, use explicit conversions/);
    expect(e.message).toMatch(/a\[0\] \+ 1/); // the code frame
  });
  it('a number stored into a BigInt64Array, a BigInt into a Float32Array', async () => {
    const e1 = await compileError(function st(a: BigInt64Array) { a[0] = 5; }, [new BigInt64Array(1)]);
    expect(e1.message).toMatch(/Cannot convert a number to a BigInt/);
    const e2 = await compileError(function st2(a: BigInt64Array, f: Float32Array) { f[0] = a[0]; }, [new BigInt64Array(1), new Float32Array(1)]);
    expect(e2.message).toMatch(/Cannot convert a BigInt value to a number/);
  });
  it('Math.* of a BigInt, unary +, >>> and a local holding both', async () => {
    expect((await compileError(function m(a: BigInt64Array, f: Float64Array) { f[0] = Math.sqrt(a[0]); }, [new BigInt64Array(1), new Float64Array(1)])).message).toMatch(/Cannot convert a BigInt value to a number \(Math\.sqrt\)/);
    expect((await compileError(function p(a: BigInt64Array, f: Float64Array) { f[0] = +a[0]; }, [new BigInt64Array(1), new Float64Array(1)])).message).toMatch(/Cannot convert a BigInt value to a number/);
    expect((await compileError(function u(a: BigInt64Array) { a[0] = a[0] >>> 1n; }, [new BigInt64Array(1)])).message).toMatch(/BigInts have no unsigned right shift/);
    expect((await compileError(function l(a: BigInt64Array, f: Float64Array) { let x = 0; x = a[0]; f[0] = 1; }, [new BigInt64Array(1), new Float64Array(1)])).message).toMatch(/local 'x' is assigned both/);
  });
  it('i64 with u64 is refused as i32 with u32; a literal that does not fit', async () => {
    expect((await compileError(function iu(a: BigInt64Array, u: BigUint64Array) { a[0] = a[0] + u[0]; }, [new BigInt64Array(1), new BigUint64Array(1)])).message).toMatch(/mixes i64 and u64/);
    expect((await compileError(function lit(u: BigUint64Array) { u[0] = u[0] + -1n; }, [new BigUint64Array(1)])).message).toMatch(/-1n does not fit u64/);
    expect((await compileError(function big(a: BigInt64Array) { a[0] = 18446744073709551616n; }, [new BigInt64Array(1)])).message).toMatch(/does not fit in 64 bits/);
  });
  it('a local first assigned a literal only u64 holds is u64, also where it is then assigned from itself (fuzz seed 83000547)', async () => {
    // The first lowering round reads `v` as i32 and `v | 1n` as i64; the local stayed i64 after it.
    function late(o: BigInt64Array) { let v; v = 18446744073709551557n; v = v / (v | 1n); o[0] = BigInt.asIntN(64, BigInt.asUintN(64, 1n) ^ v); }
    const o = new BigInt64Array(1);
    await cuda.jit(late, { target: 'sim' }).configure(1, 1)(o);
    const js = new BigInt64Array(1);
    late(js);
    expect(o[0]).toBe(js[0]);
    // an i64 value with such a literal is still refused
    const e = await compileError(function clash(a: BigInt64Array) { let v = a[0]; v = 18446744073709551557n; a[0] = BigInt.asIntN(64, v); }, [new BigInt64Array(1)]);
    expect(e.message).toMatch(/assigned both u64 and i64 values/);
  });
});

describe('64-bit semantics on the simulator', () => {
  it('÷0n and %0n give 0n, INT64_MIN / -1n wraps, shifts are not masked', async () => {
    const k = cuda.jit(function edges(a: BigInt64Array, o: BigInt64Array) {
      o[0] = a[0] / a[1]; o[1] = a[0] % a[1]; o[2] = a[2] / -1n; o[3] = 1n << 64n; o[4] = -1n >> 100n; o[5] = 8n << -2n;
    }, { target: 'sim' });
    const o = new BigInt64Array(6);
    await k.configure(1, 1)(new BigInt64Array([7n, 0n, -(2n ** 63n)]), o);
    expect(Array.from(o)).toEqual([0n, 0n, -(2n ** 63n), 0n, -1n, 2n]);
  });
  it('a 64-bit index beyond i32 is reported as out of bounds, not wrapped', async () => {
    const k = cuda.jit(function far(a: Int32Array, k: bigint) { a[k] = 1; }, { target: 'sim' });
    const e = await k.configure(1, 1)(new Int32Array(4), 2n ** 32n + 1n).then(() => undefined, (x: Error) => x);
    expect(e?.name).toBe('LaunchError');
    const a = new Int32Array(4);
    await k.configure(1, 1)(a, 3n);
    expect(Array.from(a)).toEqual([0, 0, 0, 1]);
  });
});

describe('targets without 64-bit integers refuse them by name', () => {
  it('a backend without caps.i64 gets a CompileError naming i64 and the target', async () => {
    const { registerBackend, simBackend } = await import('@numbat/core');
    registerBackend('noi64' as any, async () => ({ ...simBackend, target: 'noi64', caps: { f64: true } }) as any);
    const k = cuda.jit(function b(a: BigInt64Array) { a[0] = a[0] * 2n; }, { target: 'noi64' as any });
    const e = await k.configure(1, 1)(new BigInt64Array(1)).then(() => undefined, (x: Error) => x);
    expect(e).toBeInstanceOf(CompileError);
    expect(e!.message).toMatch(/64-bit integers.*target 'noi64'/s);
    registerBackend('noatom64' as any, async () => ({ ...simBackend, target: 'noatom64', caps: { f64: true, i64: 'emulated' } }) as any);
    const k3 = cuda.jit(function at3(a: BigInt64Array) { cuda.atomic.add(a, 0, 1n); }, { target: 'noatom64' as any });
    const e3 = await k3.configure(1, 1)(new BigInt64Array(1)).then(() => undefined, (x: Error) => x);
    expect(e3!.message).toMatch(/64-bit integer atomic.*noatom64/s);
  });
});

describe('host side', () => {
  it('i64()/u64() convert like the kernels; 32-bit dtypes take a BigInt\'s low bits', () => {
    expect(i64(1.9)).toBe(1n);
    expect(i64(-1.9)).toBe(-1n);
    expect(i64(NaN)).toBe(0n);
    expect(i64(2 ** 64 + 2 ** 12)).toBe(4096n);
    expect(u64(-1)).toBe(2n ** 64n - 1n);
    expect(i64(2n ** 63n)).toBe(-(2n ** 63n));
    expect(i32(2n ** 32n + 5n)).toBe(5);
    expect(f32(2n ** 24n + 1n)).toBe(2 ** 24);
  });
  it('the bit intrinsics also run on the host, 32-bit for numbers, 64-bit for BigInts', () => {
    expect([cuda.popc(-1), cuda.popc(-1n), cuda.bit_count(255), cuda.clz(1), cuda.clz(1n), cuda.ffs(0), cuda.ffs(8n)]).toEqual([32, 64, 8, 31, 63, 0, 4]);
    expect(cuda.brev(1)).toBe(-2147483648);
    expect(cuda.brev(1n)).toBe(-(2n ** 63n));
  });
  it('BigInt scalar arguments, int64 signatures and device arrays of BigInts', async () => {
    const k = cuda.jit(function add(a: BigUint64Array, s: bigint) { a[cuda.grid(1)] += s; }, { target: 'sim', signature: ['uint64[]', 'uint64'] });
    const d = cuda.toDevice(new BigUint64Array([1n, 2n ** 64n - 1n]), { target: 'sim' });
    await k.configure(1, 2)(d, 2n);
    expect(Array.from(await d.copyToHost())).toEqual([3n, 1n]);
    await expect(k.configure(1, 2)(d, 2)).rejects.toThrow(/cannot take/);
    const e = cuda.deviceArray(3, i64, { target: 'sim' });
    expect(e.dtype).toBe('i64');
  });
});
