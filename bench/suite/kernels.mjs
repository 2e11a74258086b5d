// The corpus' heavy kernels as benchmark workloads, on the anchors' problems
// (bench/anchors: Monte Carlo pi 16384 threads × 2000 samples; a sum of 2^26 f32
// whose every partial sum is exact), so their throughput divides by the
// anchors'. Each returns the examples' result shape (target, device, result,
// checks, work, seconds, throughput, unit, compileMs).
import { cuda, loadBackend, random, targetAvailability } from '@numbat/core';
import { blockReduce, matmulNaive, matmulTiled, monteCarloPi, treeReduce } from '../cpu/kernels.mjs';
import { piSeeds, replayThread } from '../../examples/pi.mjs';

const BLOCK = 256;
// Block reduction grids: bench/cpu's 16384 (16 elements per thread), reduce.mjs's 128 on
// llvmpipe (few blocks measured best), one block per SM-ish on cuda, and few on the
// simulator (its blocks run one after another).
const REDUCE_GRID = { cpu: 16384, webgpu: 128, cuda: 4096, sim: 32 };

/** Problem sizes: the anchors' on native targets; the simulator and --quick get smaller ones. */
export function kernelProblem(id, target, quick) {
  const small = quick || target === 'sim';
  if (id === 'mc-kernel') {
    return small ? { threads: target === 'sim' ? 1024 : 4096, samples: 200, reps: 3 } : { threads: 16384, samples: 2000, reps: 7 };
  }
  if (id === 'random-uniform' || id === 'random-normal' || id === 'random-normal-f64' || id === 'random-gamma') {
    // The C Philox anchor's problem: 16384 streams, 4096 uniforms or 1024 normals (or gammas) each.
    const draws = id === 'random-uniform' ? 4096 : 1024;
    return small ? { threads: target === 'sim' ? 256 : 4096, draws: target === 'sim' ? 64 : draws / 4, reps: 3 } : { threads: 16384, draws, reps: 7 };
  }
  if (id === 'basket-option') {
    // The numba anchor's problem: 2^22 paths (16384 threads × 256), four assets each.
    return small ? { threads: target === 'sim' ? 256 : 4096, paths: target === 'sim' ? 4 : 32, reps: 3 } : { threads: 16384, paths: 256, reps: 7 };
  }
  if (id === 'barrier-option') {
    // The numba anchor's problem: 2^20 paths (16384 threads × 64) of BARRIER.steps steps.
    return small ? { threads: target === 'sim' ? 256 : 4096, paths: target === 'sim' ? 1 : 8, reps: 3 } : { threads: 16384, paths: 64, reps: 7 };
  }
  if (id === 'matmul-tiled') return { n: small ? (target === 'sim' ? 32 : 128) : target === 'webgpu' ? 256 : 512, reps: small ? 3 : 7 };
  // webgpu binds at most 128 MiB per storage buffer by default: 2^24 f32 is within it (the tree
  // reduction's one block per 256 elements: 2^22, its grid within a dimension's 65 535 blocks).
  const log2n = small ? (target === 'sim' ? 16 : 20) : target === 'webgpu' ? (id === 'tree-reduce' ? 22 : 24) : 26;
  return { log2n, reps: small ? 3 : 7 };
}

