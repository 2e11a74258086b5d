// The Markdown report and the chart's panels, both made from the results JSON
// (bench/run.mjs writes that first, so a report can be remade from it).
import { mib, ms, perIteration, ratio, si, table } from './format.mjs';

export const ANCHORS = [
  ['numba-parallel', 'numba @njit(parallel=True)'],
  ['c-openmp', 'C -O3 OpenMP'],
  ['plain-js', 'plain JS (1 thread)'],
  ['numba-cudasim', 'numba CUDA simulator'],
  // Monte Carlo random-number anchors (bench/anchors/random_anchor.py, philox-openmp.c).
  ['numpy-philox', 'numpy Generator(Philox), 1 core'],
  ['numba-parallel-option', 'numba parallel + np.random.standard_normal'],
  ['c-openmp-philox', 'C -O3 OpenMP, own Philox'],
];

/** Throughput of an anchor row on the job `key` ('mc' | 'reduce'), in the workloads' units. */
export function anchorThroughput(row, key) {
  if (!row || row.skipped) return undefined;
  if (key === 'mc') return row.mc?.samples_per_s;
  if (key === 'reduce') return row.reduce?.gbps === undefined ? undefined : row.reduce.gbps * 1e9;
  if (key === 'uniform' || key === 'normal' || key === 'normal64' || key === 'gamma') return row[key]?.draws_per_s;
  if (key === 'option' || key === 'basket' || key === 'barrier') return row[key]?.paths_per_s;
  return undefined;
}

/** numbat throughput ÷ anchor throughput, for every anchored workload on every target. */
export function computeRatios(data) {
  const out = [];
  for (const w of data.workloads.filter((w) => w.anchor)) {
    for (const target of Object.keys(data.results)) {
      const r = data.results[target][w.id];
      if (!r?.ok) continue;
      for (const [anchor] of ANCHORS) {
        const a = anchorThroughput(data.anchors.find((row) => row.anchor === anchor), w.anchor);
        if (a) out.push({ workload: w.id, target, anchor, ratio: r.throughput / a, numbat: r.throughput, anchorValue: a });
      }
    }
  }
  return out;
}

const shortError = (s) => (s.length > 130 ? `${s.slice(0, 127)}…` : s);

/** One cell of the throughput table. */
function throughputCell(r, w) {
  if (!r) return 'n/a (not run)';
  if (!r.ok) return `n/a (${shortError(r.error)})`;
  let s = si(r.throughput, w.unit);
  if (r.throughputs?.length > 1) s += ` (runs ${r.throughputs.map((t) => si(t)).join(', ')})`;
  if (r.checksFailed) s += ` ✗ check failed: ${r.checks.filter((c) => !c.ok).map((c) => c.name).join('; ')}`;
  return s;
}

