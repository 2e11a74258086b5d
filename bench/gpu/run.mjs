// One GPU run: correctness and throughput of targets 'cuda' and 'webgpu' on
// this machine, written to bench/results/<gpu>-<date>.{json,md}.
//   node bench/gpu/run.mjs [--quick | --dry-run] [--targets cuda,webgpu] [--log2n 28] [--out DIR] [--numba FILE]
//   node bench/gpu/run.mjs --compile-only [--quick | --dry-run] [--kernels FILE]
// after `npx tsc -b` (bench/gpu/run.sh does the setup on a fresh machine).
// Per available target (an unavailable one is reported with the reason):
//   corpus      every conformance case against the simulator (f64 cases on
//               webgpu must be refused with the f64 error)
//   random      states, uniformF32/uniformF64 bits against the simulator; normalF32's largest difference
//   examples    every example (examples/*.mjs) on the target: its own checks, its throughput
//   launch      awaited launch latency and launches/s on a stream (4-array kernel)
//   copy        a copy kernel over 2^log2n f32 (read + write)
//   add4        out = a + b + c over 2^log2n f32 (3 reads + 1 write)
//   reduce      reduce((a, b) => a + b) of 2^log2n f32, vs the copy kernel's and the d2d copy's bandwidth
//   monteCarlo  the seed's Monte Carlo pi kernel, samples/s
//   optionPricing  the option-pricing example's kernel and market on device arrays
//               (2^20 threads × 1 024 paths), paths/s, its price against Black-Scholes
//   gamma       the bench's Gamma sampler (a retry loop per draw), draws/s, with its loops
//               made one (core's flattenRetryLoops, as the backends compile it) and nested
//               (sumGammasNested, which the transform leaves alone): the same sums
// --numba FILE: numba-cuda's figures of the same run (bench/cuda/numba_bench.py,
// run first by run.sh at the same size): the device-to-device copy (the
// bandwidth ceiling: numbat has no d2d copy of its own), numba's kernels and
// cuda.reduce, and numba's option pricing with xoroshiro128p normals, side by side in the Markdown.
// --dry-run: every step at tiny sizes on whatever targets this machine has
// (llvmpipe, the simulator's comparisons), results to a temporary folder
// unless --out: checks that the script works where there is no GPU.
// --compile-only (or NUMBAT_CUDA_COMPILE_ONLY=1; bench/cuda/prepare.mjs, run.sh
// --check-ptx): target 'cuda' without a GPU, every section run as on one, so
// each kernel is compiled (or found in the PTX cache) at the signature it is
// launched with and nothing runs; instead of results, the cuda entry lists the
// kernels and where their PTX came from (--kernels FILE writes that list). With
// NUMBAT_CUDA_NO_LLVM=1 a kernel missing from the prepared cache is an error
// naming it: the exit status is then 1. Only --compile-only alone means cuda only.
// Timings: median of several runs after a warm-up, each ended by a stream
// synchronize (or the reduction's result), so the GPU work is inside.

import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cuda, random, reduce, targetAvailability } from '@numbat/core';
import { monteCarloPi } from '../webgpu/kernels.mjs';
import { add4 } from '../cuda/kernels.mjs';
import { GAMMA_ALPHA, sumGammas, sumGammasNested } from '../suite/kernels.mjs';
import { blackScholesCall, europeanCall, MARKET, marketArgs, priceFromSums } from '../../examples/option-pricing.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const argv = process.argv.slice(2);
const opt = (n, d) => { const i = argv.indexOf(`--${n}`); return i >= 0 ? argv[i + 1] : d; };
const dryRun = argv.includes('--dry-run');
const quick = dryRun || argv.includes('--quick');
// Set before any target is asked for (availability is probed, and cached, on first use).
if (argv.includes('--compile-only')) process.env.NUMBAT_CUDA_COMPILE_ONLY = '1';
const compileOnly = process.env.NUMBAT_CUDA_COMPILE_ONLY === '1';
const targets = opt('targets', argv.includes('--compile-only') ? 'cuda' : 'cuda,webgpu').split(',');
const kernelsFile = opt('kernels', undefined);
// A dry or compile-only run's results say nothing of a GPU: never into bench/results.
const outDir = opt('out', dryRun || compileOnly ? join(tmpdir(), 'numbat-gpu-dry-run') : join(root, 'bench', 'results'));
const log2n = Number(opt('log2n', dryRun ? 16 : quick ? 20 : 28));
const reps = dryRun ? 2 : quick ? 3 : 10;

