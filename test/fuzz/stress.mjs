// Repeated launches under load: every conformance-corpus case compiled once on cpu and
// launched --repeat times (every other launch on the worker threads), each result compared
// with the simulator's, in --processes processes at once (more processes than cores:
// workers are preempted at any point, as on a loaded CI machine). The fuzzer launches each
// kernel once; timing-dependent bugs (the grid barrier's, docs/backends/cpu.md) show only
// over thousands of launches. With --fuzz-seeds A-B, the fuzzer's kernels of those seeds
// instead (a fuzz seed's launch compared with its simulator run, as fuzz.mjs compares them).
// Not run in CI.
//   node test/fuzz/stress.mjs [--repeat 30] [--processes 3] [--fuzz-seeds 7000-7099]
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { cuda } from '@numbat/core';
import { CORPUS, caseMismatches } from '@numbat/core/testsuite';
import { extraOutputs, generate, launchOf, makeArgs } from './gen.mjs';
import { buildKernel, compare, launch, quickOptions } from './run.mjs';

const argv = process.argv.slice(2);
const opt = (name, dflt) => { const i = argv.indexOf(`--${name}`); return i >= 0 ? Number(argv[i + 1]) : dflt; };
const repeat = opt('repeat', 30), processes = opt('processes', 3), part = opt('part', -1);
const seedsArg = argv.includes('--fuzz-seeds') ? argv[argv.indexOf('--fuzz-seeds') + 1] : undefined;
const [seedLo, seedHi] = seedsArg ? seedsArg.split('-').map(Number) : [];

/**
 * `launchIt` (a configured kernel) run `repeat` times on fresh `args()`, every other time on the
 * worker threads (a launch this small otherwise runs as one synchronous call); `check` gives the
 * differences of one run's arguments from the simulator's. Stops a kernel at its first problem.
 */
async function repeated(name, launchIt, args, check, problems) {
  for (let r = 0; r < repeat; r++) {
    const a = args();
    if (r % 2) process.env.NUMBAT_CPU_SYNC_THREADS = '0'; else delete process.env.NUMBAT_CPU_SYNC_THREADS;
    try { await launchIt(...a); } catch (e) { problems.push(`${name}, launch ${r + 1}: rejected: ${e.message.split('\n')[0]}`); return r + 1; }
    const bad = check(a);
    if (bad.length) { problems.push(`${name}, launch ${r + 1}: ${bad.join('; ')}`); return r + 1; }
  }
  return repeat;
}

/** One part's corpus cases (index mod processes = part): launches and problems. */
async function runCases() {
  const problems = [];
  let launches = 0;
  for (const [ci, c] of CORPUS.entries()) {
    if (ci % processes !== part || c.refusedOn?.cpu) continue;
    const want = c.args();
    try {
      await cuda.jit(c.kernel, { ...c.options, target: 'sim' }).configure(c.grid, c.block, { sharedMem: c.sharedMem })(...want);
    } catch { continue; } // a case meant to fail (its own test checks the error)
    const k = cuda.jit(c.kernel, { ...c.options, target: 'cpu' }).configure(c.grid, c.block, { sharedMem: c.sharedMem });
    launches += await repeated(c.name, k, () => c.args(), (got) => caseMismatches(c, got, want, false), problems);
  }
  return { launches, problems };
}

/** One part's fuzz seeds (seed mod processes = part), each kernel compiled once for cpu. */
async function runSeeds() {
  const problems = [];
  let launches = 0;
  for (let seed = seedLo; seed <= seedHi; seed++) {
    if (seed % processes !== part) continue;
    const p = generate(seed);
    const want = await launch(p, 'sim');
    if (want.error) continue; // a generator problem: the fuzzer reports those
    const { fn, globals } = buildKernel(p);
    const { grid, block, sharedMem } = launchOf(p);
    const k = cuda.jit(fn, { target: 'cpu', globals, ...quickOptions(p, 'cpu') }).configure(grid, block, ...(sharedMem ? [{ sharedMem }] : []));
    const check = (got) => compare(got, want.args, { f32: !p.f64, extra: extraOutputs(p), states: p.useRandom });
    launches += await repeated(`fuzz seed ${seed}`, k, () => makeArgs(p, !p.f64), check, problems);
  }
  return { launches, problems };
}

if (part >= 0) {
  process.send(seedsArg ? await runSeeds() : await runCases());
} else {
  const t0 = performance.now();
  const results = await Promise.all(Array.from({ length: processes }, (_, p) => new Promise((resolve, reject) => {
    const child = fork(fileURLToPath(import.meta.url), ['--repeat', String(repeat), '--processes', String(processes), '--part', String(p), ...(seedsArg ? ['--fuzz-seeds', seedsArg] : [])]);
    child.on('message', resolve);
    child.on('exit', (code) => { if (code) reject(new Error(`part ${p} exited with ${code}`)); });
  })));
  const launches = results.reduce((n, r) => n + r.launches, 0), problems = results.flatMap((r) => r.problems);
  for (const p of problems) console.log(p);
  console.log(`${seedsArg ? `fuzz seeds ${seedsArg}` : `${CORPUS.length} corpus cases`} on cpu, ${launches} launches in ${processes} processes (${((performance.now() - t0) / 1000).toFixed(0)} s): ${problems.length} problems`);
  process.exitCode = problems.length ? 1 : 0;
}
