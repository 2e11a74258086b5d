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

/** Throws a CudaError unless `code` is CUDA_SUCCESS. */
export function check(api: CudaApi, call: string, code: number, detail?: string): void {
  if (code === 0) return;
  const { name, description } = describeResult(api, code);
  throw new CudaError(call, code, name, description, detail);
}
