// Benchmarks of target 'cpu' (run: `node bench/cpu/run.mjs`, after `npx tsc -b`).
//   1. Monte Carlo pi, the seed's LCG kernel: 16384 threads × 2000 samples.
//   2. Block reduction of 2^26 floats: grid-stride sums into shared memory, a
//      barrier tree per block, one partial per block (summed on the host).
//   3. Cold compile time and cached load time of each kernel.
//   4. The cost of bounds checks (boundscheck: true vs false).
// Ratios against the anchors (numba @njit(parallel=True), C -O3 -fopenmp,
// plain JS) come from bench/anchors/index.mjs when it exists.
// Every array a timed launch touches is a device array (cuda.toDevice /
// cuda.deviceArray, used in place): a launch on the worker threads copies host
// arrays in and out (docs/backends/cpu.md, "What a launch owns"), 256 MB for
// the reduction's input, which would be timed with the kernel.
// Options: --quick (fewer repetitions), --no-anchors, --json (machine-readable line at the end),
// --log2n N (reduction size, default 26; smaller to check that the script works).

import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cuda } from '@numbat/core';
import { compileRecords, flushCache } from '@numbat/cpu';

const here = dirname(fileURLToPath(import.meta.url));
const quick = process.argv.includes('--quick');
const REPS = quick ? 3 : 7;

import { blockReduce, cachedCpuKernel, monteCarloPi } from './kernels.mjs';

const MC_THREADS = 16384, MC_SAMPLES = 2000, MC_BLOCK = 256;
const argv = process.argv.slice(2);
const LOG2N = argv.includes('--log2n') ? Number(argv[argv.indexOf('--log2n') + 1]) : 26;
if (!Number.isInteger(LOG2N) || LOG2N < 8 || LOG2N > 30) throw new RangeError('--log2n takes an integer from 8 to 30');
const N = 2 ** LOG2N, R_BLOCK = 256;
// 16384 blocks x 256 threads: each thread sums 16 elements before the tree. The
// sweep below shows how the grid shape matters on a CPU (few blocks: each lane
// group strides far through memory; very many: the per-block tree dominates).
const R_GRID = 16384, R_SWEEP = [1024, 8192, 16384, 65536];

