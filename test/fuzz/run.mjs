// Runs one generated program on the targets, against the simulator, and (for the
// JS-exact subset) against the function itself run as plain JavaScript, one thread after
// another (barriers become `yield`s so that a block's threads advance together).

import { cuda, loadBackend, random, targetAvailability } from '@numbat/core';
import { stateMismatches } from '@numbat/core/testsuite';
import { kernelSource, deviceSources, extraOutputs, launchOf, makeArgs, OUTPUTS, STATES } from './gen.mjs';
import { assemblePtx, findPtxas } from '../../packages/cuda/test/ptxas.mjs';

const FLOAT_ARRAYS = [5, 6];
const INEXACT = 6; // oX: results of inexact Math functions

/** Builds the kernel and device functions from source text (fresh functions each call). */
export function buildKernel(p) {
  const globals = {};
  for (const d of deviceSources(p)) globals[d.name] = cuda.jit(new Function(`return (${d.src})`)(), { device: true, globals: { ...globals } });
  const fn = new Function(`return (${kernelSource(p)})`)();
  return { fn, globals };
}

const availability = new Map();
export async function available(target) {
  if (!availability.has(target)) availability.set(target, await targetAvailability(target));
  return availability.get(target);
}

/**
 * One compile and launch; returns { args, ms, stages } or { error, ms, stages }: ms is the
 * compile and launch time (the compile dominates), stages its parts in ms: `compile` (frontend,
 * legalisation and the backend's compile: WGSL emission, or LLVM on cpu, whose own stages
 * come from its compile records: then `frontend` and those stages instead) and `launch` (the first launch: on webgpu
 * Tint, the pipeline's GL compile and llvmpipe's JIT at the first dispatch, the run, readback).
 */
export async function launch(p, target, float) {
  const args = makeArgs(p, !p.f64);
  const stages = {};
  const t0 = performance.now();
  let t = t0;
  const lap = (name) => { const now = performance.now(); stages[name] = (stages[name] ?? 0) + now - t; t = now; };
  try {
    const { grid, block, sharedMem } = launchOf(p);
    // Compiles without launching (the launch below reuses the specialisation); webgpu's WGSL
    // is kept by its compile, the IR printed here costs about a millisecond elsewhere.
    const { k } = await compileOnly(p, target, target === 'webgpu' ? 'wgsl' : 'ir', args, stages, float ? { float } : {});
    t = performance.now();
    const restore = onWorkerThreads(p, target);
    try {
      await k.configure(grid, block, ...(sharedMem ? [{ sharedMem }] : []))(...args);
    } finally {
      restore();
    }
    lap('launch');
    return { args, ms: performance.now() - t0, stages };
  } catch (e) {
    if (t !== t0) lap('launch'); // (a compile that failed has its time in stages already)
    return { error: e, ms: performance.now() - t0, stages };
  }
}

/**
 * Odd seeds' cpu launches run on the worker threads (block claims, launch-owned copies of the
 * arrays written back), which a launch this small would otherwise skip for one synchronous call.
 * Returns what puts the setting back.
 */
export function onWorkerThreads(p, target) {
  if (target !== 'cpu' || p.seed % 2 !== 1) return () => {};
  const was = process.env.NUMBAT_CPU_SYNC_THREADS;
  process.env.NUMBAT_CPU_SYNC_THREADS = '0';
  return () => { if (was === undefined) delete process.env.NUMBAT_CPU_SYNC_THREADS; else process.env.NUMBAT_CPU_SYNC_THREADS = was; };
}

// The compiled backends (cpu, cuda) keep a record of each compile with its stages' times.
const recordSources = new Map();
const recordsOf = (target) => {
  if (!recordSources.has(target)) {
    recordSources.set(target, ['cpu', 'cuda'].includes(target)
      ? import(`@numbat/${target}`).then((m) => m.compileRecords, () => undefined)
      : Promise.resolve(undefined));
  }
  return recordSources.get(target);
};
const newest = (records) => { const r = records?.(); return r?.[r.length - 1]; };

/**
 * Compiles `p` for `target` without launching, through `inspect(stage)`: the kernel (a launch
 * reuses its specialisation) and the text; `stages.compile` is split into the frontend's part
 * and the backend's own stages where the backend records them (cpu, cuda).
 */
/**
 * One seed in six compiles for cpu and cuda with `opt: false` (cpu without lane groups, cuda's
 * short pipeline before PTX), so the fuzzer covers both; its reproducer says so (fuzz.mjs asTest).
 */
