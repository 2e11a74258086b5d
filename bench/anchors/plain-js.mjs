// Plain-JS anchor: the fastest single-threaded JS we can write by hand for the
// two benchmark jobs. numbat's cpu backend should beat (or at least match) this;
// if it doesn't, compiling the kernel bought nothing over writing a loop.
// Runnable directly: `node bench/anchors/plain-js.mjs` prints one JSON line.
import { pathToFileURL } from 'node:url';

export const MC_THREADS = 16384;
export const MC_SAMPLES = 2000;
export const REDUCE_N = 1 << 26;
const RUNS = 5;

// Same LCG as the seed kernel. Math.imul keeps the multiply in int32 (exact low
// 32 bits), `| 0` keeps state an int32 (same low 16 bits as the u32), so no
// doubles or BigInts in the hot loop. The hit test is ~79% true at random, so an
// `if (...) count++` branch mispredicts constantly: adding the comparison as 0/1
// is branchless and measured 2.2x faster here (150 -> 335 M samples/s).
function mcThread(state, nSamples) {
  let count = 0;
  for (let k = 0; k < nSamples; k++) {
    state = (Math.imul(state, 1664525) + 1013904223) | 0;
    const x = (state & 0xffff) / 65535.0; // f64 division, exactly as the seed
    state = (Math.imul(state, 1664525) + 1013904223) | 0;
    const y = (state & 0xffff) / 65535.0;
    count += (x * x + y * y <= 1.0) | 0;
  }
  return count;
}

function mcAll(counts, nSamples) {
  let total = 0;
  for (let i = 0; i < counts.length; i++) {
    const c = mcThread((Math.imul(i, 2654435761 | 0) + 1) >>> 0, nSamples);
    counts[i] = c;
    total += c;
  }
  return total;
}

// f64 accumulation: the inputs are multiples of 0.25 in [-1.5, 1.5], so every
// partial sum is exact in f64 and all anchors get the same sum regardless of
// order. Four accumulators break the add dependency chain (V8 won't reassociate).
function reduceSum(x) {
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  const n = x.length, n4 = n & ~3;
  let i = 0;
  for (; i < n4; i += 4) { s0 += x[i]; s1 += x[i + 1]; s2 += x[i + 2]; s3 += x[i + 3]; }
  for (; i < n; i++) s0 += x[i];
  return (s0 + s1) + (s2 + s3);
}

export function fillReduceInput(n = REDUCE_N) {
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) x[i] = ((i * 7) % 13) * 0.25 - 1.5;
  return x;
}

function bestOf(runs, fn) {
  let best = Infinity, value;
  for (let r = 0; r < runs; r++) {
    const t0 = performance.now();
    value = fn();
    best = Math.min(best, (performance.now() - t0) / 1e3);
  }
  return { seconds: best, value };
}

export async function runPlainJs({ runs = RUNS } = {}) {
  const counts = new Uint32Array(MC_THREADS);
  // Warm-up on a small problem so TurboFan has optimized both functions
  // before timing (the "compile" cost of plain JS).
  const tc = performance.now();
  mcAll(new Uint32Array(256), 200);
  reduceSum(fillReduceInput(1 << 16));
  const compile_s = (performance.now() - tc) / 1e3;

  const mc = bestOf(runs, () => mcAll(counts, MC_SAMPLES));
  const x = fillReduceInput(); // filled outside the timing
  const red = bestOf(runs, () => reduceSum(x));
  return {
    anchor: 'plain-js',
    threads: 1,
    mc: { samples_per_s: (MC_THREADS * MC_SAMPLES) / mc.seconds, total: mc.value, seconds: mc.seconds },
    reduce: { gbps: (REDUCE_N * 4) / red.seconds / 1e9, sum: red.value, seconds: red.seconds, acc: 'f64' },
    compile_s,
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  console.log(JSON.stringify(await runPlainJs()));
}
