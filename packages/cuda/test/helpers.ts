import { existsSync } from 'node:fs';
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
