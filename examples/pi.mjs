// Monte Carlo estimate of pi on the best available target (the README's demo).
//   node examples/pi.mjs [--target sim|cpu|webgpu|cuda] [--samples N]
// Each thread runs the seed's LCG; batches are launched one after another so the
// progress bar moves, and the counts of all batches are summed on the host.
import { cuda, resolveTarget, targetAvailability } from '@numbat/core';

const argv = process.argv.slice(2);
const opt = (name, dflt) => { const i = argv.indexOf(`--${name}`); return i >= 0 ? argv[i + 1] : dflt; };
const requested = opt('target', 'auto');
const target = await resolveTarget(requested);
const info = await targetAvailability(target);
const threads = 16384;
const perThread = Number(opt('samples', target === 'sim' ? 200 : 2000));
const batches = 8;

const monteCarloPi = cuda.jit(function monteCarloPi(states, counts, nSamples) {
  const i = cuda.grid(1);
  if (i >= counts.length) return;
  let count = 0;
  let state = states[i];
  for (let k = 0; k < nSamples; k++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    const x = (state & 0xffff) / 65535;
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    const y = (state & 0xffff) / 65535;
    if (x * x + y * y <= 1.0) count++;
  }
  counts[i] = count;
  states[i] = state;
}, { target });

const states = new Uint32Array(threads).map((_, i) => (Math.imul(i, -1640531535) + 1) >>> 0);
const counts = new Uint32Array(threads);
const launch = monteCarloPi.configure(threads / 256, 256);
console.log(`numbat demo: Monte Carlo pi on target '${target}' (${info.device ?? 'unknown device'})${requested === 'auto' ? ' [auto]' : ''}`);
const t0 = performance.now();
await launch(states, counts, 1); // compile outside the timing
const compileMs = performance.now() - t0;
let hits = 0, samples = 0;
const t1 = performance.now();
for (let b = 0; b < batches; b++) {
  await launch(states, counts, perThread);
  for (let i = 0; i < threads; i++) hits += counts[i];
  samples += threads * perThread;
  const done = Math.round(((b + 1) / batches) * 30);
  process.stdout.write(`\r  [${'#'.repeat(done)}${'.'.repeat(30 - done)}] ${b + 1}/${batches} batches`);
}
const secs = (performance.now() - t1) / 1000;
const pi = (4 * hits) / samples;
const p = hits / samples;
const stderr = 4 * Math.sqrt((p * (1 - p)) / samples);
console.log(`\n  pi ≈ ${pi.toFixed(6)}  (error ${(pi - Math.PI).toExponential(2)}, standard error ${stderr.toExponential(2)})`);
console.log(`  ${samples.toLocaleString('en-US')} samples in ${secs.toFixed(3)} s = ${(samples / secs / 1e6).toFixed(1)} M samples/s; first launch incl. compile ${compileMs.toFixed(0)} ms`);