export const quickOpt = (p) => p.seed % 6 === 5;
/** The jit options quickOpt gives a seed on `target`. */
export const quickOptions = (p, target) => (quickOpt(p) && (target === 'cpu' || target === 'cuda') ? { opt: false } : {});

async function compileOnly(p, target, stage, args, stages, jitOpts = {}) {
  const t0 = performance.now();
  const { fn, globals } = buildKernel(p);
  const k = cuda.jit(fn, { target, globals, ...quickOptions(p, target), ...jitOpts });
  const records = await recordsOf(target);
  const before = newest(records);
  try {
    const text = await k.inspect(stage, ...args);
    return { k, text };
  } finally {
    stages.compile = performance.now() - t0;
    splitCompile(stages, newest(records), before);
  }
}

/**
 * Refusals that are not bugs (documented limits of numbat or of the machine): counted as
 * skipped, with the reason, on whichever target gives them.
 */
const EXPECTED_REFUSALS = [
  // random draws in a device function called in nested loops (the frontend's, so every target's)
  { test: /larger than the limit of \d+ syntax nodes/, reason: "over the inliner's size limit" },
  // a machine without libdevice refuses inexact math on cuda (docs/backends/cuda.md)
  { test: /needs libdevice/, reason: 'libdevice not found (math functions)' },
  // match_*_sync below sm_70 (NUMBAT_CUDA_ARCH=sm_60 runs the older archs' lowering)
  { test: /needs sm_70 or newer/, reason: 'match_*_sync below sm_70' },
  // grid barriers and fences where the target has none (webgpu: docs/language.md)
  { test: /(\(grid-wide synchronisation\)|threadfence\w*\(\)) is not available on target/, reason: 'grid barrier or fence: not on this target' },
  // a grid barrier's blocks must all be resident: cpu holds one per worker (one on a 1-core machine)
  { name: 'LaunchError', test: /needs every block of the grid resident at once/, reason: 'grid barrier: more blocks than the target holds at once' },
];

/** The reason an error is an expected refusal (EXPECTED_REFUSALS), or undefined. */
function expectedRefusal(e) {
  return EXPECTED_REFUSALS.find((x) => e?.name === (x.name ?? 'CompileError') && x.test.test(String(e.message)))?.reason;
}

/** The outcome of a compile or launch that threw: skipped for an expected refusal, else classified. */
function errorOutcome(e) {
  const expected = expectedRefusal(e);
  return { status: expected ? 'skipped' : classify(e), message: expected ?? firstLine(e) };
}

/** Splits `compile` into the frontend's part and the backend's own stages (its newest compile record, if new). */
function splitCompile(stages, rec, before) {
  if (!rec || rec === before || rec.origin !== 'compiled') return;
  stages.frontend = stages.compile - rec.timings.total;
  delete stages.compile;
  for (const [name, ms] of Object.entries(rec.timings)) if (name !== 'total') stages[name] = ms;
}

/** Classifies an exception from a compile or launch of a valid kernel. */
export function classify(e) {
  const name = e?.name ?? '';
  const msg = String(e?.message ?? e);
  if (/internal error|numbat bug|invalid LLVM IR|invalid IR/i.test(msg)) return 'internal';
  if (name === 'CompileError') return 'refused';
  if (name === 'LaunchError') return 'launch-error';
  return 'internal';
}

// ---- comparison ----
const f32ulp = (w) => { const a = Math.abs(w); if (a === 0 || !isFinite(a)) return 0; return 2 ** (Math.floor(Math.log2(a)) - 23); };

/** Compares output arrays: ints exactly; floats exactly (NaN = NaN, +0 = -0) except oX
 *  (inexact Math), which gets a relative bound: 2e-5 for f32 (webgpu's documented 1e-5
 *  with a margin), 1e-13 for f64 (libm vs V8, a few ulp). Random states (a kernel that
 *  draws: `states`) word for word, except a kept Box-Muller partner, compared as a normal;
 *  `extra` (gen.mjs extraOutputs: oL, oB, oH) exactly. */
