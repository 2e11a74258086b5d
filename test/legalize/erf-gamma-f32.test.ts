// Core's f32 erf/erfc/gamma/lgamma (legalize/erf-gamma-f32.ts), what a target
// without 'math-erf-gamma' in caps.native (webgpu) runs: the legalised IR run in
// the simulator, measured in ulps against the f64 reference (math-ref.ts) over
// sweeps of each function's range; special values exact; only simple operations
// left; calls in lazy arms and loop conditions still evaluated only when JS would.
// The bounds asserted are the ones docs/language.md states.

import { describe, expect, it } from 'vitest';
import { legalize, printIR, simBackend, forEachStmt, stmtExprs, forEachExpr, NATIVE_OPS } from '@numbat/core';
import type { Expr, KernelIR, MathFn, Stmt } from '@numbat/core';
import { erfRef, gammaRef } from '../../packages/core/src/math-ref.js';

type Fn = 'erf' | 'erfc' | 'gamma' | 'lgamma';
const REF: Record<Fn, (x: number) => number> = {
  erf: (x) => erfRef(x, false), erfc: (x) => erfRef(x, true), gamma: (x) => gammaRef(x, false), lgamma: (x) => gammaRef(x, true),
};

const i32 = (value: number): Expr => ({ kind: 'const', type: 'i32', value });
const f32c = (value: number): Expr => ({ kind: 'const', type: 'f32', value });
const tid: Expr = { kind: 'binary', op: 'add', opType: 'i32', type: 'i32', a: { kind: 'binary', op: 'mul', opType: 'i32', type: 'i32', a: { kind: 'special', reg: 'blockIdx', dim: 0, type: 'i32' }, b: i32(256) }, b: { kind: 'special', reg: 'threadIdx', dim: 0, type: 'i32' } };
const loadX = (index: Expr = tid): Expr => ({ kind: 'load', array: { space: 'global', param: 0 }, index, type: 'f32' });
const call = (fn: MathFn, x: Expr, type: 'f32' | 'f64' = 'f32'): Expr => ({ kind: 'math', fn, type, args: [x] });
const store = (value: Expr, index: Expr = tid): Stmt => ({ kind: 'store', array: { space: 'global', param: 1 }, index, value });

function kernel(name: string, body: Stmt[], locals: KernelIR['locals'] = []): KernelIR {
  return {
    name, params: [{ name: 'x', type: { kind: 'array', elem: 'f32' }, written: false, atomic: false }, { name: 'o', type: { kind: 'array', elem: 'f32' }, written: true, atomic: false }],
    locals, arrays: [], body, float: 'f32', hasBarrier: false, source: { firstLine: 1, text: '' },
  };
}

async function runSim(ir: KernelIR, xs: ArrayLike<number>, outLength = xs.length): Promise<Float32Array> {
  const n = Math.ceil(xs.length / 256) * 256;
  const x = new Float32Array(n); x.set(Array.from(xs));
  const o = new Float32Array(Math.max(n, outLength));
  const k = await simBackend.compile(ir, { float: 'f32', boundscheck: true, fastmath: false, cache: false, cacheKey: '' });
  await simBackend.launch(k, { grid: [n / 256, 1, 1], block: [256, 1, 1], sharedMem: 0 },
    [{ kind: 'array', elem: 'f32', length: x.length, host: x }, { kind: 'array', elem: 'f32', length: o.length, host: o }]);
  return o;
}

/** The legalised function (nothing native) at each x. */
async function library(fn: Fn, xs: number[]): Promise<Float32Array> {
  return runSim(legalize(kernel(fn, [store(call(fn, loadX()))])), xs);
}

const ulp = (w: number): number => (Math.abs(w) < 2 ** -126 ? 2 ** -149 : 2 ** (Math.floor(Math.log2(Math.abs(w))) - 23));

function sweep(lo: number, hi: number, n: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push(Math.fround(lo + ((hi - lo) * (i + 0.5)) / n));
  return out;
}

