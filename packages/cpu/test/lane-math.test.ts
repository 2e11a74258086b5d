// The vector kernels of exp, log, sin and cos in lane groups
// (codegen/lane-math-ir.ts) against the simulator (JS's Math, rounded to f32
// for f32), over sweeps and the special values and range-reduction edges of
// each function, at the lane widths the cpu uses: 16 (a grid-stride f32
// loop), 8 (a compute loop; f64) and 4 (NUMBAT_CPU_LANES=4, the width
// without AVX2). Bound: 1 ulp apart from the simulator — the kernels are
// within 1 ulp of the correctly rounded result in f64 (measured ≤ 0.77) and
// ~0.5 ulp in f32, the simulator's f64 functions within 1 ulp as well, so a
// difference of 2 ulp could in principle appear in f64; none does on these inputs.
import { describe, expect, it } from 'vitest';
import { cuda, random } from '@numbat/core';
import { NativeModule } from '@numbat/llvm';
import { f32InF32, laneMathModule, laneMathName, LANE_MATH_FNS, sinCosName, umulhiName } from '../dist/codegen/lane-math-ir.js';
import { AARCH64_GENERIC, hostTarget } from '../dist/codegen/target.js';
import { withLanes } from './helpers.js';

type Fn = 'exp' | 'log' | 'sin' | 'cos';
type T = 'f32' | 'f64';

/** Distance in units in the last place (representable values between a and b); 0 for two NaNs. */
function ulpDistance(a: number, b: number, t: T): number {
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) && Number.isNaN(b) ? 0 : Infinity;
  if (a === b) return Object.is(a, b) ? 0 : Infinity; // +0 vs −0 is a real difference
  if (!Number.isFinite(a) || !Number.isFinite(b)) return Infinity;
  const dv = new DataView(new ArrayBuffer(8));
  const ordered = (v: number): bigint => {
    let i: bigint;
    if (t === 'f32') { dv.setFloat32(0, v); i = BigInt(dv.getInt32(0)); return i < 0n ? -(i & 0x7fffffffn) : i; }
    dv.setFloat64(0, v); i = dv.getBigInt64(0);
    return i < 0n ? -(i & 0x7fffffffffffffffn) : i;
  };
  const d = ordered(a) - ordered(b);
  return Number(d < 0n ? -d : d);
}

const SPECIAL = [0, -0, Infinity, -Infinity, NaN, 1, -1, 2, 0.5, Number.MIN_VALUE, -Number.MIN_VALUE, 2 ** -1022, 2 ** -1023 * 1.5,
  Number.MAX_VALUE, -Number.MAX_VALUE, 2 ** -149, 2 ** -126, 3.4028234663852886e38, 1e-300, 1e300];

