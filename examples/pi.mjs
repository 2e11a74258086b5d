// Monte Carlo estimate of pi (the README's demo, `npm run demo`): every thread
// runs the seed's LCG, draws points in the unit square and counts those inside
// the quarter circle. Batches are launched one after another (the progress bar
// moves; each thread's LCG state carries over) and the counts are summed on
// the host. Checks: the counts of threads spread over the grid equal a host
// replay of the same LCG, and the estimate is within its statistical error of
// pi (plus the generator's own bias, below).
//   node examples/pi.mjs [--target sim|cpu|webgpu|cuda] [--size small|default|large] [--samples N]
// --samples sets the samples per thread and batch.
import { pathToFileURL } from 'node:url';
import { cuda, loadBackend, resolveTarget, targetAvailability } from '@numbat/core';

export const meta = { name: 'pi', title: 'Monte Carlo estimate of pi (an LCG per thread)', unit: 'samples/s' };

// Threads, samples per thread and batch, batches.
const SIZES = { small: [1024, 50, 4], default: [16384, 2000, 8], large: [65536, 4000, 8] };
const BLOCK = 256;
// Threads whose counts are replayed on the host (spread over the grid).
const REPLAYED = 64;
// The LCG's low 16 bits (x and y) repeat every 2^16 draws, so however many
// samples are drawn the estimate converges to the value over that cycle,
// measured 3.75e-4 above pi for these seeds: the check allows 1e-3 for it on top
// of five standard errors.
const GENERATOR_BIAS = 1e-3;

/** The kernel (also the corpus' and the benchmarks' Monte Carlo kernel). */
export function monteCarloPi(states, counts, nSamples) {
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
}

/** The seeds every user of the kernel starts from (thread i: i·2654435761 + 1 mod 2^32). */
export function piSeeds(threads) {
  return new Uint32Array(threads).map((_, i) => (Math.imul(i, -1640531535) + 1) >>> 0);
}

/** Host replay of one thread: hits over `draws` samples from `seed`, with f64 or f32 arithmetic. */
export function replayThread(seed, draws, f32) {
  const r = f32 ? Math.fround : (v) => v;
  let state = seed, hits = 0;
  for (let k = 0; k < draws; k++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    const x = r((state & 0xffff) / 65535);
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    const y = r((state & 0xffff) / 65535);
    if (r(r(x * x) + r(y * y)) <= 1) hits++;
  }
  return hits;
}

