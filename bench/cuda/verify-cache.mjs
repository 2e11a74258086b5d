// Checks that every corpus and benchmark kernel is served from the prepared
// PTX cache (.carry/cuda/cache) without mapping LLVM: what the GPU machine
// relies on. Run by prepare.mjs in a fresh process.
import { readFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cuda } from '@numbat/core';
import { CORPUS } from '@numbat/core/testsuite';
import { compileRecords } from '@numbat/cuda';
import { caseOptions } from './conformance.mjs';
import { BENCH, SAMPLE, jitBench } from './kernels.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
process.env.NUMBAT_CACHE_DIR ??= join(root, '.carry', 'cuda', 'cache');
const missing = [];
for (const c of CORPUS) {
  await cuda.jit(c.kernel, caseOptions(c, 'cuda')).inspect('ptx', ...c.args());
  if (compileRecords().at(-1).origin !== 'cache') missing.push(c.name);
}
for (const name of Object.keys(BENCH)) {
  await jitBench(name).inspect('ptx', ...SAMPLE[name]());
  if (compileRecords().at(-1).origin !== 'cache') missing.push(name);
}
const errors = await import('./errors.mjs');
for (const [name, k] of Object.entries(errors.KERNELS)) {
  await k.inspect('ptx', ...errors.SAMPLE[name]());
  if (compileRecords().at(-1).origin !== 'cache') missing.push(name);
}
const sem = await import('./semantics.mjs');
for (const name of Object.keys(sem.CASES)) for (const T of [Float32Array, Float64Array]) {
  await sem.kernelOf(name, T).inspect('ptx', ...sem.argsOf(T));
  if (compileRecords().at(-1).origin !== 'cache') missing.push(`${name}/${T.name}`);
}
const llvm = /libLLVM|llvm-bindings/.test(readFileSync('/proc/self/maps', 'utf8'));
console.log(`verify-cache: ${compileRecords().length - missing.length} cached, missing: [${missing.join(', ')}], LLVM mapped: ${llvm}`);
process.exit(missing.length || llvm ? 1 : 0);