/** Inputs for `fn`: a sweep over its interesting range, random points, special values and the edges of its range reduction. */
function inputs(fn: Fn, t: T): number[] {
  const xs: number[] = [...SPECIAL];
  const sweep = (lo: number, hi: number, n: number): void => { for (let i = 0; i <= n; i++) xs.push(lo + ((hi - lo) * i) / n); };
  let seed = 12345;
  const rand = (): number => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
  const near = (v: number): void => { for (const k of [-2, -1, 0, 1, 2]) xs.push(v + k * Math.abs(v) * (t === 'f32' ? 2 ** -23 : 2 ** -52)); };
  if (fn === 'exp') {
    const [lo, hi] = t === 'f32' ? [-110, 95] : [-760, 720];
    sweep(lo, hi, 6000);
    sweep(-1, 1, 2000);
    for (let i = 0; i < 2000; i++) xs.push((rand() - 0.5) * 2 ** (-30 + 35 * rand()));
    // overflow / underflow / subnormal thresholds, and n ln2 ± ln2/2 (the reduction's ends)
    for (const v of t === 'f32' ? [88.72283935546875, 88.7228, -87.33654, -103.27893, -103.97208, -104] : [709.782712893384, 709.7827128933841, -708.3964185322641, -745.1332191019411, -745.1332191019412, -744.44]) near(v);
    for (let n = -30; n <= 30; n++) { near(n * Math.LN2); near((n + 0.5) * Math.LN2); }
  } else if (fn === 'log') {
    for (let i = 0; i < 6000; i++) xs.push(Math.exp((rand() - 0.5) * (t === 'f32' ? 200 : 1400)));
    sweep(0.5, 2, 3000);
    for (let i = 0; i < 500; i++) xs.push(1 + (rand() - 0.5) * 2 ** (-40 * rand()));
    for (const v of [Math.SQRT1_2, Math.SQRT2, 1, 2 ** 10, 2 ** -10, 2 ** -1030, 2 ** -1070, 2 ** -140, 2 ** 127]) near(v);
    for (let i = 0; i < 200; i++) xs.push(-rand() * 100, rand() * 2 ** -1022, rand() * 2 ** -126);
  } else {
    sweep(-10, 10, 4000);
    sweep(-1e4, 1e4, 2000);
    for (let i = 0; i < 2000; i++) xs.push((rand() - 0.5) * 2 ** (50 * rand() - 20));
    // multiples of π/2 (the reduction's cancellation), the fast range's end (2^20) and far beyond (libm lanes)
    for (let k = -40; k <= 40; k++) near((k * Math.PI) / 2);
    for (const k of [1e3, 1e4, 1e5, 333333, 666666, 667544]) { near((k * Math.PI) / 2); near((-k * Math.PI) / 2); }
    for (const v of [2 ** 20, 1048575.5, 1048576.5, 2 ** 21, 1e7, 1e10, 1e22, 6381956970095103 * 2 ** 797, 2 ** 1023]) { near(v); near(-v); }
  }
  return xs;
}

/**
 * The basic blocks of the kernel function (numbat_run_*) that call the scalar
 * libm `fn` and work on vectors: lane code. The kernel keeps scalar copies of
 * the region (the block's tail threads, a group run thread by thread), whose
 * blocks are scalar; lane by lane, the calls sat among the group's vectors.
 */
function libmOnLanePath(ir: string, fn: Fn): string[] {
  const run = ir.split(/\n(?=define )/).filter((f) => /^define .*@numbat_run_/.test(f));
  expect(run.length).toBeGreaterThan(0);
  const call = new RegExp(`call (fast )?(float|double) @${fn}f?\\(`);
  return run.flatMap((f) => f.split(/\n\n/)).filter((blk) => call.test(blk) && /<\d+ x (float|double|i32|i1)>/.test(blk)).map((blk) => blk.slice(0, 200));
}