const numbaFile = opt('numba', undefined);
const EXAMPLES = ['pi', 'dot', 'histogram', 'option-pricing', 'random-walk'];

/** europeanCall's arguments after the arrays, as examples/option-pricing.mjs passes them (the same signature, the same PTX). */
const optionArgs = (states, sums, squares, paths) => [states, sums, squares, paths, ...marketArgs()];

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };
async function timed(f, n = reps) {
  await f();
  const ms = [];
  for (let r = 0; r < n; r++) { const t0 = performance.now(); await f(); ms.push(performance.now() - t0); }
  return median(ms);
}
const errText = (e) => String(e?.message ?? e).split('\n')[0].slice(0, 300);

/**
 * Every corpus case through core's conformance runner (as the backends'
 * conformance tests): against the simulator, or refused as the contract asks
 * (f64 on webgpu, divergent warp functions where warps are emulated, …).
 * On cuda with cache: true, as bench/cuda/prepare.mjs compiles them (a machine
 * without LLVM loads that PTX).
 */
async function corpus(target) {
  const { CORPUS, runCase } = await import('@numbat/core/testsuite');
  const cases = [];
  for (const c of CORPUS) {
    const r = await runCase(target === 'cuda' ? { ...c, options: { ...c.options, cache: true } } : c, target);
    cases.push({ name: r.name, status: r.status, detail: r.problems.join('; ').slice(0, 300) });
  }
  const failed = cases.filter((c) => c.status === 'fail');
  return { cases: cases.length, refused: cases.filter((c) => c.status === 'refused').length, failed: failed.length, failures: failed };
}

async function randomBits(target, supportsF64) {
  const n = 1 << 16;
  const states = random.createStates(n, 20261129n);
  const k32 = cuda.jit(function draws(st, u, g) {
    const i = cuda.grid(1);
    if (i < u.length) { u[i] = random.uniformF32(st, i); g[i] = random.normalF32(st, i); }
  }, { target });
  const sim32 = cuda.jit(function draws(st, u, g) {
    const i = cuda.grid(1);
    if (i < u.length) { u[i] = random.uniformF32(st, i); g[i] = random.normalF32(st, i); }
  }, { target: 'sim', float: 'f32' });
  const run = async (k) => { const st = states.slice(), u = new Float32Array(n), g = new Float32Array(n); await k.configure(n / 256, 256)(st, u, g); return [st, u, g]; };
  const [a, b] = [await run(k32), await run(sim32)];
  const differ = (x, y) => { const X = new Uint32Array(x.buffer), Y = new Uint32Array(y.buffer); let d = 0; for (let i = 0; i < X.length; i++) if (X[i] !== Y[i]) d++; return d; };
  // Normals go through each target's log/sqrt/sin/cos (docs/random.md): not bit-identical, bounded.
  let normalMaxErr = 0;
  for (let i = 0; i < n; i++) normalMaxErr = Math.max(normalMaxErr, Math.abs(a[2][i] - b[2][i]) / Math.max(1, Math.abs(b[2][i])));
  // States word for word, but a kept Box-Muller partner (an f32 normal's bits, docs/random.md) as
  // the normals: within 1e-5 (at most 8 mismatches listed).
  const { stateMismatches } = await import('@numbat/core/testsuite');
  const stateMismatch = stateMismatches(a[0], b[0], random.STATE_WORDS, { rtol: 1e-5, atol: 1e-5 });
  const out = { draws: n, statesDiffer: stateMismatch.length, stateMismatches: stateMismatch, uniformF32Differ: differ(a[1], b[1]), normalF32NotIdentical: differ(a[2], b[2]), normalF32MaxRelErr: normalMaxErr };
  if (supportsF64) {
    const f = function draws64(st, u) { const i = cuda.grid(1); if (i < u.length) u[i] = random.uniformF64(st, i); };
    const r = async (t) => { const st = states.slice(), u = new Float64Array(n); await cuda.jit(f, { target: t }).configure(n / 256, 256)(st, u); return u; };
    out.uniformF64Differ = differ(await r(target), await r('sim'));
  }
  out.bitIdentical = Object.entries(out).every(([k, v]) => !k.endsWith('Differ') || v === 0);
  return out;
}