export const KERNEL_WORKLOADS = [
  {
    id: 'mc-kernel', kind: 'kernel', anchor: 'mc', unit: 'samples/s',
    title: 'Monte Carlo pi kernel (device arrays; the anchors\' problem)',
    run: runMonteCarlo,
  },
  {
    id: 'block-reduce', kind: 'kernel', anchor: 'reduce', unit: 'B/s',
    title: 'Shared-memory block reduction of f32 (device arrays; partials summed on the host)',
    run: (o) => runReduction('block-reduce', blockReduce, (n, target) => ({ grid: Math.max(1, Math.min(REDUCE_GRID[target] ?? 1024, n / (BLOCK * 16))), per: '' }), o),
  },
  {
    id: 'tree-reduce', kind: 'kernel', anchor: 'reduce', unit: 'B/s',
    title: 'The seed\'s reduction: one f32 per thread into shared memory, a tree of barriers (device arrays; partials summed on the host)',
    run: (o) => runReduction('tree-reduce', treeReduce, (n) => ({ grid: n / BLOCK, per: ', one element per thread' }), o),
  },
  {
    id: 'matmul-tiled', kind: 'kernel', unit: 'FLOP/s',
    title: 'f32 matrix product in 16×16 shared-memory tiles (two barriers per tile; the untiled kernel in the same run)',
    run: runMatmul,
  },
  {
    id: 'random-uniform', kind: 'kernel', anchor: 'uniform', unit: 'draws/s',
    title: 'random.uniformF32 draws (Philox4x32-10 states; each thread sums its draws)',
    run: (o) => runDraws('random-uniform', o),
  },
  {
    id: 'random-normal', kind: 'kernel', anchor: 'normal', unit: 'draws/s',
    title: 'random.normalF32 draws (Box-Muller on Philox words; each thread sums its draws)',
    run: (o) => runDraws('random-normal', o),
  },
  {
    id: 'random-normal-f64', kind: 'kernel', anchor: 'normal64', unit: 'draws/s',
    title: 'random.normalF64 draws (Box-Muller on 53-bit uniforms; each thread sums its draws in f64)',
    run: (o) => runDraws('random-normal-f64', o),
  },
  {
    id: 'random-gamma', kind: 'kernel', anchor: 'gamma', unit: 'draws/s',
    title: 'Gamma(2.5) f32 draws by rejection (Marsaglia-Tsang on normalF32 and uniformF32; each thread sums its draws)',
    run: (o) => runDraws('random-gamma', o),
  },
  {
    id: 'basket-option', kind: 'kernel', anchor: 'basket', unit: 'paths/s',
    title: 'Basket call on four correlated assets (normalF32 into a local array, z = L·n, exp per asset; each thread sums its payoffs)',
    run: (o) => runPricing(BASKET_PRICING, o),
  },
  {
    id: 'barrier-option', kind: 'kernel', anchor: 'barrier', unit: 'paths/s',
    title: 'Up-and-out barrier call, 64 monitoring dates (normalF32 and an f64 exp per step; a path stops at the barrier: a loop left by a break)',
    run: (o) => runPricing(BARRIER_PRICING, o),
  },
];

/** The random-uniform workload's kernel (bench/compile-time.mjs compiles it too). */
export function sumUniforms(states, sums, draws) {
  const i = cuda.grid(1);
  if (i >= sums.length) return;
  let s = 0;
  for (let k = 0; k < draws; k++) s += random.uniformF32(states, i);
  sums[i] = s;
}

/** The random-normal workload's kernel (bench/compile-time.mjs compiles it too). */
export function sumNormals(states, sums, draws) {
  const i = cuda.grid(1);
  if (i >= sums.length) return;
  let s = 0;
  for (let k = 0; k < draws; k++) s += random.normalF32(states, i);
  sums[i] = s;
}

/**
 * Monte Carlo's usual shape (bench/compile-time.mjs compiles it): normals summed per thread, then
 * the block's sums reduced in shared memory (the seed's tree: a barrier per step), one partial
 * per block; blocks of at most 256 threads.
 */
export function sumNormalsBlockTree(states, partials, draws) {
  const sh = cuda.shared.array(256, 'f32');
  const t = cuda.threadIdx.x, i = cuda.grid(1);
  let s = 0;
  if (i < states.length / 10) for (let k = 0; k < draws; k++) s += random.normalF32(states, i);
  sh[t] = s;
  cuda.syncthreads();
  for (let stride = cuda.blockDim.x >> 1; stride > 0; stride >>= 1) {
    if (t < stride) sh[t] += sh[t + stride];
    cuda.syncthreads();
  }
  if (t === 0) partials[cuda.blockIdx.x] = sh[0];
}

/**
 * A jump diffusion's path (bench/compile-time.mjs compiles it): per step a normal, a uniform and,
 * with probability `lambda`, a second normal (the jump): draws under a thread-dependent `if`.
 */
export function jumpDiffusion(states, out, steps, lambda) {
  const i = cuda.grid(1);
  if (i >= out.length) return;
  let x = 0;
  for (let k = 0; k < steps; k++) {
    x += 0.01 * random.normalF32(states, i);
    if (random.uniformF32(states, i) < lambda) x += 0.05 * random.normalF32(states, i);
  }
  out[i] = x;
}

