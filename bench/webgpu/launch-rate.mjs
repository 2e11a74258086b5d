// Launch rate of a small kernel on target 'webgpu' (or --target T):
//   node bench/webgpu/launch-rate.mjs [--target webgpu] [--launches N] [--repeat R] [--json]
// after `npx tsc -b`. Four ways of issuing N launches of a one-store kernel
// (256 threads, one device array of 256 i32):
//   stream      N launches on a cuda.stream(), then stream.synchronize()
//   unawaited   N launches without a stream, not awaited, then Promise.all
//   awaited     N launches, each awaited before the next
//   host        N launches on a host Int32Array, not awaited, then Promise.all
// and 'stream, no checks': the stream case with boundscheck: false.
// Each figure: launches/s and the process's CPU time per launch (all threads:
// on llvmpipe that includes the shader's execution; on a shared machine the
// CPU time varies less than the wall time), median of R timed rounds after a
// warm-up round.
// The result is checked (the last launch's values are read back).

import { cuda, targetAvailability } from '@numbat/core';

const argv = process.argv.slice(2);
const opt = (n, d) => { const i = argv.indexOf(`--${n}`); return i >= 0 ? argv[i + 1] : d; };
const target = opt('target', 'webgpu');
const N = Number(opt('launches', 2000));
const R = Number(opt('repeat', 5));

const avail = await targetAvailability(target);
if (!avail.ok) { console.log(`${target}: skipped (${avail.reason})`); process.exit(0); }

function touchKernel(boundscheck) {
  return cuda.jit(function touch(a, v) {
    const i = cuda.grid(1);
    if (i < a.length) a[i] = i + v;
  }, { target, boundscheck });
}
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };

async function rate(round) {
  await round(Math.min(N, 200)); // warm-up: compile, pipelines, pools
  const per = [], cpu = [];
  for (let r = 0; r < R; r++) {
    const t0 = performance.now(), c0 = process.cpuUsage();
    await round(N);
    const c = process.cpuUsage(c0);
    per.push(N / ((performance.now() - t0) / 1000));
    cpu.push((c.user + c.system) / N);
  }
  return { perS: median(per), cpuUs: median(cpu) };
}

async function check(a, v) {
  const out = a instanceof Int32Array ? a : await a.copyToHost();
  for (const i of [0, 7, 255]) if (out[i] !== i + v) throw new Error(`wrong result: a[${i}] = ${out[i]}, want ${i + v}`);
}

const results = { target, device: avail.device, launches: N, repeat: R };
for (const [name, boundscheck] of [['stream', true], ['streamNoChecks', false]]) {
  const k = touchKernel(boundscheck);
  const a = cuda.deviceArray(256, 'i32', { target });
  const s = cuda.stream();
  const launch = k.configure(1, 256, { stream: s });
  results[name] = await rate(async (n) => {
    for (let j = 0; j < n; j++) launch(a, j);
    await s.synchronize();
    await check(a, n - 1);
  });
  await s.destroy();
  await a.free();
}
{
  const k = touchKernel(true);
  const a = cuda.deviceArray(256, 'i32', { target });
  const launch = k.configure(1, 256);
  results.unawaited = await rate(async (n) => {
    const ps = [];
    for (let j = 0; j < n; j++) ps.push(launch(a, j));
    await Promise.all(ps);
    await check(a, n - 1);
  });
  results.awaited = await rate(async (n) => {
    for (let j = 0; j < n; j++) await launch(a, j);
    await check(a, n - 1);
  });
  await a.free();
}
{
  const k = touchKernel(true);
  const a = new Int32Array(256);
  const launch = k.configure(1, 256);
  results.host = await rate(async (n) => {
    const ps = [];
    for (let j = 0; j < n; j++) ps.push(launch(a, j));
    await Promise.all(ps);
    await check(a, n - 1);
  });
}

if (argv.includes('--json')) console.log(JSON.stringify(results));
else {
  console.log(`${target}: ${results.device}; ${N} launches of a one-store kernel (256 threads), median of ${R}`);
  for (const k of ['stream', 'streamNoChecks', 'unawaited', 'awaited', 'host']) console.log(`  ${k.padEnd(15)} ${Math.round(results[k].perS).toString().padStart(8)} launches/s  ${results[k].cpuUs.toFixed(0).padStart(6)} µs CPU/launch`);
}
