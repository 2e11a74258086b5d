// Child process of run.mjs: loads one kernel from the disk cache
// (NUMBAT_CACHE_DIR) in a fresh process and reports how long that took and
// whether LLVM was loaded. Prints one JSON line.
import { readFileSync } from 'node:fs';
import { compileRecords } from '@numbat/cpu';
import { llvmBindingsLoaded } from '@numbat/llvm';
import { blockReduce, cachedCpuKernel, monteCarloPi } from './kernels.mjs';

const name = process.argv[2];
const [fn, args, grid, block] = name === 'monteCarloPi'
  ? [monteCarloPi, [new Uint32Array(256), new Uint32Array(256), 1], 1, 256]
  : [blockReduce, [new Float32Array(256), new Float32Array(1)], 1, 256];
const t0 = performance.now();
await cachedCpuKernel(fn).configure(grid, block)(...args);
const firstLaunchMs = performance.now() - t0;
const rec = compileRecords().at(-1);
const maps = readFileSync('/proc/self/maps', 'utf8');
console.log(JSON.stringify({
  origin: rec?.origin, cachedLoadMs: rec?.timings.total, firstLaunchMs,
  llvmLoaded: llvmBindingsLoaded() || /libLLVM/.test(maps),
}));
