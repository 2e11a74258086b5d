// @ts-nocheck: cases are data for the frontend and probe JavaScript semantics TypeScript's checker refuses.
import { cuda } from '@numbat/core';
import { ramp, type CorpusCase } from './types.js';

// Regressions of issue 11 (fuzz seed 553064): a legalised operation that uses its
// operand several times (Math.round, integer division, ToInt32, truthiness, min/max)
// inside a lazy operand (of ?:, &&, ||, a loop condition) was repeated instead of
// computed once, and nested ones grew the code exponentially. Each kernel's source is
// text run twice: compiled, and (the reference) as plain JavaScript, thread after thread.

const f64 = (x: number) => +x, u32 = (x: number) => x >>> 0, i32 = (x: number) => x | 0, i8 = (x: number) => (x << 24) >> 24;

/** The kernel of `src`, and the same source as a JS function of (cuda, the threads' index) for the reference. */
function twice(src: string): { kernel: (...a: any[]) => void; js: (thread: number, ...a: any[]) => void } {
  const kernel = new Function(`return (${src})`)();
  const atomic = (f: (o: number, v: number) => number) => (a: any, i: number, v: number) => { const o = a[i]; a[i] = f(o, v); return o; };
  const nan = (pick: (a: number, b: number) => number) => (o: number, v: number) => (Number.isNaN(v) ? o : Number.isNaN(o) ? v : pick(o, v));
  const js = (thread: number, ...args: any[]) => {
    const mock = {
      grid: () => thread, laneid: thread & 31, range: cuda.range, fma: cuda.fma,
      umulhi: (x: number, y: number) => Number((BigInt(x >>> 0) * BigInt(y >>> 0)) >> 32n),
      atomic: { add: atomic((o, v) => o + v), xor: atomic((o, v) => o ^ v), nanmin: atomic(nan(Math.min)) },
    };
    new Function('cuda', 'f64', 'u32', 'i32', 'i8', `return (${src})`)(mock, f64, u32, i32, i8)(...args);
  };
  return { kernel, js };
}

/** A case whose reference runs the kernel's source as JS for threads 0..threads-1. */
function lazyCase(name: string, covers: string, src: string, threads: number, args: () => any[], outputs: number[], extra: Partial<CorpusCase> = {}): CorpusCase {
  const { kernel, js } = twice(src);
  const block = Math.min(threads, 32);
  return {
    name, covers: [covers], kernel, grid: threads / block, block, args, outputs,
    reference: (a) => { for (let t = 0; t < threads; t++) js(t, ...a); },
    ...extra,
  };
}

const INI = [1, -1, 2, 3, 7, -8, 100, 65535, 65536, 2147483647, -2147483648, 1073741824, -123456, 46341, 12345678, 0];
const INU = [255, 4294967295, 2147483648, 2147483647, 65536, 3000000000, 16, 99, 0, 1, 2, 3, 255, 4294967295, 2147483648, 2147483647];
const INF = [1e-7, 10000000000, -1e20, 2.5e-310, 0.1, 123.456, 16777217, 1e300, Infinity, -Infinity, NaN, 2147483648.5, 0, 0, 0.5, -1.5];
const INF32 = [1e-7, 10000000000, -1e20, 2.5e-30, 0.1, 123.456, 16777217, 1e30, Infinity, -Infinity, NaN, 2147483648.5, 0, -0, 0.5, -1.5];
// Exact in f32 and moderate: f32 data's arithmetic rounds like JS's here.
const SMALL = [0.375, -2.5, 3.75, 0.5, -0.5, 1.5, -1.5, 2.5, 0, -0, 7.25, -3.75, 100.5, NaN, Infinity, 12.5];

// The statement the fuzzer's kernel reduced to (f64() dropped so that f32-only targets run it).
const REDUCED = `function lazyShareReduced(inI, inU, inF, oU, n, flag, vf3, v) {
  const i = cuda.grid(1);
  if (i >= n) return;
  const vu2 = v >>> 0;
  oU[i * 2] = (flag ? vu2 : inU[((Math.trunc((-100) / (((Math.trunc((-2) / (((Math.round(inF[((~inI[((Math.fround(inF[((inU[(i & 15)] % ((((flag ? u32(inI.length) : (vf3 >>> 0)) & 7) + 1) >>> 0)) & 15)]) | 0) & 15)]) & 15)]) | 0) & 7) + 1)) | 0) & 7) + 1)) | 0) & 15)]);
  oU[i * 2 + 1] = (!flag ? vu2 : inU[((Math.trunc((-100) / (((Math.trunc((-2) / (((Math.round(inF[((~inI[((Math.fround(inF[((inU[(i & 15)] % ((((!flag ? u32(inI.length) : (vf3 >>> 0)) & 7) + 1) >>> 0)) & 15)]) | 0) & 15)]) & 15)]) | 0) & 7) + 1)) | 0) & 7) + 1)) | 0) & 15)]);
}`;