export function compare(got, want, { f32, extra = [], states = false }) {
  const bad = [];
  // integer outputs beyond OUTPUTS (oL: BigInt64Array, oB, oH: narrow), exactly
  for (const { index, name } of extra) {
    for (let j = 0; j < want[index].length; j++) {
      if (got[index][j] !== want[index][j]) bad.push(`${name}[${j}]: got ${got[index][j]}, want ${want[index][j]}`);
      if (bad.length >= 6) return bad;
    }
  }
  if (states) {
    const tol = f32 ? 2e-5 : 1e-13;
    for (const m of stateMismatches(got[STATES], want[STATES], random.STATE_WORDS, { rtol: tol, atol: tol })) bad.push(`st${m}`);
  }
  for (const o of OUTPUTS) {
    const g = got[o], w = want[o];
    const loose = o === INEXACT;
    for (let j = 0; j < w.length; j++) {
      const a = g[j], b = w[j];
      if (a === b || (Number.isNaN(a) && Number.isNaN(b))) continue;
      if (loose && Number.isFinite(a) && Number.isFinite(b)) {
        const rtol = f32 ? 2e-5 : 1e-13;
        if (Math.abs(a - b) <= rtol * Math.max(1e-3, Math.abs(b)) + (f32 ? 2 * f32ulp(b) : 0)) continue;
      }
      bad.push(`${['inI', 'inU', 'inF', 'oI', 'oU', 'oF', 'oX', 'acc', 'accU'][o]}[${j}]: got ${a}, want ${b}`);
      if (bad.length >= 6) return bad;
    }
  }
  return bad;
}

// ---- plain-JS reference ----
const DTYPES = { i32: Int32Array, u32: Uint32Array, f32: Float32Array, f64: Float64Array, i16: Int16Array, u16: Uint16Array, i8: Int8Array, u8: Uint8Array };
const dtypeFns = {
  f32: Object.assign((x) => Math.fround(x), { __n: 'f32' }), f64: Object.assign((x) => +x, { __n: 'f64' }),
  i32: Object.assign((x) => x | 0, { __n: 'i32' }), u32: Object.assign((x) => x >>> 0, { __n: 'u32' }),
  i8: Object.assign((x) => (x << 24) >> 24, { __n: 'i8' }), u8: Object.assign((x) => x & 255, { __n: 'u8' }),
  i16: Object.assign((x) => (x << 16) >> 16, { __n: 'i16' }), u16: Object.assign((x) => x & 65535, { __n: 'u16' }),
};
const nanmin = (o, v) => (Number.isNaN(v) ? o : Number.isNaN(o) ? v : Math.min(o, v));
const nanmax = (o, v) => (Number.isNaN(v) ? o : Number.isNaN(o) ? v : Math.max(o, v));

/** A typed array of `shape` (a length, or [a, b] / [a, b, c]: nested rows of typed arrays). */
const typedArrayOf = (shape, T) => (!Array.isArray(shape) ? new T(shape)
  : shape.length === 1 ? new T(shape[0]) : Array.from({ length: shape[0] }, () => typedArrayOf(shape.slice(1), T)));