/** The random-normal-f64 workload's kernel: f64 draws summed in f64. */
export function sumNormals64(states, sums, draws) {
  const i = cuda.grid(1);
  if (i >= sums.length) return;
  let s = 0;
  for (let k = 0; k < draws; k++) s += random.normalF64(states, i);
  sums[i] = s;
}

/** Gamma(alpha) draws (alpha >= 1) by Marsaglia and Tsang's rejection method, `draws` per thread, summed (the random-gamma workload). */
export function sumGammas(states, sums, draws, alpha) {
  const i = cuda.grid(1);
  if (i >= sums.length) return;
  const d = alpha - 1 / 3, c = 1 / Math.sqrt(9 * d);
  let s = 0;
  for (let k = 0; k < draws; k++) {
    let g = 0;
    for (;;) {
      const x = random.normalF32(states, i);
      let v = 1 + c * x;
      if (v <= 0) continue;
      v = v * v * v;
      const u = random.uniformF32(states, i);
      if (u < 1 - 0.0331 * x * x * x * x) { g = d * v; break; }
      if (Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) { g = d * v; break; }
    }
    s += g;
  }
  sums[i] = s;
}

/**
 * sumGammas with an exit of the draws' loop's own that never fires (k ≥ 0), which keeps core's
 * flattenRetryLoops from making its two loops one: the same draws and sums, run nested (the GPU
 * run's comparison, bench/gpu/run.mjs; on cpu, docs/random.md "Rejection samplers").
 */
export function sumGammasNested(states, sums, draws, alpha) {
  const i = cuda.grid(1);
  if (i >= sums.length) return;
  const d = alpha - 1 / 3, c = 1 / Math.sqrt(9 * d);
  let s = 0;
  for (let k = 0; k < draws; k++) {
    if (k < 0) break;
    let g = 0;
    for (;;) {
      const x = random.normalF32(states, i);
      let v = 1 + c * x;
      if (v <= 0) continue;
      v = v * v * v;
      const u = random.uniformF32(states, i);
      if (u < 1 - 0.0331 * x * x * x * x) { g = d * v; break; }
      if (Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) { g = d * v; break; }
    }
    s += g;
  }
  sums[i] = s;
}
export const GAMMA_ALPHA = 2.5;

/**
 * The basket-option workload's market: four assets of spot 25 (a basket of 100), one year,
 * volatility 0.2, rate 0.02 (so the drift of log S is r − σ²/2 = 0), pairwise correlation 0.5,
 * strike 100. bench/anchors/random_anchor.py prices the same basket (its BASKET).
 */
export const BASKET = { assets: 4, spot: 25, vol: 0.2, rate: 0.02, correlation: 0.5, strike: 100 };

/** The Cholesky factor of BASKET's correlation matrix (row-major, assets × assets, f32). */
export function basketCholesky({ assets, correlation } = BASKET) {
  const L = new Float64Array(assets * assets);
  for (let a = 0; a < assets; a++) {
    for (let b = 0; b <= a; b++) {
      let s = a === b ? 1 : correlation;
      for (let k = 0; k < b; k++) s -= L[a * assets + k] * L[b * assets + k];
      L[a * assets + b] = a === b ? Math.sqrt(s) : s / L[b * assets + b];
    }
  }
  return Float32Array.from(L);
}

/**
 * A basket call by Monte Carlo: per path, `nAssets` normals into a per-thread local array, then
 * each asset's correlated normal z = L·n row by row and its price spot·e^(drift + vol·z); the
 * payoff max(basket − strike, 0) summed per thread (the basket-option workload).
 */
export function basketCall(states, chol, sums, paths, nAssets, spot, drift, vol, strike) {
  const i = cuda.grid(1);
  if (i >= sums.length) return;
  const n = cuda.local.array(8, 'f32');
  let sum = 0;
  for (let p = 0; p < paths; p++) {
    for (let a = 0; a < nAssets; a++) n[a] = random.normalF32(states, i);
    let basket = 0;
    for (let a = 0; a < nAssets; a++) {
      let z = 0;
      for (let b = 0; b <= a; b++) z += chol[a * nAssets + b] * n[b];
      basket += spot * Math.exp(drift + vol * z);
    }
    sum += Math.max(basket - strike, 0);
  }
  sums[i] = sum;
}