/** Every example on `target`: its checks (each must pass) and its throughput in its own unit. */
async function examples(target) {
  const out = {};
  for (const name of EXAMPLES) {
    try {
      const mod = await import(`../../examples/${name}.mjs`);
      const r = await mod.run({ target, size: quick ? 'small' : 'default' });
      const failed = r.checks.filter((c) => !c.ok).map((c) => `${c.name}: ${c.detail}`);
      out[name] = { ok: failed.length === 0, failed, throughput: r.throughput, unit: r.unit ?? mod.meta?.unit };
    } catch (e) {
      out[name] = { ok: false, error: errText(e) };
    }
  }
  return out;
}

/** The throughput kernels compiled to PTX without a GPU (--dry-run), and ptxas -arch=sm_90 on each when it is installed. */
async function cudaPtxOnly() {
  const n = 1024, f = () => new Float32Array(n);
  const ptx = {
    copy: await cuda.jit(function copyKernel(x, y) { const i = cuda.grid(1); if (i < y.length) y[i] = x[i]; }, { target: 'cuda' }).inspect('ptx', f(), f()),
    add4: await cuda.jit(add4, { target: 'cuda' }).inspect('ptx', f(), f(), f(), f()),
    monteCarlo: await cuda.jit(monteCarloPi, { target: 'cuda' }).inspect('ptx', new Uint32Array(n), new Uint32Array(n), 10),
    optionPricing: await cuda.jit(europeanCall, { target: 'cuda' }).inspect('ptx', ...optionArgs(random.createStates(n, 1), f(), f(), 10)),
  };
  const sum = reduce((x, y) => x + y, { target: 'cuda' });
  ptx.reduceBlocks = await sum.inspect('ptx', 'f32', 'blocks');
  ptx.reduceFinal = await sum.inspect('ptx', 'f32', 'final');
  const out = { kernels: Object.keys(ptx).length, reduceVectorLoads: /ld\.global\.v4\.f32/.test(ptx.reduceBlocks) };
  try {
    const dir = join(tmpdir(), `numbat-gpu-ptx-${process.pid}`);
    mkdirSync(dir, { recursive: true });
    for (const [name, text] of Object.entries(ptx)) {
      writeFileSync(join(dir, `${name}.ptx`), text);
      execFileSync('ptxas', ['-arch=sm_90', join(dir, `${name}.ptx`), '-o', join(dir, `${name}.cubin`)], { stdio: 'pipe' });
    }
    out.ptxas = 'sm_90: all accepted';
  } catch (e) {
    out.ptxas = e.code === 'ENOENT' ? 'not installed' : `rejected: ${errText(e.stderr ?? e)}`;
  }
  return out;
}