// Nestings of ?:, && and || around operations that use their operand more than once.
const NESTED = `function lazyShareNested(inI, inF, out, outF, n) {
  const i = cuda.grid(1);
  if (i >= n) return;
  const p = inI[i & 15], q = inI[(i + 5) & 15], x = inF[i & 15], y = inF[(i + 3) & 15];
  out[i * 6] = p > 0 ? (q < 3 ? (Math.round(x * 1.5 + y) | 0) : (Math.trunc(p / (q + i)) | 0)) : (Math.round(x - y) | 0);
  out[i * 6 + 1] = ((p !== 0 && ((q / p) | 0) > 1) || (Math.round(x * y) > 2 && !(Math.max(x, y - 1)))) ? 1 : 0;
  out[i * 6 + 2] = (x ? Math.sign(x - 1) : Math.min(x, y * 2)) | 0;
  out[i * 6 + 3] = i > 2 ? (i > 4 ? (i > 6 ? (Math.trunc(q / (p - i)) | 0) : (Math.trunc(p / (i - 3)) | 0)) : (Math.trunc(-7 / (i - 2)) | 0)) : (Math.round(x / (i + 1)) | 0);
  out[i * 6 + 4] = (i & 1 ? (x + 1 !== 0 || Math.round(y / 3) > 1) : (!(y * 2) && Math.round(x + (q & 7)) > 0)) ? 1 : 0;
  out[i * 6 + 5] = ((Math.trunc(p / (q | 1)) | 0) % 5 === 0 ? (Math.trunc(q / (p - 1)) | 0) % 7 : ((p & 3) === 1 && (Math.trunc(q / (i - 9)) | 0) > 0 ? (Math.round(x) | 0) : ((Math.floor(p / (i - 4)) | 0) & 15)));
  let v = 0;
  v = i > 1 ? (i > 2 ? (i > 3 ? (i > 4 ? (i > 5 ? (i > 6 ? (i > 7 ? (i > 8 ? Math.round(Math.round(Math.round(x + i) / 3 + y) / 5) : Math.round(x)) : Math.round(y)) : Math.round(x * y)) : Math.round(x / 2)) : Math.round(y / 2)) : Math.round(x + y)) : Math.round(x - y)) : Math.round(y - x);
  outF[i] = v;
}`;

// Loop conditions that need a shared value: the condition moves into the body, ahead of `continue`.
const LOOPS = `function lazyShareLoops(inI, inF, out, n) {
  const i = cuda.grid(1);
  if (i >= n) return;
  const p = inI[i & 15], x = inF[i & 15];
  let k = 0;
  while (k < 40 && (Math.trunc(k / ((p & 7) - 2)) | 0) < 3 + (i & 3)) k++;
  let s = 0;
  for (let j = 0; j < 30 && Math.round(j * 0.75 + (i & 3)) < 12; j++) { if (j === 2) continue; s += j; }
  let m = 0;
  do { m += 3; if (m > 100) break; } while ((Math.trunc(m / ((i & 3) + 1)) | 0) < 20 || (Math.round(m / 7) | 0) === 4);
  let r = 0;
  for (let j = 0; j < 20 && (x ? (Math.round(x * j) | 0) < 50 : j < 5); j++) r++;
  out[i * 4] = k; out[i * 4 + 1] = s; out[i * 4 + 2] = m; out[i * 4 + 3] = r;
}`;

