// 1D random walk / diffusion: every thread moves walkers by ±1 steps (fair
// coin from its Philox stream, random.uniformF32) and bins the final
// positions into a shared histogram with atomics. After S steps the positions
// follow a binomial law: mean 0, variance S, and for large S nearly the
// normal density N(0, S) — the diffusion equation's solution. Checks: the
// sample variance against S, and each bin against its exact binomial
// probability (within 5 standard deviations of a multinomial count).
//   node examples/random-walk.mjs [--target T] [--size small|default|large]
import { pathToFileURL } from 'node:url';
import { cuda, random, resolveTarget, targetAvailability } from '@numbat/core';

export const meta = { name: 'random-walk', title: '1D random walk: diffusion histogram', unit: 'steps/s' };

const SIZES = { small: [32, 128, 4, 256], default: [128, 256, 4, 1024], large: [256, 256, 8, 1024] }; // blocks, threads, walkers per thread, steps
const HALF_WIDTH = 4; // the histogram spans ±HALF_WIDTH·√S in bins of width 2 (positions have the parity of S)

const walkKernel = (target) => cuda.jit(function randomWalk(states, bins, sumSquares, walkers, steps, binOrigin) {
  const i = cuda.grid(1);
  if (i >= sumSquares.length) return;
  let sq = 0;
  for (let w = 0; w < walkers; w++) {
    let x = 0;
    for (let s = 0; s < steps; s++) {
      if (random.uniformF32(states, i) < 0.5) x += 1;
      else x -= 1;
    }
    sq += x * x;
    // Positions have the parity of `steps`: bin b holds position binOrigin + 2b.
    const b = (x - binOrigin) >> 1;
    if (b >= 0 && b < bins.length) cuda.atomic.add(bins, b, 1);
  }
  sumSquares[i] = sq;
}, { target });

/** P(X = origin + 2b) for a walk of `steps` fair ±1 steps (via log-binomials, exact to ~1e-13). */
function binomialBinProbabilities(steps, origin, count) {
  const logFact = new Float64Array(steps + 1);
  for (let k = 1; k <= steps; k++) logFact[k] = logFact[k - 1] + Math.log(k);
  const probs = new Float64Array(count);
  for (let b = 0; b < count; b++) {
    const ups = (origin + 2 * b + steps) / 2; // number of +1 steps giving this position
    if (ups >= 0 && ups <= steps) probs[b] = Math.exp(logFact[steps] - logFact[ups] - logFact[steps - ups] - steps * Math.LN2);
  }
  return probs;
}

export async function run({ target = 'auto', size = 'default', onProgress } = {}) {
  const t = await resolveTarget(target);
  const device = (await targetAvailability(t)).device;
  const [blocks, threads, walkers, steps] = SIZES[size] ?? SIZES.default;
  const n = blocks * threads;
  const span = Math.ceil(HALF_WIDTH * Math.sqrt(steps));
  const binOrigin = -span - ((span + steps) % 2); // same parity as steps
  const binCount = span + 1;
  const states = random.createStates(n, 7);
  const bins = new Uint32Array(binCount);
  const sumSquares = new Int32Array(n);
  const launch = walkKernel(t).configure(blocks, threads);

  const c0 = performance.now();
  await launch(states, bins, sumSquares, 1, 2, binOrigin); // compiles
  const compileMs = performance.now() - c0;
  bins.fill(0);

  const batches = 4;
  let sq = 0;
  const t0 = performance.now();
  for (let b = 0; b < batches; b++) {
    await launch(states, bins, sumSquares, walkers, steps, binOrigin);
    for (let k = 0; k < n; k++) sq += sumSquares[k];
    onProgress?.((b + 1) / batches);
  }
  const seconds = (performance.now() - t0) / 1000;
  const total = n * walkers * batches;
  const variance = sq / total; // the mean is 0 by symmetry
  // Var(X²) for a ±1 walk is 2S² − 2S: the sample variance's standard error is √((2S² − 2S)/total).
  const varStd = Math.sqrt((2 * steps * steps - 2 * steps) / total);
  const probs = binomialBinProbabilities(steps, binOrigin, binCount);
  let worst = 0, worstBin = 0, binned = 0;
  for (let b = 0; b < binCount; b++) {
    binned += bins[b];
    const expected = total * probs[b], sd = Math.sqrt(total * probs[b] * (1 - probs[b])) || 1;
    const z = Math.abs(bins[b] - expected) / sd;
    if (z > worst) { worst = z; worstBin = b; }
  }
  const density = Array.from(bins, (c) => c / (total * 2)); // per unit length: bins are 2 wide
  return {
    target: t, device, unit: meta.unit, compileMs, seconds, work: total * steps, throughput: (total * steps) / seconds,
    result: { walkers: total, steps, variance, binOrigin, density },
    checks: [
      { name: 'variance of the final position = steps', ok: Math.abs(variance - steps) < 5 * varStd, detail: `${variance.toFixed(2)} vs ${steps} (standard error ${varStd.toFixed(2)})` },
      { name: 'histogram matches the binomial law bin by bin', ok: worst < 5.5, detail: `worst bin ${binOrigin + 2 * worstBin}: ${worst.toFixed(2)} standard deviations over ${binCount} bins` },
      { name: 'every walker inside ±4σ is binned', ok: binned <= total && binned > 0.999 * total, detail: `${binned} of ${total} walkers in the histogram` },
    ],
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const argv = process.argv.slice(2);
  const opt = (name, dflt) => { const i = argv.indexOf(`--${name}`); return i >= 0 ? argv[i + 1] : dflt; };
  if (argv.includes('--help') || argv.includes('-h')) {
    // Usage only: nothing is compiled or run.
    console.log(`${meta.title}\nusage: node examples/random-walk.mjs [options]\n  --target T   auto (default: the best available), sim, cpu, webgpu or cuda\n  --size S     small, default or large`);
    process.exit(0);
  }
  const r = await run({ target: opt('target', 'auto'), size: opt('size', 'default') });
  console.log(`${meta.title} on '${r.target}' (${r.device})`);
  console.log(`  ${r.result.walkers.toLocaleString('en-US')} walkers × ${r.result.steps} steps: variance ${r.result.variance.toFixed(2)} (theory ${r.result.steps})`);
  const peak = Math.max(...r.result.density);
  r.result.density.forEach((d, b) => {
    if (b % 2 === 0) console.log(`  ${String(r.result.binOrigin + 2 * b).padStart(5)} ${'#'.repeat(Math.round((d / peak) * 50))}`);
  });
  for (const c of r.checks) console.log(`  ${c.ok ? 'ok  ' : 'FAIL'} ${c.name}: ${c.detail}`);
  console.log(`  ${(r.work / 1e6).toFixed(1)} M steps in ${r.seconds.toFixed(3)} s = ${(r.throughput / 1e6).toFixed(1)} M steps/s; first launch incl. compile ${r.compileMs.toFixed(0)} ms`);
  process.exitCode = r.checks.every((c) => c.ok) ? 0 : 1;
}
