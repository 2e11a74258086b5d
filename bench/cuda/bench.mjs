// numbat on a CUDA GPU: launch overhead (host side, per launch), round trips,
// kernel times from CUDA events, first-launch time of a cached kernel, and a
// single-thread JS score to relate compile times measured on other machines.
//   node bench/cuda/bench.mjs [out.json]
// numba_bench.py measures the same kernels with numba-cuda.
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { cuda, targetAvailability } from '@numbat/core';
import { backend, compileRecords, event, stream } from '@numbat/cuda';
import { jitBench } from './kernels.mjs';

const LAUNCHES = Number(process.env.LAUNCHES ?? 20000);
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };
const out = { node: process.version, cpu: cpus()[0]?.model, cores: cpus().length };

/** Single-thread JS work with a fixed result: relates compile times taken on different CPUs. */
export function jsScore() {
  const t0 = performance.now();
  let acc = 0;
  const m = new Map();
  for (let i = 0; i < 3e6; i++) { acc += Math.sqrt(i) * (i & 7); if ((i & 1023) === 0) m.set(`k${i}`, acc); }
  let s = '';
  for (const [k, v] of m) s += k + v.toFixed(2);
  return { ms: +(performance.now() - t0).toFixed(1), check: s.length };
}

async function timeEvents(s, fn, reps = 20) {
  const ts = [];
  for (let r = 0; r < reps + 2; r++) {
    const e0 = event().record(s);
    await fn();
    const e1 = event().record(s);
    e1.synchronizeNow();
    if (r >= 2) ts.push(e0.elapsedTime(e1));
    e0.destroy(); e1.destroy();
  }
  return { median_ms: +median(ts).toFixed(4), min_ms: +Math.min(...ts).toFixed(4) };
}

