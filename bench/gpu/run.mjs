// One GPU run: correctness and throughput of targets 'cuda' and 'webgpu' on
// this machine, written to bench/results/<gpu>-<date>.{json,md}.
//   node bench/gpu/run.mjs [--quick] [--targets cuda,webgpu] [--log2n 28] [--out DIR]
// after `npx tsc -b` (bench/gpu/run.sh does the setup on a fresh machine).
// Per available target (an unavailable one is reported with the reason):
//   corpus      every conformance case against the simulator (f64 cases on
//               webgpu must be refused with the f64 error)
//   random      states, uniformF32/uniformF64 bits against the simulator; normalF32's largest difference
//   launch      awaited launch latency and launches/s on a stream (4-array kernel)
//   copy        a copy kernel over 2^log2n f32 (read + write): the bandwidth ceiling
//   add4        out = a + b + c over 2^log2n f32 (3 reads + 1 write)
//   reduce      reduce((a, b) => a + b) of 2^log2n f32, vs the copy's bandwidth
//   monteCarlo  the seed's Monte Carlo pi kernel, samples/s
// Timings: median of several runs after a warm-up, each ended by a stream
// synchronize (or the reduction's result), so the GPU work is inside.

import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cuda, random, reduce, targetAvailability } from '@numbat/core';
import { monteCarloPi } from '../webgpu/kernels.mjs';
import { add4 } from '../cuda/kernels.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const argv = process.argv.slice(2);
const opt = (n, d) => { const i = argv.indexOf(`--${n}`); return i >= 0 ? argv[i + 1] : d; };
const quick = argv.includes('--quick');
const targets = opt('targets', 'cuda,webgpu').split(',');
const log2n = Number(opt('log2n', quick ? 20 : 28));
const reps = quick ? 3 : 10;
const outDir = opt('out', join(root, 'bench', 'results'));

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };
async function timed(f, n = reps) {
  await f();
  const ms = [];
  for (let r = 0; r < n; r++) { const t0 = performance.now(); await f(); ms.push(performance.now() - t0); }
  return median(ms);
}
const errText = (e) => String(e?.message ?? e).split('\n')[0].slice(0, 300);

/** The corpus and the comparison helper, from core's exported testsuite. */
async function loadCorpus() {
  const { CORPUS, mismatches } = await import('@numbat/core/testsuite');
  return { CORPUS, mismatches };
}

async function corpus(target, supportsF64) {
  const { CORPUS, mismatches } = await loadCorpus();
  const run = async (c, t, float) => {
    const args = c.args();
    // On cuda with cache: true, as bench/cuda/prepare.mjs compiles them (a machine without LLVM loads that PTX).
    await cuda.jit(c.kernel, { ...c.options, target: t, ...(t === 'cuda' ? { cache: true } : {}), ...(float ? { float } : {}) }).configure(c.grid, c.block, { sharedMem: c.sharedMem })(...args);
    return args;
  };
  const cases = [];
  for (const c of CORPUS) {
    let status = 'pass', detail = '';
    try {
      if (c.needsF64 && !supportsF64) {
        const e = await run(c, target).then(() => undefined, (err) => err);
        status = e && /f64|Float64Array/.test(e.message) ? 'refused (f64, as required)' : 'fail';
        if (status === 'fail') detail = e ? errText(e) : 'an f64 kernel ran without the f64 error';
      } else {
        const got = await run(c, target);
        const want = await run(c, 'sim', supportsF64 ? undefined : 'f32');
        for (const o of c.outputs) {
          const g = got[o];
          const bad = mismatches(g, want[o], g instanceof Float32Array || g instanceof Float64Array, g instanceof Float32Array || !supportsF64, c);
          if (bad.length) { status = 'fail'; detail += `output ${o + 1}: ${bad.slice(0, 3).join('; ')} `; }
        }
      }
    } catch (e) {
      if (c.narrowInts && e.name === 'CompileError' && /8|16/.test(e.message)) status = 'refused (8/16-bit)';
      else { status = 'fail'; detail = errText(e); }
    }
    cases.push({ name: c.name, status, detail });
  }
  const failed = cases.filter((c) => c.status === 'fail');
  return { cases: cases.length, failed: failed.length, failures: failed };
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
  const out = { draws: n, statesDiffer: differ(a[0], b[0]), uniformF32Differ: differ(a[1], b[1]), normalF32NotIdentical: differ(a[2], b[2]), normalF32MaxRelErr: normalMaxErr };
  if (supportsF64) {
    const f = function draws64(st, u) { const i = cuda.grid(1); if (i < u.length) u[i] = random.uniformF64(st, i); };
    const r = async (t) => { const st = states.slice(), u = new Float64Array(n); await cuda.jit(f, { target: t }).configure(n / 256, 256)(st, u); return u; };
    out.uniformF64Differ = differ(await r(target), await r('sim'));
  }
  out.bitIdentical = Object.entries(out).every(([k, v]) => !k.endsWith('Differ') || v === 0);
  return out;
}