/**
 * BASKET's price, e^(−r)·E[max(basket − strike, 0)], by numpy (Generator(Philox), f64, 2^27 paths,
 * z = L·n as the kernel does): 7.2828 with a standard error of 0.0009 (`python3 bench/anchors/reference_prices.py
 * basket`, with its own seed: 7.2823 ± 0.0009).
 */
export const BASKET_PRICE = 7.2828, BASKET_PRICE_STDERR = 0.0009;

/** basketCall's market arguments (after `paths`): nAssets, spot, the drift and volatility of log S over a year, strike. */
export const basketArgs = ({ assets, spot, vol, rate, strike } = BASKET) => [assets, spot, rate - (vol * vol) / 2, vol, strike];

/**
 * The barrier-option workload's market: spot 100, strike 100, an up-and-out barrier at 125
 * watched on BARRIER.steps equally spaced dates over one year, volatility 0.2, rate 0.02.
 * bench/anchors/random_anchor.py prices the same option (its BARRIER).
 */
export const BARRIER = { spot: 100, strike: 100, barrier: 125, vol: 0.2, rate: 0.02, steps: 64 };

/**
 * An up-and-out barrier call by Monte Carlo: per path `steps` log-normal steps (a normalF32 and
 * an f64 exp each); a path that reaches the barrier stops there and pays nothing, else it pays
 * max(S_T − strike, 0); each thread sums its payoffs (the barrier-option workload). The steps'
 * loop is left by a `break`: its lanes leave it at different trips.
 */
export function barrierCall(states, sums, paths, steps, spot, strike, barrier, drift, vol) {
  const i = cuda.grid(1);
  if (i >= sums.length) return;
  let sum = 0;
  for (let p = 0; p < paths; p++) {
    let s = spot, alive = true;
    for (let t = 0; t < steps; t++) {
      s *= Math.exp(drift + vol * random.normalF32(states, i));
      if (s >= barrier) { alive = false; break; }
    }
    if (alive) sum += Math.max(s - strike, 0);
  }
  sums[i] = sum;
}

/**
 * BARRIER's price, e^(−r)·E[max(S_T − strike, 0); S below the barrier on every date], by numpy
 * (Generator(Philox), f64, 2^26 paths, 23.6 % of them knocked out; `reference_prices.py barrier`):
 * 2.4235 with a standard error of 0.0006.
 */
export const BARRIER_PRICE = 2.4235, BARRIER_PRICE_STDERR = 0.0006;

/** barrierCall's arguments after `paths`: steps, spot, strike, barrier, the drift and volatility of log S per step. */
export const barrierArgs = ({ spot, strike, barrier, vol, rate, steps } = BARRIER) => {
  const dt = 1 / steps;
  return [steps, spot, strike, barrier, (rate - (vol * vol) / 2) * dt, vol * Math.sqrt(dt)];
};

/** Draws per second of random.uniformF32 / normalF32 / normalF64 / sumGammas; checks the mean of all draws (5 standard errors). */
async function runDraws(id, { target, quick }) {
  const { threads, draws, reps } = kernelProblem(id, target, quick);
  const f64 = id === 'random-normal-f64', normal = id === 'random-normal' || f64, gamma = id === 'random-gamma';
  if (f64 && !(await loadBackend(target)).caps.f64) throw new Error(`${target} has no f64`);
  const device = (await targetAvailability(target)).device;
  const states = cuda.toDevice(random.createStates(threads, 20261124), { target });
  const sums = cuda.deviceArray(threads, f64 ? 'f64' : 'f32', { target });
  const launch = cuda.jit(gamma ? sumGammas : f64 ? sumNormals64 : normal ? sumNormals : sumUniforms, { target }).configure(Math.ceil(threads / BLOCK), BLOCK);
  const extra = gamma ? [GAMMA_ALPHA] : [];
  const c0 = performance.now();
  await launch(states, sums, 1, ...extra); // compiles
  const compileMs = performance.now() - c0;
  const t = await timeReps(reps, () => launch(states, sums, draws, ...extra));
  let total = 0;
  for (const v of await sums.copyToHost()) total += v;
  await Promise.all([states.free(), sums.free()]);
  const work = threads * draws;
  const mean = total / work;
  const [expected, sd] = gamma ? [GAMMA_ALPHA, Math.sqrt(GAMMA_ALPHA)] : normal ? [0, 1] : [0.5, Math.sqrt(1 / 12)];
  const z = Math.abs(mean - expected) / (sd / Math.sqrt(work));
  return {
    target, device, unit: 'draws/s', compileMs, seconds: t.bestMs / 1e3, work, throughput: work / (t.bestMs / 1e3),
    result: { problem: `${threads} threads × ${draws} draws`, threads, draws, mean, ...t },
    checks: [{ name: `mean of the last launch's draws is ${expected} within 5 standard errors`, ok: z < 5, detail: `${mean.toFixed(6)} (${z.toFixed(2)} standard errors)` }],
  };
}

