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
import { cuda, NdArray, random } from '@numbat/core';
import { CORPUS, mismatches, stateMismatches } from '@numbat/core/testsuite';
import { extraOutputs, generate, launchOf, makeArgs } from './gen.mjs';
import { buildKernel, compare, launch, quickOpt } from './run.mjs';

const argv = process.argv.slice(2);
const opt = (name, dflt) => { const i = argv.indexOf(`--${name}`); return i >= 0 ? Number(argv[i + 1]) : dflt; };
const repeat = opt('repeat', 30), processes = opt('processes', 3), part = opt('part', -1);
const seedsArg = argv.includes('--fuzz-seeds') ? argv[argv.indexOf('--fuzz-seeds') + 1] : undefined;
const [seedLo, seedHi] = seedsArg ? seedsArg.split('-').map(Number) : [];
const onWorkers = (r) => { if (r % 2) process.env.NUMBAT_CPU_SYNC_THREADS = '0'; else delete process.env.NUMBAT_CPU_SYNC_THREADS; };

/** One part's cases (index mod processes = part): launches and problems. */
async function runPart() {
  const data = (a) => (a instanceof NdArray ? a.data : a);
  const problems = [];
  let launches = 0;
  for (const [ci, c] of CORPUS.entries()) {
    if (ci % processes !== part || c.refusedOn?.cpu) continue;
    const want = c.args();
    try {
      await cuda.jit(c.kernel, { ...c.options, target: 'sim' }).configure(c.grid, c.block, { sharedMem: c.sharedMem })(...want);
    } catch { continue; } // a case meant to fail (its own test checks the error)
    const k = cuda.jit(c.kernel, { ...c.options, target: 'cpu' }).configure(c.grid, c.block, { sharedMem: c.sharedMem });
    for (let r = 0; r < repeat; r++) {
      launches++;
      const got = c.args();
      onWorkers(r); // every other launch on the worker threads (one this small otherwise runs as one synchronous call)
      try { await k(...got); } catch (e) { problems.push(`${c.name}, launch ${r + 1}: rejected: ${e.message.split('\n')[0]}`); break; }
      for (const o of c.outputs) {
        const g = data(got[o]), w = data(want[o]);
        const float = g instanceof Float32Array || g instanceof Float64Array;
        const bad = c.randomStates?.includes(o) ? stateMismatches(g, w, random.STATE_WORDS, c) : mismatches(g, w, float, g instanceof Float32Array, c);
        if (bad.length) problems.push(`${c.name}, launch ${r + 1}, output ${o + 1}: ${bad.join('; ')}`);
      }
    }
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
    const k = cuda.jit(fn, { target: 'cpu', globals, ...(quickOpt(p) ? { opt: false } : {}) }).configure(grid, block, ...(sharedMem ? [{ sharedMem }] : []));
    for (let r = 0; r < repeat; r++) {
      launches++;
      const args = makeArgs(p, !p.f64);
      onWorkers(r);
      try { await k(...args); } catch (e) { problems.push(`fuzz seed ${seed}, launch ${r + 1}: rejected: ${e.message.split('\n')[0]}`); break; }
      const bad = compare(args, want.args, { f32: !p.f64, extra: extraOutputs(p), states: p.useRandom });
      if (bad.length) { problems.push(`fuzz seed ${seed}, launch ${r + 1}: ${bad.join('; ')}`); break; }
    }
  }
  return { launches, problems };
}

if (part >= 0) {
  process.send(seedsArg ? await runSeeds() : await runPart());
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
