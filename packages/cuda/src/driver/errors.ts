// Every non-zero CUresult becomes a CudaError that names the driver call, the
// code's symbolic name and the driver's description of it.

import type { CudaApi } from './libcuda.js';

export class CudaError extends Error {
  constructor(
    /** The driver entry point that failed, e.g. 'cuModuleLoadDataEx'. */
    readonly call: string,
    /** The CUresult. */
    readonly code: number,
    /** e.g. 'CUDA_ERROR_INVALID_PTX'. */
    readonly codeName: string,
    description: string,
    detail?: string,
  ) {
    super(`numbat cuda: ${call} failed with ${codeName} (${code}): ${description}${detail ? `\n${detail}` : ''}`);
    this.name = 'CudaError';
    this.stack = `${this.name}: ${this.message}`;
  }
}

/** The driver's name and description of a CUresult (works before cuInit). */
export function describeResult(api: CudaApi, code: number): { name: string; description: string } {
  const n: (string | null)[] = [null], s: (string | null)[] = [null];
  let name = `CUresult ${code}`, description = 'unknown error';
  try {
    if (api.cuGetErrorName(code, n) === 0 && n[0]) name = n[0];
    if (api.cuGetErrorString(code, s) === 0 && s[0]) description = s[0];
  } catch { /* keep the numeric form */ }
  return { name, description };
}

/** What to do about errors whose cause is usually in the kernel, not in numbat. */
const HINTS: Record<string, string> = {
  CUDA_ERROR_ILLEGAL_ADDRESS: 'a kernel accessed memory outside its arrays; with boundscheck: false such accesses are not caught, so run it with bounds checks on (the default) to find which. The CUDA context is unusable until the process restarts',
  CUDA_ERROR_LAUNCH_TIMEOUT: 'a kernel ran longer than the display watchdog allows',
  CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES: 'the block needs more registers or shared memory than one multiprocessor has: use fewer threads per block',
};

/** Throws a CudaError unless `code` is CUDA_SUCCESS. */
export function check(api: CudaApi, call: string, code: number, detail?: string): void {
  if (code === 0) return;
  const { name, description } = describeResult(api, code);
  const hint = HINTS[name];
  throw new CudaError(call, code, name, description, [detail, hint].filter(Boolean).join('\n') || undefined);
}