/**
 * A pricing workload for runPricing: its kernel, the arguments before its `paths` (for a
 * thread count) and after it (the market), the discount rate, and the reference price.
 */
const BASKET_PRICING = {
  id: 'basket-option', kernel: basketCall, rate: BASKET.rate, price: BASKET_PRICE, stderr: BASKET_PRICE_STDERR, reference: 'numpy, 2^27 paths',
  before: (states) => [states, basketCholesky()], after: () => basketArgs(), problem: (threads, paths) => `${threads} threads × ${paths} paths × ${BASKET.assets} assets`,
};
const BARRIER_PRICING = {
  id: 'barrier-option', kernel: barrierCall, rate: BARRIER.rate, price: BARRIER_PRICE, stderr: BARRIER_PRICE_STDERR, reference: 'numpy, 2^26 paths',
  before: (states) => [states], after: () => barrierArgs(), problem: (threads, paths) => `${threads} threads × ${paths} paths × ${BARRIER.steps} steps`,
};

/**
 * Paths per second of a pricing kernel (`kernel(...before(states), sums, paths, ...after())`, each
 * thread summing its payoffs). Checked: a block of 256 threads' sums over 4 paths against the
 * simulator's (the same Philox draws; the target's exp and normals within a few ulp), and the
 * last launch's price within 5 standard errors of the reference (both estimates' errors).
 */
async function runPricing(w, { target, quick }) {
  const { threads, paths, reps } = kernelProblem(w.id, target, quick);
  const device = (await targetAvailability(target)).device;
  const kernel = cuda.jit(w.kernel, { target });
  const probe = async (k) => {
    const sums = new Float32Array(256);
    await k.configure(1, 256)(...w.before(random.createStates(256, 7)), sums, 4, ...w.after());
    return sums;
  };
  const c0 = performance.now();
  const got = await probe(kernel); // compiles
  const compileMs = performance.now() - c0;
  const want = await probe(cuda.jit(w.kernel, { target: 'sim' }));
  let worst = 0;
  for (let j = 0; j < 256; j++) worst = Math.max(worst, Math.abs(got[j] - want[j]) / Math.max(1, Math.abs(want[j])));
  const states = cuda.toDevice(random.createStates(threads, 20261124), { target });
  const sums = cuda.deviceArray(threads, 'f32', { target });
  const launch = kernel.configure(Math.ceil(threads / BLOCK), BLOCK);
  const args = [...w.before(states), sums, paths, ...w.after()];
  const t = await timeReps(reps, () => launch(...args));
  let total = 0, totalSq = 0;
  for (const v of await sums.copyToHost()) { total += v; totalSq += v * v; }
  await Promise.all([states.free(), sums.free()]);
  const work = threads * paths;
  // The last launch's per-thread sums of `paths` payoffs (independent of the earlier launches':
  // the streams go on): their mean ÷ paths estimates the undiscounted price.
  const m = total / threads, v = Math.max(0, totalSq / threads - m * m);
  const discount = Math.exp(-w.rate), price = (discount * m) / paths, stderr = (discount * Math.sqrt(v / threads)) / paths;
  const z = Math.abs(price - w.price) / Math.hypot(stderr, w.stderr);
  return {
    target, device, unit: 'paths/s', compileMs, seconds: t.bestMs / 1e3, work, throughput: work / (t.bestMs / 1e3),
    result: { problem: w.problem(threads, paths), threads, paths, price, stderr, ...t },
    checks: [
      { name: "a block of 256 threads' sums over 4 paths are the simulator's within 1e-4 (relative to max(1, |sum|))", ok: worst <= 1e-4, detail: `worst ${worst.toExponential(2)}` },
      { name: `price is ${w.price} (${w.reference}) within 5 standard errors`, ok: z < 5, detail: `${price.toFixed(4)} ± ${stderr.toFixed(4)} (${z.toFixed(2)} standard errors)` },
    ],
  };
}

