// The benchmark suite (`npm run bench`): every example (examples/*.mjs) and the
// corpus' heavy kernels on every available target, the anchors (numba
// parallel, numba's CUDA simulator, C -O3 OpenMP, plain JS) in the same run,
// cold-compile and cache-load times, peak RSS and a leak check per target.
//   node bench/run.mjs [--quick] [--targets sim,cpu,webgpu,cuda] [--no-anchors]
//                      [--out DIR] [--repeat N] [--workloads id,id]
//                      [--no-compile] [--no-leak] [--examples DIR]
//                      [--size large|default|small] [--timeout SECONDS]
// Writes DIR/<machine>-<date>.{json,md,svg} (DIR: bench/results) and copies
// them to DIR/latest.*, then prints the Markdown report.
// Every workload runs in its own child process (bench/suite/worker.mjs; also
// compile.mjs, leak.mjs): its peak RSS is its own, and a crash or hang costs
// that workload only, which reads "n/a (reason)"; so does a missing anchor (no
// numba, no cc).
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runChild } from './suite/child.mjs';
import { chartSvg } from './suite/chart.mjs';
import { si } from './suite/format.mjs';
import { chartPanels, computeRatios, markdownReport } from './suite/report.mjs';
import { machineInfo } from './suite/system.mjs';
import { allWorkloads, describeWorkload, EXAMPLES_DIR } from './suite/workloads.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const suite = (f) => join(here, 'suite', f);

const argv = process.argv.slice(2);
const flag = (n) => argv.includes(`--${n}`);
const opt = (n, d) => { const i = argv.indexOf(`--${n}`); return i >= 0 && argv[i + 1] !== undefined ? argv[i + 1] : d; };
const quick = flag('quick');
const targets = opt('targets', 'sim,cpu,webgpu,cuda').split(',').map((s) => s.trim()).filter(Boolean);
const outDir = opt('out', join(here, 'results'));
// Each workload runs `repeat` times in its child and keeps its best run, as the anchors keep the best
// of their 5 (one run was the default: a single unlucky run could set numbat's figure). The
// simulator, the oracle rather than a contender and the slowest, runs once unless --repeat says.
const repeatArg = opt('repeat', undefined);
const repeat = Number(repeatArg ?? (quick ? 1 : 3));
const repeatFor = (target) => (target === 'sim' && repeatArg === undefined ? 1 : repeat);
const only = opt('workloads', undefined)?.split(',');
// Another examples directory (the smoke test's failing fixtures); children get it through the environment.
const examplesDir = resolve(opt('examples', EXAMPLES_DIR));
process.env.NUMBAT_BENCH_EXAMPLES = examplesDir;
// Examples run at 'large' (their biggest run; --size picks another); the simulator
// interprets every thread in JS, so it runs them at 'small'. --quick runs everything at 'small'.
const size = opt('size', 'large');
const exampleSize = (target) => (quick || target === 'sim' ? 'small' : size);
const LEAK_ITERATIONS = quick ? 100 : 1000, LEAK_ROUNDS = quick ? 2 : 4; // after a warm-up of 2 rounds
// A workload that prints nothing for this long is killed (and reads "n/a (timed out)").
const IDLE_MS = Number(opt('timeout', quick ? 120 : 600)) * 1000;

const log = (s) => process.stderr.write(`${s}\n`);
const started = performance.now();
const machine = machineInfo(root);
const workloads = (await allWorkloads(examplesDir)).filter((w) => !only || only.includes(w.id));
log(`numbat bench on ${machine.cpu} (${machine.cores} cores), ${quick ? 'quick' : 'full'} run; targets ${targets.join(', ')}; workloads ${workloads.map((w) => w.id).join(', ')}`);

/**
 * Runs each workload of one target in its own child process: its peak RSS is
 * that workload's alone, and a crash or a hang costs only that workload.
 */
