// koffi bindings to the CUDA driver API in libcuda.so.1 (installed with the
// NVIDIA driver, not with the toolkit). Raw functions: each returns the
// CUresult; driver.ts turns non-zero results into CudaErrors. The library is
// opened on first use only, and a machine without it gets a reason, not a throw.

import koffi from 'koffi';

/** Opaque driver handles (CUcontext, CUmodule, CUfunction, CUstream, CUevent, host pointers) as koffi BigInt pointers. */
export type Handle = bigint | null;
/** A device address (CUdeviceptr). */
export type DevicePtr = number | bigint;

/** Raw entry points. `_Out_` parameters take a one-element array that receives the value. */
export interface CudaApi {
  cuInit(flags: number): number;
  cuDriverGetVersion(v: number[]): number;
  cuDeviceGetCount(n: number[]): number;
  cuDeviceGet(dev: number[], ordinal: number): number;
  cuDeviceGetAttribute(v: number[], attrib: number, dev: number): number;
  cuDeviceGetName(name: Buffer, len: number, dev: number): number;
  cuDeviceTotalMem_v2(bytes: number[], dev: number): number;
  cuDevicePrimaryCtxRetain(ctx: Handle[], dev: number): number;
  cuCtxSetCurrent(ctx: Handle): number;
  cuCtxSynchronize(): number;
  cuModuleLoadDataEx(mod: Handle[], image: Buffer, numOptions: number, options: Int32Array | null, values: Handle): number;
  cuModuleUnload(mod: Handle): number;
  cuModuleGetFunction(fn: Handle[], mod: Handle, name: string): number;
  cuFuncSetAttribute(fn: Handle, attrib: number, value: number): number;
  cuFuncGetAttribute(v: number[], attrib: number, fn: Handle): number;
  cuMemAlloc_v2(dptr: DevicePtr[], bytes: number): number;
  cuMemFree_v2(dptr: DevicePtr): number;
  cuMemsetD8_v2(dptr: DevicePtr, value: number, count: number): number;
  cuMemcpyHtoD_v2(dst: DevicePtr, src: ArrayBufferView, bytes: number): number;
  cuMemcpyDtoH_v2(dst: ArrayBufferView, src: DevicePtr, bytes: number): number;
  cuMemcpyHtoDAsync_v2(dst: DevicePtr, src: ArrayBufferView, bytes: number, stream: Handle): number;
  cuMemcpyDtoHAsync_v2(dst: ArrayBufferView, src: DevicePtr, bytes: number, stream: Handle): number;
  cuMemHostAlloc(p: Handle[], bytes: number, flags: number): number;
  cuMemFreeHost(p: Handle): number;
  cuMemHostGetDevicePointer_v2(dptr: DevicePtr[], p: Handle, flags: number): number;
  cuLaunchKernel(fn: Handle, gx: number, gy: number, gz: number, bx: number, by: number, bz: number, sharedBytes: number, stream: Handle, params: Handle, extra: Handle): number;
  /** Every block resident at once (cuda.cg.this_grid().sync()). */
  cuLaunchCooperativeKernel(fn: Handle, gx: number, gy: number, gz: number, bx: number, by: number, bz: number, sharedBytes: number, stream: Handle, params: Handle): number;
  cuOccupancyMaxActiveBlocksPerMultiprocessor(n: number[], fn: Handle, blockSize: number, dynamicSharedBytes: number): number;
  cuStreamCreate(s: Handle[], flags: number): number;
  cuStreamDestroy_v2(s: Handle): number;
  cuStreamSynchronize(s: Handle): number;
  cuStreamQuery(s: Handle): number;
  cuEventCreate(e: Handle[], flags: number): number;
  cuEventRecord(e: Handle, s: Handle): number;
  cuEventSynchronize(e: Handle): number;
  cuEventQuery(e: Handle): number;
  cuEventDestroy_v2(e: Handle): number;
  /** CUDA 12.8+; older drivers only have cuEventElapsedTime (see driver.ts). */
  cuEventElapsedTime_v2?: (ms: number[], start: Handle, end: Handle) => number;
  cuEventElapsedTime?: (ms: number[], start: Handle, end: Handle) => number;
  cuGetErrorName(err: number, s: (string | null)[]): number;
  cuGetErrorString(err: number, s: (string | null)[]): number;
}