async function timeReps(reps, fn) {
  const ms = [];
  for (let r = 0; r < reps; r++) {
    const t0 = performance.now();
    await fn(r);
    ms.push(performance.now() - t0);
  }
  const sorted = [...ms].sort((a, b) => a - b);
  return { bestMs: sorted[0], medianMs: sorted[sorted.length >> 1], ms };
}

/** Hits of threads [0, threads) over `samples` draws from the seeds, in f64 or emulated f32. */
function hostHits(threads, samples, f32) {
  const seeds = piSeeds(threads);
  let hits = 0;
  for (let i = 0; i < threads; i++) hits += replayThread(seeds[i], samples, f32);
  return hits;
}

async function runMonteCarlo({ target, quick }) {
  const { threads, samples, reps } = kernelProblem('mc-kernel', target, quick);
  const device = (await targetAvailability(target)).device;
  const f32 = !(await loadBackend(target)).caps.f64;
  const states = cuda.toDevice(piSeeds(threads), { target });
  const counts = cuda.deviceArray(threads, 'u32', { target });
  const launch = cuda.jit(monteCarloPi, { target }).configure(Math.ceil(threads / BLOCK), BLOCK);
  const c0 = performance.now();
  await launch(cuda.toDevice(piSeeds(threads), { target }), counts, 1); // compiles, on other states
  const compileMs = performance.now() - c0;
  // A warm-up launch from the seeds: its hits are those of the anchors' problem.
  await launch(states, counts, samples);
  let firstHits = 0;
  for (const c of await counts.copyToHost()) firstHits += c;
  const t = await timeReps(reps, () => launch(states, counts, samples));
  await Promise.all([states.free(), counts.free()]);
  const expected = hostHits(threads, samples, f32);
  const tolerance = f32 ? Math.ceil(threads * samples * 1e-5) : 0; // see examples/pi.mjs
  const work = threads * samples;
  return {
    target, device, unit: 'samples/s', compileMs, seconds: t.bestMs / 1e3, work, throughput: work / (t.bestMs / 1e3),
    result: { problem: `${threads} threads × ${samples} samples`, threads, samples, hits: firstHits, pi: (4 * firstHits) / work, ...t },
    checks: [{
      name: 'hits equal a host replay of the LCG', ok: Math.abs(firstHits - expected) <= tolerance,
      detail: `${firstHits} vs ${expected} (${f32 ? 'f32, tolerance ' + tolerance : 'f64, exact'})`,
    }],
  };
}

