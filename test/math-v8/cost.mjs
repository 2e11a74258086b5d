// The cost of core's f64 library against the target's own functions on cpu: the same
// kernel (each thread sums Math.fn over a stretch of inputs, in a lane group) compiled
// with the library and with libm/numbat's vector kernels ('math-f64-v8' declared native
// for the second run only), launches interleaved, best of several rounds.
//   node test/math-v8/cost.mjs [fn,fn...] [--rounds 5]
import { cuda, loadBackend } from '@numbat/core';
import { inputs } from './inputs.mjs';

const argv = process.argv.slice(2);
const fns = argv[0] && !argv[0].startsWith('--') ? argv[0].split(',') : ['exp', 'log'];
const rAt = argv.indexOf('--rounds');
const rounds = rAt >= 0 ? Number(argv[rAt + 1]) : 5;
const backend = await loadBackend('cpu');
const own = backend.caps.native;

const THREADS = 8192, PER = 256;
for (const fn of fns) {
  const args = inputs(fn, 4096).map((a) => Float64Array.from(a, (v) => (Number.isFinite(v) ? v : 0.5)));
  const two = args.length === 2;
  const make = (tag) => (0, eval)(`(function cost_${fn}_${tag}(a, ${two ? 'b, ' : ''}o, per) {
    const i = cuda.grid(1); if (i >= o.length) return;
    let s = 0;
    for (let j = 0; j < per; j++) { const k = (i * 7 + j) & 4095; s += Math.${fn}(a[k]${two ? ', b[k]' : ''}); }
    o[i] = s;
  })`);
  const out = new Float64Array(THREADS);
  const launch = {};
  for (const tag of ['library', 'target']) {
    backend.caps.native = tag === 'library' ? own : [...own, 'math-f64-v8'];
    launch[tag] = cuda.jit(make(tag), { target: 'cpu' }).configure(THREADS / 128, 128);
    await launch[tag](...args, out, PER); // compile now, under these caps
  }
  backend.caps.native = own;
  const best = { library: Infinity, target: Infinity };
  for (let r = 0; r < rounds; r++) {
    for (const tag of ['library', 'target']) {
      const t0 = performance.now();
      await launch[tag](...args, out, PER);
      best[tag] = Math.min(best[tag], performance.now() - t0);
    }
  }
  const rate = (ms) => ((THREADS * PER) / ms / 1e3).toFixed(1);
  console.log(`${fn.padEnd(6)} library ${best.library.toFixed(1)} ms (${rate(best.library)} M/s)   target ${best.target.toFixed(1)} ms (${rate(best.target)} M/s)   ratio ${(best.library / best.target).toFixed(2)}`);
}