async function throughput(target) {
  const n = 2 ** log2n, bytes = n * 4;
  const r = {};
  const s = cuda.stream();
  const sync = () => s.synchronize();
  // Compile-only applies to cuda alone: a dry run without a GPU still runs and checks webgpu.
  const noRun = compileOnly && target === 'cuda';
  // Compile-only: the same device arrays (the same signatures) without host data that nothing would read.
  const dev = (fill) => (noRun ? cuda.deviceArray(n, 'f32', { target }) : cuda.toDevice(new Float32Array(n).fill(fill), { target }));

  // Launch cost: 4-array kernel on 256 elements.
  {
    const arrs = [0, 1, 2, 3].map(() => cuda.toDevice(new Float32Array(256).fill(1), { target }));
    const k = cuda.jit(add4, { target });
    const awaited = k.configure(1, 256);
    r.launchAwaitedUs = (await timed(async () => { for (let j = 0; j < 100; j++) await awaited(...arrs); }, 3)) * 10;
    const onStream = k.configure(1, 256, { stream: s });
    const N = dryRun ? 200 : quick ? 1000 : 20000;
    const ms = await timed(async () => { for (let j = 0; j < N; j++) onStream(...arrs); await sync(); }, 3);
    r.streamLaunchesPerS = N / (ms / 1000);
    for (const a of arrs) await a.free();
  }
  const grid = Math.ceil(n / 256);
  // Copy kernel: the bandwidth ceiling a kernel can reach (read + write).
  {
    const a = dev(1), b = cuda.deviceArray(n, 'f32', { target });
    const copy = cuda.jit(function copyKernel(x, y) { const i = cuda.grid(1); if (i < y.length) y[i] = x[i]; }, { target }).configure(grid, 256, { stream: s });
    const ms = await timed(async () => { copy(a, b); await sync(); });
    r.copy = { n, ms, gbPerS: (2 * bytes) / ms / 1e6 };
    await b.free();
    // reduce over the same input
    const sum = reduce((x, y) => x + y, { target });
    const rms = await timed(async () => { const v = await sum(a); if (v !== n && !noRun) throw new Error(`reduce gave ${v}, want ${n}`); });
    r.reduce = { n, ms: rms, gbPerS: bytes / rms / 1e6, ofCopy: bytes / rms / 1e6 / r.copy.gbPerS, blocks: (await sum.plan(n, target)).blocks };
    await a.free();
  }
  {
    const a = dev(1), b = dev(2), c = dev(3), out = cuda.deviceArray(n, 'f32', { target });
    const k = cuda.jit(add4, { target }).configure(grid, 256, { stream: s });
    const ms = await timed(async () => { k(a, b, c, out); await sync(); });
    const check = await out.copyToHost();
    r.add4 = { n, ms, gbPerS: (4 * bytes) / ms / 1e6, ok: check[0] === 6 && check[n - 1] === 6 };
    for (const x of [a, b, c, out]) await x.free();
  }
  {
    const threads = dryRun ? 4096 : quick ? 16384 : 1 << 20, samples = dryRun ? 100 : quick ? 500 : 20000;
    const seeds = new Uint32Array(threads).map((_, i) => (Math.imul(i, -1640531535) + 1) >>> 0);
    const st = cuda.toDevice(seeds, { target }), counts = cuda.deviceArray(threads, 'u32', { target });
    const k = cuda.jit(monteCarloPi, { target }).configure(threads / 256, 256, { stream: s });
    const ms = await timed(async () => { k(st, counts, samples); await sync(); }, quick ? 3 : 5);
    const c = await counts.copyToHost();
    let hits = 0; for (const x of c) hits += x;
    r.monteCarlo = { threads, samples, ms, gSamplesPerS: (threads * samples) / ms / 1e6, pi: (4 * hits) / (threads * samples) };
    await st.free(); await counts.free();
  }
  {
    // The option-pricing example's kernel and market on device arrays, timed alone (the example
    // itself also sums on the host); numba_bench.py prices the same with xoroshiro128p normals.
    const threads = dryRun ? 4096 : quick ? 1 << 16 : 1 << 20, paths = dryRun ? 16 : quick ? 128 : 1024;
    const st = noRun ? cuda.deviceArray(threads * random.STATE_WORDS, 'u32', { target }) : cuda.toDevice(random.createStates(threads, 20261124), { target });
    const sums = cuda.deviceArray(threads, 'f32', { target }), squares = cuda.deviceArray(threads, 'f32', { target });
    const k = cuda.jit(europeanCall, { target }).configure(threads / 256, 256, { stream: s });
    const ms = await timed(async () => { k(...optionArgs(st, sums, squares, paths)); await sync(); }, quick ? 3 : 5);
    // The last launch's paths: the price and its standard error against the closed form.
    let total = 0, totalSq = 0;
    const [a, b] = [await sums.copyToHost(), await squares.copyToHost()];
    for (let i = 0; i < threads; i++) { total += a[i]; totalSq += b[i]; }
    const n = threads * paths, { price, stderr } = priceFromSums(total, totalSq, n), exact = blackScholesCall(MARKET);
    r.optionPricing = { threads, paths, ms, gPathsPerS: n / ms / 1e6, price, blackScholes: exact, stderr, ok: noRun || Math.abs(price - exact) < 5 * stderr };
    for (const x of [st, sums, squares]) await x.free();
  }
  {
    // A rejection sampler: a warp waits for its slowest thread once per draw when the retry loop
    // is nested, once per try when the backends have made the two loops one.
    const threads = dryRun ? 4096 : quick ? 1 << 16 : 1 << 20, draws = dryRun ? 16 : quick ? 64 : 256;
    const gamma = {};
    let first;
    for (const [form, fn] of [['flattened', sumGammas], ['nested', sumGammasNested]]) {
      const st = noRun ? cuda.deviceArray(threads * random.STATE_WORDS, 'u32', { target }) : cuda.toDevice(random.createStates(threads, 20261124), { target });
      const sums = cuda.deviceArray(threads, 'f32', { target });
      const k = cuda.jit(fn, { target }).configure(threads / 256, 256, { stream: s });
      const ms = await timed(async () => { k(st, sums, draws, GAMMA_ALPHA); await sync(); }, quick ? 3 : 5);
      const got = await sums.copyToHost();
      gamma[form] = { ms, mDrawsPerS: (threads * draws) / ms / 1e3 };
      // Each launch continues the states, so both forms ran the same launches from the same seeds.
      if (first) gamma.sameSums = noRun || got.every((v, j) => v === first[j]);
      else first = got;
      for (const x of [st, sums]) await x.free();
    }
    r.gamma = { threads, draws, ...gamma };
  }
  await s.destroy();
  return r;
}

