// Prepares a GPU machine that has no LLVM (and maybe no Node): compiles every
// corpus (@numbat/core/testsuite) and benchmark kernel to PTX into
// .carry/cuda/cache (NUMBAT_CACHE_DIR there), and packs the Node binary as
// .carry/cuda/node.xz. Run here, with LLVM:
//   node bench/cuda/prepare.mjs
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, statSync } from 'node:fs';
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
execFileSync(process.execPath, [join(root, 'bench', 'cuda', 'verify-cache.mjs')], { stdio: 'inherit' });

const nodeXz = join(carry, 'node.xz');
if (!existsSync(nodeXz) || statSync(nodeXz).mtimeMs < statSync(process.execPath).mtimeMs) {
  execFileSync('sh', ['-c', `xz -T2 -6 -c "${process.execPath}" > "${nodeXz}"`]);
}
console.log(`prepare: node ${process.version} packed (${(statSync(nodeXz).size / 2 ** 20).toFixed(1)} MiB)`);