async function compare(fn: Fn, t: T, shape: 'stride' | 'compute', W = '\\d+'): Promise<void> {
  const Arr = t === 'f32' ? Float32Array : Float64Array;
  const x = Arr.from(inputs(fn, t));
  // a grid-stride loop (16 f32 lanes: it streams 4-byte loads) or a loop that only computes (8 lanes)
  const src = shape === 'stride'
    ? `(function lane_${fn}_${t}_s(x, y) { for (let i = cuda.grid(1); i < x.length; i += cuda.gridsize(1)) y[i] = Math.${fn}(x[i]); })`
    : `(function lane_${fn}_${t}_c(x, y, reps) { const i = cuda.grid(1); if (i >= x.length) return; let v = x[i]; for (let r = 0; r < reps; r++) v = Math.${fn}(v); y[i] = v; })`;
  // eslint-disable-next-line no-eval
  const kernel = (0, eval)(src) as (...a: unknown[]) => void;
  const got = new Arr(x.length), want = new Arr(x.length);
  const args = shape === 'stride' ? [x, got] : [x, got, 1];
  const cpu = cuda.jit(kernel, { target: 'cpu' });
  await cpu.configure(Math.ceil(x.length / 128), 128)(...args);
  await cuda.jit(kernel, { target: 'sim' }).configure(Math.ceil(x.length / 128), 128)(...(shape === 'stride' ? [x, want] : [x, want, 1]));
  const bad: string[] = [];
  for (let i = 0; i < x.length; i++) {
    const d = ulpDistance(got[i], want[i], t);
    // sin/cos lanes with |x| > 2^20 are glibc's: within 1 ulp, except at the hardest argument to reduce
    // (6381956970095103 × 2^797, cos ≈ −4.7e-19, 8 ulp off in glibc): there, to 1e-16 absolute
    const libmLane = (fn === 'sin' || fn === 'cos') && Math.abs(x[i]) > 2 ** 20 && Math.abs(got[i] - want[i]) <= 1e-16;
    if (d > 1 && !libmLane) bad.push(`${fn}(${x[i]}): cpu ${got[i]}, simulator ${want[i]} (${d} ulp)`);
  }
  expect(bad.slice(0, 10), `${bad.length} of ${x.length} inputs more than 1 ulp off`).toEqual([]);
  // the lane group called the vector kernel, and no scalar libm function is left on its path
  // (in f64 all four are core's library of V8's functions, inline: test/math-v8. f64 sin/cos in a
  // grid-stride loop are over the lane cost budget (lane-budget.ts: the loop's copies of the
  // library) and run thread by thread; their lazy arm beyond 2^19·π is the target's function)
  const llvm = await cpu.inspect('llvm', ...args);
  if (t === 'f64' && (fn === 'sin' || fn === 'cos') && shape === 'stride') expect(llvm).not.toMatch(/<\d+ x double>/);
  else if (t === 'f64') expect(llvm).toMatch(new RegExp(`f(mul|div) <${W} x double>`));
  else expect(llvm).toMatch(new RegExp(`call <${W} x (float|double)> @numbat_vmath_${fn}_v${W}${t}\\(`));
  expect(libmOnLanePath(await cpu.inspect('opt', ...args), fn)).toEqual([]);
}

