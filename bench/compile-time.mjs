// Compile time of kernels that use random, per stage, on cpu and cuda (PTX
// only: cuda's code generator runs without a GPU), disk cache off. LLVM is
// loaded by a warm-up compile first, so the kernels' numbers are the "cold
// compile, LLVM loaded" of issue 16; load-llvm is reported on its own. Each
// kernel is compiled --runs times (a fresh cuda.jit each time: no in-memory
// specialisation), the table gives the median per stage in wall ms and, beside
// it, CPU ms (the machine is shared: wall time also counts waiting for a core).
// "frontend" is the compile's wall time outside the backend (parse, lowering,
// folding, verification, legalisation, the cache key).
// With --examples, each example's first launch (compile included) in fresh
// processes (the median of --runs), backend load included.
//   node bench/compile-time.mjs [--targets cpu,cuda] [--runs 5] [--examples] [--json FILE] [--jsonl]
// (--jsonl: one JSON line per kernel and target, and with --examples per example; npm run bench reads them)
import { spawnSync } from 'node:child_process';
import { readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { cuda, loadBackend, random } from '@numbat/core';
import { monteCarloPi } from '../examples/pi.mjs';
// The kernels as the example and the bench's draw workloads run them (imported, not copied).
import { europeanCall } from '../examples/option-pricing.mjs';
import { GAMMA_ALPHA, barrierArgs, barrierCall, basketArgs, basketCall, basketCholesky, jumpDiffusion, sumGammas, sumNormals, sumNormals64, sumNormalsBlockTree, sumUniforms } from './suite/kernels.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const argv = process.argv.slice(2);
const opt = (n, d) => { const i = argv.indexOf(`--${n}`); return i >= 0 && argv[i + 1] !== undefined ? argv[i + 1] : d; };
const targets = opt('targets', 'cpu,cuda').split(',');
const runs = Number(opt('runs', 5));
const jsonOut = opt('json', undefined);
// --jsonl: one JSON line per kernel and target, no tables (bench/run.mjs reads them).
const jsonl = argv.includes('--jsonl');

function saxpy(a, x, y) {
  const i = cuda.grid(1);
  if (i < x.length) y[i] = a * x[i] + y[i];
}

const states = () => random.createStates(4, 1);
const f32 = () => new Float32Array(4);
/** name → [kernel, sample arguments]; the last two use no random (the baselines). */
const BASELINE = 'pi-lcg (no random)';
export const RANDOM_FREE = [BASELINE, 'saxpy (no random)'];
export const KERNELS = {
  'option-pricing': [europeanCall, () => [states(), f32(), f32(), 1, 100, 105, 0.03, 0.2]],
  'uniform-draws': [sumUniforms, () => [states(), f32(), 1]],
  'normal-draws': [sumNormals, () => [states(), f32(), 1]],
  'normal-f64-draws': [sumNormals64, () => [states(), new Float64Array(4), 1]],
  // the bench's other Monte Carlo kernels: a rejection sampler, a basket, a barrier
  'gamma-draws': [sumGammas, () => [states(), f32(), 1, GAMMA_ALPHA]],
  'basket-option': [basketCall, () => [states(), basketCholesky(), f32(), 1, ...basketArgs()]],
  'barrier-option': [barrierCall, () => [states(), f32(), 1, ...barrierArgs()]],
  // Monte Carlo's usual shape: per-thread sums, then a shared-memory tree (barriers); and a jump
  // diffusion (a normal drawn under a thread-dependent if)
  'normal-block-tree': [sumNormalsBlockTree, () => [states(), f32(), 1]],
  'jump-diffusion': [jumpDiffusion, () => [states(), f32(), 1, 0.05]],
  'pi-lcg (no random)': [monteCarloPi, () => [new Uint32Array(4), new Uint32Array(4), 1]],
  'saxpy (no random)': [saxpy, () => [2, f32(), f32()]],
};

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2; };

/** One cold compile (no disk cache): wall ms per backend stage, CPU ms per stage, and the frontend's share. */
async function compileOnce(target, fn, args, backendModule) {
  const t0 = performance.now(), c0 = process.cpuUsage();
  await cuda.jit(fn, { target, cache: false }).inspect('ir', ...args());
  const wall = performance.now() - t0, c = process.cpuUsage(c0), cpuAll = (c.user + c.system) / 1000;
  const rec = backendModule.compileRecords().at(-1);
  if (rec.origin !== 'compiled') throw new Error(`${fn.name} on ${target} was not compiled (${rec.origin})`);
  const { total, ...stages } = rec.timings;
  const cpu = rec.cpuTimings ?? {};
  const backendCpu = Object.values(cpu).reduce((a, b) => a + b, 0);
  return { wall: { frontend: wall - total, ...stages, total: wall }, cpu: { frontend: cpuAll - backendCpu, ...cpu, total: cpuAll } };
}