async function runTarget(target) {
  const results = {};
  let info = { available: false, reason: 'the worker did not start' };
  const startRss = [];
  for (const w of workloads) {
    const { lines, error } = await runChild(suite('worker.mjs'), [target, exampleSize(target), quick ? '1' : '0', String(repeatFor(target)), w.id], { idleMs: IDLE_MS });
    const start = lines.find((l) => l.type === 'start');
    if (!start) { info.reason = `the worker failed: ${error}`; break; }
    info = { available: start.available, device: start.device, reason: start.reason };
    if (!start.available) break;
    startRss.push(start.maxRssKiB);
    const line = lines.find((l) => l.type === 'workload');
    if (line) {
      const { type, ...rest } = line;
      results[w.id] = rest;
    } else {
      results[w.id] = { ok: false, error: error ?? 'the worker ended without a result' };
    }
    const r = results[w.id];
    log(`  ${target} ${w.id}: ${r.ok ? si(r.throughput, r.unit) + (r.checksFailed ? ' (CHECK FAILED)' : '') : `n/a (${r.error})`}`);
  }
  return { info, results, startRssKiB: startRss.length ? Math.min(...startRss) : undefined };
}

/** Cold compile, and cache fill + load, each in its own fresh process. */
async function compileTimes(target) {
  const kernels = {};
  for (const kernel of ['monteCarloPi', 'blockReduce']) {
    const { lines, error } = await runChild(suite('compile.mjs'), [target, 'cold', kernel], { idleMs: IDLE_MS });
    kernels[kernel] = lines[0] ? { cold: lines[0] } : { coldError: error ?? 'no result' };
  }
  const cacheDir = mkdtempSync(join(tmpdir(), 'numbat-bench-cache-'));
  let cacheNote;
  try {
    const env = { NUMBAT_CACHE_DIR: cacheDir };
    const fill = await runChild(suite('compile.mjs'), [target, 'fill'], { env, idleMs: IDLE_MS });
    if (fill.error || !fill.lines.length) cacheNote = `cache fill failed: ${fill.error ?? 'no result'}`;
    else if (!fill.lines[0].cacheSupported) cacheNote = `the ${target} backend has no disk cache`;
    else {
      const load = await runChild(suite('compile.mjs'), [target, 'load'], { env, idleMs: IDLE_MS });
      if (load.error) cacheNote = `cache load failed: ${load.error}`;
      for (const l of load.lines) if (kernels[l.kernel]) kernels[l.kernel].load = l;
      for (const l of fill.lines) if (kernels[l.kernel]) kernels[l.kernel].fill = l;
    }
  } finally {
    rmSync(cacheDir, { recursive: true, force: true });
  }
  return { kernels, cacheNote };
}

async function leakCheck(target) {
  const { lines, error } = await runChild(suite('leak.mjs'), [target, String(LEAK_ITERATIONS), String(LEAK_ROUNDS)], { nodeArgs: ['--expose-gc'], idleMs: IDLE_MS });
  const phases = lines.filter((l) => l.memory);
  const result = lines.find((l) => l.phase === 'result');
  if (error) return { phases, error };
  if (!result?.ok) return { phases, error: 'the leak probe computed wrong results' };
  return { phases };
}

async function anchors() {
  if (flag('no-anchors')) return [];
  try {
    const { runAnchors } = await import('./anchors/index.mjs');
    return await runAnchors({ cudasim: true });
  } catch (e) {
    return [{ anchor: 'anchors', skipped: String(e?.message ?? e) }];
  }
}

const data = {
  schema: 'numbat-bench/1',
  machine,
  command: `node bench/run.mjs ${argv.join(' ')}`.trim(),
  options: { quick, targets, anchors: !flag('no-anchors'), compile: !flag('no-compile'), leak: !flag('no-leak'), repeat, simRepeat: repeatFor('sim'), examplesDir: relative(root, examplesDir), exampleSizes: Object.fromEntries(targets.map((t) => [t, exampleSize(t)])), leakIterations: LEAK_ITERATIONS, leakRounds: LEAK_ROUNDS },
  targets: {}, workloads: workloads.map(describeWorkload), results: {}, compile: {}, compileStages: undefined, memory: {}, anchors: [], ratios: [],
};