const SIGNATURES: Record<keyof CudaApi, string> = {
  cuInit: 'int cuInit(unsigned int flags)',
  cuDriverGetVersion: 'int cuDriverGetVersion(_Out_ int* v)',
  cuDeviceGetCount: 'int cuDeviceGetCount(_Out_ int* n)',
  cuDeviceGet: 'int cuDeviceGet(_Out_ int* dev, int ordinal)',
  cuDeviceGetAttribute: 'int cuDeviceGetAttribute(_Out_ int* v, int attrib, int dev)',
  cuDeviceGetName: 'int cuDeviceGetName(void* name, int len, int dev)',
  cuDeviceTotalMem_v2: 'int cuDeviceTotalMem_v2(_Out_ size_t* bytes, int dev)',
  cuDevicePrimaryCtxRetain: 'int cuDevicePrimaryCtxRetain(_Out_ void** ctx, int dev)',
  cuCtxSetCurrent: 'int cuCtxSetCurrent(void* ctx)',
  cuCtxSynchronize: 'int cuCtxSynchronize()',
  cuModuleLoadDataEx: 'int cuModuleLoadDataEx(_Out_ void** mod, const void* image, unsigned int numOptions, void* options, void* optionValues)',
  cuModuleUnload: 'int cuModuleUnload(void* mod)',
  cuModuleGetFunction: 'int cuModuleGetFunction(_Out_ void** fn, void* mod, const char* name)',
  cuFuncSetAttribute: 'int cuFuncSetAttribute(void* fn, int attrib, int value)',
  cuFuncGetAttribute: 'int cuFuncGetAttribute(_Out_ int* v, int attrib, void* fn)',
  cuMemAlloc_v2: 'int cuMemAlloc_v2(_Out_ uint64_t* dptr, size_t bytes)',
  cuMemFree_v2: 'int cuMemFree_v2(uint64_t dptr)',
  cuMemsetD8_v2: 'int cuMemsetD8_v2(uint64_t dptr, uint8_t value, size_t count)',
  cuMemcpyHtoD_v2: 'int cuMemcpyHtoD_v2(uint64_t dst, const void* src, size_t bytes)',
  cuMemcpyDtoH_v2: 'int cuMemcpyDtoH_v2(void* dst, uint64_t src, size_t bytes)',
  cuMemcpyHtoDAsync_v2: 'int cuMemcpyHtoDAsync_v2(uint64_t dst, const void* src, size_t bytes, void* stream)',
  cuMemcpyDtoHAsync_v2: 'int cuMemcpyDtoHAsync_v2(void* dst, uint64_t src, size_t bytes, void* stream)',
  cuMemHostAlloc: 'int cuMemHostAlloc(_Out_ void** p, size_t bytes, unsigned int flags)',
  cuMemFreeHost: 'int cuMemFreeHost(void* p)',
  cuMemHostGetDevicePointer_v2: 'int cuMemHostGetDevicePointer_v2(_Out_ uint64_t* dptr, void* p, unsigned int flags)',
  cuLaunchKernel: 'int cuLaunchKernel(void* fn, unsigned int gx, unsigned int gy, unsigned int gz, unsigned int bx, unsigned int by, unsigned int bz, unsigned int sharedBytes, void* stream, void* params, void* extra)',
  cuLaunchCooperativeKernel: 'int cuLaunchCooperativeKernel(void* fn, unsigned int gx, unsigned int gy, unsigned int gz, unsigned int bx, unsigned int by, unsigned int bz, unsigned int sharedBytes, void* stream, void* params)',
  cuOccupancyMaxActiveBlocksPerMultiprocessor: 'int cuOccupancyMaxActiveBlocksPerMultiprocessor(_Out_ int* n, void* fn, int blockSize, size_t dynamicSharedBytes)',
  cuStreamCreate: 'int cuStreamCreate(_Out_ void** s, unsigned int flags)',
  cuStreamDestroy_v2: 'int cuStreamDestroy_v2(void* s)',
  cuStreamSynchronize: 'int cuStreamSynchronize(void* s)',
  cuStreamQuery: 'int cuStreamQuery(void* s)',
  cuEventCreate: 'int cuEventCreate(_Out_ void** e, unsigned int flags)',
  cuEventRecord: 'int cuEventRecord(void* e, void* s)',
  cuEventSynchronize: 'int cuEventSynchronize(void* e)',
  cuEventQuery: 'int cuEventQuery(void* e)',
  cuEventDestroy_v2: 'int cuEventDestroy_v2(void* e)',
  cuEventElapsedTime_v2: 'int cuEventElapsedTime_v2(_Out_ float* ms, void* start, void* end)',
  cuEventElapsedTime: 'int cuEventElapsedTime(_Out_ float* ms, void* start, void* end)',
  cuGetErrorName: 'int cuGetErrorName(int err, _Out_ const char** s)',
  cuGetErrorString: 'int cuGetErrorString(int err, _Out_ const char** s)',
};

/** Entry points a driver may lack (newer or older than the one in hand). */
const OPTIONAL: ReadonlySet<keyof CudaApi> = new Set(['cuEventElapsedTime_v2', 'cuEventElapsedTime']);

export const LIBCUDA = process.env.NUMBAT_LIBCUDA ?? 'libcuda.so.1';

export type LoadResult = { ok: true; api: CudaApi } | { ok: false; reason: string };

let loaded: LoadResult | undefined;

/** Opens libcuda once; never throws. */
export function loadLibcuda(): LoadResult {
  if (loaded) return loaded;
  let lib: ReturnType<typeof koffi.load>;
  try {
    lib = koffi.load(LIBCUDA);
  } catch (e) {
    loaded = { ok: false, reason: `the CUDA driver library ${LIBCUDA} is not installed or cannot be opened (an NVIDIA GPU and its driver are needed): ${firstLine(e)}` };
    return loaded;
  }
  const api: Record<string, unknown> = {};
  for (const [name, sig] of Object.entries(SIGNATURES) as [keyof CudaApi, string][]) {
    try {
      api[name] = lib.func(sig);
    } catch (e) {
      if (OPTIONAL.has(name)) continue;
      loaded = { ok: false, reason: `${LIBCUDA} lacks ${name} (driver too old?): ${firstLine(e)}` };
      return loaded;
    }
  }
  if (!api.cuEventElapsedTime_v2 && !api.cuEventElapsedTime) {
    loaded = { ok: false, reason: `${LIBCUDA} has neither cuEventElapsedTime_v2 nor cuEventElapsedTime` };
    return loaded;
  }
  loaded = { ok: true, api: api as unknown as CudaApi };
  return loaded;
}

function firstLine(e: unknown): string {
  return String((e as Error)?.message ?? e).split('\n')[0];
}
