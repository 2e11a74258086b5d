// numbat's compile time (KernelIR → PTX, in-process LLVM) for the benchmark
// kernels, in a fresh process: the first compile pays for loading LLVM.
// The GPU machine has no LLVM, so this runs where LLVM is; jsScore relates
// this CPU to the GPU machine's (bench.mjs reports the same score there).
//   node bench/cuda/compile-time.mjs [out.json]
import { writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { compileRecords } from '@numbat/cuda';
import { BENCH, SAMPLE, jitBench } from './kernels.mjs';
import { jsScore } from './bench.mjs';

const out = { cpu: cpus()[0]?.model, cores: cpus().length, node: process.version, jsScore: jsScore(), kernels: {} };
let first = true;
for (const name of ['add4', 'mandel', 'reduceSum']) {
  const runs = [];
  for (let r = 0; r < 3; r++) {
    const t = performance.now();
    await jitBench(name, { cache: false }).inspect('ptx', ...SAMPLE[name]());
    const wall = performance.now() - t;
    const rec = compileRecords().at(-1);
    runs.push({ wall_ms: +wall.toFixed(2), ...Object.fromEntries(Object.entries(rec.timings).map(([k, v]) => [k, +v.toFixed(2)])) });
  }
  out.kernels[name] = { first: runs[0], warm_ms: +Math.min(...runs.slice(1).map((x) => x.wall_ms)).toFixed(2), runs, firstInProcess: first };
  first = false;
}
// A kernel with libdevice math (sin, exp, pow on f32 and f64).
const { cuda } = await import('@numbat/core');
const mathK = () => cuda.jit(function mathy(x, y) {
  const i = cuda.grid(1);
  if (i < x.length) { x[i] = Math.sin(x[i]) * Math.exp(x[i]) + Math.pow(x[i], 1.5); y[i] = Math.sin(y[i]) + Math.log(y[i]); }
}, { target: 'cuda' });
const mr = [];
for (let r = 0; r < 3; r++) {
  const t = performance.now();
  await mathK().inspect('ptx', new Float32Array(4), new Float64Array(4));
  mr.push(+(performance.now() - t).toFixed(2));
}
out.kernels.mathLibdevice = { runs_ms: mr, timings: compileRecords().at(-1).timings };
console.log(JSON.stringify(out, null, 2));
if (process.argv[2]) writeFileSync(process.argv[2], JSON.stringify(out, null, 2));