/** Worst error in ulps of the exact value; where |exact| < absBelow, the worst absolute error instead. */
async function worst(fn: Fn, xs: number[], absBelow = 0): Promise<{ ulps: number; abs: number; at: number }> {
  const got = await library(fn, xs);
  let ulps = 0, abs = 0, at = NaN;
  xs.forEach((x, i) => {
    const w = REF[fn](x), g = got[i];
    if (!Number.isFinite(Math.fround(w))) { if (!Object.is(g, Math.fround(w))) ulps = Infinity; return; } // overflow (or NaN) exactly
    if (Math.abs(w) < absBelow) { abs = Math.max(abs, Math.abs(g - w)); return; }
    const e = Math.abs(g - w) / ulp(w);
    if (e > ulps) { ulps = e; at = x; }
  });
  return { ulps, abs, at };
}

describe('f32 erf/erfc/gamma/lgamma library: accuracy against the f64 reference', () => {
  it('erf: ≤ 1.5 ulp', async () => {
    const r = await worst('erf', [...sweep(-5, 5, 30000), ...sweep(-1e-3, 1e-3, 2000), ...sweep(0.9, 1.1, 4000)]);
    expect(r.ulps, `at ${r.at}`).toBeLessThanOrEqual(1.5);
  });
  it('erfc: ≤ 2 ulp where normal, ≤ 2 subnormal steps below', async () => {
    const r = await worst('erfc', [...sweep(-5, 10.1, 30000), ...sweep(0.45, 1.6, 6000), ...sweep(3.9, 4.1, 2000)], 2 ** -126);
    expect(r.ulps, `at ${r.at}`).toBeLessThanOrEqual(2);
    expect(r.abs).toBeLessThanOrEqual(2 * 2 ** -149);
  });
  it('gamma: ≤ 1.5 ulp for x > 0, ≤ 4 ulp for x < 0 (non-integer, above the underflow)', async () => {
    const pos = await worst('gamma', [...sweep(0, 35.04, 30000), ...sweep(0, 1e-4, 1000)]);
    expect(pos.ulps, `at ${pos.at}`).toBeLessThanOrEqual(1.5);
    const neg = await worst('gamma', [...sweep(-41, 0, 30000), ...sweep(-3.01, -2.99, 1000)].filter((x) => x !== Math.floor(x)), 2 ** -126);
    expect(neg.ulps, `at ${neg.at}`).toBeLessThanOrEqual(4);
  });
  it('lgamma: ≤ 2.5 ulp for x > 0 (also at its zeros 1 and 2); x < 0: ≤ 2.5 ulp where |lgamma| ≥ 1, else ≤ 2e-7 absolute', async () => {
    const pos = await worst('lgamma', [...sweep(0, 12, 30000), ...sweep(0.99, 1.01, 2000), ...sweep(1.99, 2.01, 2000), ...sweep(12, 1e7, 3000), ...sweep(1e7, 3e38, 1000)]);
    expect(pos.ulps, `at ${pos.at}`).toBeLessThanOrEqual(2.5);
    const neg = await worst('lgamma', sweep(-60, 0, 30000).filter((x) => x !== Math.floor(x)), 1);
    expect(neg.ulps, `at ${neg.at}`).toBeLessThanOrEqual(2.5);
    expect(neg.abs).toBeLessThanOrEqual(2e-7);
  });
});

describe('f32 erf/erfc/gamma/lgamma library: special values', () => {
  const X = [NaN, Infinity, -Infinity, 0, -0, 1, 2, -1, -2, -3, -1e30, -3.4e38, 3.4e38, 1e-45, -1e-45, 35.05, 36, -50.5, 10.3, -10.3, 27];
  for (const fn of ['erf', 'erfc', 'gamma', 'lgamma'] as const) {
    it(`${fn}: NaN, ±Infinity, ±0, poles, overflow and underflow as the simulator gives them`, async () => {
      const got = await library(fn, X);
      X.forEach((x, i) => {
        const want = Math.fround(REF[fn](Math.fround(x)));
        // Exact where the result is not an ordinary number; otherwise within the bound.
        if (!Number.isFinite(want) || want === 0) expect(Object.is(got[i], want) || (Number.isNaN(want) && Number.isNaN(got[i])), `${fn}(${x}) = ${got[i]}, want ${want}`).toBe(true);
        else expect(Math.abs(got[i] - want) / ulp(want), `${fn}(${x})`).toBeLessThanOrEqual(4.5);
      });
    });
  }
});

