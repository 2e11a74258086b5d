// NVIDIA's ptxas, to prove PTX valid without a GPU: the cuda tests (helpers.ts) and the
// kernel fuzzer's `ptx` target (test/fuzz/run.mjs) use it.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';

/** ptxas from PTXAS, PATH, CUDA_HOME or /usr/local/cuda; undefined when absent. @returns {string | undefined} */
export function findPtxas() {
  const candidates = [
    process.env.PTXAS,
    ...(process.env.PATH ?? '').split(delimiter).filter(Boolean).map((d) => join(d, 'ptxas')),
    process.env.CUDA_HOME && join(process.env.CUDA_HOME, 'bin', 'ptxas'),
    '/usr/local/cuda/bin/ptxas',
  ];
  return candidates.find((c) => !!c && existsSync(c));
}

/**
 * Assembles `ptx` with `ptxas -arch=<arch>` (sm_90 unless told) in a temporary directory; when
 * ptxas refuses, throws its message with the PTX.
 * @param {string} ptxas @param {string} ptx @param {string} name @param {string} [arch]
 */
export function assemblePtx(ptxas, ptx, name, arch = 'sm_90') {
  const dir = mkdtempSync(join(tmpdir(), 'numbat-ptxas-'));
  try {
    writeFileSync(join(dir, `${name}.ptx`), ptx);
    execFileSync(ptxas, [`-arch=${arch}`, join(dir, `${name}.ptx`), '-o', join(dir, `${name}.cubin`)], { stdio: 'pipe' });
  } catch (e) {
    throw new Error(`ptxas -arch=${arch} rejected the PTX of ${name}:\n${e.stderr?.toString() || e.message}\n--- PTX ---\n${ptx}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
