// Baseline anchors for the benchmark suite: the same Monte Carlo pi and f32
// reduction jobs in numba (prange), C + OpenMP, plain single-threaded JS and,
// optionally, numba's CUDA simulator. They run in the same process invocation
// as the numbat numbers so machine noise and clocks are shared.
//
//   import { runAnchors } from './anchors/index.mjs';
//   const rows = await runAnchors({ cudasim: true });
//   // -> [{anchor, threads, mc:{samples_per_s,total,seconds}, reduce:{gbps,sum,seconds,acc}, compile_s}
//   //     | {anchor, skipped: 'reason'}]
//
// `node bench/anchors/index.mjs [--no-cudasim]` prints a table and the JSON.
// Anchors run one after another, never in parallel: each one uses every core.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const TIMEOUT_MS = 300_000;

// Runs a command and returns the object from the last JSON line of its stdout,
// or throws an Error whose message becomes the `skipped` reason.
function runJson(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: TIMEOUT_MS, maxBuffer: 1 << 24, ...opts });
  if (r.error) throw new Error(`${cmd}: ${r.error.code ?? r.error.message}`);
  if (r.status !== 0) {
    const tail = (r.stderr || r.stdout || '').trim().split('\n').slice(-1)[0];
    throw new Error(`${path.basename(cmd)} exited ${r.status ?? r.signal}: ${tail}`);
  }
  const line = r.stdout.trim().split('\n').filter((l) => l.startsWith('{')).pop();
  if (!line) throw new Error(`${path.basename(cmd)} printed no JSON`);
  return JSON.parse(line);
}

// The python3 first on PATH may lack numba (e.g. a pyenv shim while numba is
// the Debian python3-numba package), so probe candidates for one that has it.
let pythonCache;
function findPython() {
  if (pythonCache !== undefined) return pythonCache;
  const candidates = [process.env.NUMBAT_PYTHON, 'python3', '/usr/bin/python3', 'python'].filter(Boolean);
  pythonCache = null;
  for (const py of candidates) {
    const r = spawnSync(py, ['-c', 'import numba'], { encoding: 'utf8', timeout: 60_000 });
    if (!r.error && r.status === 0) { pythonCache = py; break; }
  }
  return pythonCache;
}

function numbaAnchor(anchor, extraArgs, script = 'numba_anchor.py') {
  const py = findPython();
  if (!py) return { anchor, skipped: 'no python with numba (set NUMBAT_PYTHON or apt-get install python3-numba)' };
  // A fixed environment: no on-disk cache, so compile_s is a real compile.
  const env = { ...process.env, NUMBA_CACHE_DIR: fs.mkdtempSync(path.join(os.tmpdir(), 'numba-cache-')) };
  try {
    return runJson(py, [path.join(here, script), ...extraArgs], { env });
  } catch (e) {
    return { anchor, skipped: e.message };
  } finally {
    fs.rmSync(env.NUMBA_CACHE_DIR, { recursive: true, force: true });
  }
}

function openmpAnchor(anchor = 'c-openmp', source = 'openmp.c') {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'numbat-anchor-c-'));
  try {
    const t0 = performance.now();
    const bin = buildC(dir, source);
    const compile_s = (performance.now() - t0) / 1e3;
    // compile_s = the cc build, the C analogue of a JIT's first-call cost.
    return { ...runJson(bin, []), compile_s };
  } catch (e) {
    return { anchor, skipped: e.message };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function buildC(dir, source) {
  const r = spawnSync('sh', [path.join(here, 'build-c.sh'), dir, source], { encoding: 'utf8', timeout: TIMEOUT_MS });
  if (r.error || r.status !== 0) {
    const why = r.error ? r.error.message : (r.stderr.trim().split('\n')[0] || `exit ${r.status}`);
    throw new Error(`build-c.sh failed: ${why}`);
  }
  return r.stdout.trim().split('\n').pop();
}

// Plain JS runs in a child node so the caller's JIT state (numbat's own code,
// other benchmarks' type feedback) can't help or hurt it.
function plainJsAnchor() {
  try {
    return runJson(process.execPath, [path.join(here, 'plain-js.mjs')]);
  } catch (e) {
    return { anchor: 'plain-js', skipped: e.message };
  }
}

// numpy's Generator(Philox) on one core: any python3 with numpy (numba not needed).
function numpyAnchor() {
  try {
    return runJson(process.env.NUMBAT_PYTHON ?? 'python3', [path.join(here, 'random_anchor.py'), '--numpy']);
  } catch (e) {
    return { anchor: 'numpy-philox', skipped: e.message };
  }
}

export async function runAnchors({ cudasim = true } = {}) {
  const rows = [plainJsAnchor(), numbaAnchor('numba-parallel', []), openmpAnchor()];
  // Monte Carlo random-number anchors (uniform/normal draws, option pricing, the basket and barrier calls).
  rows.push(numpyAnchor(), numbaAnchor('numba-parallel-option', ['--numba-option'], 'random_anchor.py'), openmpAnchor('c-openmp-philox', 'philox-openmp.c'));
  if (cudasim) rows.push(numbaAnchor('numba-cudasim', ['--cudasim']));
  return rows;
}

function table(rows) {
  const f = (v, d) => (v === undefined ? '-' : Number(v).toFixed(d));
  const out = [['anchor', 'thr', 'MC Msamples/s', 'MC total', 'reduce GB/s', 'reduce sum', 'uniform M/s', 'normal M/s', 'normal f64 M/s', 'gamma M/s', 'option Mpaths/s', 'basket Mpaths/s', 'barrier Mpaths/s', 'compile s']];
  for (const r of rows) {
    if (r.skipped) { out.push([r.anchor, `skipped: ${r.skipped}`]); continue; }
    out.push([r.anchor, String(r.threads ?? '-'), f(r.mc?.samples_per_s / 1e6, 1), String(r.mc?.total ?? '-'),
      f(r.reduce?.gbps, 2), String(r.reduce?.sum ?? '-'), f(r.uniform?.draws_per_s / 1e6, 1), f(r.normal?.draws_per_s / 1e6, 1), f(r.normal64?.draws_per_s / 1e6, 1), f(r.gamma?.draws_per_s / 1e6, 1),
      f(r.option?.paths_per_s / 1e6, 1), f(r.basket?.paths_per_s / 1e6, 1), f(r.barrier?.paths_per_s / 1e6, 1), f(r.compile_s, 3)]);
  }
  const w = out[0].map((_, i) => Math.max(...out.filter((r) => r.length > 2).map((r) => r[i].length)));
  return out.map((r) => (r.length > 2 ? r.map((c, i) => c.padEnd(w[i])).join('  ') : r.join('  '))).join('\n');
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const rows = await runAnchors({ cudasim: !process.argv.includes('--no-cudasim') });
  console.log(table(rows));
  // The full-size anchors must agree exactly on the MC total (the cudasim run
  // is a smaller prefix problem and checks itself against expected_total).
  const totals = new Set(rows.filter((r) => !r.skipped && r.mc && r.anchor !== 'numba-cudasim').map((r) => r.mc.total));
  if (totals.size > 1) console.log(`WARNING: MC totals disagree: ${[...totals].join(', ')}`);
  console.log(JSON.stringify(rows));
}