async function best(fn) {
  const times = [];
  for (let r = 0; r < REPS; r++) {
    const t0 = performance.now();
    await fn();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return { best: times[0], median: times[Math.floor(times.length / 2)] };
}

function mcInputs() {
  const states = new Uint32Array(MC_THREADS).map((_, i) => (Math.imul(i, -1640531535) + 1) >>> 0);
  return { states, counts: new Uint32Array(MC_THREADS) };
}

async function benchMonteCarlo(boundscheck) {
  const k = cuda.jit(monteCarloPi, { target: 'cpu', boundscheck, float: 'f64' });
  const host = mcInputs();
  const states = cuda.toDevice(host.states, { target: 'cpu' }), counts = cuda.toDevice(host.counts, { target: 'cpu' });
  const launch = k.configure(MC_THREADS / MC_BLOCK, MC_BLOCK);
  await launch(states, counts, MC_SAMPLES); // compile + warm-up
  const t = await best(() => launch(states, counts, MC_SAMPLES));
  let hits = 0;
  for (const c of await counts.copyToHost()) hits += c;
  const samples = MC_THREADS * MC_SAMPLES;
  return { ms: t.best, median: t.median, samplesPerSec: samples / (t.best / 1e3), pi: (4 * hits) / samples };
}

async function benchReduce(boundscheck, a, grid = R_GRID) {
  const k = cuda.jit(blockReduce, { target: 'cpu', boundscheck });
  const partial = cuda.deviceArray(grid, 'f32', { target: 'cpu' });
  const launch = k.configure(grid, R_BLOCK);
  await launch(a, partial);
  const t = await best(() => launch(a, partial));
  let s = 0;
  for (const p of await partial.copyToHost()) s += p;
  return { ms: t.best, median: t.median, gbPerSec: (N * 4) / (t.best / 1e3) / 1e9, sum: s };
}

/** Cold compile (fresh kernel object, LLVM already loaded) and cached load in a fresh process. */
async function compileTimes() {
  const out = {};
  const dir = mkdtempSync(join(tmpdir(), 'numbat-bench-cache-'));
  const prev = process.env.NUMBAT_CACHE_DIR;
  process.env.NUMBAT_CACHE_DIR = dir;
  try {
    for (const [name, fn, args, grid, block] of [
      ['monteCarloPi', monteCarloPi, () => [new Uint32Array(256), new Uint32Array(256), 1], 1, 256],
      ['blockReduce', blockReduce, () => [new Float32Array(256), new Float32Array(1)], 1, 256],
    ]) {
      const colds = [];
      for (let r = 0; r < 3; r++) {
        const k = cuda.jit(fn, { target: 'cpu' });
        const t0 = performance.now();
        await k.inspect('llvm', ...args());
        colds.push({ endToEnd: performance.now() - t0, backend: compileRecords().at(-1) });
      }
      colds.sort((x, y) => x.endToEnd - y.endToEnd);
      // fill the cache, then load it from a fresh process (no LLVM there)
      await cachedCpuKernel(fn).configure(grid, block)(...args());
      await flushCache();
      const child = execFileSync(process.execPath, [join(here, 'cached-load.mjs'), name], { env: { ...process.env }, encoding: 'utf8' });
      out[name] = { coldMs: colds[0].endToEnd, coldBackend: colds[0].backend.timings, ...JSON.parse(child.trim().split('\n').pop()) };
    }
  } finally {
    if (prev === undefined) delete process.env.NUMBAT_CACHE_DIR; else process.env.NUMBAT_CACHE_DIR = prev;
    rmSync(dir, { recursive: true, force: true });
  }
  return out;
}

/** Rows of bench/anchors (numba prange, C + OpenMP, plain JS), run in this same invocation. */
async function anchors() {
  const p = join(here, '..', 'anchors', 'index.mjs');
  if (!existsSync(p) || process.argv.includes('--no-anchors')) return [];
  try {
    const mod = await import(p);
    return await mod.runAnchors({ cudasim: false });
  } catch (e) {
    return [{ anchor: 'anchors', skipped: e.message }];
  }
}

/** A plain-JS Monte Carlo on the main thread (used when the anchors give none). */
function plainJsMonteCarlo() {
  const { states } = mcInputs();
  const t0 = performance.now();
  let hits = 0;
  for (let i = 0; i < MC_THREADS; i++) {
    let s = states[i];
    for (let k = 0; k < MC_SAMPLES; k++) {
      s = (Math.imul(s, 1664525) + 1013904223) >>> 0; const x = (s & 0xffff) / 65535;
      s = (Math.imul(s, 1664525) + 1013904223) >>> 0; const y = (s & 0xffff) / 65535;
      if (x * x + y * y <= 1) hits++;
    }
  }
  const ms = performance.now() - t0;
  return { ms, samplesPerSec: (MC_THREADS * MC_SAMPLES) / (ms / 1e3), pi: (4 * hits) / (MC_THREADS * MC_SAMPLES) };
}

const fmt = (x, d = 1) => (x === undefined || Number.isNaN(x) ? '—' : x.toFixed(d));

const hostA = new Float32Array(N);
for (let i = 0; i < N; i++) hostA[i] = ((i * 2654435761) >>> 0) / 4294967296 - 0.5;
const a = cuda.toDevice(hostA, { target: 'cpu' });

const mc = await benchMonteCarlo(true);
const mcOff = await benchMonteCarlo(false);
const red = await benchReduce(true, a);
const redOff = await benchReduce(false, a);
const sweep = [];
for (const g of R_SWEEP) sweep.push([g, g === R_GRID ? red : await benchReduce(true, a, g)]);
const compile = await compileTimes();
const js = plainJsMonteCarlo();
const anc = await anchors();

const row = (name) => anc.find((r) => r.anchor === name && !r.skipped);
const numbaMc = row('numba-parallel')?.mc?.samples_per_s, numbaRed = LOG2N === 26 ? row('numba-parallel')?.reduce?.gbps : undefined;
// The anchors sum 2^26 floats: their reduction rows compare only at that size.
const ompMc = row('c-openmp')?.mc?.samples_per_s, ompRed = LOG2N === 26 ? row('c-openmp')?.reduce?.gbps : undefined;
const jsMc = row('plain-js')?.mc?.samples_per_s ?? js.samplesPerSec, jsRed = LOG2N === 26 ? row('plain-js')?.reduce?.gbps : undefined;

console.log(`numbat cpu bench (${REPS} reps, best of; ${process.env.NUMBAT_CPU_THREADS ?? 'all'} workers)`);
console.log('');
console.log('Arrays: device arrays (cuda.toDevice / cuda.deviceArray, used in place; a launch copies host arrays in and out)');
console.log('');
console.log('Monte Carlo pi, 16384 threads x 2000 samples (f64 compare, u32 LCG; states and counts: device arrays)');
console.log(`  cpu boundscheck on : ${fmt(mc.samplesPerSec / 1e6)} M samples/s (${fmt(mc.ms, 2)} ms, pi ~ ${mc.pi.toFixed(5)})`);
console.log(`  cpu boundscheck off: ${fmt(mcOff.samplesPerSec / 1e6)} M samples/s (${fmt(mcOff.ms, 2)} ms)  -> checks cost ${fmt((mc.ms / mcOff.ms - 1) * 100)} %`);
console.log(`  plain JS (1 thread): ${fmt(jsMc / 1e6)} M samples/s -> cpu/JS = ${fmt(mc.samplesPerSec / jsMc, 2)}x`);
if (numbaMc) console.log(`  numba parallel     : ${fmt(numbaMc / 1e6)} M samples/s -> cpu/numba = ${fmt(mc.samplesPerSec / numbaMc, 2)}x`);
if (ompMc) console.log(`  C -O3 -fopenmp     : ${fmt(ompMc / 1e6)} M samples/s -> cpu/OpenMP = ${fmt(mc.samplesPerSec / ompMc, 2)}x`);
console.log('');
console.log(`Block reduction of 2^${LOG2N} f32 (grid ${R_GRID} x ${R_BLOCK}, grid-stride sums, shared-memory tree; input and partials: device arrays, partials summed on the host)`);
console.log(`  cpu boundscheck on : ${fmt(red.gbPerSec, 2)} GB/s (${fmt(red.ms, 2)} ms)`);
console.log(`  cpu boundscheck off: ${fmt(redOff.gbPerSec, 2)} GB/s (${fmt(redOff.ms, 2)} ms)  -> checks cost ${fmt((red.ms / redOff.ms - 1) * 100)} %`);
if (ompRed) console.log(`  C -O3 -fopenmp     : ${fmt(ompRed, 2)} GB/s -> cpu/OpenMP = ${fmt(red.gbPerSec / ompRed, 2)}x`);
if (numbaRed) console.log(`  numba parallel     : ${fmt(numbaRed, 2)} GB/s -> cpu/numba = ${fmt(red.gbPerSec / numbaRed, 2)}x`);
if (jsRed) console.log(`  plain JS (1 thread): ${fmt(jsRed, 2)} GB/s -> cpu/JS = ${fmt(red.gbPerSec / jsRed, 2)}x`);
console.log(`  grid sweep (checks on): ${sweep.map(([g, r]) => `${g} blocks ${fmt(r.gbPerSec, 2)} GB/s`).join(', ')}`);
console.log('');
console.log('Compile');
for (const [name, c] of Object.entries(compile)) {
  const phases = Object.entries(c.coldBackend ?? {}).map(([k, v]) => `${k} ${v.toFixed(1)}`).join(', ');
  console.log(`  ${name}: cold compile ${fmt(c.coldMs)} ms end to end (backend: ${phases}); cached load ${fmt(c.cachedLoadMs, 2)} ms (backend), first launch from cache ${fmt(c.firstLaunchMs)} ms in a fresh process; LLVM loaded there: ${c.llvmLoaded}`);
}
for (const r of anc) if (r.skipped) console.log(`(anchor ${r.anchor} skipped: ${r.skipped})`);
if (!anc.length) console.log('(no anchors: bench/anchors missing or --no-anchors)');
if (process.argv.includes('--json')) console.log(JSON.stringify({ mc, mcOff, red, redOff, sweep, compile, js, anchors: anc }));