export function markdownReport(data) {
  const m = data.machine;
  const targets = Object.keys(data.results);
  const lines = [];
  lines.push(`# numbat benchmarks: ${m.slug}, ${m.date}`, '');
  lines.push(`${m.cpu}${m.isa ? ` (${m.isa})` : ''}, ${m.cores} cores, ${m.memoryGiB} GiB; ${m.platform}; node ${m.node}; commit ${m.commit}.`);
  lines.push(`Command: \`${data.command}\`${data.options.quick ? ' (quick: small sizes, few repetitions; not for comparison)' : ''}; took ${Math.round(data.durationSeconds)} s.`);
  lines.push(`Every number below was measured in this one run; the anchors ran on the same machine${data.targets.cpu ? ', right after the cpu\'s workloads' : ', after the numbat runs'}.`, '');

  lines.push('## Targets', '');
  lines.push(table(['target', 'device', 'workloads run at'], targets.map((t) => {
    const d = data.targets[t];
    return [t, d.available ? d.device : `unavailable: ${d.reason}`, d.available ? d.note : '—'];
  })), '');

  lines.push('## Throughput', '');
  const runs = data.options?.repeat ?? 1;
  lines.push(`Examples (\`examples/*.mjs\`, checked against their own references) and the corpus' heavy kernels; the best of the timed repetitions after a first launch that compiles${runs > 1 ? `, best of ${runs} runs of each workload (the anchors keep the best of their 5${data.options?.simRepeat === 1 ? '; the simulator runs once' : ''})` : ''}.`, '');
  lines.push(table(['workload', ...targets], data.workloads.map((w) => [
    `${w.id}: ${w.title}`, ...targets.map((t) => (data.targets[t].available ? throughputCell(data.results[t][w.id], w) : 'n/a (target unavailable)')),
  ])), '');
  const problems = [];
  for (const w of data.workloads) for (const t of targets) {
    const r = data.results[t][w.id];
    if (r?.ok && r.result?.problem) problems.push(`${w.id} on ${t}: ${r.result.problem}`);
  }
  if (problems.length) lines.push(`Kernel problems: ${problems.join('; ')}.`, '');

  lines.push('## Ratios against the anchors', '');
  lines.push('numbat throughput ÷ anchor throughput on the same job (above 1: numbat is faster). The anchors (`bench/anchors/`) run the Monte Carlo pi job (16384 threads × 2000 samples; numba\'s CUDA simulator: 512 threads × 2000), the sum of 2^26 f32, f32 uniform and normal draws (numpy\'s Generator(Philox) on one core, 2^24 at a time; C OpenMP with its own Philox on numbat\'s streams and word-to-float mappings), f64 normal draws (numpy, likewise), the option-pricing example\'s market (numba parallel with np.random.standard_normal, f64; C OpenMP, f32, Philox) the basket call on four correlated assets and the up-and-out barrier call (numba parallel, f64).', '');
  const anchored = data.workloads.filter((w) => w.anchor);
  const ratioRows = [];
  for (const w of anchored) for (const t of targets) {
    const r = data.results[t]?.[w.id];
    if (!r?.ok) continue;
    ratioRows.push([w.id, t, si(r.throughput, w.unit), ...ANCHORS.map(([a]) => {
      const row = data.anchors.find((x) => x.anchor === a);
      if (!row) return 'n/a (not run)';
      if (row.skipped) return `n/a (${shortError(row.skipped)})`;
      const hit = data.ratios.find((x) => x.workload === w.id && x.target === t && x.anchor === a);
      return hit ? ratio(hit.ratio) : 'n/a (no such job)';
    })]);
  }
  if (!data.anchors.length) lines.push('(anchors not run: --no-anchors)', '');
  else lines.push(ratioRows.length ? table(['workload', 'target', 'numbat', ...ANCHORS.map(([, title]) => title)], ratioRows) : '(no anchored workload ran)', '');

  lines.push('## Anchors', '');
  const orDash = (v, unit) => (v === undefined ? '—' : si(v, unit));
  lines.push(data.anchors.length ? table(['anchor', 'threads', 'Monte Carlo pi', 'sum of 2^26 f32', 'uniform f32', 'normal f32', 'normal f64', 'gamma f32', 'option pricing', 'basket call', 'barrier call', 'compile / warm-up'], data.anchors.map((a) => (a.skipped
    ? [a.anchor, '—', `n/a (${a.skipped})`, '—', '—', '—', '—', '—', '—', '—', '—', '—']
    : [a.anchor, a.threads ?? a.cuda_threads ?? '—', a.mc ? `${si(a.mc.samples_per_s, 'samples/s')}${a.mc.problem ? ` (${a.mc.problem})` : ''}` : '—', a.reduce ? si(a.reduce.gbps * 1e9, 'B/s') : '—',
      orDash(a.uniform?.draws_per_s, 'draws/s'), orDash(a.normal?.draws_per_s, 'draws/s'), orDash(a.normal64?.draws_per_s, 'draws/s'), orDash(a.gamma?.draws_per_s, 'draws/s'), orDash(a.option?.paths_per_s, 'paths/s'), orDash(a.basket?.paths_per_s, 'paths/s'), orDash(a.barrier?.paths_per_s, 'paths/s'), a.compile_s > 0 ? ms(a.compile_s * 1e3) : '—']))) : '(anchors not run: --no-anchors)', '');

  lines.push('## Compile and cache load', '');
  lines.push('First launch of a kernel (compile + a one-block launch): in a fresh process (the backend, and LLVM, load then), and again for the same source with the backend loaded (median of 3). Cache: a first process compiles with `cache: true` into a temporary `NUMBAT_CACHE_DIR`, a second fresh process launches from it.', '');
  const compileRows = [];
  for (const t of targets) {
    const c = data.compile[t];
    if (!c) continue;
    if (c.error) { compileRows.push([t, '—', `n/a (${shortError(c.error)})`, '', '', '', '']); continue; }
    for (const [kernel, k] of Object.entries(c.kernels)) {
      const load = k.load;
      const cacheCell = !load ? `n/a (${c.cacheNote ?? 'not run'})` : load.origin === 'cache' ? ms(load.firstMs) : `n/a (not loaded from the cache: ${load.origin ?? 'no record'})`;
      compileRows.push([t, kernel,
        k.cold ? `${ms(k.cold.firstMs)}${Number.isFinite(k.cold.firstBackendMs) ? ` (backend ${ms(k.cold.firstBackendMs)})` : ''}` : `n/a (${k.coldError ?? 'not run'})`,
        k.cold ? `${ms(k.cold.loadedMs)}${Number.isFinite(k.cold.loadedBackendMs) ? ` (backend ${ms(k.cold.loadedBackendMs)})` : ''}` : '—',
        cacheCell,
        load?.origin === 'cache' && Number.isFinite(load.backendMs) ? ms(load.backendMs, 2) : '—',
        load?.origin === 'cache' ? (load.llvmMapped ? 'yes' : 'no') : '—']);
    }
  }
  if (!compileRows.length) lines.push('(not run: --no-compile)', '');
  else lines.push(table(['target', 'kernel', 'first compile, fresh process', 'again, backend loaded', 'first launch from cache, fresh process', 'cache load (backend)', 'LLVM mapped after cache load'], compileRows), '');

  lines.push(...compileStagesSection(data.compileStages));

  lines.push('## Memory', '');
  lines.push(`Peak RSS: the largest \`process.resourceUsage().maxRSS\` of the target's workloads, each run in its own process (RSS after start: a worker process before it runs its workload). Leak check: growth per iteration over ${data.options.leakRounds} rounds of ${data.options.leakIterations} iterations after a warm-up of ${2 * data.options.leakIterations} (heap and array buffers after full GCs, and RSS; each round's growth is in the JSON). A phase is flagged when its growth exceeds limits set from the noise measured (bench/suite/leak.mjs).`, '');
  const memRows = [];
  for (const t of targets) {
    const mem = data.memory[t];
    if (!mem) continue;
    const leak = mem.leak;
    const phases = leak?.phases ?? [];
    const phaseCell = (p) => (p ? `heap ${perIteration(p.perIteration.heapUsed)}, buffers ${perIteration(p.perIteration.arrayBuffers)}, RSS ${perIteration(p.perIteration.rss)}` : '—');
    const verdict = leak?.error ? `n/a (${shortError(leak.error)})`
      : !phases.length ? 'n/a (not run)'
        : data.options.quick ? `not judged (quick: ${phases[0].rounds} × ${phases[0].iterations} iterations)`
          : phases.some((p) => p.suspect.length) ? `suspect: ${phases.filter((p) => p.suspect.length).map((p) => `${p.phase} (${p.suspect.join(', ')})`).join('; ')}`
            : 'no leak';
    memRows.push([t, mib(mem.peakRssKiB), mem.peakWorkload ?? '—', mib(mem.startRssKiB),
      ...['launches on device arrays', 'launches on host arrays'].map((n) => phaseCell(phases.find((p) => p.phase === n))),
      phaseCell(phases.find((p) => p.phase.startsWith('alloc'))), verdict]);
  }
  lines.push(table(['target', 'peak RSS', 'set by', 'RSS after start', 'per launch (device arrays)', 'per launch (host arrays)', 'per alloc + launch + free of 256 KiB', 'leak check'], memRows), '');

  const failed = [];
  for (const t of targets) for (const [id, r] of Object.entries(data.results[t])) {
    if (r.checksFailed) failed.push(`${id} on ${t}: ${r.checks.filter((c) => !c.ok).map((c) => `${c.name} (${c.detail})`).join('; ')}`);
  }
  lines.push('## Checks', '');
  lines.push(failed.length ? failed.map((f) => `- FAILED ${f}`).join('\n') : 'Every workload that ran passed its checks (results compared with independent host references).', '');
  lines.push('Chart: throughput per target, one panel per workload, log scale.', '');
  return lines.join('\n');
}

