// Child process of bench/run.mjs (run with --expose-gc): does memory grow with
// launches? Each phase runs a warm-up of 2N iterations, then ROUNDS rounds of N,
// measuring after full garbage collections before and after each round: the
// V8 heap, array buffers (host typed arrays; cpu device arrays are these) and
// the resident set (native memory: Dawn buffers, driver allocations, code).
// A phase is judged on its growth over all rounds together: past the warm-up
// (measured on cpu: RSS +7 MiB over the first ~3000 launches, then flat), and
// over enough iterations for RSS, which moves in chunks of MiBs, to show a
// trend. Prints one JSON line per phase.
//   node --expose-gc bench/suite/leak.mjs TARGET [N [ROUNDS]]
import { cuda } from '@numbat/core';

const [target, nArg, roundsArg] = process.argv.slice(2);
const N = Number(nArg) || 1000;
const ROUNDS = Number(roundsArg) || 4;
const WARMUP = 2 * N;
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

// Growth per iteration, over all rounds, above which a phase is flagged as a
// suspected leak. Measured on a 2-core VM (after 3 gc() calls): the heap moves
// by ±0.2 KiB per iteration over 1000 iterations. RSS moves by ±0.5 KiB per
// launch over 1000 launches on cpu and sim, and by up to ±5 KiB on webgpu (Dawn
// and Mesa allocate in chunks); over 4000 launches after the warm-up webgpu
// still grew by up to 1.5 KiB per launch (its RSS rises ~30 MiB over the first
// ~30 000 launches, then stays flat: measured to 60 000). alloc/free of 256 KiB
// moves RSS by up to ±26 KiB per iteration (glibc keeps freed buffers mapped).
// The limits sit above all of that; a leaked device array would add 256 KiB per
// alloc/free.
const LIMITS = {
  launch: { heapUsed: 512, arrayBuffers: 512, rss: 4096 },
  churn: { heapUsed: 512, arrayBuffers: 512, rss: 64 * 1024 },
};

const growth = (from, to, n) => Object.fromEntries(Object.keys(from).map((k) => [k, (to[k] - from[k]) / n]));

async function phase(name, limits, step) {
  for (let k = 0; k < WARMUP; k++) await step(k);
  const memory = [measure()];
  const t0 = performance.now();
  for (let r = 0; r < ROUNDS; r++) {
    for (let k = 0; k < N; k++) await step(k);
    memory.push(measure());
  }
  const perIteration = growth(memory[0], memory[ROUNDS], ROUNDS * N);
  console.log(JSON.stringify({
    phase: name, iterations: N, rounds: ROUNDS, warmup: WARMUP, usPerIteration: ((performance.now() - t0) * 1e3) / (ROUNDS * N), memory,
    perIteration, perRound: memory.slice(1).map((m, r) => growth(memory[r], m, N)), limits,
    suspect: Object.entries(limits).filter(([k, limit]) => perIteration[k] > limit).map(([k]) => k),
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