/** Runs the kernel as plain JavaScript, thread after thread, with a small mock of `cuda`. */
export function runJS(p) {
  const args = makeArgs(p, false);
  const { grid, block, sharedMem = 0 } = launchOf(p);
  const g = Array.isArray(grid) ? [...grid, 1, 1].slice(0, 3) : [grid, 1, 1];
  const b = Array.isArray(block) ? [...block, 1, 1].slice(0, 3) : [block, 1, 1];
  const xyz = (v) => ({ x: v[0], y: v[1], z: v[2] });
  const state = { t: [0, 0, 0], bi: [0, 0, 0], shared: null, sharedCalls: 0 };
  // (a 2-D or 3-D shared array's index is [y, x] or [z, y, x])
  const atomic = (f) => (a, i, v) => { if (Array.isArray(i)) { for (const k of i.slice(0, -1)) a = a[k]; i = i.at(-1); } const old = a[i]; a[i] = f(old, v); return old; };
  const mock = {
    get threadIdx() { return xyz(state.t); }, get blockIdx() { return xyz(state.bi); },
    blockDim: xyz(b), gridDim: xyz(g),
    grid(n) { const c = [0, 1, 2].map((d) => state.bi[d] * b[d] + state.t[d]); return n === 1 ? c[0] : c.slice(0, n); },
    gridsize(n) { const c = [0, 1, 2].map((d) => g[d] * b[d]); return n === 1 ? c[0] : c.slice(0, n); },
    syncthreads() { throw new Error('syncthreads outside the generator'); },
    cg: { this_grid() { return { sync() { throw new Error('a grid barrier outside the generator'); } }; } },
    // (one thread at a time: every access is already ordered)
    threadfence() {}, threadfence_block() {}, threadfence_system() {},
    umulhi(x, y) { return Number((BigInt(x >>> 0) * BigInt(y >>> 0)) >> 32n); },
    // Warp functions and reducing barriers are not run here (such kernels are not JS-checked).
    get laneid() { return (state.t[0] + state.t[1] * b[0] + state.t[2] * b[0] * b[1]) & 31; },
    // numba's math functions: core's host implementations (exact ones only in JS-checked kernels).
    copysign: cuda.copysign, nextafter: cuda.nextafter, remainder: cuda.remainder, ldexp: cuda.ldexp,
    frexp: cuda.frexp, fma: cuda.fma, range: cuda.range,
    popc: cuda.popc, clz: cuda.clz, ffs: cuda.ffs, brev: cuda.brev,
    local: { array(n, dt) { return typedArrayOf(n, DTYPES[dt.__n]); } },
    shared: {
      array(n, dt) {
        const k = state.sharedCalls++, T = DTYPES[dt.__n];
        // shape 0: the launch's dynamic shared memory
        return (state.shared[k] ??= typedArrayOf(n === 0 ? sharedMem / T.BYTES_PER_ELEMENT : n, T));
      },
    },
    atomic: {
      add: atomic((o, v) => o + v), sub: atomic((o, v) => o - v), min: atomic((o, v) => Math.min(o, v)),
      max: atomic((o, v) => Math.max(o, v)), and: atomic((o, v) => o & v), or: atomic((o, v) => o | v),
      xor: atomic((o, v) => o ^ v), exch: atomic((o, v) => v),
      nanmin: atomic(nanmin), nanmax: atomic(nanmax),
      inc: atomic((o, v) => (o >= v ? 0 : o + 1)), dec: atomic((o, v) => (o === 0 || o > v ? v : o - 1)),
      cas: (a, i, old, v) => { const o = a[i]; if (o === old) a[i] = v; return o; },
      compare_and_swap: (a, old, v) => { const o = a[0]; if (o === old) a[0] = v; return o; },
    },
  };
  const names = ['cuda', ...Object.keys(dtypeFns)];
  const vals = [mock, ...Object.values(dtypeFns)];
  const devs = {};
  for (const d of deviceSources(p)) {
    devs[d.name] = new Function(...names, ...Object.keys(devs), `return (${d.src})`)(...vals, ...Object.values(devs));
  }
  // Block and grid barriers both become a `yield`.
  const src = kernelSource(p).replace(/^function kern/, 'function* kern')
    .replaceAll('cuda.syncthreads();', 'yield;').replaceAll('cuda.cg.this_grid().sync();', 'yield;').replaceAll('gg.sync();', 'yield;');
  const kern = new Function(...names, ...Object.keys(devs), `return (${src})`)(...vals, ...Object.values(devs));
  const threads = [];
  for (let bz = 0; bz < g[2]; bz++) for (let by = 0; by < g[1]; by++) for (let bx = 0; bx < g[0]; bx++) {
    const shared = []; // the block's shared arrays, in the order its threads declare them
    for (let tz = 0; tz < b[2]; tz++) for (let ty = 0; ty < b[1]; ty++) for (let tx = 0; tx < b[0]; tx++) {
      threads.push({ bi: [bx, by, bz], t: [tx, ty, tz], shared, calls: 0, it: null, done: false });
    }
  }
  // Every thread of the grid runs to its next barrier, then the next thread, until all are done:
  // the blocks in lockstep, as a grid barrier needs and block barriers allow (the kernels are
  // race-free, so the order of the blocks does not matter otherwise).
  for (;;) {
    let live = 0;
    for (const th of threads) {
      if (th.done) continue;
      state.t = th.t;
      state.bi = th.bi;
      state.shared = th.shared;
      state.sharedCalls = th.calls; // (a thread's shared arrays are counted across its barriers)
      th.it ??= kern(...args);
      const r = th.it.next();
      th.calls = state.sharedCalls;
      if (r.done) th.done = true; else live++;
    }
    if (!live) break;
  }
  return args;
}

/**
 * All checks of one program. Returns { target: outcome }; each outcome may carry `ms` (its
 * compile and launch) and `stages` (ms per stage: compile, launch, compare; webgpu also the
 * simulator's f32 run it is compared with; sim compile and run; plain JS run and compare).
 */
