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
// CPU time varies less than the wall time), and on webgpu in Linux the main
// thread's CPU time per launch spent outside GPUQueue.submit (on llvmpipe
// through OpenGL ES, submit runs the shaders on the calling thread: the rest
// is the host's cost of recording launches and handing out their results; read
// from /proc's schedstat, so the machine's load does not count), median of R
// timed rounds after a warm-up round.
// The result is checked (the last launch's values are read back).

import { existsSync, readFileSync } from 'node:fs';
import { cuda, targetAvailability } from '@numbat/core';

const argv = process.argv.slice(2);
const opt = (n, d) => { const i = argv.indexOf(`--${n}`); return i >= 0 ? argv[i + 1] : d; };
const target = opt('target', 'webgpu');
const N = Number(opt('launches', 2000));
const R = Number(opt('repeat', 5));

const avail = await targetAvailability(target);
if (!avail.ok) { console.log(`${target}: skipped (${avail.reason})`); process.exit(0); }

// The main thread's CPU time (ns, Linux), and how much of it Dawn's GPUQueue.submit took (webgpu in Node).
const schedstat = `/proc/self/task/${process.pid}/schedstat`;
const mainCpuNs = () => Number(readFileSync(schedstat, 'utf8').split(' ')[0]);
let split = existsSync(schedstat), inSubmit = 0;
if (target === 'webgpu' && split) {
  try {
    const { globals } = await import('webgpu');
    const submit = globals.GPUQueue.prototype.submit;
    globals.GPUQueue.prototype.submit = function (...a) { const t = mainCpuNs(); try { return submit.apply(this, a); } finally { inSubmit += mainCpuNs() - t; } };
  } catch { split = false; /* another adapter source */ }
}

function touchKernel(boundscheck) {
  return cuda.jit(function touch(a, v) {
    const i = cuda.grid(1);
    if (i < a.length) a[i] = i + v;
  }, { target, boundscheck });
}
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };

async function rate(round) {
  await round(Math.min(N, 200)); // warm-up: compile, pipelines, pools
  const per = [], cpu = [], host = [];
  for (let r = 0; r < R; r++) {
    const t0 = performance.now(), c0 = process.cpuUsage(), s0 = inSubmit, m0 = split ? mainCpuNs() : 0;
    await round(N);
    const c = process.cpuUsage(c0), ms = performance.now() - t0;
    per.push(N / (ms / 1000));
    cpu.push((c.user + c.system) / N);
    if (split) host.push((mainCpuNs() - m0 - (inSubmit - s0)) / 1000 / N);
  }
  return { perS: median(per), cpuUs: median(cpu), ...(split ? { mainOutsideSubmitUs: median(host) } : {}) };
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
  for (const k of ['stream', 'streamNoChecks', 'unawaited', 'awaited', 'host']) console.log(`  ${k.padEnd(15)} ${Math.round(results[k].perS).toString().padStart(8)} launches/s  ${results[k].cpuUs.toFixed(0).padStart(6)} µs CPU/launch  ${split ? `${results[k].mainOutsideSubmitUs.toFixed(1).padStart(6)} µs main-thread CPU/launch outside submit` : ''}`);
}