describe('cpu lane groups: vector exp, log, sin, cos match the simulator within 1 ulp', () => {
  for (const t of ['f32', 'f64'] as const) {
    for (const fn of ['exp', 'log', 'sin', 'cos'] as const) {
      it(`${fn} ${t}, grid-stride loop`, () => compare(fn, t, 'stride'));
      it(`${fn} ${t}, compute loop`, () => compare(fn, t, 'compute'));
    }
  }

  it('4-lane groups (the width without AVX2): every function and type', async () => {
    await withLanes('4', async () => {
      for (const t of ['f32', 'f64'] as const) for (const fn of ['exp', 'log', 'sin', 'cos'] as const) await compare(fn, t, 'compute', '4');
    });
  });

  it('f32 sin and cos of one argument (a Box-Muller pair) call one sin-and-cos kernel, within 1 ulp, one reduction and one libm branch for both', async () => {
    const x = Float32Array.from([...inputs('sin', 'f32'), ...inputs('cos', 'f32')]);
    const both = function lane_sincos_f32(x: Float32Array, s: Float32Array, c: Float32Array) {
      for (let i = cuda.grid(1); i < x.length; i += cuda.gridsize(1)) { const v = x[i]; s[i] = Math.sin(v); c[i] = Math.cos(v); }
    };
    const n = x.length, grid = Math.ceil(n / 128);
    const got = [new Float32Array(n), new Float32Array(n)], want = [new Float32Array(n), new Float32Array(n)];
    const cpu = cuda.jit(both, { target: 'cpu' });
    await cpu.configure(grid, 128)(x, got[0], got[1]);
    await cuda.jit(both, { target: 'sim' }).configure(grid, 128)(x, want[0], want[1]);
    const bad: string[] = [];
    for (const [k, fn] of ['sin', 'cos'].entries()) {
      for (let i = 0; i < n; i++) {
        const d = ulpDistance(got[k][i], want[k][i], 'f32');
        const libmLane = Math.abs(x[i]) > 2 ** 20 && Math.abs(got[k][i] - want[k][i]) <= 1e-16;
        if (d > 1 && !libmLane) bad.push(`${fn}(${x[i]}): cpu ${got[k][i]}, simulator ${want[k][i]} (${d} ulp)`);
      }
    }
    expect(bad.slice(0, 10), `${bad.length} of ${2 * n} results more than 1 ulp off`).toEqual([]);
    // the sin and the cos each call the kernel; once optimised, one call is left of each pair:
    // one branch to libm for lanes beyond the fast range (2^20; computed in f32: 2^17, sinf/cosf)
    const count = (text: string, re: RegExp): number => (text.match(re) ?? []).length;
    const calls = count(await cpu.inspect('llvm', x, got[0], got[1]), /call \{ <\d+ x float>, <\d+ x float> \} @numbat_vmath_sincos_v\d+f32\(/g);
    expect(calls).toBeGreaterThanOrEqual(2);
    const far = f32InF32() ? /call \{ <\d+ x float>, <\d+ x float> \} @numbat_vmath_sincosf_libm_v\d+\(/g : /call \{ <\d+ x double>, <\d+ x double> \} @numbat_vmath_sincos_libm_v\d+\(/g;
    const opt = await cpu.inspect('opt', x, got[0], got[1]);
    expect(count(opt, far)).toBe(calls / 2);
    // computed in f64: fewer multiply-adds than a lone sin's and a lone cos's together (those keep
    // the one-polynomial kernels); computed in f32 (hosts with FMA), its exact products are there
    if (f32InF32()) expect(opt).toMatch(/call <\d+ x float> @llvm\.fma\.v\d+f32\(/);
    const fmas = async (kernel: (...a: Float32Array[]) => void): Promise<number> => {
      const text = await cuda.jit(kernel, { target: 'cpu' }).inspect('opt', x, got[0], got[1]);
      return count(text, /call <\d+ x double> @llvm\.fmuladd/g);
    };
    const sinOnly = function lane_sin_only(x: Float32Array, s: Float32Array, _c: Float32Array) { for (let i = cuda.grid(1); i < x.length; i += cuda.gridsize(1)) s[i] = Math.sin(x[i]); };
    const cosOnly = function lane_cos_only(x: Float32Array, _s: Float32Array, c: Float32Array) { for (let i = cuda.grid(1); i < x.length; i += cuda.gridsize(1)) c[i] = Math.cos(x[i]); };
    expect(await cuda.jit(sinOnly, { target: 'cpu' }).inspect('llvm', x, got[0], got[1])).toMatch(/@numbat_vmath_sin_v\d+f32\(/);
    if (!f32InF32()) expect(await fmas(both)).toBeLessThan((await fmas(sinOnly)) + (await fmas(cosOnly)));
  });

  it('Box-Muller (random.normalF32) and exp of a normal, as in option pricing, run without libm calls in the lane group', async () => {
    const payoff = function payoff(states: Uint32Array, out: Float32Array, paths: number) {
      const i = cuda.grid(1);
      if (i >= out.length) return;
      let s = 0;
      for (let p = 0; p < paths; p++) s += Math.exp(0.1 * random.normalF32(states, i));
      out[i] = s;
    };
    const k = cuda.jit(payoff, { target: 'cpu' });
    const n = 256;
    const mk = () => random.createStates(n, 7);
    const got = new Float32Array(n), want = new Float32Array(n);
    await k.configure(2, 128)(mk(), got, 10);
    await cuda.jit(payoff, { target: 'sim' }).configure(2, 128)(mk(), want, 10);
    for (let i = 0; i < n; i++) expect(Math.abs(got[i] - want[i])).toBeLessThanOrEqual(4e-6 * Math.abs(want[i]));
    const opt = await k.inspect('opt', mk(), got, 10);
    for (const fn of ['exp', 'log', 'sin', 'cos'] as const) expect(libmOnLanePath(opt, fn)).toEqual([]);
  });

  it('the module builds for generic AArch64 (f32 computed in f32) and for x86-64 without FMA (in f64; llvm.fmuladd unfused), at every width', () => {
    const names = [4, 8, 16].flatMap((W) => (['f32', 'f64'] as const).flatMap((t) => LANE_MATH_FNS.map((fn) => laneMathName(fn, W, t))));
    names.push(...[4, 8, 16, 32, 64].map(umulhiName), ...[4, 8, 16].map(sinCosName));
    for (const target of [AARCH64_GENERIC, { triple: 'x86_64-unknown-linux-gnu', cpu: 'x86-64', features: '', reloc: 2 }]) {
      const inF32 = target === AARCH64_GENERIC; // what such a host picks (f32InF32)
      const text = laneMathModule(['unrelated_function', ...names], inF32);
      for (const n of names) expect(text).toContain(`@${n}(`);
      expect(text.includes('@llvm.fma.v16f32')).toBe(inF32); // the sin-and-cos kernel computed in f32
      const nm = NativeModule.parse(text, 'lane-math');
      try {
        nm.setTarget(target);
        expect(nm.verify()).toBeUndefined();
        nm.optimize(target, 'default<O2>');
        const asm = nm.emit(target, 'asm').toString();
        expect(asm).not.toMatch(/\b(call|bl)\s+_*fmaf?\b/); // fmuladd never becomes a libm fma call, nor llvm.fma on AArch64
        expect(asm).toMatch(target === AARCH64_GENERIC ? /fmla\s+v\d+\.2d/ : /mulpd/);
      } finally {
        nm.dispose();
      }
    }
  });
});

describe('cpu lane groups: cuda.umulhi (the Philox rounds) at every width', () => {
  // a loop of dependent high products, as the rounds are; the inputs include the extremes of both operands
  const chain = function umulhi_chain(a: Uint32Array, b: Uint32Array, out: Uint32Array, reps: number) {
    const i = cuda.grid(1);
    if (i >= out.length) return;
    let x = a[i];
    const m = b[i];
    for (let r = 0; r < reps; r++) x = (cuda.umulhi(x, m) ^ Math.imul(x, m) ^ r) >>> 0;
    out[i] = cuda.umulhi(a[i], m) === 0 ? x : (x ^ cuda.umulhi(m, a[i])) >>> 0;
  };
  const n = 1024;
  let seed = 99;
  const rand = (): number => (seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0);
  const edges = [0, 1, 2, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff, 0xd2511f53, 0xcd9e8d57];
  const a = Uint32Array.from({ length: n }, (_, k) => (k < edges.length * edges.length ? edges[k % edges.length] : rand()));
  const b = Uint32Array.from({ length: n }, (_, k) => (k < edges.length * edges.length ? edges[Math.floor(k / edges.length)] : rand()));
  const want = new Uint32Array(n);
  const sim = (): Promise<void> => cuda.jit(chain, { target: 'sim' }).configure(n / 256, 256)(a, b, want, 3);

  for (const W of ['4', '8', '16', '32', '64']) {
    it(`${W} lanes: the same words as the simulator; x86 calls the even/odd product kernel`, async () => {
      if (want.every((v) => v === 0)) await sim();
      const got = new Uint32Array(n);
      const k = cuda.jit(chain, { target: 'cpu' });
      const llvm = await withLanes(W, async () => {
        await k.configure(n / 256, 256)(a, b, got, 3);
        return k.inspect('llvm', a, b, got, 3);
      });
      expect(Array.from(got)).toEqual(Array.from(want));
      if (/^x86_64/.test(hostTarget().triple)) expect(llvm).toContain(`@${umulhiName(Number(W))}(`);
    });
  }

  it('a loop of Philox draws runs 32 lanes wide on an AVX-512 host (16 with AVX2) and gives the simulator\'s sums', async () => {
    const sums = function sum_uniforms(states: Uint32Array, out: Float32Array, draws: number) {
      const i = cuda.grid(1);
      if (i >= out.length) return;
      let s = 0;
      for (let k = 0; k < draws; k++) s += random.uniformF32(states, i);
      out[i] = s;
    };
    const threads = 200; // 4 blocks of 64: the last block's group is partly active
    const got = new Float32Array(threads), ref = new Float32Array(threads);
    const k = cuda.jit(sums, { target: 'cpu' });
    const llvm = await withLanes(undefined, async () => {
      await k.configure(4, 64)(random.createStates(threads, 3), got, 9);
      return k.inspect('llvm', random.createStates(threads, 3), got, 9);
    });
    await cuda.jit(sums, { target: 'sim' }).configure(4, 64)(random.createStates(threads, 3), ref, 9);
    expect(Array.from(got)).toEqual(Array.from(ref));
    const features = hostTarget().features;
    expect(llvm).not.toMatch(/<64 x i32>/); // (twice the code for 1–9 %: lane-width.ts)
    if (/\+avx512f\b/.test(features)) expect(llvm).toMatch(/<32 x i32>/);
    else if (/\+avx2\b/.test(features)) expect(llvm).toMatch(/<16 x i32>/);
    // blocks that are not a multiple of the width: wide groups, then 8-lane groups, then single threads
    for (const [grid, block] of [[2, 200], [3, 20], [1, 71]]) {
      const n = grid * block - 3, sc = random.createStates(n, 5), ss = random.createStates(n, 5);
      const g = new Float32Array(n), r = new Float32Array(n);
      await k.configure(grid, block)(sc, g, 13);
      await cuda.jit(sums, { target: 'sim' }).configure(grid, block)(ss, r, 13);
      expect(Array.from(g), `${grid} × ${block}`).toEqual(Array.from(r));
      expect(Array.from(sc), `${grid} × ${block}: final states`).toEqual(Array.from(ss));
    }
  });

  it('a loop of f64 draws runs 32 lanes wide on an AVX-512 host and gives the simulator\'s sums', async () => {
    const sums = function sum_uniforms64(states: Uint32Array, out: Float64Array, draws: number) {
      const i = cuda.grid(1);
      if (i >= out.length) return;
      let s = 0;
      for (let k = 0; k < draws; k++) s += random.uniformF64(states, i);
      out[i] = s;
    };
    const threads = 100; // 2 blocks of 64: the second group is partly active
    const got = new Float64Array(threads), ref = new Float64Array(threads);
    const k = cuda.jit(sums, { target: 'cpu' });
    const llvm = await withLanes(undefined, async () => {
      await k.configure(2, 64)(random.createStates(threads, 4), got, 7);
      return k.inspect('llvm', random.createStates(threads, 4), got, 7);
    });
    await cuda.jit(sums, { target: 'sim' }).configure(2, 64)(random.createStates(threads, 4), ref, 7);
    expect(Array.from(got)).toEqual(Array.from(ref));
    if (/\+avx512f\b/.test(hostTarget().features)) expect(llvm).toMatch(/<32 x double>/);
  });

  it("f64 math in a loop its lanes leave by a break (over the budget at 32 lanes) runs 32 wide on an AVX-512 host, held to the 16-lane budget, with the simulator's sums", async () => {
    // An up-and-out barrier call: a path stops at the barrier.
    const barrier = function barrier_call(states: Uint32Array, out: Float32Array, paths: number, steps: number, level: number, vol: number) {
      const i = cuda.grid(1);
      if (i >= out.length) return;
      let acc = 0;
      for (let p = 0; p < paths; p++) {
        let s = 100, alive = true;
        for (let t = 0; t < steps; t++) {
          s *= Math.exp(0.0005 + vol * random.normalF32(states, i));
          if (s >= level) { alive = false; break; }
        }
        if (alive) acc += Math.max(s - 100, 0);
      }
      out[i] = acc;
    };
    const threads = 150, args = (out: Float32Array) => [random.createStates(threads, 6), out, 5, 40, 112, 0.03];
    const got = new Float32Array(threads), ref = new Float32Array(threads);
    const k = cuda.jit(barrier, { target: 'cpu' });
    const llvm = await withLanes(undefined, async () => {
      await k.configure(3, 64)(...args(got));
      return k.inspect('llvm', ...args(got));
    });
    await cuda.jit(barrier, { target: 'sim' }).configure(3, 64)(...args(ref));
    for (let j = 0; j < threads; j++) expect(Math.abs(got[j] - ref[j]), `thread ${j}`).toBeLessThanOrEqual(1e-4 * Math.max(1, Math.abs(ref[j])));
    expect(ref.some((v) => v === 0) && ref.some((v) => v > 0)).toBe(true); // paths knocked out and paths that paid
    if (/\+avx512f\b/.test(hostTarget().features)) expect(llvm).toMatch(/<32 x double>/); // (16 before: 1.2× slower)
  });
});