const report = { date: new Date().toISOString(), quick, log2n, node: process.version, targets: {} };
let gpuName = 'nogpu';
try { gpuName = execFileSync('nvidia-smi', ['--query-gpu=name', '--format=csv,noheader'], { encoding: 'utf8' }).split('\n')[0].trim() || gpuName; } catch { /* no NVIDIA driver */ }
for (const target of targets) {
  const a = await targetAvailability(target);
  if (!a.ok) {
    report.targets[target] = { skipped: a.reason };
    console.log(`${target}: skipped (${a.reason})`);
    if (dryRun && target === 'cuda') {
      // No GPU here: at least compile what the GPU run will compile (PTX, checked by ptxas when installed).
      try { report.targets[target].ptx = await cudaPtxOnly(); } catch (e) { report.targets[target].ptx = { error: errText(e) }; }
      console.log(`  ptx: ${JSON.stringify(report.targets[target].ptx)}`);
    }
    continue;
  }
  const entry = { device: a.device, hardware: a.hardware };
  if (target === 'webgpu') {
    const { adapterInfo } = await import('@numbat/webgpu');
    const info = await adapterInfo();
    entry.adapter = `${info.name} [${info.backend}]`;
    if (gpuName === 'nogpu') gpuName = info.name;
  }
  const supportsF64 = (await import(`@numbat/${target}`)).backend.caps.f64;
  console.log(`== ${target}: ${a.device}`);
  const sections = [['corpus', () => corpus(target)], ['random', () => randomBits(target, supportsF64)], ['examples', () => examples(target)], ['throughput', () => throughput(target)]];
  if (compileOnly && target === 'cuda') {
    report.targets[target] = await cudaKernelList(sections, entry);
    continue;
  }
  for (const [key, f] of sections) {
    try { entry[key] = await f(); } catch (e) { entry[key] = { error: errText(e) }; }
    console.log(`  ${key}: ${JSON.stringify(entry[key]).slice(0, 400)}`);
  }
  report.targets[target] = entry;
}