describe('f32 erf/erfc/gamma/lgamma library: the IR it leaves', () => {
  it('uses only operations every backend renders (no erf/gamma, no float min/max, round, sign, float → i32)', () => {
    for (const fn of ['erf', 'erfc', 'gamma', 'lgamma'] as const) {
      const ir = legalize(kernel(fn, [store(call(fn, loadX()))]));
      forEachStmt(ir.body, (s) => stmtExprs(s).forEach((root) => forEachExpr(root, (e) => {
        if (e.kind === 'math') expect(['floor', 'abs', 'ldexp', 'frexpMant', 'frexpExp', 'copysign']).toContain(e.fn);
        if (e.kind === 'binary' && e.opType === 'f32') expect(['min', 'max']).not.toContain(e.op);
        if (e.kind === 'convert' && e.x.type === 'f32') expect(e.type).toBe('u32');
      })));
      expect(ir.locals.length).toBeLessThan(700);
    }
  });
  it('is left alone for a backend with the math library (cpu, cuda) and for f64', () => {
    const ir = kernel('native', [store(call('erf', loadX()))]);
    expect(printIR(legalize(ir, ['math-erf-gamma']))).toBe(printIR(ir));
    expect(printIR(legalize(ir, NATIVE_OPS))).toBe(printIR(ir));
    const f64 = kernel('f64', [store({ kind: 'convert', type: 'f32', x: call('gamma', { kind: 'convert', type: 'f64', x: loadX() }, 'f64') })]);
    expect(printIR(legalize(f64))).toBe(printIR(f64));
  });
});

describe('f32 erf/erfc/gamma/lgamma library: lazy contexts', () => {
  const x = loadX();
  const lt = (a: Expr, b: Expr): Expr => ({ kind: 'binary', op: 'lt', opType: 'f32', type: 'bool', a, b });
  it('a ?: arm becomes an if: the arm is evaluated only when chosen (an out-of-bounds load there never runs)', async () => {
    // o[i] = x[i] < 1 ? erf(x[i]) : gamma(x[i + 1000000])
    const far: Expr = loadX({ kind: 'binary', op: 'add', opType: 'i32', type: 'i32', a: tid, b: i32(1000000) });
    const ir = kernel('arm', [store({ kind: 'cond', type: 'f32', c: lt(x, f32c(1)), a: call('erf', x), b: call('gamma', far) })]);
    const legal = legalize(ir);
    expect(legal.body.some((s) => s.kind === 'if')).toBe(true);
    const xs = [-2, -0.5, 0, 0.3, 0.99];
    const got = await runSim(legal, xs);
    xs.forEach((v, i) => expect(Math.abs(got[i] - REF.erf(Math.fround(v))) / ulp(REF.erf(Math.fround(v)))).toBeLessThanOrEqual(1.5));
  });
  it('the right of && and a loop condition: statements go into the arm and the loop head', async () => {
    // t = x; n = 0; while (n < 40 && erf(t) > 0.5) { t -= 0.25; n += 1 }; o[i] = n
    const t: Expr = { kind: 'local', id: 0, type: 'f32' }, n: Expr = { kind: 'local', id: 1, type: 'i32' };
    const cond: Expr = { kind: 'logical', op: 'and', type: 'bool', a: { kind: 'binary', op: 'lt', opType: 'i32', type: 'bool', a: n, b: i32(40) }, b: lt(f32c(0.5), call('erf', t)) };
    const body: Stmt[] = [
      { kind: 'assign', local: 0, value: x }, { kind: 'assign', local: 1, value: i32(0) },
      { kind: 'loop', cond, body: [{ kind: 'assign', local: 0, value: { kind: 'binary', op: 'sub', opType: 'f32', type: 'f32', a: t, b: f32c(0.25) } }, { kind: 'assign', local: 1, value: { kind: 'binary', op: 'add', opType: 'i32', type: 'i32', a: n, b: i32(1) } }], update: [] },
      store({ kind: 'convert', type: 'f32', x: n }),
    ];
    const ir = kernel('loop', body, [{ id: 0, name: 't', type: 'f32' }, { id: 1, name: 'n', type: 'i32' }]);
    const legal = legalize(ir);
    const loop = legal.body.find((s) => s.kind === 'loop') as Stmt & { kind: 'loop' };
    expect(loop.cond).toBeUndefined();
    const xs = [-1, 0.1, 0.6, 1.3, 2.2, 7.9, NaN];
    expect(Array.from(await runSim(legal, xs)).slice(0, xs.length)).toEqual(Array.from(await runSim(ir, xs)).slice(0, xs.length));
  });
});
