// Child process of bench/run.mjs (run with --expose-gc): does memory grow with
// launches? Each phase runs a warm-up of 2N iterations, then two rounds of N,
// with measures after full garbage collections before and after each round:
// the V8 heap, array buffers (host typed arrays; cpu device arrays are these)
// and the resident set (native memory: Dawn buffers, driver allocations,
// code). A leak is judged on the second round, past the warm-up growth
// (measured on cpu: RSS +7 MiB over the first ~3000 launches, then flat).
// Prints one JSON line per phase.
//   node --expose-gc bench/suite/leak.mjs TARGET [N [WARMUP]]
import { cuda } from '@numbat/core';

const [target, nArg] = process.argv.slice(2);
const N = Number(nArg) || 1000;
const WARMUP = Number(process.argv[4]) || 2 * N;
const SMALL = 4096, CHURN = 65536; // elements: launches on 16 KiB arrays; churn allocates 256 KiB

const probe = cuda.jit(function leakProbe(a, b, out) {
  const i = cuda.grid(1);
  if (i < out.length) out[i] = a[i] * 2 + b[i];
}, { target }).configure(SMALL / 256, 256);
const fill = cuda.jit(function leakFill(out) {
  const i = cuda.grid(1);
  if (i < out.length) out[i] = i;
}, { target }).configure(CHURN / 256, 256);

function measure() {
  for (let k = 0; k < 3; k++) globalThis.gc();
  const m = process.memoryUsage();
  return { heapUsed: m.heapUsed, arrayBuffers: m.arrayBuffers, external: m.external, rss: m.rss };
}

// Growth per iteration, in the second round, above which a phase is flagged as a
// suspected leak. Noise measured on a 2-core VM (N = 1000, after 3 gc() calls):
// heap ±0.2 KiB per iteration; RSS ±0.5 KiB per launch on cpu and sim, up to
// ±4 KiB per launch on webgpu (Dawn and Mesa allocate in chunks), and up to ±26
// KiB per 256 KiB alloc/free (glibc keeps freed buffers mapped). Smaller growth
// cannot be told from noise in 1000 iterations (the table prints it anyway): the
// limits are 2.5× the heap noise and about the RSS noise, far below a leaked
// device array (256 KiB per alloc/free).
const LIMITS = {
  launch: { heapUsed: 512, arrayBuffers: 512, rss: 4096 },
  churn: { heapUsed: 512, arrayBuffers: 512, rss: 64 * 1024 },
};

const growth = (from, to) => Object.fromEntries(Object.keys(from).map((k) => [k, (to[k] - from[k]) / N]));

async function phase(name, limits, step) {
  for (let k = 0; k < WARMUP; k++) await step(k);
  const m0 = measure();
  const t0 = performance.now();
  for (let k = 0; k < N; k++) await step(k);
  const ms = performance.now() - t0;
  const m1 = measure();
  for (let k = 0; k < N; k++) await step(k);
  const m2 = measure();
  console.log(JSON.stringify({
    phase: name, iterations: N, usPerIteration: (ms * 1e3) / N, memory: [m0, m1, m2],
    firstRoundPerIteration: growth(m0, m1), secondRoundPerIteration: growth(m1, m2), limits,
    suspect: Object.entries(limits).filter(([k, limit]) => growth(m1, m2)[k] > limit).map(([k]) => k),
  }));
}

const hostA = new Float32Array(SMALL).fill(1), hostB = new Float32Array(SMALL).fill(2), hostOut = new Float32Array(SMALL);
const a = cuda.toDevice(hostA, { target }), b = cuda.toDevice(hostB, { target }), out = cuda.deviceArray(SMALL, 'f32', { target });
await phase('launches on device arrays', LIMITS.launch, () => probe(a, b, out));
await phase('launches on host arrays', LIMITS.launch, () => probe(hostA, hostB, hostOut));
await phase('alloc + launch + free (256 KiB device array)', LIMITS.churn, async () => {
  const d = cuda.deviceArray(CHURN, 'f32', { target });
  await fill(d);
  await d.free();
});
const check = await out.copyToHost();
console.log(JSON.stringify({ phase: 'result', ok: check.every((v) => v === 4) && hostOut.every((v) => v === 4) }));
process.exit(0);
