// A normalised histogram. Sample i is the sum of the four bytes of a 32-bit
// hash of i (a discrete bell curve on 0..1020, generated on the device, so
// nothing is uploaded); a kernel bins the samples into a per-block shared
// histogram with cuda.atomic.add and adds it to the global bins. reduce sums
// the bins into a device array (`res`), and a last kernel divides the bins by
// total × bin width: a density, without a round trip through the host.
// Checks: every count equals a host histogram of the same samples; the total
// from reduce is the number of samples; the density integrates to 1 within its
// rounding (each density value is within 2.5 f32 ULPs — WGSL's division
// accuracy — of c / (total · w), so the integral is within 6·2^-24 of 1);
// and the bins follow the exact law of a sum of four uniform bytes (each bin
// expecting at least 25 samples within 5.5 standard deviations).
//   node examples/histogram.mjs [--target T] [--size small|default|large]
import { pathToFileURL } from 'node:url';
import { cuda, reduce, resolveTarget, targetAvailability, u32 } from '@numbat/core';

export const meta = { name: 'histogram', title: 'Normalised histogram (atomics + reduce)', unit: 'samples/s' };

const SIZES = { small: 1 << 16, default: 1 << 24, large: 1 << 27 };
const BINS = 256, WIDTH = 4; // bin b holds the samples 4b .. 4b + 3

const kernels = (target) => ({
  fill: cuda.jit(function histogram(bins, n, seed) {
    const local = cuda.shared.array(256, u32);
    const t = cuda.threadIdx.x;
    local[t] = 0;
    cuda.syncthreads();
    for (let i = cuda.grid(1); i < n; i += cuda.gridsize(1)) {
      let h = (i ^ seed) >>> 0; // lowbias32, an integer hash
      h = Math.imul(h ^ (h >>> 16), 0x7feb352d) >>> 0;
      h = Math.imul(h ^ (h >>> 15), 0x846ca68b) >>> 0;
      h = (h ^ (h >>> 16)) >>> 0;
      const sample = (h & 255) + ((h >>> 8) & 255) + ((h >>> 16) & 255) + ((h >>> 24) & 255);
      cuda.atomic.add(local, sample >>> 2, 1);
    }
    cuda.syncthreads();
    if (local[t] > 0) cuda.atomic.add(bins, t, local[t]);
  }, { target }),
  normalise: cuda.jit(function normalise(bins, total, width, density) {
    const b = cuda.grid(1);
    if (b < bins.length) density[b] = bins[b] / total[0] / width;
  }, { target }),
});

function hostHistogram(n, seed) {
  const counts = new Float64Array(BINS);
  for (let i = 0; i < n; i++) {
    let h = (i ^ seed) >>> 0;
    h = Math.imul(h ^ (h >>> 16), 0x7feb352d) >>> 0;
    h = Math.imul(h ^ (h >>> 15), 0x846ca68b) >>> 0;
    h = (h ^ (h >>> 16)) >>> 0;
    counts[((h & 255) + ((h >>> 8) & 255) + ((h >>> 16) & 255) + ((h >>> 24) & 255)) >>> 2]++;
  }
  return counts;
}

/** P(bin b) for the sum of four independent uniform bytes (exact convolution). */
function binLaw() {
  let p = new Float64Array(1).fill(1);
  for (let k = 0; k < 4; k++) {
    const q = new Float64Array(p.length + 255);
    for (let s = 0; s < p.length; s++) for (let v = 0; v < 256; v++) q[s + v] += p[s] / 256;
    p = q;
  }
  const bins = new Float64Array(BINS);
  p.forEach((x, s) => { bins[s >> 2] += x; });
  return bins;
}

