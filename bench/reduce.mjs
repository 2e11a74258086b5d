// reduce((a, b) => a + b) over 2^26 f32 against the hand-written block
// reduction of bench/cpu/kernels.mjs (one partial per block, partials summed on
// the host) and the C OpenMP anchor (bench/anchors/openmp.c), in one run.
//   node bench/reduce.mjs [--targets cpu,webgpu] [--reps 9] [--log2n 26] [--no-anchor]
// after `npx tsc -b`. Timings alternate between the contenders (noise hits both
// alike); each figure is the best and the median of --reps runs after a warm-up.
// reduce's time includes both passes and reading the scalar back. The input
// and the hand kernel's partials are device arrays on every target (on cpu
// used in place; a host array would be copied in by every launch on the
// worker threads, 256 MB here, timed with the kernel).
// webgpu's default buffer binding limit is 128 MiB: it gets at most 2^24 floats.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cuda, reduce, targetAvailability } from '@numbat/core';
import { blockReduce } from './cpu/kernels.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const argv = process.argv.slice(2);
const opt = (n, d) => { const i = argv.indexOf(`--${n}`); return i >= 0 ? argv[i + 1] : d; };
const targets = opt('targets', 'cpu,webgpu').split(',');
const REPS = Number(opt('reps', 9));
const LOG2N = Number(opt('log2n', 26));
// The hand kernel's grid in bench/cpu (16384) and bench/webgpu-style sweeps on llvmpipe (128); it
// also runs at reduce's grid.
const HAND_GRID = { cpu: 16384, webgpu: 128, cuda: 4096 };

function stats(ms) {
  const s = [...ms].sort((a, b) => a - b);
  return { best: s[0], median: s[s.length >> 1] };
}

async function benchTarget(target) {
  const a = await targetAvailability(target);
  if (!a.ok) return { target, skipped: a.reason };
  const n = 2 ** (target === 'webgpu' ? Math.min(LOG2N, 24) : LOG2N);
  const data = new Float32Array(n);
  for (let i = 0; i < n; i++) data[i] = ((i * 7) % 13) * 0.25 - 1.5; // the OpenMP anchor's data
  let exact = 0;
  for (let i = 0; i < n; i++) exact += data[i];
  const x = cuda.toDevice(data, { target });

  const sum = reduce((p, q) => p + q, { target });
  const plan = await sum.plan(n);
  const grid = HAND_GRID[target] ?? 1024;
  const kernel = cuda.jit(blockReduce, { target });
  const handAt = (g) => {
    const launch = kernel.configure(g, 256);
    const partial = cuda.deviceArray(g, 'f32', { target });
    return async () => {
      await launch(x, partial);
      const p = await partial.copyToHost();
      let s = 0;
      for (const v of p) s += v;
      return s;
    };
  };
  const contenders = [['reduce', () => sum(x)], ['hand', handAt(grid)]];
  if (plan.blocks && plan.blocks !== grid) contenders.push(['handSameGrid', handAt(plan.blocks)]);
  const out = { target, n, device: a.device, reduceBlocks: plan.blocks, handGrid: grid };
  for (const [name, f] of contenders) {
    const t0 = performance.now();
    out[name] = { value: await f(), firstMs: performance.now() - t0, ms: [] };
  }
  for (let r = 0; r < REPS; r++) {
    for (const [name, f] of contenders) {
      const t0 = performance.now();
      await f();
      out[name].ms.push(performance.now() - t0);
    }
  }
  for (const [name] of contenders) {
    const s = stats(out[name].ms);
    Object.assign(out[name], s, { gbps: (n * 4) / s.best / 1e6, gbpsMedian: (n * 4) / s.median / 1e6, exact: out[name].value === exact });
    delete out[name].ms;
  }
  return out;
}

function openmp() {
  const dir = mkdtempSync(join(tmpdir(), 'numbat-reduce-omp-'));
  try {
    const b = spawnSync('sh', [join(here, 'anchors', 'build-c.sh'), dir], { encoding: 'utf8' });
    if (b.status !== 0) return { skipped: (b.stderr || b.error?.message || 'build failed').trim().split('\n')[0] };
    const r = spawnSync(b.stdout.trim().split('\n').pop(), [], { encoding: 'utf8', timeout: 300_000 });
    if (r.status !== 0) return { skipped: `exit ${r.status}` };
    return JSON.parse(r.stdout.trim().split('\n').filter((l) => l.startsWith('{')).pop()).reduce;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const f = (v) => v.toFixed(2);
const rows = [];
for (const t of targets) rows.push(await benchTarget(t));
const omp = argv.includes('--no-anchor') ? undefined : openmp();
for (const r of rows) {
  if (r.skipped) { console.log(`${r.target}: skipped (${r.skipped})`); continue; }
  console.log(`${r.target} (${r.device}), 2^${Math.log2(r.n)} f32 (input and partials: device arrays), best/median of ${REPS}:`);
  console.log(`  reduce (${r.reduceBlocks} blocks + 1)  : ${f(r.reduce.gbps)} / ${f(r.reduce.gbpsMedian)} GB/s (${f(r.reduce.best)} ms; first call incl. compile ${r.reduce.firstMs.toFixed(0)} ms; exact: ${r.reduce.exact})`);
  console.log(`  hand kernel (grid ${r.handGrid}) : ${f(r.hand.gbps)} / ${f(r.hand.gbpsMedian)} GB/s (${f(r.hand.best)} ms, partials summed on the host; exact: ${r.hand.exact})`);
  if (r.handSameGrid) console.log(`  hand kernel (grid ${r.reduceBlocks}) : ${f(r.handSameGrid.gbps)} / ${f(r.handSameGrid.gbpsMedian)} GB/s (${f(r.handSameGrid.best)} ms; reduce's grid; exact: ${r.handSameGrid.exact})`);
  console.log(`  reduce / hand           : ${f(r.reduce.gbps / r.hand.gbps)}x${r.handSameGrid ? ` (same grid: ${f(r.reduce.gbps / r.handSameGrid.gbps)}x)` : ''}`);
  if (omp && !omp.skipped && r.n === 2 ** 26) console.log(`  reduce / C OpenMP       : ${f(r.reduce.gbps / omp.gbps)}x (OpenMP ${f(omp.gbps)} GB/s, f64 accumulation, best of 5)`);
}
if (omp?.skipped) console.log(`(C OpenMP anchor skipped: ${omp.skipped})`);
if (argv.includes('--json')) console.log(JSON.stringify({ rows, openmp: omp }));