/** The tiled product's FLOP/s; the untiled kernel timed in the same run, each the best of `reps` alternated launches. */
async function runMatmul({ target, quick }) {
  const { n, reps } = kernelProblem('matmul-tiled', target, quick);
  const device = (await targetAvailability(target)).device;
  // small integers and halves: every product and sum is exact in f32, whatever the order
  const A = new Float32Array(n * n).map((_, i) => (i % 7) * 0.5 - 1), B = new Float32Array(n * n).map((_, i) => (i % 5) - 2);
  const dA = cuda.toDevice(A, { target }), dB = cuda.toDevice(B, { target });
  const tiledOut = cuda.deviceArray(n * n, 'f32', { target }), naiveOut = cuda.deviceArray(n * n, 'f32', { target });
  const grid = [n / 16, n / 16], block = [16, 16];
  const tiled = cuda.jit(matmulTiled, { target }).configure(grid, block), naive = cuda.jit(matmulNaive, { target }).configure(grid, block);
  const c0 = performance.now();
  await tiled(dA, dB, tiledOut, n);
  await tiledOut.copyToHost();
  const compileMs = performance.now() - c0;
  await naive(dA, dB, naiveOut, n);
  let tiledBest = Infinity, naiveBest = Infinity;
  for (let r = 0; r < reps; r++) {
    let t0 = performance.now();
    await tiled(dA, dB, tiledOut, n);
    await tiledOut.copyToHost();
    tiledBest = Math.min(tiledBest, performance.now() - t0);
    t0 = performance.now();
    await naive(dA, dB, naiveOut, n);
    await naiveOut.copyToHost();
    naiveBest = Math.min(naiveBest, performance.now() - t0);
  }
  const got = await tiledOut.copyToHost(), untiled = await naiveOut.copyToHost();
  // one row and one column on the host
  const row = (n * 3) >> 2, col = n >> 3;
  let wrong = 0;
  for (let k = 0; k < n; k++) {
    for (const [y, x] of [[row, k], [k, col]]) {
      let s = 0;
      for (let j = 0; j < n; j++) s += A[y * n + j] * B[j * n + x];
      if (got[y * n + x] !== s) wrong++;
    }
  }
  let differ = 0;
  for (let i = 0; i < n * n; i++) if (got[i] !== untiled[i]) differ++;
  await Promise.all([dA.free(), dB.free(), tiledOut.free(), naiveOut.free()]);
  const flops = 2 * n ** 3;
  return {
    target, device, unit: 'FLOP/s', compileMs, seconds: tiledBest / 1e3, work: flops, throughput: flops / (tiledBest / 1e3),
    result: {
      problem: `${n}×${n} f32, 16×16 tiles; the untiled kernel in the same run ${(flops / naiveBest / 1e6).toFixed(1)} GFLOP/s (tiled ÷ untiled ${(naiveBest / tiledBest).toFixed(2)}×)`,
      n, tiledMs: tiledBest, naiveMs: naiveBest, naiveFlops: flops / (naiveBest / 1e3), tiledOverNaive: naiveBest / tiledBest,
    },
    checks: [
      { name: 'a row and a column equal the host product', ok: wrong === 0, detail: wrong ? `${wrong} of ${2 * n} differ` : `${2 * n} elements` },
      { name: 'the untiled kernel gives the same matrix', ok: differ === 0, detail: differ ? `${differ} elements differ` : `${n * n} elements` },
    ],
  };
}

/**
 * A block reduction of the anchors' data: `kernel`(x, partial) writes one partial per block,
 * summed on the host; the grid from the problem's n (tree-reduce: one element per thread).
 */
async function runReduction(id, kernel, gridOf, { target, quick }) {
  const { log2n, reps } = kernelProblem(id, target, quick);
  const n = 2 ** log2n;
  const device = (await targetAvailability(target)).device;
  const data = new Float32Array(n);
  for (let i = 0; i < n; i++) data[i] = ((i * 7) % 13) * 0.25 - 1.5; // the anchors' data: every partial sum is exact
  let exact = 0;
  for (let i = 0; i < n; i++) exact += data[i];
  const { grid, per } = gridOf(n, target);
  const x = cuda.toDevice(data, { target });
  const partial = cuda.deviceArray(grid, 'f32', { target });
  const launch = cuda.jit(kernel, { target }).configure(grid, BLOCK);
  let sum = NaN;
  const reduceOnce = async () => {
    await launch(x, partial);
    let s = 0;
    for (const p of await partial.copyToHost()) s += p;
    sum = s;
  };
  const c0 = performance.now();
  await reduceOnce(); // compiles
  const compileMs = performance.now() - c0;
  const t = await timeReps(reps, reduceOnce);
  await Promise.all([x.free(), partial.free()]);
  const bytes = n * 4;
  return {
    target, device, unit: 'B/s', compileMs, seconds: t.bestMs / 1e3, work: bytes, throughput: bytes / (t.bestMs / 1e3),
    result: { problem: `2^${log2n} f32, ${grid} blocks × ${BLOCK}${per}`, n, grid, sum, exact, ...t },
    checks: [{ name: 'sum equals the exact host sum', ok: sum === exact, detail: `${sum} vs ${exact}` }],
  };
}