/** The chart's panels: per workload, a bar per target that ran it, then its anchors. */
export function chartPanels(data) {
  return data.workloads.map((w) => {
    const bars = [], gaps = [];
    for (const t of Object.keys(data.results)) {
      const r = data.results[t][w.id];
      if (r && !r.ok) gaps.push({ label: t, text: `n/a (${r.error})` });
      const smaller = t === 'sim' && !data.options.quick; // the others ran at 'large'
      if (r?.ok) bars.push({ label: t, target: t, value: r.throughput, note: r.checksFailed ? '(check failed)' : smaller ? '(smaller size)' : '' });
    }
    if (w.anchor) {
      for (const [a, title] of ANCHORS) {
        const v = anchorThroughput(data.anchors.find((row) => row.anchor === a), w.anchor);
        if (v) bars.push({ label: title, anchor: a, value: v });
      }
    }
    return { id: w.id, title: `${w.id}: ${w.title}`, unit: w.unit, bars, gaps };
  });
}

/** Per-stage compile times (bench/compile-time.mjs): each kernel's CPU time as a multiple of the kernel without random's, same run. */
function compileStagesSection(cs) {
  if (!cs) return [];
  const out = ['### Compile stages', '', `Cold compiles with LLVM already loaded (cache off), median of ${cs.runs}; each cell: wall ms / CPU ms (the machine may be shared: CPU time is the compile's own). ×: total CPU time ÷ that of the Monte Carlo pi kernel (an LCG, no random) in the same run.`, ''];
  for (const target of [...new Set(cs.rows.map((r) => r.target))]) {
    const rows = cs.rows.filter((r) => r.target === target);
    if (rows[0].skipped) { out.push(`${target}: n/a (${shortError(rows[0].skipped)})`, ''); continue; }
    const stages = [...new Set(rows.flatMap((r) => Object.keys(r.stages)))];
    const base = rows.find((r) => r.baseline)?.stages.total.cpu;
    out.push(`${target}:`, '', table(['kernel', ...stages, '×'], rows.map((r) => [r.kernel,
      ...stages.map((s) => (r.stages[s] ? `${r.stages[s].wall.toFixed(1)} / ${r.stages[s].cpu?.toFixed(1) ?? '—'}` : '—')),
      base ? ratio(r.stages.total.cpu / base) : '—'])), '');
  }
  if (cs.examples?.length) {
    out.push('### First launch of each example', '', `Each example at size small in a fresh process (cache off), median of ${cs.runs} processes, the examples taking turns: its own first launch (compile and launch, backend and LLVM load included) and the time from spawning the process to the end of that launch (Node's start and the imports too).`, '');
    out.push(table(['target', 'example', 'first launch', 'range', 'process spawn to end'], cs.examples.map((e) => e.error ? [e.target, e.example, `failed: ${shortError(e.error)}`, '—', '—']
      : [e.target, e.example, `${e.compileMs.toFixed(1)} ms`, `${Math.min(...e.compileRuns).toFixed(1)}–${Math.max(...e.compileRuns).toFixed(1)} ms`, `${e.processMs.toFixed(1)} ms`])), '');
  }
  if (cs.error) out.push(`(the compile-time run stopped: ${shortError(cs.error)})`, '');
  return out;
}