// The anchors run right after the cpu's workloads, the figures most of the ratios set against them:
// the host's speed drifts over minutes (shared machines), and the other targets' workloads, three
// runs each, take minutes (with them last, numba's option pricing measured 42-55 M paths/s in runs
// of unchanged code whose cpu figure stayed at 225-245 M).
let anchorsRun = false;
const runAnchorsNow = async () => { log('anchors'); data.anchors = await anchors(); anchorsRun = true; };
for (const target of targets) {
  log(`${target}: workloads`);
  const { info, results, startRssKiB } = await runTarget(target);
  if (target === 'cpu') await runAnchorsNow();
  const note = `examples at '${exampleSize(target)}'${target === 'sim' && !quick ? ' (the simulator is slow), kernels at reduced problems' : quick ? ', kernels at reduced problems' : ''}`;
  data.targets[target] = { ...info, note };
  data.results[target] = results;
  if (!info.available) { log(`${target}: skipped (${info.reason})`); continue; }
  let peak;
  for (const [id, r] of Object.entries(results)) if (r.maxRssKiB && (!peak || r.maxRssKiB > peak[1])) peak = [id, r.maxRssKiB];
  if (!flag('no-compile')) {
    log(`${target}: compile and cache load`);
    data.compile[target] = await compileTimes(target);
  }
  data.memory[target] = { startRssKiB, peakRssKiB: peak?.[1], peakWorkload: peak?.[0] };
  if (!flag('no-leak')) {
    log(`${target}: leak check (${LEAK_ITERATIONS} iterations)`);
    data.memory[target].leak = await leakCheck(target);
  }
}
// Per-stage compile times of kernels with random against ones without, on the LLVM targets
// (cuda's PTX needs no GPU), in one fresh process (bench/compile-time.mjs), and on cpu each
// example's first launch in fresh processes.
const llvmTargets = targets.filter((t) => t === 'cpu' || t === 'cuda');
if (!flag('no-compile') && llvmTargets.length) {
  log(`compile stages (${llvmTargets.join(', ')})`);
  const { lines, error } = await runChild(join(here, 'compile-time.mjs'), ['--targets', llvmTargets.join(','), '--runs', quick ? '2' : '5', '--jsonl', ...(targets.includes('cpu') ? ['--examples'] : [])], { idleMs: IDLE_MS });
  data.compileStages = { runs: quick ? 2 : 5, rows: lines.filter((l) => l.type === 'compile-stages'), examples: lines.filter((l) => l.type === 'example-first-launch'), error };
}
if (!anchorsRun) await runAnchorsNow();
const anchorLine = (a) => [a.mc && si(a.mc.samples_per_s, 'samples/s'), a.reduce && si(a.reduce.gbps * 1e9, 'B/s'), a.uniform && `uniform ${si(a.uniform.draws_per_s, 'draws/s')}`,
  a.normal && `normal ${si(a.normal.draws_per_s, 'draws/s')}`, a.normal64 && `normal f64 ${si(a.normal64.draws_per_s, 'draws/s')}`, a.gamma && `gamma ${si(a.gamma.draws_per_s, 'draws/s')}`, a.option && `option ${si(a.option.paths_per_s, 'paths/s')}`, a.basket && `basket ${si(a.basket.paths_per_s, 'paths/s')}`, a.barrier && `barrier ${si(a.barrier.paths_per_s, 'paths/s')}`].filter(Boolean).join(', ');
for (const a of data.anchors) log(`  ${a.anchor}: ${a.skipped ? `n/a (${a.skipped})` : anchorLine(a)}`);
data.ratios = computeRatios(data);
data.durationSeconds = (performance.now() - started) / 1000;

mkdirSync(outDir, { recursive: true });
const base = join(outDir, `${machine.slug}-${machine.date}`);
const markdown = markdownReport(data) + `\n![throughput per target](${machine.slug}-${machine.date}.svg)\n`;
const unavailable = targets.filter((t) => !data.targets[t].available);
const svg = chartSvg({
  title: `numbat throughput per target (${machine.slug}, ${machine.date})`,
  subtitle: `${machine.cpu}, ${machine.cores} cores; ${quick ? 'quick run' : 'full run'}; bars: targets, lighter bars: anchors${unavailable.length ? `; unavailable: ${unavailable.join(', ')}` : ''}`,
  panels: chartPanels(data),
});
writeFileSync(`${base}.json`, JSON.stringify(data, null, 1) + '\n');
writeFileSync(`${base}.md`, markdown);
writeFileSync(`${base}.svg`, svg);
for (const ext of ['json', 'svg']) copyFileSync(`${base}.${ext}`, join(outDir, `latest.${ext}`));
writeFileSync(join(outDir, 'latest.md'), markdown.replace(`](${machine.slug}-${machine.date}.svg)`, '](latest.svg)'));
console.log(markdown);
log(`wrote ${relative(process.cwd(), base)}.{json,md,svg} and latest.* (${Math.round(data.durationSeconds)} s)`);