if (numbaFile) {
  try { report.numba = JSON.parse(readFileSync(numbaFile, 'utf8')); } catch (e) { report.numba = { error: `${numbaFile}: ${errText(e)}` }; }
}
const d2d = report.numba?.sameRun?.d2dCopy?.GBps;
for (const t of targets) {
  const red = report.targets[t]?.throughput?.reduce;
  if (red && typeof d2d === 'number') red.ofD2d = red.gbPerS / d2d;
}

if (kernelsFile && report.targets.cuda?.kernels) writeFileSync(kernelsFile, JSON.stringify(report.targets.cuda.kernels, null, 2));
const slug = gpuName.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
const base = join(outDir, `${slug}-${report.date.slice(0, 10)}`);
mkdirSync(outDir, { recursive: true });
writeFileSync(`${base}.json`, JSON.stringify(report, null, 2));
writeFileSync(`${base}.md`, markdown(report));
console.log(`wrote ${base}.json and .md`);
// A compile-only run fails when a kernel's PTX was missing (NUMBAT_CUDA_NO_LLVM=1) or did not compile.
if (compileOnly && (report.targets.cuda?.kernels?.missing.length || report.targets.cuda?.kernels?.stopped.length)) process.exit(1);

/**
 * Compile-only cuda: every section as on a GPU (nothing runs), then which
 * kernels they asked for, at which signatures, and where each one's PTX came
 * from. A section stopped by an error (a kernel not prepared) is named: the
 * kernels after it were not asked for.
 */
async function cudaKernelList(sections, entry) {
  const { kernelRequests } = await import('@numbat/cuda');
  const stopped = [];
  for (const [key, f] of sections) {
    try {
      const r = await f();
      // The corpus runner reports a case's compile error as its failure instead of throwing.
      for (const c of r?.failures ?? []) if (/not prepared|cuda compile|internal error/.test(c.detail)) stopped.push(`${key}/${c.name}: ${c.detail}`);
      for (const [name, x] of Object.entries(key === 'examples' ? r : {})) if (x.error) stopped.push(`${key}/${name}: ${x.error}`);
    } catch (e) { stopped.push(`${key}: ${errText(e)}`); }
  }
  const seen = new Map();
  for (const k of kernelRequests()) {
    const id = `${k.kernel}(${k.signature})`;
    // A kernel found once is found: later requests of the same specialisation come from the cache anyway.
    if (!seen.has(id) || k.origin === 'missing') seen.set(id, k.origin);
  }
  const list = [...seen].map(([id, origin]) => ({ kernel: id, origin }));
  const kernels = {
    count: list.length,
    cache: list.filter((k) => k.origin === 'cache').length,
    compiled: list.filter((k) => k.origin === 'compiled').length,
    missing: list.filter((k) => k.origin === 'missing').map((k) => k.kernel),
    stopped,
    list,
  };
  console.log(`  kernels: ${kernels.count} (${kernels.cache} from the PTX cache, ${kernels.compiled} compiled now, ${kernels.missing.length} not prepared${kernels.missing.length ? `: ${kernels.missing.join(', ')}` : ''})`);
  for (const s of stopped) console.log(`  stopped: ${s.slice(0, 300)}`);
  const out = { ...entry, compileOnly: true, kernels };
  if (dryRun) {
    // ptxas on the throughput kernels' PTX, as where cuda is not available at all.
    try { out.ptx = await cudaPtxOnly(); } catch (e) { out.ptx = { error: errText(e) }; }
    console.log(`  ptx: ${JSON.stringify(out.ptx)}`);
  }
  return out;
}

