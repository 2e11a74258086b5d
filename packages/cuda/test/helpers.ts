import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';

/** ptxas from PTXAS, PATH, CUDA_HOME or /usr/local/cuda; undefined when absent. */
export function findPtxas(): string | undefined {
  const candidates = [
    process.env.PTXAS,
    ...(process.env.PATH ?? '').split(delimiter).filter(Boolean).map((d) => join(d, 'ptxas')),
    process.env.CUDA_HOME && join(process.env.CUDA_HOME, 'bin', 'ptxas'),
    '/usr/local/cuda/bin/ptxas',
  ];
  return candidates.find((c): c is string => !!c && existsSync(c));
}

/**
 * Assembles `ptx` with `ptxas -arch=<arch>` (sm_90 unless told) in a temporary directory; when
 * ptxas refuses, throws its message with the PTX.
 */
export function assemblePtx(ptxas: string, ptx: string, name: string, arch = 'sm_90'): void {
  const dir = mkdtempSync(join(tmpdir(), 'numbat-ptxas-'));
  try {
    writeFileSync(join(dir, `${name}.ptx`), ptx);
    execFileSync(ptxas, [`-arch=${arch}`, join(dir, `${name}.ptx`), '-o', join(dir, `${name}.cubin`)], { stdio: 'pipe' });
  } catch (e) {
    const err = e as { stderr?: Buffer; message: string };
    throw new Error(`ptxas -arch=${arch} rejected the PTX of ${name}:\n${err.stderr?.toString() || err.message}\n--- PTX ---\n${ptx}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