export async function run({ target = 'auto', size = 'default', onProgress, samples } = {}) {
  const t = await resolveTarget(target);
  const device = (await targetAvailability(t)).device;
  const f32 = !(await loadBackend(t)).caps.f64; // the divisions are in the default float
  const [threads, sizePerThread, batches] = SIZES[size] ?? SIZES.default;
  const perThread = Number(samples ?? sizePerThread);
  const states = piSeeds(threads), counts = new Uint32Array(threads);
  const launch = cuda.jit(monteCarloPi, { target: t }).configure(Math.ceil(threads / BLOCK), BLOCK);

  const c0 = performance.now();
  await launch(states.slice(), counts, 1); // compiles; on a copy of the states, so it draws nothing
  const compileMs = performance.now() - c0;

  const replayed = Array.from({ length: REPLAYED }, (_, k) => Math.floor((k * threads) / REPLAYED));
  const replayedHits = new Array(REPLAYED).fill(0);
  let hits = 0;
  const t0 = performance.now();
  for (let b = 0; b < batches; b++) {
    await launch(states, counts, perThread);
    for (let i = 0; i < threads; i++) hits += counts[i];
    replayed.forEach((i, k) => { replayedHits[k] += counts[i]; });
    onProgress?.((b + 1) / batches);
  }
  const seconds = (performance.now() - t0) / 1000;

  const total = threads * perThread * batches;
  const pi = (4 * hits) / total;
  const p = hits / total;
  const stderr = 4 * Math.sqrt((p * (1 - p)) / total);
  const seeds = piSeeds(threads);
  let expected = 0, got = 0;
  replayed.forEach((i, k) => { expected += replayThread(seeds[i], perThread * batches, f32); got += replayedHits[k]; });
  // f32 targets may round x·x + y·y differently from the host's f32 emulation (WGSL
  // allows 2.5 ULP for a division) for points within a few ULP of the circle: a
  // fraction of about 1e-7 of the samples; 1e-5 leaves room and still catches any
  // real error (a wrong sample, thread or batch moves far more).
  const replayedSamples = REPLAYED * perThread * batches;
  const tolerance = f32 ? Math.ceil(replayedSamples * 1e-5) : 0;
  return {
    target: t, device, unit: meta.unit, compileMs, seconds, work: total, throughput: total / seconds,
    result: { pi, error: pi - Math.PI, stderr, samples: total, threads, perThread, batches, float: f32 ? 'f32' : 'f64' },
    checks: [
      {
        name: 'counts equal a host replay of the LCG',
        ok: Math.abs(got - expected) <= tolerance,
        detail: `${REPLAYED} threads × ${perThread * batches} samples: ${got} hits vs ${expected} on the host (${f32 ? 'f32' : 'f64'}; tolerance ${tolerance})`,
      },
      {
        name: 'estimate within 5 standard errors (+ the generator bias) of pi',
        ok: Math.abs(pi - Math.PI) <= 5 * stderr + GENERATOR_BIAS,
        detail: `|${pi.toFixed(6)} − π| = ${Math.abs(pi - Math.PI).toExponential(2)} <= 5 × ${stderr.toExponential(2)} + ${GENERATOR_BIAS}`,
      },
    ],
  };
}

/**
 * Progress: on a terminal a 30-character bar redrawn in place; into a pipe or
 * a file (no \r frames there) one plain line per batch.
 */
function progressBar(fraction) {
  if (!process.stdout.isTTY) {
    console.log(`  ${Math.round(fraction * 100)}% done`);
    return;
  }
  const done = Math.round(fraction * 30);
  process.stdout.write(`\r  [${'#'.repeat(done)}${'.'.repeat(30 - done)}] ${Math.round(fraction * 100)}%${fraction >= 1 ? '\n' : ''}`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const argv = process.argv.slice(2);
  const opt = (name, dflt) => { const i = argv.indexOf(`--${name}`); return i >= 0 ? argv[i + 1] : dflt; };
  if (argv.includes('--help') || argv.includes('-h')) {
    // Usage only: nothing is compiled or run.
    console.log(`${meta.title}\nusage: node examples/pi.mjs [options]\n  --target T   auto (default: the best available), sim, cpu, webgpu or cuda\n  --size S     small, default or large\n  --samples N  samples per thread and batch`);
    process.exit(0);
  }
  const requested = opt('target', 'auto');
  const t = await resolveTarget(requested);
  console.log(`numbat demo: Monte Carlo pi on target '${t}' (${(await targetAvailability(t)).device ?? 'unknown device'})${requested === 'auto' ? ' [auto: best available]' : ''}`);
  const r = await run({ target: t, size: opt('size', 'default'), samples: opt('samples', undefined), onProgress: progressBar });
  const { pi, error, stderr, samples } = r.result;
  console.log(`  pi ≈ ${pi.toFixed(6)}  (error ${error.toExponential(2)}, standard error ${stderr.toExponential(2)})`);
  console.log(`  ${samples.toLocaleString('en-US')} samples in ${r.seconds.toFixed(3)} s = ${(r.throughput / 1e6).toFixed(1)} M samples/s; first launch incl. compile ${r.compileMs.toFixed(0)} ms`);
  for (const c of r.checks) console.log(`  ${c.ok ? 'ok  ' : 'FAIL'} ${c.name}: ${c.detail}`);
  process.exitCode = r.checks.every((c) => c.ok) ? 0 : 1;
}