async function throughput(target) {
  const n = 2 ** log2n, bytes = n * 4;
  const r = {};
  const s = cuda.stream();
  const sync = () => s.synchronize();
  const dev = (fill) => cuda.toDevice(new Float32Array(n).fill(fill), { target });

  // Launch cost: 4-array kernel on 256 elements.
  {
    const arrs = [0, 1, 2, 3].map(() => cuda.toDevice(new Float32Array(256).fill(1), { target }));
    const k = cuda.jit(add4, { target });
    const awaited = k.configure(1, 256);
    r.launchAwaitedUs = (await timed(async () => { for (let j = 0; j < 100; j++) await awaited(...arrs); }, 3)) * 10;
    const onStream = k.configure(1, 256, { stream: s });
    const N = quick ? 1000 : 20000;
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
    const rms = await timed(async () => { const v = await sum(a); if (v !== n) throw new Error(`reduce gave ${v}, want ${n}`); });
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
    const threads = quick ? 16384 : 1 << 20, samples = quick ? 500 : 20000;
    const seeds = new Uint32Array(threads).map((_, i) => (Math.imul(i, -1640531535) + 1) >>> 0);
    const st = cuda.toDevice(seeds, { target }), counts = cuda.deviceArray(threads, 'u32', { target });
    const k = cuda.jit(monteCarloPi, { target }).configure(threads / 256, 256, { stream: s });
    const ms = await timed(async () => { k(st, counts, samples); await sync(); }, quick ? 3 : 5);
    const c = await counts.copyToHost();
    let hits = 0; for (const x of c) hits += x;
    r.monteCarlo = { threads, samples, ms, gSamplesPerS: (threads * samples) / ms / 1e6, pi: (4 * hits) / (threads * samples) };
    await st.free(); await counts.free();
  }
  await s.destroy();
  return r;
}

const report = { date: new Date().toISOString(), quick, log2n, node: process.version, targets: {} };
let gpuName = 'nogpu';
try { gpuName = execFileSync('nvidia-smi', ['--query-gpu=name', '--format=csv,noheader'], { encoding: 'utf8' }).split('\n')[0].trim() || gpuName; } catch { /* no NVIDIA driver */ }
for (const target of targets) {
  const a = await targetAvailability(target);
  if (!a.ok) { report.targets[target] = { skipped: a.reason }; console.log(`${target}: skipped (${a.reason})`); continue; }
  const entry = { device: a.device, hardware: a.hardware };
  if (target === 'webgpu') {
    const { adapterInfo } = await import('@numbat/webgpu');
    const info = await adapterInfo();
    entry.adapter = `${info.name} [${info.backend}]`;
    if (gpuName === 'nogpu') gpuName = info.name;
  }
  const supportsF64 = (await import(`@numbat/${target}`)).backend.caps.f64;
  console.log(`== ${target}: ${a.device}`);
  for (const [key, f] of [['corpus', () => corpus(target, supportsF64)], ['random', () => randomBits(target, supportsF64)], ['throughput', () => throughput(target)]]) {
    try { entry[key] = await f(); } catch (e) { entry[key] = { error: errText(e) }; }
    console.log(`  ${key}: ${JSON.stringify(entry[key]).slice(0, 400)}`);
  }
  report.targets[target] = entry;
}

const slug = gpuName.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
const base = join(outDir, `${slug}-${report.date.slice(0, 10)}`);
mkdirSync(outDir, { recursive: true });
writeFileSync(`${base}.json`, JSON.stringify(report, null, 2));
writeFileSync(`${base}.md`, markdown(report));
console.log(`wrote ${base}.json and .md`);

function markdown(rep) {
  const f = (x, d = 1) => (typeof x === 'number' ? x.toFixed(d) : 'n/a');
  const lines = [`# GPU run ${rep.date.slice(0, 10)} (${gpuName})`, '', `node ${rep.node}; arrays of 2^${rep.log2n} f32${rep.quick ? ' (--quick)' : ''}. Made by \`bench/gpu/run.mjs\`.`, ''];
  lines.push('| | ' + targets.join(' | ') + ' |', '|---|' + targets.map(() => '---').join('|') + '|');
  const row = (name, get) => lines.push(`| ${name} | ${targets.map((t) => { const e = rep.targets[t]; if (e?.skipped) return `skipped: ${e.skipped.slice(0, 80)}`; try { return get(e); } catch { return 'n/a'; } }).join(' | ')} |`);
  row('device', (e) => e.adapter ?? e.device);
  row('corpus vs sim', (e) => e.corpus.error ?? `${e.corpus.cases - e.corpus.failed}/${e.corpus.cases} ok${e.corpus.failed ? ` (failed: ${e.corpus.failures.map((c) => c.name).join(', ')})` : ''}`);
  row('random: states, uniforms bit-identical', (e) => e.random.error ?? `${e.random.bitIdentical ? 'yes' : 'NO'} (${e.random.draws} draws; normals within ${e.random.normalF32MaxRelErr.toExponential(1)})`);
  row('launch, awaited', (e) => `${f(e.throughput.launchAwaitedUs)} µs`);
  row('launches/s on a stream', (e) => f(e.throughput.streamLaunchesPerS, 0));
  row('copy kernel (ceiling)', (e) => `${f(e.throughput.copy.gbPerS)} GB/s`);
  row('add4', (e) => `${f(e.throughput.add4.gbPerS)} GB/s (${f(e.throughput.add4.ms, 3)} ms)`);
  row('reduce', (e) => `${f(e.throughput.reduce.gbPerS)} GB/s = ${f(100 * e.throughput.reduce.ofCopy, 0)}% of copy (${e.throughput.reduce.blocks} blocks)`);
  row('Monte Carlo pi', (e) => `${f(e.throughput.monteCarlo.gSamplesPerS, 2)} G samples/s (pi ≈ ${f(e.throughput.monteCarlo.pi, 5)})`);
  for (const t of targets) for (const c of rep.targets[t]?.corpus?.failures ?? []) lines.push('', `- ${t} ${c.name}: ${c.detail}`);
  return lines.join('\n') + '\n';
}