export async function check(p, targets) {
  const results = {};
  const sim = await launch(p, 'sim');
  const simStages = { compile: sim.stages.compile, run: sim.stages.launch ?? 0 };
  if (sim.error) { results.sim = { ...errorOutcome(sim.error), ms: sim.ms, stages: simStages }; return results; }
  results.sim = { status: 'ok', ms: sim.ms, stages: simStages };
  if (p.jsExact) {
    let want;
    const t0 = performance.now();
    try { want = runJS(p); } catch (e) { results.js = { status: 'generator', message: firstLine(e) }; }
    const t1 = performance.now();
    if (want) {
      const bad = compare(sim.args, want, { f32: false, extra: extraOutputs(p), states: p.useRandom });
      results.js = bad.length ? { status: 'mismatch', message: `sim vs plain JS: ${bad.join('; ')}` } : { status: 'ok' };
    }
    results.js.stages = { run: t1 - t0, compare: performance.now() - t1 };
  }
  let simF32;
  for (const t of targets) {
    if (t === 'sim') continue;
    if (t === 'ptx') { results.ptx = await checkPtx(p); continue; }
    const a = await available(t);
    if (!a.ok) { results[t] = { status: 'skipped', message: a.reason }; continue; }
    const backend = await loadBackend(t);
    if (p.f64 && !backend.caps.f64) { results[t] = { status: 'skipped', message: 'f64 kernel' }; continue; }
    if (p.i64 && !backend.caps.i64) { results[t] = { status: 'skipped', message: '64-bit integers' }; continue; }
    let want = sim;
    const stages = {};
    if (!backend.caps.f64) {
      const t0 = performance.now();
      simF32 ??= await launch(p, 'sim', 'f32');
      stages['sim f32'] = performance.now() - t0;
      if (simF32.error) { results[t] = { status: classify(simF32.error), message: `sim with float f32: ${firstLine(simF32.error)}`, stages }; continue; }
      want = simF32;
    }
    const got = await launch(p, t);
    Object.assign(stages, got.stages);
    if (got.error) { results[t] = { ...errorOutcome(got.error), ms: got.ms, stages }; continue; }
    const t0 = performance.now();
    const bad = compare(got.args, want.args, { f32: !p.f64, extra: extraOutputs(p), states: p.useRandom });
    stages.compare = performance.now() - t0;
    results[t] = { ...(bad.length ? { status: 'mismatch', message: `${t} vs sim: ${bad.join('; ')}` } : { status: 'ok' }), ms: got.ms, stages };
  }
  return results;
}

/**
 * The `ptx` target: cuda's code generator (no GPU needed) compiles the kernel to PTX and
 * `ptxas -arch=sm_90` must accept it. Nothing runs, so nothing is compared: what it finds is
 * invalid PTX, internal errors and refusals in the cuda backend's own lowering, on a machine
 * without a GPU (where the `cuda` target is skipped). Stages: the compile's, then `ptxas`.
 */
export async function checkPtx(p) {
  const why = await ptxUnavailable();
  if (why) return { status: 'skipped', message: why };
  const args = makeArgs(p, !p.f64);
  const stages = {};
  const t0 = performance.now();
  let ptx;
  try {
    ({ text: ptx } = await compileOnly(p, 'cuda', 'ptx', args, stages));
  } catch (e) {
    return { ...errorOutcome(e), ms: performance.now() - t0, stages };
  }
  const t1 = performance.now();
  try {
    assemblePtx(ptxas, String(ptx), `fuzz_${p.seed}`);
  } catch (e) {
    stages.ptxas = performance.now() - t1;
    const first = String(e.message).split('\n').find((l) => /error/i.test(l)) ?? firstLine(e);
    return { status: 'internal', message: `ptxas rejected the PTX: ${first.trim()}`, ms: performance.now() - t0, stages };
  }
  stages.ptxas = performance.now() - t1;
  return { status: 'ok', ms: performance.now() - t0, stages };
}

let ptxas;
let ptxProblem;
/** Why the ptx target cannot run here (no ptxas, no LLVM for cuda's code generator), or undefined. */
export async function ptxUnavailable() {
  if (ptxProblem === undefined) {
    ptxas = findPtxas();
    const llvm = (await import('@numbat/llvm')).llvmBindingsProblem();
    ptxProblem = !ptxas ? 'ptxas not found (PTXAS, PATH, CUDA_HOME/bin or /usr/local/cuda/bin)' : llvm ? `cuda's code generator: ${llvm}` : '';
  }
  return ptxProblem || undefined;
}

/**
 * Keeps webgpu's device open while a fuzz run lasts (numbat closes its own device after a
 * second without work, and the cpu compile of a kernel can take longer: reopening it costs
 * ~75 ms per kernel). Returns the release function.
 */
export async function holdDevices(targets) {
  if (!targets.includes('webgpu') || !(await available('webgpu')).ok) return () => {};
  const hold = cuda.deviceArray(1, 'float32', { target: 'webgpu' });
  return () => hold.free();
}

export function firstLine(e) {
  const m = String(e?.message ?? e);
  return `${e?.name ?? 'Error'}: ${m.split('\n').slice(0, 2).join(' | ')}`;
}

export const FAILURES = new Set(['mismatch', 'internal', 'refused', 'launch-error', 'generator']);