export async function run({ target = 'auto', size = 'default', onProgress } = {}) {
  const t = await resolveTarget(target);
  const device = (await targetAvailability(t)).device;
  const n = SIZES[size] ?? SIZES.default;
  const seed = 0x2545f491;
  const { fill, normalise } = kernels(t);
  const sum = reduce((a, b) => a + b, { target: t });
  // As many blocks as reduce would use for a pass over n elements (the device's grid-stride size).
  const blocks = Math.max(1, (await sum.plan(n)).blocks);
  const bins = cuda.deviceArray(BINS, 'u32', { target: t });
  const total = cuda.deviceArray(1, 'u32', { target: t });
  const density = new Float32Array(BINS);
  const fillLaunch = fill.configure(blocks, 256), normLaunch = normalise.configure(1, BINS);

  const c0 = performance.now();
  await fillLaunch(bins, 1, seed); // compiles (one sample, then cleared)
  await sum(bins, { res: total });
  await normLaunch(bins, total, WIDTH, density);
  const compileMs = performance.now() - c0;
  await bins.copyFromHost(new Uint32Array(BINS));

  const t0 = performance.now();
  await fillLaunch(bins, n, seed);
  onProgress?.(0.5);
  await sum(bins, { res: total });
  await normLaunch(bins, total, WIDTH, density);
  const seconds = (performance.now() - t0) / 1000;
  onProgress?.(1);

  const counts = await bins.copyToHost();
  const [totalCount] = await total.copyToHost();
  await Promise.all([bins.free(), total.free()]);
  const host = hostHistogram(n, seed);
  const wrong = [];
  for (let b = 0; b < BINS; b++) if (counts[b] !== host[b]) wrong.push(b);
  let integral = 0;
  for (let b = 0; b < BINS; b++) integral += density[b] * WIDTH;
  const law = binLaw();
  let worst = 0, worstBin = 0;
  for (let b = 0; b < BINS; b++) {
    if (n * law[b] < 25) continue; // the normal approximation of a count needs enough of them
    const z = Math.abs(counts[b] - n * law[b]) / Math.sqrt(n * law[b] * (1 - law[b]));
    if (z > worst) { worst = z; worstBin = b; }
  }
  const u = 2 ** -24; // f32 density; 2.5 ULP (WGSL's f32 division) = 5u relative, + f64 sums
  return {
    target: t, device, unit: meta.unit, compileMs, seconds, work: n, throughput: n / seconds,
    result: { samples: n, total: totalCount, width: WIDTH, density: Array.from(density) },
    checks: [
      { name: 'counts equal a host histogram of the same samples', ok: wrong.length === 0, detail: wrong.length ? `${wrong.length} bins differ, first ${wrong[0]}: ${counts[wrong[0]]} vs ${host[wrong[0]]}` : `${BINS} bins identical` },
      { name: 'reduce total = number of samples', ok: totalCount === n, detail: `${totalCount} of ${n}` },
      { name: 'density integrates to 1', ok: Math.abs(integral - 1) <= 6 * u, detail: `Σ density·width − 1 = ${(integral - 1).toExponential(2)} (bound 6·2^-24 = ${(6 * u).toExponential(2)})` },
      { name: 'bins follow the law of a sum of four uniform bytes', ok: worst < 5.5, detail: `worst bin ${worstBin}: ${worst.toFixed(2)} standard deviations (bins expecting ≥ 25 samples)` },
    ],
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const argv = process.argv.slice(2);
  const opt = (name, dflt) => { const i = argv.indexOf(`--${name}`); return i >= 0 ? argv[i + 1] : dflt; };
  if (argv.includes('--help') || argv.includes('-h')) {
    // Usage only: nothing is compiled or run.
    console.log(`${meta.title}\nusage: node examples/histogram.mjs [options]\n  --target T   auto (default: the best available), sim, cpu, webgpu or cuda\n  --size S     small, default or large`);
    process.exit(0);
  }
  const r = await run({ target: opt('target', 'auto'), size: opt('size', 'default') });
  console.log(`${meta.title} on '${r.target}' (${r.device})`);
  const peak = Math.max(...r.result.density);
  r.result.density.forEach((d, b) => {
    if (b % 16 === 8) console.log(`  ${String(b * r.result.width).padStart(5)} ${d.toExponential(3)} ${'#'.repeat(Math.round((d / peak) * 50))}`);
  });
  for (const c of r.checks) console.log(`  ${c.ok ? 'ok  ' : 'FAIL'} ${c.name}: ${c.detail}`);
  console.log(`  ${r.result.samples.toLocaleString('en-US')} samples in ${r.seconds.toFixed(3)} s = ${(r.throughput / 1e6).toFixed(1)} M samples/s; first launch incl. compile ${r.compileMs.toFixed(0)} ms`);
  process.exitCode = r.checks.every((c) => c.ok) ? 0 : 1;
}
