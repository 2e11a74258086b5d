// The IR's `bitcast` (f64 <-> i64/u64, f32 <-> i32/u32; core's f64 library reads a double's words
// with it): a hand-built kernel on every target that has the types (sim, cpu in a lane group and
// thread by thread, webgpu for the 32-bit forms) gives the bits a DataView gives; constant folding
// and the verifier agree.

import { describe, expect, it } from 'vitest';
import { evalBitcast, loadBackend, printIR, targetAvailability, verifyIR } from '@numbat/core';
import type { ElemType, Expr, KernelIR, LaunchArg, ScalarType, Target } from '@numbat/core';

const tid: Expr = { kind: 'special', reg: 'threadIdx', dim: 0, type: 'i32' };
const load = (p: number, t: ScalarType): Expr => ({ kind: 'load', array: { space: 'global', param: p }, index: tid, type: t });
const cast = (type: ScalarType, x: Expr): Expr => ({ kind: 'bitcast', type, x });
const store = (p: number, value: Expr) => ({ kind: 'store' as const, array: { space: 'global' as const, param: p }, index: tid, value });

/** o[i] = bits(a[i]); p[i] = the float after a[i] (bits + 1) as a round trip through the integer; q[i] = the float of bits n[i]. */
function kernel(w: 32 | 64): KernelIR {
  const [f, u, i] = (w === 32 ? ['f32', 'u32', 'i32'] : ['f64', 'u64', 'i64']) as [ScalarType & ElemType, ScalarType & ElemType, ScalarType & ElemType];
  const one: Expr = { kind: 'const', type: i, value: w === 32 ? 1 : 1n };
  const next = cast(f, { kind: 'binary', op: 'add', opType: i, type: i, a: cast(i, load(0, f)), b: one });
  return {
    name: `bitcast${w}`, float: w === 32 ? 'f32' : 'f64', hasBarrier: false, source: { firstLine: 1, text: '' }, locals: [], arrays: [],
    params: [f, u, f, u, f].map((elem, k) => ({ name: 'aopnq'[k], type: { kind: 'array', elem }, written: k === 1 || k === 2 || k === 4, atomic: false })),
    body: [store(1, cast(u, load(0, f))), store(2, next), store(4, cast(f, load(3, u)))],
  };
}

const N = 64;
const F32 = [0, -0, 1, -1, 1.5, Math.fround(Math.PI), 2 ** -149, 2 ** -126, -(2 ** 127), 3.4028234663852886e38, Infinity, -Infinity];
const F64 = [0, -0, 1, -1, 1.5, Math.PI, 2 ** -1074, 2 ** -1022, -(2 ** 1023), Number.MAX_VALUE, Infinity, -Infinity];
const floats = (w: 32 | 64) => Array.from({ length: N }, (_, k) => (k < 12 ? (w === 32 ? F32 : F64)[k] : (k % 2 ? -1 : 1) * Math.exp((k - 32) * (w === 32 ? 2.5 : 20))));

/** What the DataView gives: bits of each float, the next float, and the float of each bit pattern. */
function expected(w: 32 | 64, a: number[], n: (number | bigint)[]) {
  const dv = new DataView(new ArrayBuffer(8));
  const bits = (x: number) => { if (w === 32) { dv.setFloat32(0, x); return dv.getUint32(0); } dv.setFloat64(0, x); return dv.getBigUint64(0); };
  const float = (b: number | bigint) => { if (w === 32) { dv.setUint32(0, Number(b)); return dv.getFloat32(0); } dv.setBigUint64(0, BigInt(b)); return dv.getFloat64(0); };
  const wrap = (b: number | bigint) => (w === 32 ? Number(b) >>> 0 : BigInt.asUintN(64, BigInt(b)));
  return { o: a.map(bits), p: a.map((x) => float(wrap(w === 32 ? (bits(x) as number) + 1 : (bits(x) as bigint) + 1n))), q: n.map(float) };
}

async function run(target: Target, w: 32 | 64) {
  const a = floats(w);
  const n = a.map((_, k) => (w === 32 ? (k * 0x9e3779b9) >>> 0 : BigInt.asUintN(64, BigInt(k) * 0x9e3779b97f4a7c15n)));
  const F = w === 32 ? Float32Array : Float64Array;
  const host = [F.from(a), w === 32 ? new Uint32Array(N) : new BigUint64Array(N), new F(N), w === 32 ? Uint32Array.from(n as number[]) : BigUint64Array.from(n as bigint[]), new F(N)];
  const elems: ElemType[] = w === 32 ? ['f32', 'u32', 'f32', 'u32', 'f32'] : ['f64', 'u64', 'f64', 'u64', 'f64'];
  const backend = await loadBackend(target);
  const k = await backend.compile(kernel(w), { float: w === 32 ? 'f32' : 'f64', boundscheck: true, debug: false, fastmath: false, cache: false, cacheKey: '' });
  await backend.launch(k, { grid: [1, 1, 1], block: [N, 1, 1], sharedMem: 0 }, host.map((h, i) => ({ kind: 'array', elem: elems[i], length: N, host: h }) as LaunchArg));
  const want = expected(w, a, n);
  // NaN bit patterns among q: compare as NaN (a NaN's payload is the target's)
  const same = (x: unknown, y: unknown) => Object.is(x, y) || (Number.isNaN(x) && Number.isNaN(y));
  const diff = (name: string, got: ArrayLike<unknown>, exp: unknown[]) => exp.flatMap((x, i) => (same(got[i], x) ? [] : [`${name}[${i}]: ${String(got[i])}, want ${String(x)}`]));
  return [...diff('o', host[1], want.o), ...diff('p', host[2], want.p), ...diff('q', host[4], want.q)];
}

const targets: Target[] = ['sim', 'cpu', 'webgpu'];
const avail = Object.fromEntries(await Promise.all(targets.map(async (t) => [t, await targetAvailability(t)])));

describe('IR bitcast', () => {
  it('verifies same-width float <-> integer casts only; folds as a DataView reads', () => {
    expect(() => verifyIR(kernel(64))).not.toThrow();
    expect(printIR(kernel(32))).toMatch(/bitcast\.u32\(/);
    const bad = kernel(32);
    (bad.body[0] as { value: Expr }).value = cast('u64', load(0, 'f32'));
    expect(() => verifyIR(bad)).toThrow(/bitcast f32 to u64/);
    expect(evalBitcast('f64', 'u64', 1)).toBe(0x3ff0000000000000n);
    expect(evalBitcast('u64', 'f64', 0x8000000000000000n)).toBe(-0);
    expect(evalBitcast('f32', 'i32', -2)).toBe(-0x40000000);
    expect(evalBitcast('u32', 'f32', 0x7f800000)).toBe(Infinity);
  });
  for (const target of targets) {
    const a = avail[target];
    for (const w of [32, 64] as const) {
      const lanes = target === 'cpu' ? [undefined, '1'] : [undefined];
      for (const l of lanes) {
        it.skipIf(!a.ok || (w === 64 && target === 'webgpu'))(`${w}-bit on ${target}${l ? ' thread by thread' : ''}${a.ok ? '' : ` (skipped: ${a.reason})`}`, async () => {
          const before = process.env.NUMBAT_CPU_LANES;
          if (l) process.env.NUMBAT_CPU_LANES = l;
          try { expect(await run(target, w)).toEqual([]); } finally { if (before === undefined) delete process.env.NUMBAT_CPU_LANES; else process.env.NUMBAT_CPU_LANES = before; }
        });
      }
    }
  }
});
