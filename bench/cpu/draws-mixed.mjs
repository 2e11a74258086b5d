// The bench's loops of draws with the threads of a lane group at different
// positions in their Philox blocks, against the same loops from fresh states
// (every thread at a block boundary), measured in the same run (run: `node
// bench/cpu/draws-mixed.mjs [--threads N] [--rounds N]`, after `npm run build`).
// Before each mixed launch thread i draws i % 4 words (and every seventh thread
// half a normal pair), as a rejection loop, a draw under a thread-dependent `if`
// or an earlier launch of different draw counts leaves them; the lookahead
// blocks (docs/random.md, "Lookahead blocks for lanes at mixed positions") are
// for these. Rates are per CPU-second (process.cpuUsage around each launch, best
// of 5 launches per round), fresh and mixed alternated round by round. First it
// checks the cpu's sums and states against the simulator's on a small problem
// at mixed positions (bit for bit for uniforms; normals and gammas go through
// each target's log, sqrt, sin and cos: docs/random.md).
import { cuda, random } from '@numbat/core';
import { sumGammas, sumNormals, sumUniforms } from '../suite/kernels.mjs';

const argv = process.argv.slice(2);
const opt = (n, d) => { const i = argv.indexOf(`--${n}`); return i >= 0 ? Number(argv[i + 1]) : d; };
const THREADS = opt('threads', 16384), ROUNDS = opt('rounds', 3), SEED = 20261202;
const LOOPS = [['uniforms', sumUniforms, 4096, []], ['normals', sumNormals, 1024, []], ['gammas', sumGammas, 1024, [2.5]]];

function skew(states, n) {
  const i = cuda.grid(1);
  if (i >= n) return;
  for (let k = 0; k < i % 4; k++) random.uint32(states, i);
  if (i % 7 === 3) random.normalF32(states, i);
}

const kernels = new Map();
/** `fn` for `target`, made once (a kernel compiles at its first launch: not inside the timings). */
function kernel(fn, target) {
  const key = `${fn.name}:${target}`;
  if (!kernels.has(key)) kernels.set(key, cuda.jit(fn, { target }));
  return kernels.get(key);
}

/** `draws` per thread of `fn` on `target` from states made for `threads` threads, skewed when `mixed`; the sums and states (host copies) and the launch's CPU time. */
async function run(target, fn, threads, draws, extra, mixed) {
  const grid = Math.ceil(threads / 256);
  const states = cuda.toDevice(random.createStates(threads, SEED), { target });
  const sums = cuda.deviceArray(threads, 'f32', { target });
  if (mixed) await kernel(skew, target).configure(grid, 256)(states, threads);
  const c0 = process.cpuUsage();
  await kernel(fn, target).configure(grid, 256)(states, sums, draws, ...extra);
  const c = process.cpuUsage(c0);
  const out = { sums: await sums.copyToHost(), states: await states.copyToHost(), cpuSeconds: (c.user + c.system) / 1e6 };
  await Promise.all([states.free(), sums.free()]);
  return out;
}

let failed = false;
for (const [what, fn, , extra] of LOOPS) {
  const [sim, cpu] = await Promise.all(['sim', 'cpu'].map((t) => run(t, fn, 300, 23, extra, true)));
  const tol = what === 'uniforms' ? 0 : 2e-5;
  const far = cpu.sums.filter((x, i) => !(Math.abs(x - sim.sums[i]) <= tol * Math.max(1, Math.abs(sim.sums[i])))).length;
  const states = cpu.states.every((w, i) => w === sim.states[i]) || what !== 'uniforms';
  if (far || !states) { failed = true; console.log(`${what}: the cpu's sums differ from the simulator's in ${far} of 300 threads${states ? '' : ', and its states'}`); }
}
for (const [what, fn, draws, extra] of LOOPS) {
  const best = { fresh: 0, mixed: 0 };
  for (let round = 0; round < ROUNDS; round++) {
    for (const mixed of [false, true]) {
      for (let rep = 0; rep < 5; rep++) {
        const r = await run('cpu', fn, THREADS, draws, extra, mixed);
        const k = mixed ? 'mixed' : 'fresh';
        best[k] = Math.max(best[k], (THREADS * draws) / r.cpuSeconds);
      }
    }
  }
  const m = (x) => `${(x / 1e6).toFixed(0)} M ${what} per CPU-second`;
  console.log(`${THREADS} threads × ${draws} ${what}, best of ${ROUNDS * 5} launches each: fresh states ${m(best.fresh)}; mixed positions ${m(best.mixed)} (${(best.mixed / best.fresh).toFixed(2)}× of fresh)`);
}
if (failed) process.exitCode = 1;