if (process.argv[1] && import.meta.url.endsWith(`/${process.argv[1].split('/').pop()}`)) {
  const a = await targetAvailability('cuda');
  out.device = a.ok ? a.device : `unavailable: ${a.reason}`;
  console.log(`cuda: ${out.device}`);
  if (!a.ok) process.exit(1);
  out.jsScore = jsScore();

  // Context creation (first device allocation), then the first launch of a kernel found in the PTX
  // cache: cache lookup + module load (the driver JIT-compiles sm_86 PTX for the GPU) + launch + sync.
  let t = performance.now();
  const small = [0, 1, 2, 3].map(() => cuda.toDevice(new Float32Array(32).fill(1), { target: 'cuda' }));
  await Promise.all(small.map((d) => d.ready));
  out.contextAndFirstAlloc_ms = +(performance.now() - t).toFixed(2);
  t = performance.now();
  const k = jitBench('add4');
  const s = stream();
  await k.configure(1, 32, { stream: s })(...small);
  await s.synchronize();
  out.firstLaunchCached_ms = +(performance.now() - t).toFixed(2);
  out.firstLaunchOrigin = compileRecords().at(-1)?.origin;

  // Launch overhead, host side: asynchronous launches of the 4-array kernel on device arrays.
  const run = k.configure(1, 32, { stream: s });
  for (let i = 0; i < 1000; i++) await run(...small);
  await s.synchronize();
  t = performance.now();
  for (let i = 0; i < LAUNCHES; i++) await run(...small);
  const api = (performance.now() - t) / LAUNCHES;
  await s.synchronize();
  const spec = await [...k.specs.values()][0];
  const compiled = spec.compiled;
  const args = await Promise.all(small.map(async (d) => ({ kind: 'array', elem: 'f32', length: 32, buffer: (await d.ready).buffer })));
  const dims = { grid: [1, 1, 1], block: [32, 1, 1], sharedMem: 0, stream: s };
  for (let i = 0; i < 1000; i++) compiled.launcher.launch(dims, args);
  await s.synchronize();
  t = performance.now();
  for (let i = 0; i < LAUNCHES; i++) compiled.launcher.launch(dims, args);
  const launcher = (performance.now() - t) / LAUNCHES;
  await s.synchronize();
  t = performance.now();
  for (let i = 0; i < LAUNCHES; i++) await backend.launch(compiled, dims, args);
  const backendLevel = (performance.now() - t) / LAUNCHES;
  await s.synchronize();
  // The floor: cuLaunchKernel alone, through koffi, with the launcher's prepared argument block.
  const L = compiled.launcher;
  t = performance.now();
  for (let i = 0; i < LAUNCHES; i++) L.api.cuLaunchKernel(L.fn, 1, 1, 1, 32, 1, 1, 0, s.handle, L.params, null);
  const raw = (performance.now() - t) / LAUNCHES;
  await s.synchronize();
  out.launchOverhead_us = { publicApi: +(api * 1000).toFixed(2), backendLaunch: +(backendLevel * 1000).toFixed(2), launcher: +(launcher * 1000).toFixed(2), rawCuLaunchKernel: +(raw * 1000).toFixed(2), launches: LAUNCHES };

  // Round trips: launch and wait, default options (bounds checks on → the launch synchronises itself).
  const kc = jitBench('add4_checked');
  const runc = kc.configure(1, 32);
  await runc(...small);
  t = performance.now();
  for (let i = 0; i < 2000; i++) await runc(...small);
  const rtChecked = (performance.now() - t) / 2000;
  t = performance.now();
  for (let i = 0; i < 2000; i++) { await run(...small); s.synchronizeNow(); }
  const rtAsync = (performance.now() - t) / 2000;
  out.roundTrip_us = { boundscheckDefaultStream: +(rtChecked * 1000).toFixed(2), uncheckedStreamPlusSync: +(rtAsync * 1000).toFixed(2) };

  // Implicit copies: host typed arrays in and out (1 Mi f32 each).
  const n1 = 1 << 20;
  const host = [0, 1, 2, 3].map(() => new Float32Array(n1).fill(2));
  const runHost = k.configure(n1 / 256, 256);
  await runHost(...host);
  t = performance.now();
  for (let i = 0; i < 20; i++) await runHost(...host);
  out.hostArrays1Mi_ms = +((performance.now() - t) / 20).toFixed(3);
  out.hostArraysCorrect = host[3].every((v) => v === 6);

  // Kernel times via events.
  const N = 1 << 24;
  const big = [0, 1, 2].map((j) => cuda.toDevice(new Float32Array(N).fill(j + 1), { target: 'cuda' }));
  const bigOut = cuda.deviceArray(N, 'f32', { target: 'cuda' });
  const runBig = k.configure(N / 256, 256, { stream: s });
  const add4 = await timeEvents(s, () => runBig(...big, bigOut));
  const check = await bigOut.copyToHost();
  out.add4 = { n: N, ...add4, GBps: +((16 * N) / (add4.median_ms * 1e6)).toFixed(1), correct: check[0] === 6 && check[N - 1] === 6 };

  const W = 2048, H = 2048, IT = 256;
  const km = jitBench('mandel');
  const img = cuda.deviceArray(W * H, 'i32', { target: 'cuda' });
  const runM = km.configure([W / 16, H / 16], [16, 16], { stream: s });
  out.mandel = { w: W, h: H, maxIter: IT, ...(await timeEvents(s, () => runM(img, W, H, IT))) };
  const pix = await img.copyToHost();
  out.mandel.checksum = pix.reduce((x, y) => x + y, 0);
  const runMF = jitBench('mandel_fast').configure([W / 16, H / 16], [16, 16], { stream: s });
  out.mandelFastmath = { ...(await timeEvents(s, () => runMF(img, W, H, IT))) };
  out.mandelFastmath.checksum = (await img.copyToHost()).reduce((x, y) => x + y, 0);

  const kr = jitBench('reduceSum');
  const xs = cuda.toDevice(new Float32Array(N).fill(0.5), { target: 'cuda' });
  const total = cuda.deviceArray(1, 'f32', { target: 'cuda' });
  const runR = kr.configure(N / 256, 256, { stream: s });
  out.reduceSum = { n: N, ...(await timeEvents(s, () => runR(xs, total))) };
  out.reduceSum.GBps = +((4 * N) / (out.reduceSum.median_ms * 1e6)).toFixed(1);
  await total.copyFromHost(new Float32Array(1));
  await runR(xs, total);
  await s.synchronize();
  out.reduceSum.correct = (await total.copyToHost())[0] === N * 0.5;

  out.compileRecords = compileRecords().map((r) => ({ kernel: r.kernel, origin: r.origin, total_ms: +r.timings.total.toFixed(2) }));
  try { out.nvidiaSmi = readFileSync('/proc/driver/nvidia/version', 'utf8').split('\n')[0]; } catch { /* not exposed */ }
  console.log(JSON.stringify(out, null, 2));
  if (process.argv[2]) writeFileSync(process.argv[2], JSON.stringify(out, null, 2));
  process.exit(0);
}
