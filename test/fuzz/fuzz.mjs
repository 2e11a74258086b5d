// The fuzzing loop shared by the command line (cli.mjs) and the CI test (test/fuzz.test.ts):
// generate, check on every target, count, reduce the failures and print them as tests.

import { fork } from 'node:child_process';
import { generate, kernelSource, deviceSources, extraOutputs, makeArgs, launchOf, paramsOf, STATES } from './gen.mjs';
import { check, holdDevices, quickOpt, runJS, FAILURES } from './run.mjs';
import { reduce } from './reduce.mjs';

/** Families whose bugs (issue 11 and the ones this fuzzer found) are still open: off unless asked. */
export const KNOWN_OPEN = [];

const failureKey = (r) => Object.entries(r)
  .filter(([, v]) => FAILURES.has(v.status))
  .map(([t, v]) => `${t}:${v.status}:${v.status === 'mismatch' ? mismatchedArrays(v.message) : v.message.split(' |')[0].replace(/ at \S+/g, '')}`)
  .join(',');

// The output arrays a mismatch message names (a reduction keeps the same ones wrong).
const mismatchedArrays = (m) => [...new Set([...m.matchAll(/(\w+)\[\d+\]: got/g)].map((x) => x[1]))].join('+');

/** A compile and launch slower than this (ms) is reported as slow: the compile blew up (issue 11, seed 553064 took 72 s on cpu). */
export const SLOW_MS = 10000;

/**
 * Runs `count` kernels (or until `seconds` pass) from `seed` on; returns the summary.
 * onFailure receives { seed, results, reduced, test } for each failing kernel; onSlow
 * { seed, target, ms, source } for each target whose compile and launch took over slowMs
 * (counted in summary.perTarget[target].slow and listed in summary.slow; not reduced).
 * `jobs` > 1 checks that many kernels at once, each in its own worker process (worker.mjs:
 * the compilers of cpu and llvmpipe run on the calling thread, so one process uses one core);
 * seeds are handed out in order and every one handed out is finished, so a run still covers
 * seeds seed..seed+kernels-1. summary.stageMs[target] sums each stage's ms (run.mjs: check)
 * over the summary.stageMs[target].kernels kernels that ran it; summary.stageMs.harness the
 * generation and the reduction of failing kernels.
 */
export async function fuzz({ seed = 1, count = Infinity, seconds = Infinity, targets = ['sim', 'cpu', 'webgpu'], exclude = [], kinds = null, reduceFailures = true, maxReduceTries = 300, slowMs = SLOW_MS, jobs = 1, onFailure = () => {}, onSlow = () => {}, onProgress = () => {} } = {}) {
  const t0 = Date.now();
  const summary = { kernels: 0, jsChecked: 0, perTarget: {}, skipReasons: {}, coverage: {}, failures: [], slow: [], stageMs: {} };
  const opts = { targets, exclude, kinds, reduceFailures, maxReduceTries, slowMs };
  const absorb = (rec) => { account(summary, rec, slowMs, onFailure, onSlow); onProgress(summary); };
  const more = (s) => s < seed + count && (Date.now() - t0) / 1000 < seconds;
  if (jobs <= 1) {
    const release = await holdDevices(targets);
    try {
      for (let s = seed; more(s); s++) absorb(await checkSeed(s, opts));
    } finally { release(); }
  } else {
    await inWorkers(jobs, seed, more, opts, absorb);
  }
  summary.seconds = (Date.now() - t0) / 1000;
  return summary;
}

/** Generates and checks one kernel (and reduces it if it fails): a record for account(). */
export async function checkSeed(s, { targets, exclude, kinds, reduceFailures, maxReduceTries, slowMs }) {
  const t0 = performance.now();
  const p = generate(s, { exclude, kinds });
  const generateMs = performance.now() - t0;
  const results = await check(p, targets);
  const key = failureKey(results);
  let failure, reduceMs;
  if (key) {
    const r0 = performance.now();
    let reduced = p;
    if (reduceFailures) {
      const failing = Object.keys(results).filter((t) => FAILURES.has(results[t].status));
      const tgts = [...new Set(['sim', ...failing.filter((t) => t !== 'js')])];
      const k0 = failureKey(await check(p, tgts));
      if (k0) reduced = await reduce(p, async (c) => failureKey(await check(c, tgts)) === k0, { maxTries: maxReduceTries });
    }
    failure = { seed: s, exclude, results, key, program: reduced, source: programText(reduced), test: asTest(reduced, results) };
    reduceMs = performance.now() - r0;
  }
  const slow = Object.values(results).some((r) => r.ms > slowMs);
  return { seed: s, coverage: p.coverage, results, source: slow ? programText(p) : undefined, failure, harnessMs: { generate: generateMs, ...(key ? { reduce: reduceMs } : {}) } };
}

