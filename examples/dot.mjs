// Dot product of two long vectors: an elementwise kernel writes x[i]·y[i],
// `reduce((a, b) => a + b)` sums the products on the device. f64 where the
// target has it (cpu, cuda, sim), f32 on webgpu. Check: against a compensated
// f64 sum on the host, within the rounding bound of the device's summation
// tree (each product is rounded once, then goes through at most d additions:
// |error| <= (d + 1)·u / (1 - (d + 1)·u) · Σ|x·y|, d from reduce's plan).
//   node examples/dot.mjs [--target T] [--size small|default|large]
import { pathToFileURL } from 'node:url';
import { cuda, loadBackend, reduce, resolveTarget, targetAvailability } from '@numbat/core';

export const meta = { name: 'dot', title: 'Dot product (elementwise kernel + reduce)', unit: 'elements/s' };

// Elements, timed repetitions. 'large' is 2^25: webgpu binds at most 128 MiB per array.
const SIZES = { small: [100003, 2], default: [1 << 22, 5], large: [1 << 25, 5] };

const multiply = (target) => cuda.jit(function multiply(x, y, prod) {
  for (let i = cuda.grid(1); i < prod.length; i += cuda.gridsize(1)) prod[i] = x[i] * y[i];
}, { target });

/** Deterministic values in [-1, 1): a 32-bit integer hash of (index, seed). */
function fill(a, seed) {
  for (let i = 0; i < a.length; i++) {
    let h = (i ^ Math.imul(seed, 0x9e3779b9)) >>> 0;
    h = Math.imul(h ^ (h >>> 16), 0x7feb352d);
    h = Math.imul(h ^ (h >>> 15), 0x846ca68b);
    a[i] = ((h ^ (h >>> 16)) >>> 0) / 2 ** 31 - 1;
  }
  return a;
}

/** Σ x[i]·y[i] in f64 with Neumaier's compensation (error ~ 2^-52·|sum|), and Σ|x[i]·y[i]|. */
function hostDot(x, y) {
  let sum = 0, c = 0, abs = 0;
  for (let i = 0; i < x.length; i++) {
    const p = x[i] * y[i]; // exact for f32 inputs; one rounding for f64
    const t = sum + p;
    c += Math.abs(sum) >= Math.abs(p) ? (sum - t) + p : (p - t) + sum;
    sum = t;
    abs += Math.abs(p);
  }
  return { dot: sum + c, abs };
}

export async function run({ target = 'auto', size = 'default', onProgress } = {}) {
  const t = await resolveTarget(target);
  const device = (await targetAvailability(t)).device;
  const f64 = (await loadBackend(t)).caps.f64;
  const [n, reps] = SIZES[size] ?? SIZES.default;
  const Arr = f64 ? Float64Array : Float32Array;
  const x = fill(new Arr(n), 1), y = fill(new Arr(n), 2);
  const dx = cuda.toDevice(x, { target: t }), dy = cuda.toDevice(y, { target: t });
  const prod = cuda.deviceArray(n, f64 ? 'f64' : 'f32', { target: t });
  const sum = reduce((a, b) => a + b, { target: t });
  const plan = await sum.plan(n);
  // A thread per element, up to the blocks the target wants for a grid-stride loop (on cpu,
  // 2^22 f64 products took 3 ms this way and 14 ms with reduce's ~10 elements per thread;
  // llvmpipe prefers few blocks).
  const gridStride = (await targetAvailability(t)).gridStrideBlocks ?? 1024;
  const launch = multiply(t).configure(Math.min(gridStride, 65535, Math.ceil(n / 256)), 256);
  const dot = async () => {
    await launch(dx, dy, prod);
    return sum(prod);
  };

  const c0 = performance.now();
  let result = await dot(); // compiles both kernels
  const compileMs = performance.now() - c0;
  const t0 = performance.now();
  for (let r = 0; r < reps; r++) {
    result = await dot();
    onProgress?.((r + 1) / reps);
  }
  const seconds = (performance.now() - t0) / 1000;
  await Promise.all([dx.free(), dy.free(), prod.free()]);

  const ref = hostDot(x, y);
  const u = f64 ? 2 ** -53 : 2 ** -24;
  const d = plan.perThread + Math.ceil(plan.blocks / 256) + 17 + 1; // additions on the longest path, + the product's rounding
  const bound = ((d * u) / (1 - d * u)) * ref.abs + 2 ** -50 * ref.abs; // + the host reference's own error
  const bytes = n * (f64 ? 8 : 4) * 4; // read x, y; write and read the products
  return {
    target: t, device, unit: meta.unit, compileMs, seconds, work: n * reps, throughput: (n * reps) / seconds,
    result: { n, dtype: f64 ? 'f64' : 'f32', dot: result, reference: ref.dot, gbPerS: (bytes * reps) / seconds / 1e9 },
    checks: [
      {
        name: 'dot product matches the host within the summation bound',
        ok: Math.abs(result - ref.dot) <= bound,
        detail: `${result} vs ${ref.dot}: error ${Math.abs(result - ref.dot).toExponential(2)} <= ${bound.toExponential(2)} (${d} roundings of ${f64 ? 'f64' : 'f32'} on the longest path, Σ|x·y| = ${ref.abs.toFixed(1)})`,
      },
    ],
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const argv = process.argv.slice(2);
  const opt = (name, dflt) => { const i = argv.indexOf(`--${name}`); return i >= 0 ? argv[i + 1] : dflt; };
  if (argv.includes('--help') || argv.includes('-h')) {
    // Usage only: nothing is compiled or run.
    console.log(`${meta.title}\nusage: node examples/dot.mjs [options]\n  --target T   auto (default: the best available), sim, cpu, webgpu or cuda\n  --size S     small, default or large`);
    process.exit(0);
  }
  const r = await run({ target: opt('target', 'auto'), size: opt('size', 'default') });
  console.log(`${meta.title} on '${r.target}' (${r.device})`);
  console.log(`  x·y over ${r.result.n.toLocaleString('en-US')} ${r.result.dtype} elements = ${r.result.dot} (host: ${r.result.reference})`);
  for (const c of r.checks) console.log(`  ${c.ok ? 'ok  ' : 'FAIL'} ${c.name}: ${c.detail}`);
  console.log(`  ${(r.throughput / 1e6).toFixed(1)} M elements/s (${r.result.gbPerS.toFixed(2)} GB/s moved); first call incl. compile ${r.compileMs.toFixed(0)} ms`);
  process.exitCode = r.checks.every((c) => c.ok) ? 0 : 1;
}