// The fuzzer's whole kernel (seed 553064; its cpu code generation took 72 s).
const SEED_553064 = `function fuzzSeed553064(inI, inU, inF, oI, oU, oF, oX, acc, accU, n, s, flag) {
  const i = cuda.grid(1);
  if (i >= n) return;
  const base = i * 4;
  let vi0 = 0;
  let vi1 = 0;
  let vu2 = u32(0);
  let vf3 = s;
  let vb4 = false;
  let ve = 0;
  vi0 = Math.imul(i, (-2));
  vi1 = (Math.sign(0) | 0);
  vu2 = (flag ? inU[(cuda.umulhi(inU[(Math.clz32(inI.length) & 15)], vu2) & 15)] : u32(5));
  vf3 = f64(1e8);
  vb4 = (vb4 < false);
  cuda.atomic.nanmin(acc, (cuda.atomic.xor(oI, base + 2, inI.length) & 7), ((inI.length + ++ve) | 0));
  { const w5 = oI.subarray(base, base + 4); const w6 = w5.subarray(1); w6[(n & 1)] = cuda.laneid; }
  if ((vb4 < (vi1 < 1e-3))) { { const w7 = oF.subarray(base, base + 4); w7[((inU[((Math.sign(inI[(i8((-5)) & 15)]) | 0) & 15)] | 0) & 3)] = ((true || vb4) ? Math.min(vf3, s) : f64(Math.fround(inF[((inF[((s | 0) & 15)] | 0) & 15)]))); } vf3 = (1.5 + ((inI[(((255 / inI[(u32(s) & 15)]) | 0) & 15)] * 0.5) * 0.25)); }
  vf3 *= vf3;
  if (vi0) { for (let q8 = 0; q8 < (i & 3); q8++) { for (const x9 of inU.subarray(-2)) { { const w10 = oF.subarray(base, base + 4); w10[(cuda.atomic.add(oI, base + 1, vi0) & 3)] = vf3; } vu2 = (vu2 + u32(2)) >>> 0; vb4 = (1.5 < inF[(Math.max(vi0, ve--) & 15)]); } for (const q11 of cuda.range(2, (((-inI.length) | 0) & 7), 1)) { vb4 = (((!vb4) < isFinite(false)) || (!false)); vf3 = cuda.fma(vf3, inF[(i & 15)], (flag ? inF[(((inF[((-255) & 15)] / vf3) | 0) & 15)] : f64(Math.fround(inF[((inU[((flag ? inI.length : inI[((s | 0) & 15)]) & 15)] % (((((vu2 / vu2) >>> 0) & 7) + 1) >>> 0)) & 15)])))); } oF[base + 3] = Math.max((Math.min(s, s) - i32(u32(31))), ((true ? s : vf3) / vf3)); } oF[base + 3] = f64((((flag ? vu2 : inU[((Math.trunc((-100) / (((Math.trunc((-2) / (((Math.round(inF[((~inI[((f64(Math.fround(inF[((inU[(((1.5 / f64(1e8)) | 0) & 15)] % ((((flag ? u32(inI.length) : (vf3 >>> 0)) & 7) + 1) >>> 0)) & 15)])) | 0) & 15)]) & 15)]) | 0) & 7) + 1)) | 0) & 7) + 1)) | 0) & 15)]) + 5) >>> 0)); }
  oI[base + 0] += vi0;
  oI[base + 1] += vi1;
  oU[base + 0] += vu2;
  oF[base + 0] += vf3;
  oI[base + 0] += vb4 ? 1 : 0;
  oI[base + 2] += ve;
}`;

export const regressLazyShare: CorpusCase[] = [
  lazyCase('lazy_share_reduced_fuzz_statement', 'a ?: arm whose index nests Math.round, integer divisions and ToInt32 (fuzz seed 553064 reduced): legalised once into locals under an if, not repeated',
    REDUCED, 32, () => [new Int32Array(INI), new Uint32Array(INU), new Float32Array(INF32), new Uint32Array(64), 32, false, 0.75, 7], [3]),
  lazyCase('lazy_share_nested_cond_logical', 'nested ?:, && and || (20 levels deep at most) around Math.round, integer division, ToInt32, truthiness, min/max and sign',
    NESTED, 16, () => [new Int32Array(INI), new Float32Array(SMALL), new Int32Array(96), new Float32Array(16), 16], [2, 3]),
  lazyCase('lazy_share_loop_conditions', 'while, for and do-while conditions (with && and ||, and a continue) that need integer division, Math.round or truthiness',
    LOOPS, 16, () => [new Int32Array(INI), new Float32Array(SMALL), new Int32Array(64), 16], [2]),
  lazyCase('lazy_share_fuzz_seed_553064', 'the fuzz kernel of seed 553064 (atomics, subarrays, loops, and the lazy-share statement), f64 data',
    SEED_553064, 64, () => [new Int32Array(INI), new Uint32Array(INU), new Float64Array(INF), new Int32Array(256), new Uint32Array(256), new Float64Array(256), new Float64Array(256), new Int32Array(8), new Uint32Array(8), 64, 0.75, false],
    [3, 4, 5, 6, 7, 8], { needsF64: true }),
];
