// European call option priced by Monte Carlo under Black-Scholes dynamics,
// checked against the closed form:
//   S_T = S0 · exp((r − σ²/2)·T + σ·√T·Z),  price = e^(−rT) · E[max(S_T − K, 0)]
// Each thread draws its own Philox stream (random.normalF32) and accumulates
// the payoff and its square; the host turns the sums into the price and its
// standard error.
//   node examples/option-pricing.mjs [--target T] [--size small|default|large]
import { pathToFileURL } from 'node:url';
import { cuda, random, resolveTarget, targetAvailability } from '@numbat/core';

export const meta = { name: 'option-pricing', title: 'European call by Monte Carlo vs Black-Scholes', unit: 'paths/s' };

export const MARKET = { s0: 100, strike: 105, rate: 0.05, sigma: 0.2, years: 1 };
const SIZES = { small: [64, 128, 64], default: [256, 256, 512], large: [1024, 256, 1024] }; // blocks, threads, paths per thread

/** The pricing kernel: thread i draws `paths` normals from its stream and sums the payoffs and their squares. */
export function europeanCall(states, sums, sumSquares, paths, s0, strike, drift, vol) {
  const i = cuda.grid(1);
  if (i >= sums.length) return;
  let sum = 0;
  let sumSq = 0;
  for (let p = 0; p < paths; p++) {
    const z = random.normalF32(states, i);
    const payoff = Math.max(s0 * Math.exp(drift + vol * z) - strike, 0);
    sum += payoff;
    sumSq += payoff * payoff;
  }
  sums[i] = sum;
  sumSquares[i] = sumSq;
}

const priceKernel = (target) => cuda.jit(europeanCall, { target });

/** The kernel's market arguments (after `paths`): s0, strike, the drift and volatility of log S over T. */
export function marketArgs({ s0, strike, rate, sigma, years } = MARKET) {
  return [s0, strike, (rate - (sigma * sigma) / 2) * years, sigma * Math.sqrt(years)];
}

/** The discounted price and its standard error from the kernel's sums of payoffs and squares over `paths` paths. */
export function priceFromSums(total, totalSq, paths, { rate, years } = MARKET) {
  const discount = Math.exp(-rate * years), mean = total / paths;
  const variance = Math.max(0, totalSq / paths - mean * mean);
  return { price: discount * mean, stderr: discount * Math.sqrt(variance / paths) };
}

/** The Black-Scholes price of a European call. */
export function blackScholesCall({ s0, strike, rate, sigma, years }) {
  const d1 = (Math.log(s0 / strike) + (rate + (sigma * sigma) / 2) * years) / (sigma * Math.sqrt(years));
  const d2 = d1 - sigma * Math.sqrt(years);
  return s0 * normalCdf(d1) - strike * Math.exp(-rate * years) * normalCdf(d2);
}

/** Φ(x) = 1/2 + ∫₀ˣ φ(t) dt by Simpson's rule (2000 intervals: error far below 1e-10 for |x| < 8). */
function normalCdf(x) {
  const n = 2000, h = x / n;
  const phi = (t) => Math.exp(-t * t / 2) / Math.sqrt(2 * Math.PI);
  let s = phi(0) + phi(x);
  for (let k = 1; k < n; k++) s += (k % 2 ? 4 : 2) * phi(k * h);
  return 0.5 + (s * h) / 3;
}

export async function run({ target = 'auto', size = 'default', onProgress } = {}) {
  const t = await resolveTarget(target);
  const device = (await targetAvailability(t)).device;
  const [blocks, threads, perThread] = SIZES[size] ?? SIZES.default;
  const n = blocks * threads;
  const states = random.createStates(n, 20261124);
  const sums = new Float32Array(n), sumSquares = new Float32Array(n);
  const market = marketArgs();
  const launch = priceKernel(t).configure(blocks, threads);

  const c0 = performance.now();
  await launch(states, sums, sumSquares, 1, ...market); // compiles; its paths are not counted
  const compileMs = performance.now() - c0;

  const batches = 4;
  let total = 0, totalSq = 0;
  const t0 = performance.now();
  for (let b = 0; b < batches; b++) {
    await launch(states, sums, sumSquares, perThread, ...market);
    for (let k = 0; k < n; k++) { total += sums[k]; totalSq += sumSquares[k]; }
    onProgress?.((b + 1) / batches);
  }
  const seconds = (performance.now() - t0) / 1000;
  const paths = n * perThread * batches;
  const { price, stderr } = priceFromSums(total, totalSq, paths);
  const exact = blackScholesCall(MARKET);
  const z = Math.abs(price - exact) / stderr;
  return {
    target: t, device, unit: meta.unit, compileMs, seconds, work: paths, throughput: paths / seconds,
    result: { price, stderr, exact },
    checks: [
      { name: 'within 5 standard errors of Black-Scholes', ok: z < 5, detail: `|${price.toFixed(4)} − ${exact.toFixed(4)}| = ${z.toFixed(2)} standard errors (${stderr.toExponential(2)})` },
      { name: 'standard error shrinks as 1/√paths', ok: stderr > 0 && stderr < 0.5, detail: `standard error ${stderr.toExponential(2)} over ${paths} paths` },
    ],
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const argv = process.argv.slice(2);
  const opt = (name, dflt) => { const i = argv.indexOf(`--${name}`); return i >= 0 ? argv[i + 1] : dflt; };
  if (argv.includes('--help') || argv.includes('-h')) {
    // Usage only: nothing is compiled or run.
    console.log(`${meta.title}\nusage: node examples/option-pricing.mjs [options]\n  --target T   auto (default: the best available), sim, cpu, webgpu or cuda\n  --size S     small, default or large`);
    process.exit(0);
  }
  const r = await run({ target: opt('target', 'auto'), size: opt('size', 'default') });
  console.log(`${meta.title} on '${r.target}' (${r.device})`);
  console.log(`  price ${r.result.price.toFixed(4)} ± ${r.result.stderr.toFixed(4)}  (Black-Scholes ${r.result.exact.toFixed(4)})`);
  for (const c of r.checks) console.log(`  ${c.ok ? 'ok  ' : 'FAIL'} ${c.name}: ${c.detail}`);
  console.log(`  ${r.work.toLocaleString('en-US')} paths in ${r.seconds.toFixed(3)} s = ${(r.throughput / 1e6).toFixed(1)} M paths/s; first launch incl. compile ${r.compileMs.toFixed(0)} ms`);
  process.exitCode = r.checks.every((c) => c.ok) ? 0 : 1;
}