/** Adds one kernel's record to the summary. */
function account(summary, rec, slowMs, onFailure, onSlow) {
  const bump = (t, k) => { const o = (summary.perTarget[t] ??= {}); o[k] = (o[k] ?? 0) + 1; };
  const time = (t, stages) => {
    const o = (summary.stageMs[t] ??= { kernels: 0, ms: {} });
    o.kernels++;
    for (const [k, v] of Object.entries(stages)) o.ms[k] = (o.ms[k] ?? 0) + v;
  };
  summary.kernels++;
  for (const c of rec.coverage) summary.coverage[c] = (summary.coverage[c] ?? 0) + 1;
  time('harness', rec.harnessMs);
  for (const [t, r] of Object.entries(rec.results)) {
    const name = t === 'js' ? 'plain JS' : t;
    bump(name, r.status);
    if (r.stages) time(name, r.stages);
    if (r.status === 'skipped') ((summary.skipReasons[t] ??= {})[r.message] = true);
    if (t === 'js') summary.jsChecked++;
    if (r.ms > slowMs) {
      bump(t, 'slow');
      const slow = { seed: rec.seed, target: t, ms: r.ms, source: rec.source };
      summary.slow.push(slow);
      onSlow(slow);
    }
  }
  if (rec.failure) {
    summary.failures.push(rec.failure);
    onFailure(rec.failure);
  }
}

/**
 * Checks seeds in `jobs` worker processes, handing each the next seed while `more(seed)`;
 * waits for every seed handed out. A worker that dies (a crash in a driver) is reported as an
 * internal failure of its kernel and replaced.
 */
