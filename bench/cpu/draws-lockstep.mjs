// How far the library's draws in a loop are from the same words drawn in
// lockstep (run: `node bench/cpu/draws-lockstep.mjs [--threads N] [--rounds N]`,
// after `npm run build`). Each kernel pair sums, in order, per thread, the
// first uniforms (4096) or normals (1024) of the same Philox4x32-10 streams
// (key = the seed, counter = (block, 0, stream, 0)): `sumUniforms` and
// `sumNormals`, the bench's draw workloads, go through the library's
// per-thread states (each draw tracks its position in the block, refills when
// the block is used up and picks its word by selects); the lockstep kernels
// compute one block per four words with the stateless `random.philox` and
// track nothing, as a kernel can when every thread draws the same number of
// words (normals: Box-Muller on words 0, 1 and 2, 3, the library's pairs).
// The sums must be bit-identical
// (checked), so each ratio is what the per-draw bookkeeping costs on this
// machine. Rates are per CPU-second (process.cpuUsage around each launch, best
// of 5 launches per round), the kernels alternated round by round: the host's
// speed drifts.
import { cuda, random } from '@numbat/core';
import { sumNormals, sumUniforms } from '../suite/kernels.mjs';

const argv = process.argv.slice(2);
const opt = (n, d) => { const i = argv.indexOf(`--${n}`); return i >= 0 ? Number(argv[i + 1]) : d; };
const THREADS = opt('threads', 16384), ROUNDS = opt('rounds', 3), SEED = 20261124;
const target = 'cpu';

/** Sums thread i's first `draws` uniforms (a multiple of 4) or normals, one Philox block (the stateless `random.philox`) per four words. */
function lockstepBlocks(keys, sums, draws, normals) {
  const i = cuda.grid(1);
  if (i >= sums.length) return;
  const k0 = keys[0], k1 = keys[1];
  let s = Math.fround(0);
  let block = 0 >>> 0;
  const w = cuda.local.array(4, 'u32');
  for (let k = 0; k < draws; k += 4) {
    random.philox(k0, k1, block, 0, i, 0, w, 0);
    const x0 = w[0], x1 = w[1], x2 = w[2], x3 = w[3];
    block = (block + 1) >>> 0;
    if (normals) {
      // the library's Box-Muller (core's random/states.ts normalF32) on words 0, 1 and 2, 3
      const r1 = Math.sqrt(0 - 2 * Math.log(Math.fround(16777216 - (x0 >>> 8)) * 5.9604644775390625e-8));
      const t1 = Math.fround(x1 >>> 8) * 3.7450702829239290e-7;
      const r2 = Math.sqrt(0 - 2 * Math.log(Math.fround(16777216 - (x2 >>> 8)) * 5.9604644775390625e-8));
      const t2 = Math.fround(x3 >>> 8) * 3.7450702829239290e-7;
      s += r1 * Math.cos(t1);
      s += r1 * Math.sin(t1);
      s += r2 * Math.cos(t2);
      s += r2 * Math.sin(t2);
    } else {
      s += Math.fround(x0 >>> 8) * 5.9604644775390625e-8;
      s += Math.fround(x1 >>> 8) * 5.9604644775390625e-8;
      s += Math.fround(x2 >>> 8) * 5.9604644775390625e-8;
      s += Math.fround(x3 >>> 8) * 5.9604644775390625e-8;
    }
  }
  sums[i] = s;
}

const grid = Math.ceil(THREADS / 256);
const keys = cuda.toDevice(new Uint32Array([SEED, 0]), { target });
const sums = { library: cuda.deviceArray(THREADS, 'f32', { target }), lockstep: cuda.deviceArray(THREADS, 'f32', { target }) };
const lockstep = cuda.jit(lockstepBlocks, { target }).configure(grid, 256);
let failed = false;
for (const [what, libKernel, draws] of [['uniforms', sumUniforms, 4096], ['normals', sumNormals, 1024]]) {
  const library = cuda.jit(libKernel, { target }).configure(grid, 256);
  const normals = what === 'normals';
  let states;
  const best = { library: 0, lockstep: 0 };
  for (let round = 0; round < ROUNDS; round++) {
    for (const name of ['library', 'lockstep']) {
      for (let rep = 0; rep < 5; rep++) {
        // fresh states for every launch: both kernels then sum the streams' first words
        if (name === 'library') { await states?.free(); states = cuda.toDevice(random.createStates(THREADS, SEED), { target }); }
        const c0 = process.cpuUsage();
        await (name === 'library' ? library(states, sums.library, draws) : lockstep(keys, sums.lockstep, draws, normals));
        const c = process.cpuUsage(c0);
        best[name] = Math.max(best[name], (THREADS * draws) / ((c.user + c.system) / 1e6));
      }
    }
  }
  await states.free();
  const [a, b] = await Promise.all([sums.library.copyToHost(), sums.lockstep.copyToHost()]);
  let differ = 0;
  for (let i = 0; i < THREADS; i++) if (!Object.is(a[i], b[i])) differ++;
  failed ||= differ > 0;
  const m = (x) => `${(x / 1e6).toFixed(0)} M ${what} per CPU-second`;
  console.log(`${THREADS} threads × ${draws} ${what}, best of ${ROUNDS * 5} launches each (alternated rounds):`);
  console.log(`  library states: ${m(best.library)}; lockstep blocks: ${m(best.lockstep)}; ratio ${(best.lockstep / best.library).toFixed(2)}×; sums ${differ ? `DIFFER in ${differ} threads` : 'bit-identical'}`);
}
await Promise.all([keys.free(), sums.library.free(), sums.lockstep.free()]);
if (failed) process.exitCode = 1;