function markdown(rep) {
  const f = (x, d = 1) => (typeof x === 'number' ? x.toFixed(d) : 'n/a');
  const lines = [`# GPU run ${rep.date.slice(0, 10)} (${gpuName})`, '', `node ${rep.node}; arrays of 2^${rep.log2n} f32${rep.quick ? ' (--quick)' : ''}. Made by \`bench/gpu/run.mjs\`.`, ''];
  lines.push('| | ' + targets.join(' | ') + ' |', '|---|' + targets.map(() => '---').join('|') + '|');
  const row = (name, get) => lines.push(`| ${name} | ${targets.map((t) => { const e = rep.targets[t]; if (e?.compileOnly) return name === 'device' ? `${e.device}: ${e.kernels.count} kernels, ${e.kernels.cache} from the PTX cache, ${e.kernels.compiled} compiled, ${e.kernels.missing.length} not prepared` : '—'; if (e?.skipped) return name === 'device' ? `skipped: ${e.skipped.slice(0, 120)}${e.ptx ? ` (PTX only: ${e.ptx.error ?? `${e.ptx.kernels} kernels, ptxas ${e.ptx.ptxas}`})` : ''}` : '—'; try { return get(e); } catch { return 'n/a'; } }).join(' | ')} |`);
  row('device', (e) => e.adapter ?? e.device);
  row('corpus vs sim', (e) => e.corpus.error ?? `${e.corpus.cases - e.corpus.failed}/${e.corpus.cases} ok (${e.corpus.refused} of them refused as the contract asks)${e.corpus.failed ? ` (failed: ${e.corpus.failures.map((c) => c.name).join(', ')})` : ''}`);
  row('random: states, uniforms bit-identical', (e) => e.random.error ?? `${e.random.bitIdentical ? 'yes' : 'NO'} (${e.random.draws} draws; normals within ${e.random.normalF32MaxRelErr.toExponential(1)}, kept ones in the states within 1e-5)`);
  row('examples (own checks)', (e) => e.examples.error ?? EXAMPLES.map((x) => { const r = e.examples[x]; return `${x}: ${r.ok ? `ok, ${f(r.throughput, 2)} ${r.unit}` : `FAILED (${r.error ?? r.failed.join('; ')})`}`; }).join('<br>'));
  row('launch, awaited', (e) => `${f(e.throughput.launchAwaitedUs)} µs`);
  row('launches/s on a stream', (e) => f(e.throughput.streamLaunchesPerS, 0));
  row('copy kernel', (e) => `${f(e.throughput.copy.gbPerS)} GB/s`);
  row('add4', (e) => `${f(e.throughput.add4.gbPerS)} GB/s (${f(e.throughput.add4.ms, 3)} ms)${e.throughput.add4.ok ? '' : ': WRONG sums'}`);
  row('reduce', (e) => `${f(e.throughput.reduce.gbPerS)} GB/s = ${f(100 * e.throughput.reduce.ofCopy, 0)}% of the copy kernel${e.throughput.reduce.ofD2d === undefined ? '' : `, ${f(100 * e.throughput.reduce.ofD2d, 0)}% of d2d copy`} (${e.throughput.reduce.blocks} blocks)`);
  row('Monte Carlo pi', (e) => `${f(e.throughput.monteCarlo.gSamplesPerS, 2)} G samples/s (pi ≈ ${f(e.throughput.monteCarlo.pi, 5)})`);
  row('option pricing', (e) => { const o = e.throughput.optionPricing; return o ? `${f(o.gPathsPerS, 2)} G paths/s (${o.threads} threads × ${o.paths} paths; price ${f(o.price, 4)}, Black-Scholes ${f(o.blackScholes, 4)}${o.ok ? '' : ': OFF by more than 5 standard errors'})` : 'n/a'; });
  row('gamma (a retry loop per draw)', (e) => { const g = e.throughput.gamma; return g ? `${f(g.flattened.mDrawsPerS, 0)} M draws/s with its loops made one, ${f(g.nested.mDrawsPerS, 0)} M nested (${f(g.nested.ms / g.flattened.ms, 2)}×${g.sameSums ? '; the same sums' : '; sums DIFFER'})` : 'n/a'; });
  for (const t of targets) for (const c of rep.targets[t]?.corpus?.failures ?? []) lines.push('', `- ${t} ${c.name}: ${c.detail}`);
  lines.push(...numbaSection(rep));
  return lines.join('\n') + '\n';
}

