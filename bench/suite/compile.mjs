// Child process of bench/run.mjs: compile and cache-load times of the heavy
// kernels on one target, in a fresh process. Prints one JSON line per kernel.
//   node bench/suite/compile.mjs TARGET cold KERNEL   first compile in this fresh process
//                                   (loads the backend: LLVM, Dawn…), then the same
//                                   source again with the backend loaded
//   node bench/suite/compile.mjs TARGET fill   compile with cache: true into NUMBAT_CACHE_DIR
//   node bench/suite/compile.mjs TARGET load   first launch with cache: true (a cache hit)
import { readFileSync } from 'node:fs';
import { cuda } from '@numbat/core';
import { blockReduce, monteCarloPi } from '../cpu/kernels.mjs';

const [target, mode, only] = process.argv.slice(2);
const KERNELS = [
  ['monteCarloPi', monteCarloPi, () => [new Uint32Array(256), new Uint32Array(256), 1]],
  ['blockReduce', blockReduce, () => [new Float32Array(256), new Float32Array(1)]],
];
const backendModule = await import(`@numbat/${target === 'sim' ? 'core' : target}`);
// cpu and cuda record each compile or cache load (origin and backend-only time).
const lastRecord = () => backendModule.compileRecords?.().at(-1);
const llvmMapped = () => { try { return /libLLVM/.test(readFileSync('/proc/self/maps', 'utf8')); } catch { return undefined; } };

/** Time of a first launch (1 block of 256 threads: compile + a trivial launch). */
async function firstLaunch(fn, args, cache) {
  const t0 = performance.now();
  await cuda.jit(fn, { target, cache }).configure(1, 256)(...args());
  const ms = performance.now() - t0;
  const rec = lastRecord();
  return { ms, origin: rec?.origin, backendMs: rec?.timings?.total };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

if (mode === 'cold') {
  for (const [name, fn, args] of KERNELS.filter(([name]) => !only || name === only)) {
    const first = await firstLaunch(fn, args, false);
    const sinceProcessStartMs = performance.now(); // node start + imports + the first launch
    const again = [];
    for (let r = 0; r < 3; r++) again.push(await firstLaunch(fn, args, false));
    console.log(JSON.stringify({
      kernel: name, mode, firstMs: first.ms, firstBackendMs: first.backendMs, sinceProcessStartMs,
      loadedMs: median(again.map((a) => a.ms)), loadedBackendMs: median(again.map((a) => a.backendMs ?? NaN)),
      origins: [first, ...again].map((a) => a.origin),
    }));
  }
} else if (mode === 'fill' || mode === 'load') {
  const cacheSupported = typeof backendModule.compileRecords === 'function';
  for (const [name, fn, args] of KERNELS) {
    const r = await firstLaunch(fn, args, true);
    console.log(JSON.stringify({ kernel: name, mode, cacheSupported, firstMs: r.ms, backendMs: r.backendMs, origin: r.origin, llvmMapped: llvmMapped() }));
  }
  await backendModule.flushCache?.(); // cpu links cache entries in the background
} else {
  throw new Error(`unknown mode ${mode}`);
}
process.exit(0);