async function measureTarget(target) {
  const backendModule = await import(`@numbat/${target}`);
  // cuda's PTX needs LLVM only (no GPU); cpu needs its linker too.
  const avail = target === 'cuda' ? undefined : await (await loadBackend(target)).available?.();
  if (avail && !avail.ok) return { skipped: avail.reason };
  let warm;
  try { warm = await compileOnce(target, saxpy, KERNELS['saxpy (no random)'][1], backendModule); } catch (e) { return { skipped: e.message.split('\n')[0] }; }
  const out = { loadLlvmMs: warm.wall['load-llvm'] ?? 0, firstSetupMs: warm.wall.setup, kernels: {} }; // the first compile loaded LLVM
  for (const [name, [fn, args]] of Object.entries(KERNELS)) {
    const samples = [];
    for (let r = 0; r < runs; r++) samples.push(await compileOnce(target, fn, args, backendModule));
    const stages = Object.keys(samples[0].wall).filter((k) => k !== 'load-llvm');
    out.kernels[name] = Object.fromEntries(stages.map((s) => [s, {
      wall: median(samples.map((x) => x.wall[s])),
      cpu: s in samples[0].cpu ? median(samples.map((x) => x.cpu[s])) : undefined,
    }]));
    if (jsonl) console.log(JSON.stringify({ type: 'compile-stages', target, kernel: name, runs, stages: out.kernels[name], baseline: RANDOM_FREE.includes(name) }));
  }
  return out;
}

/**
 * The first launch of every example in a fresh process (cache off): its own compileMs, and process
 * start to the end of that launch; the median of `runs` processes per example (their compileMs kept
 * in `compileRuns`), the examples taking turns (a slow minute of a shared host spreads over all).
 */
function exampleFirstLaunches(target, runs) {
  const dir = join(here, '..', 'examples');
  const files = readdirSync(dir).filter((x) => x.endsWith('.mjs')).sort();
  const samples = Object.fromEntries(files.map((f) => [f, []]));
  const out = {};
  for (let r = 0; r < runs; r++) {
    for (const f of files) {
      const code = `const t = performance.now(); const m = await import(${JSON.stringify(join(dir, f))}); const r = await m.run({ target: ${JSON.stringify(target)}, size: 'small' });` +
        `console.log(JSON.stringify({ compileMs: r.compileMs, processMs: performance.timeOrigin + performance.now() - START }));`;
      const start = Date.now();
      const p = spawnSync(process.execPath, ['--input-type=module', '-e', code.replace('START', String(start)), 'compile-time-child'], { encoding: 'utf8', env: { ...process.env, NUMBAT_LOG: '' } });
      const line = p.stdout.trim().split('\n').find((l) => l.startsWith('{'));
      if (line) samples[f].push(JSON.parse(line));
      else out[f.replace('.mjs', '')] ??= { error: (p.stderr || p.stdout).trim().split('\n').slice(-1)[0] };
    }
  }
  for (const f of files) {
    const name = f.replace('.mjs', ''), xs = samples[f];
    if (out[name]) continue;
    out[name] = { compileMs: median(xs.map((x) => x.compileMs)), processMs: median(xs.map((x) => x.processMs)), compileRuns: xs.map((x) => x.compileMs) };
  }
  return out;
}

const fmt = (x) => (x === undefined ? '' : x.toFixed(1));
function table(target, r) {
  const kernels = Object.entries(r.kernels);
  const stages = [...new Set(kernels.flatMap(([, k]) => Object.keys(k)))];
  const base = r.kernels[BASELINE]?.total.cpu;
  const cell = (k, s) => (k[s] ? `${fmt(k[s].wall)}${k[s].cpu !== undefined ? ` / ${fmt(k[s].cpu)}` : ''}` : '');
  const width = Math.max(...stages.map((s) => s.length), ...kernels.flatMap(([, k]) => stages.map((s) => cell(k, s).length)));
  const lines = [`${target}: median of ${runs} cold compiles (cache off, LLVM loaded: the first compile's load-llvm ${fmt(r.loadLlvmMs)} ms, setup ${fmt(r.firstSetupMs)} ms), wall ms / CPU ms per stage; ×: total CPU ÷ ${BASELINE}'s`,
    ['kernel'.padEnd(20), ...stages.map((s) => s.padStart(width)), '×'.padStart(6)].join(' ')];
  for (const [name, k] of kernels) {
    lines.push([name.padEnd(20), ...stages.map((s) => cell(k, s).padStart(width)), (base ? (k.total.cpu / base).toFixed(2) : '').padStart(6)].join(' '));
  }
  return lines.join('\n');
}

const main = import.meta.url === pathToFileURL(process.argv[1] ?? '').href;
const results = {};
for (const target of main ? targets : []) {
  results[target] = await measureTarget(target);
  if (jsonl) { if (results[target].skipped) console.log(JSON.stringify({ type: 'compile-stages', target, skipped: results[target].skipped })); continue; }
  console.log(results[target].skipped ? `${target}: skipped (${results[target].skipped})` : table(target, results[target]));
  console.log();
}
if (main && argv.includes('--examples')) {
  results.examples = {};
  for (const target of targets.filter((t) => t === 'cpu')) {
    results.examples[target] = exampleFirstLaunches(target, runs);
    if (jsonl) {
      for (const [example, e] of Object.entries(results.examples[target])) console.log(JSON.stringify({ type: 'example-first-launch', target, example, runs, ...e }));
      continue;
    }
    console.log(`${target}: first launch of each example in a fresh process (cache off, size small), median of ${runs} processes: the example's own first-launch ms (compile + launch), ms from spawning the process to its end (node start, imports, backend load), and the first-launch range`);
    for (const [name, e] of Object.entries(results.examples[target])) {
      const range = e.compileRuns?.length > 1 ? `${fmt(Math.min(...e.compileRuns))}–${fmt(Math.max(...e.compileRuns))}` : '';
      console.log(`  ${name.padEnd(16)} ${e.error ? `failed: ${e.error}` : `${fmt(e.compileMs).padStart(8)} ${fmt(e.processMs).padStart(8)}   ${range}`}`);
    }
  }
}
if (main && jsonOut) writeFileSync(jsonOut, JSON.stringify(results, null, 1));
if (main) process.exit(0);
