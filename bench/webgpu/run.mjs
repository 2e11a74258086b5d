// Benchmarks of target 'webgpu' (and 'cpu' beside it when @numbat/cpu works).
//   node bench/webgpu/run.mjs [--quick] [--json] [--targets webgpu,cpu]
//     [--threads T] [--samples S] [--log2n L] [--blocks B]
// after `npx tsc -b`. Measures, per target:
//   1. Monte Carlo pi (the seed's LCG kernel): T threads × S samples, on device
//      arrays (kernel time), and with host arrays (uploads and read-back included);
//   2. block reduction of N floats (grid-stride loop into shared memory, barrier
//      tree, one partial per block; input resident on the device): GB/s;
//   3. launch latency of a one-store kernel, first-launch (compile) time;
//   4. bounds checks on (the default) vs off.
// Each figure is the median of several timed runs after a warm-up run.
// Defaults suit a CPU or llvmpipe; on a real GPU use e.g.
//   --threads 1048576 --samples 20000 --log2n 28 --blocks 8192

import { cuda, targetAvailability } from '@numbat/core';
import { blockReduce, monteCarloPi, touch } from './kernels.mjs';

const argv = process.argv.slice(2);
const flag = (n) => argv.includes(`--${n}`);
const opt = (n, d) => { const i = argv.indexOf(`--${n}`); return i >= 0 ? argv[i + 1] : d; };
const quick = flag('quick');
const reps = quick ? 3 : 7;
const targets = opt('targets', 'webgpu,cpu').split(',');

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };
async function timed(f, n = reps) {
  await f(); // warm-up (compiles, fills pools)
  const ms = [];
  for (let r = 0; r < n; r++) { const t0 = performance.now(); await f(); ms.push(performance.now() - t0); }
  return median(ms);
}

async function benchTarget(target) {
  const out = { target };
  const jit = (fn, extra = {}) => cuda.jit(fn, { target, ...extra });
  // Device-array launches may return before the GPU finishes (webgpu, cuda): each timing ends with a synchronize.
  const stream = cuda.stream();

  // 1. Monte Carlo pi
  const threads = Number(opt('threads', 16384)), samples = Number(opt('samples', quick ? 500 : 2000));
  const seeds = () => new Uint32Array(threads).map((_, i) => (Math.imul(i, -1640531535) + 1) >>> 0);
  for (const boundscheck of [true, false]) {
    const mc = jit(monteCarloPi, { boundscheck }).configure(Math.ceil(threads / 256), 256, { stream });
    const states = cuda.toDevice(seeds(), { target }), counts = cuda.deviceArray(threads, 'u32', { target });
    const ms = await timed(() => { mc(states, counts, samples); return stream.synchronize(); });
    const c = await counts.copyToHost();
    let hits = 0; for (const x of c) hits += x;
    const key = boundscheck ? 'mc' : 'mcNoCheck';
    out[key] = { threads, samples, ms, msamplesPerS: (threads * samples) / ms / 1e3, piEstimate: (4 * hits) / (threads * samples) };
    await states.free(); await counts.free();
  }
  {
    const mc = jit(monteCarloPi).configure(Math.ceil(threads / 256), 256);
    const states = seeds(), counts = new Uint32Array(threads);
    const ms = await timed(() => mc(states, counts, samples));
    out.mcHost = { ms, msamplesPerS: (threads * samples) / ms / 1e3 };
  }

  // 2. Reduction
  const n = 2 ** Number(opt('log2n', quick ? 22 : 24)), blocks = Number(opt('blocks', 1024));
  const data = new Float32Array(n).map((_, i) => (i % 13) - 6);
  let want = 0; for (let i = 0; i < n; i++) want += data[i];
  for (const boundscheck of [true, false]) {
    const red = jit(blockReduce, { boundscheck }).configure(blocks, 256, { stream });
    const dev = cuda.toDevice(data, { target }), partial = cuda.deviceArray(blocks, 'f32', { target });
    const ms = await timed(() => { red(dev, partial); return stream.synchronize(); });
    const p = await partial.copyToHost();
    let got = 0; for (const x of p) got += x;
    out[boundscheck ? 'reduce' : 'reduceNoCheck'] = { n, blocks, ms, gbPerS: (n * 4) / ms / 1e6, sumOk: got === want };
    await dev.free(); await partial.free();
  }

  // 3. Launch latency and first launch
  {
    const a = cuda.deviceArray(256, 'i32', { target });
    const t = jit(touch).configure(1, 256);
    out.launchUs = (await timed(() => t(a), quick ? 20 : 100)) * 1000;
    const fresh = cuda.jit(function touchFresh(b) { const i = cuda.grid(1); if (i < b.length) b[i] = i + 1; }, { target }).configure(1, 256);
    const t0 = performance.now();
    await fresh(a);
    out.firstLaunchMs = performance.now() - t0;
    await a.free();
  }
  return out;
}

const results = [];
let device = {};
for (const target of targets) {
  const a = await targetAvailability(target);
  if (!a.ok) { console.log(`${target}: skipped (${a.reason})`); continue; }
  device[target] = a.device;
  if (target === 'webgpu') {
    const { adapterInfo } = await import('@numbat/webgpu');
    const info = await adapterInfo();
    device[target] = `${info.name} [${info.backend}${info.hardware ? ', hardware' : ', software'}]`;
  }
  console.log(`\n== ${target}: ${device[target]}`);
  const r = await benchTarget(target);
  results.push(r);
  const f = (x, d = 1) => x.toFixed(d);
  console.log(`  Monte Carlo pi   ${r.mc.threads} threads × ${r.mc.samples}: ${f(r.mc.ms, 2)} ms = ${f(r.mc.msamplesPerS, 0)} M samples/s (pi ≈ ${r.mc.piEstimate.toFixed(5)}); boundscheck off: ${f(r.mcNoCheck.msamplesPerS, 0)} M/s; host arrays: ${f(r.mcHost.msamplesPerS, 0)} M/s`);
  console.log(`  block reduction  ${r.reduce.n} floats, ${r.reduce.blocks}×256 threads: ${f(r.reduce.ms, 2)} ms = ${f(r.reduce.gbPerS, 2)} GB/s (sum ${r.reduce.sumOk ? 'exact' : 'WRONG'}); boundscheck off: ${f(r.reduceNoCheck.gbPerS, 2)} GB/s`);
  console.log(`  launch latency   ${f(r.launchUs, 0)} µs (one-store kernel, 256 threads); first launch incl. compile ${f(r.firstLaunchMs, 0)} ms`);
}
if (flag('json')) console.log(JSON.stringify({ device, results }));
