// Child process of bench/run.mjs: runs workloads on one target (bench/run.mjs
// gives it one, so its peak RSS is that workload's) and prints one JSON line
// per workload as it finishes, with the process's peak RSS so far.
//   node bench/suite/worker.mjs TARGET SIZE QUICK(0|1) REPEAT ID...
// (examples from NUMBAT_BENCH_EXAMPLES when set, else examples/)
import { targetAvailability } from '@numbat/core';
import { allWorkloads, runWorkload } from './workloads.mjs';

const [target, size, quickFlag, repeatArg, ...ids] = process.argv.slice(2);
const quick = quickFlag === '1', repeat = Math.max(1, Number(repeatArg) || 1);
const rssKiB = () => process.resourceUsage().maxRSS; // kilobytes on Linux

const avail = await targetAvailability(target);
console.log(JSON.stringify({ type: 'start', target, available: avail.ok, reason: avail.reason, device: avail.device, maxRssKiB: rssKiB() }));
if (!avail.ok) process.exit(0);
const byId = new Map((await allWorkloads(process.env.NUMBAT_BENCH_EXAMPLES || undefined)).map((w) => [w.id, w]));
for (const id of ids) {
  const w = byId.get(id);
  const line = { type: 'workload', id, target, size: w?.kind === 'kernel' ? 'kernel' : size };
  try {
    if (!w) throw new Error('no such workload');
    // The best of `repeat` runs (each run times its own repetitions); the others are kept.
    const runs = [];
    for (let r = 0; r < repeat; r++) runs.push(await runWorkload(w, { target, size, quick }));
    const best = runs.reduce((a, b) => (b.throughput > a.throughput ? b : a));
    Object.assign(line, { ok: true, ...best, throughputs: runs.map((r) => r.throughput), checks: runs.flatMap((r) => r.checks) });
    if (!line.checks.every((c) => c.ok)) line.checksFailed = true;
  } catch (e) {
    Object.assign(line, { ok: false, error: String(e?.message ?? e).split('\n')[0] });
  }
  line.maxRssKiB = rssKiB();
  console.log(JSON.stringify(line));
}
// Device backends may keep the event loop alive (Dawn, driver threads): leave explicitly.
process.exit(0);
