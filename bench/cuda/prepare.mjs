// Prepares a GPU machine that has no LLVM (and maybe no Node): compiles every
// corpus (@numbat/core/testsuite) and benchmark kernel to PTX into
// .carry/cuda/cache (NUMBAT_CACHE_DIR there): bench/cuda's lists
// (device-run.sh), and every kernel bench/gpu/run.mjs launches, found by
// running it in compile-only mode (NUMBAT_CUDA_COMPILE_ONLY) at the sizes of
// a full and a --quick run, so that list cannot drift from what run.sh runs.
// Then packs the Node binary (.carry/cuda/node.xz) and the runtime packages
// and builds (bench/gpu/pack.mjs), and checks, with LLVM forbidden
// (NUMBAT_CUDA_NO_LLVM=1), that every kernel of both lists is found in the
// packed cache. Run here, with LLVM, after `npx tsc -b`:
//   node bench/cuda/prepare.mjs
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const carry = join(root, '.carry', 'cuda');
mkdirSync(carry, { recursive: true });
process.env.NUMBAT_CACHE_DIR = join(carry, 'cache');
rmSync(join(carry, 'cache'), { recursive: true, force: true }); // never ship PTX from an older code generator
rmSync(join(carry, 'corpus'), { recursive: true, force: true }); // bundled here by older versions

const { cuda } = await import('@numbat/core');
const { compileRecords } = await import('@numbat/cuda');
const { CORPUS } = await import('@numbat/core/testsuite');
const { caseOptions } = await import('./conformance.mjs');
const { BENCH, SAMPLE, jitBench } = await import('./kernels.mjs');

let n = 0, ms = 0;
for (const c of CORPUS) {
  await cuda.jit(c.kernel, caseOptions(c, 'cuda')).inspect('ptx', ...c.args());
  n++; ms += compileRecords().at(-1).timings.total;
}
for (const name of Object.keys(BENCH)) {
  await jitBench(name).inspect('ptx', ...SAMPLE[name]());
  n++; ms += compileRecords().at(-1).timings.total;
}
const errors = await import('./errors.mjs');
for (const [name, k] of Object.entries(errors.KERNELS)) {
  await k.inspect('ptx', ...errors.SAMPLE[name]());
  n++; ms += compileRecords().at(-1).timings.total;
}
const sem = await import('./semantics.mjs');
for (const name of Object.keys(sem.CASES)) for (const T of [Float32Array, Float64Array]) {
  await sem.kernelOf(name, T).inspect('ptx', ...sem.argsOf(T));
  n++; ms += compileRecords().at(-1).timings.total;
}
console.log(`prepare: ${n} kernels in ${join(carry, 'cache')} (${ms.toFixed(0)} ms compiling or loading)`);

// The GPU script's kernels, as it launches them (nothing runs: compile-only),
// at each size run.sh takes; --dry-run adds the PTX its ptxas check inspects.
const runMjs = join(root, 'bench', 'gpu', 'run.mjs');
const scratch = mkdtempSync(join(tmpdir(), 'numbat-prepare-'));
const SIZES = [[], ['--quick'], ['--dry-run']];
for (const size of SIZES) {
  console.log(`prepare: bench/gpu/run.mjs --compile-only ${size.join(' ')}`);
  execFileSync(process.execPath, [runMjs, '--compile-only', ...size, '--out', scratch], { stdio: 'inherit', env: { ...process.env, NUMBAT_CUDA_COMPILE_ONLY: '1' } });
}

const nodeXz = join(carry, 'node.xz');
if (!existsSync(nodeXz) || statSync(nodeXz).mtimeMs < statSync(process.execPath).mtimeMs) {
  execFileSync('sh', ['-c', `xz -T2 -6 -c "${process.execPath}" > "${nodeXz}"`]);
}
console.log(`prepare: node ${process.version} packed (${(statSync(nodeXz).size / 2 ** 20).toFixed(1)} MiB)`);
const { pack, describe } = await import('../gpu/pack.mjs');
const sizes = pack();
console.log(`prepare: carried ${describe(sizes)}`);

// What the GPU machine relies on, checked on what was packed: bench/cuda's
// lists load without mapping LLVM, and every kernel of bench/gpu/run.mjs is in
// the cache with compiling forbidden (as bench/gpu/run.sh --check-ptx).
execFileSync(process.execPath, [join(root, 'bench', 'cuda', 'verify-cache.mjs')], { stdio: 'inherit' });
for (const size of SIZES) {
  const fresh = mkdtempSync(join(scratch, 'cache-')); // an empty writable cache: only the packed one can answer
  console.log(`prepare: check bench/gpu/run.mjs --compile-only ${size.join(' ')} with NUMBAT_CUDA_NO_LLVM=1`);
  execFileSync(process.execPath, [runMjs, '--compile-only', ...size, '--out', scratch], {
    stdio: 'inherit',
    env: { ...process.env, NUMBAT_CUDA_COMPILE_ONLY: '1', NUMBAT_CUDA_NO_LLVM: '1', NUMBAT_CUDA_PTX_DIR: join(carry, 'cache'), NUMBAT_CACHE_DIR: fresh },
  });
}
rmSync(scratch, { recursive: true, force: true });
if (!sizes.fits) {
  console.error("prepare: what travels is over the device tool's 64 MiB");
  process.exit(1);
}