async function inWorkers(jobs, seed, more, opts, absorb) {
  let next = seed;
  const pending = new Map(); // seed -> record, to absorb in seed order (a deterministic report)
  let absorbed = seed;
  const flushInOrder = () => { while (pending.has(absorbed)) { absorb(pending.get(absorbed)); pending.delete(absorbed); absorbed++; } };
  const start = () => new Promise((resolve) => {
    let current;
    const w = fork(new URL('./worker.mjs', import.meta.url), [], { serialization: 'advanced', stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const give = () => {
      if (!more(next)) { current = undefined; w.send({ stop: true }); return; }
      current = next++;
      w.send({ seed: current, opts });
    };
    w.on('message', (rec) => { pending.set(rec.seed, rec); flushInOrder(); give(); });
    w.on('exit', (code, signal) => {
      if (current === undefined) { resolve(); return; }
      const message = `the worker process checking this kernel exited (${signal ?? `code ${code}`}) without a result`;
      const source = programText(generate(current, opts));
      pending.set(current, { seed: current, coverage: [], results: { worker: { status: 'internal', message } }, source, harnessMs: {},
        failure: { seed: current, exclude: opts.exclude, results: {}, key: `worker:internal:${message}`, source, test: `// fuzz seed ${current}: ${message} (not reduced; rerun it with --jobs 1)\n${source}` } });
      flushInOrder();
      resolve(more(next) ? start() : undefined); // a fresh worker takes the remaining seeds
    });
    give();
  });
  await Promise.all(Array.from({ length: jobs }, start));
}

export function programText(p) {
  return [...deviceSources(p).map((d) => d.src), kernelSource(p)].join('\n');
}

const arrayLiteral = (a) => (Array.prototype.every.call(a, (v) => Object.is(v, 0) || v === 0n)
  ? `new ${a.constructor.name}(${a.length})`
  : `new ${a.constructor.name}([${Array.from(a, (v) => (typeof v === 'bigint' ? `${v}n` : Object.is(v, -0) ? '-0' : String(v))).join(', ')}])`);

/** A ready-to-paste vitest case for a failing program (reduced). */
export function asTest(p, results) {
  const devs = deviceSources(p);
  const args = makeArgs(p, !p.f64);
  const { grid, block, sharedMem } = launchOf(p);
  const failing = Object.entries(results).filter(([, r]) => FAILURES.has(r.status));
  const targets = [...new Set(failing.map(([t]) => (t === 'js' ? 'sim' : t)))];
  const lines = [];
  lines.push(`// fuzz seed ${p.seed}: ${failing.map(([t, r]) => `${t} ${r.status}: ${r.message}`).join('; ')}`);
  if (targets.includes('cpu') && p.seed % 2 === 1) lines.push(`process.env.NUMBAT_CPU_SYNC_THREADS = '0'; // the fuzzer ran this seed's cpu launch on the worker threads (run.mjs onWorkerThreads)`);
  for (const d of devs) lines.push(`const ${d.name} = cuda.jit(${d.src}, { device: true, globals: { ${devs.slice(0, devs.indexOf(d)).map((x) => x.name).join(', ')} } });`);
  lines.push(`const kern = ${kernelSource(p).replace(/\n/g, '\n  ')};`);
  lines.push(`const args = () => [${args.map((a) => (ArrayBuffer.isView(a) ? arrayLiteral(a) : String(a))).join(', ')}]; // ${paramsOf(p).join(', ')}`);
  if (quickOpt(p)) lines.push(`// the fuzzer compiled this seed for cpu and cuda with opt: false (run.mjs quickOpt)`);
  const quick = quickOpt(p) ? ", ...(target === 'cpu' || target === 'cuda' ? { opt: false } : {})" : '';
  lines.push(`const run = async (target: Target, float?: 'f32') => { const a = args(); await cuda.jit(kern, { target, globals: { ${devs.map((d) => d.name).join(', ')} }, ...(float ? { float } : {})${quick} }).configure(${JSON.stringify(grid)}, ${JSON.stringify(block)}${sharedMem ? `, { sharedMem: ${sharedMem} }` : ''})(...a); return a.slice(3, 9)${p.useRandom ? `.concat([a[${STATES}]])` : ''}${extraOutputs(p).map((o) => `.concat([a[${o.index}]])`).join('')}; };`);
  if (p.useRandom) lines.push('// the last array is the random states: compare them with stateMismatches (@numbat/core/testsuite) where a kept Box-Muller partner differs in its last bits');
  if (results.js && results.js.status === 'mismatch') {
    const js = runJS(p), want = js.slice(3, 9).concat(extraOutputs(p).map((o) => js[o.index]));
    lines.push(`it('fuzz seed ${p.seed}: sim matches plain JS', async () => {`);
    lines.push(`  expect(await run('sim')).toEqual([${want.map(arrayLiteral).join(', ')}]); // the kernel run as plain JS`);
    lines.push('});');
  }
  for (const t of targets) {
    if (t === 'sim' && !(results.sim && FAILURES.has(results.sim.status))) continue;
    if (t === 'ptx') {
      lines.push(`it('fuzz seed ${p.seed}: ptxas accepts the PTX', async () => {`);
      lines.push(`  const ptx = await cuda.jit(kern, { target: 'cuda', globals: { ${devs.map((d) => d.name).join(', ')} }${quickOpt(p) ? ', opt: false' : ''} }).inspect('ptx', ...args());`);
      lines.push(`  assemblePtx(findPtxas()!, String(ptx), 'kern'); // packages/cuda/test/ptxas.mjs`);
      lines.push('});');
      continue;
    }
    lines.push(`it('fuzz seed ${p.seed}: ${t} ${t === 'sim' ? 'compiles and runs' : 'matches sim'}', async () => {`);
    lines.push(t === 'sim' ? `  await run('sim');` : `  expect(await run('${t}')).toEqual(await run('sim'${p.f64 || t !== 'webgpu' ? '' : ", 'f32'"}));`);
    lines.push('});');
  }
  return lines.join('\n');
}