/** numba-cuda's figures of the same run (run.sh runs it first, at the same size), against target 'cuda'. */
function numbaSection(rep) {
  const nb = rep.numba;
  if (!nb) return ['', 'numba-cuda: not run (not installed, or no NVIDIA driver).'];
  if (nb.error) return ['', `numba-cuda: ${nb.error}`];
  const s = nb.sameRun ?? {};
  const ours = rep.targets.cuda?.throughput;
  const f = (x, d = 1) => (typeof x === 'number' ? x.toFixed(d) : 'n/a');
  const ratio = (a, b) => (typeof a === 'number' && typeof b === 'number' ? `${(a / b).toFixed(2)}×` : 'n/a');
  const lines = ['', `## numba-cuda ${nb.numba_cuda ?? nb.numba ?? ''}, same GPU, same run (2^${Math.log2(s.n ?? 0)} f32)`, '',
    '| | numba-cuda | numbat cuda | numbat time / numba time |', '|---|---|---|---|'];
  if (s.error) lines.splice(2, 0, `numba's same-size section failed: ${s.error}`, '');
  lines.push(`| device-to-device copy (the ceiling) | ${f(s.d2dCopy?.GBps)} GB/s | — | |`);
  lines.push(`| launches/s (4-array kernel, async) | ${nb.launchOverhead_us ? f(1e6 / nb.launchOverhead_us, 0) : 'n/a'} | ${f(ours?.streamLaunchesPerS, 0)} | ${ratio(nb.launchOverhead_us, ours?.streamLaunchesPerS ? 1e6 / ours.streamLaunchesPerS : undefined)} (per launch, inverted) |`);
  lines.push(`| copy kernel | ${f(s.copyKernel?.GBps)} GB/s | ${f(ours?.copy?.gbPerS)} GB/s | ${ratio(ours?.copy?.ms, s.copyKernel?.median_ms)} |`);
  lines.push(`| add4 | ${f(s.add4?.GBps)} GB/s | ${f(ours?.add4?.gbPerS)} GB/s | ${ratio(ours?.add4?.ms, s.add4?.median_ms)} |`);
  lines.push(`| reduce (numba: cuda.reduce) | ${f(s.reduce?.GBps)} GB/s | ${f(ours?.reduce?.gbPerS)} GB/s | ${ratio(ours?.reduce?.ms, s.reduce?.median_ms)} |`);
  lines.push(`| Monte Carlo pi | ${f(s.monteCarlo?.gSamplesPerS, 2)} G samples/s | ${f(ours?.monteCarlo?.gSamplesPerS, 2)} G samples/s | ${ratio(ours?.monteCarlo?.ms, s.monteCarlo?.median_ms)} |`);
  const op = s.optionPricing ?? {};
  const opWeb = rep.targets.webgpu?.throughput?.optionPricing;
  lines.push(`| option pricing (numba: xoroshiro128p normals; numbat: Philox normalF32) | ${op.error ? `failed: ${op.error}` : `${f(op.gPathsPerS, 2)} G paths/s`} | ${f(ours?.optionPricing?.gPathsPerS, 2)} G paths/s (webgpu: ${f(opWeb?.gPathsPerS, 2)}) | ${ratio(op.gPathsPerS, ours?.optionPricing?.gPathsPerS)} (webgpu: ${ratio(op.gPathsPerS, opWeb?.gPathsPerS)}; time per path) |`);
  return lines;
}
